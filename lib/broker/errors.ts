/**
 * Errors of the broker layer. Every failure of a bridge call is a {@link BridgeError} with a `kind`
 * and `executed`, which says what the failure proves about the request:
 *
 *   kind            HTTP / transport                         executed   meaning for order_stock
 *   auth            401 {"detail":"无效的Token"}             'no'       rejected before the method ran
 *   validation      422 {"detail":[...]}                     'no'       rejected before the method ran
 *   unknown_method  404 {"detail":"Not Found"}               'no'       no such route
 *   unreachable     ECONNREFUSED (no TCP connection)         'no'       never reached the bridge
 *   timeout         no complete answer in time               'unknown'  may be live: reconcile
 *   server          500 {"detail":"<python exception>"}      'unknown'  may be live: reconcile
 *   http            any other status (405, 502 …)            'unknown'  may be live: reconcile
 *   network         reset / hang-up after connecting         'unknown'  may be live: reconcile
 *   protocol        200 with a body that is not the QKA shape 'unknown' may be live: reconcile
 *
 * Messages name the method and the bridge address, never the token.
 */
export type BridgeErrorKind = 'auth' | 'validation' | 'unknown_method' | 'unreachable' | 'timeout' | 'server' | 'http' | 'network' | 'protocol'

/** Base class of every error thrown by a Broker implementation. */
export class BrokerError extends Error {
  readonly kind: string
  constructor(kind: string, message: string, opts: { cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = new.target.name
    this.kind = kind
  }
}

export class BridgeError extends BrokerError {
  declare readonly kind: BridgeErrorKind
  /** The QKA route, e.g. `order_stock`. */
  readonly method: string
  /** HTTP status when the bridge answered. */
  readonly status?: number
  /** 'no': proven not executed (the request never reached the method). 'unknown': it may have run. */
  readonly executed: 'no' | 'unknown'
  /** The bridge's `detail` (a Python exception text for 500, a validation list for 422). */
  readonly detail?: unknown

  constructor(kind: BridgeErrorKind, method: string, message: string, opts: { status?: number; detail?: unknown; cause?: unknown } = {}) {
    super(kind, `QKA ${method}: ${message}`, { cause: opts.cause })
    this.method = method
    if (opts.status !== undefined) this.status = opts.status
    if (opts.detail !== undefined) this.detail = opts.detail
    this.executed = kind === 'auth' || kind === 'validation' || kind === 'unknown_method' || kind === 'unreachable' ? 'no' : 'unknown'
  }
}

/** 401: wrong token (or the token was rotated on the bridge machine). */
export class BridgeAuthError extends BridgeError {
  constructor(method: string, message: string, opts: { status?: number; detail?: unknown } = {}) {
    super('auth', method, message, { status: 401, ...opts })
  }
}

/** 422: FastAPI validation (missing X-Token header or missing body). */
export class BridgeValidationError extends BridgeError {
  constructor(method: string, message: string, opts: { detail?: unknown } = {}) {
    super('validation', method, message, { status: 422, ...opts })
  }
}

/** 404: the installed xtquant build has no such method. */
export class BridgeUnknownMethodError extends BridgeError {
  constructor(method: string, message: string) {
    super('unknown_method', method, message, { status: 404 })
  }
}

/** 500: a Python exception inside the bridge; `detail` carries its text. */
export class BridgeServerError extends BridgeError {
  constructor(method: string, message: string, opts: { detail?: unknown } = {}) {
    super('server', method, message, { status: 500, ...opts })
  }
}

/** Any other HTTP status (405, 502 from a proxy, …). */
export class BridgeHttpError extends BridgeError {
  constructor(method: string, status: number, message: string, opts: { detail?: unknown } = {}) {
    super('http', method, message, { status, ...opts })
  }
}

/** No TCP connection could be made (ECONNREFUSED and friends): proof the request was never received. */
export class BridgeUnreachableError extends BridgeError {
  readonly code: string
  constructor(method: string, code: string, message: string, opts: { cause?: unknown } = {}) {
    super('unreachable', method, message, opts)
    this.code = code
  }
}

/** No complete answer within the timeout; the request may or may not have been executed. */
export class BridgeTimeoutError extends BridgeError {
  readonly timeoutMs: number
  constructor(method: string, timeoutMs: number, message: string, opts: { cause?: unknown } = {}) {
    super('timeout', method, message, opts)
    this.timeoutMs = timeoutMs
  }
}

/** The connection broke after it was established (reset, hang-up). */
export class BridgeNetworkError extends BridgeError {
  readonly code?: string
  constructor(method: string, message: string, opts: { code?: string; cause?: unknown } = {}) {
    super('network', method, message, opts)
    if (opts.code !== undefined) this.code = opts.code
  }
}

/** HTTP 200 whose body is not `{"success":true,"data":…}` or whose data does not have the documented shape. */
export class BridgeProtocolError extends BridgeError {
  constructor(method: string, message: string, opts: { status?: number; cause?: unknown } = {}) {
    super('protocol', method, message, opts)
  }
}

export function isBridgeError(e: unknown): e is BridgeError {
  return e instanceof BridgeError
}

/** Errors of the in-process paper broker (state file unreadable, lock not obtained, …). */
export class PaperBrokerError extends BrokerError {
  constructor(kind: 'state' | 'lock' | 'config', message: string, opts: { cause?: unknown } = {}) {
    super(kind, message, opts)
  }
}
