/**
 * The QKA QMTServer wire protocol (bridge-protocol.md §1–§2).
 *
 *   POST {baseUrl}/api/{method}
 *   Content-Type: application/json; X-Token: <token>
 *   body: the xttrader keyword arguments without `account`, at least `{}`
 *   200 {"success":true,"data":…} → data    401/422/404/500 → typed BridgeError (see errors.ts)
 *
 * - One serial queue per client: QKA runs each blocking xttrader call on its event loop, so requests
 *   are never sent in parallel (a slow query would delay an order anyway). Orders and cancels are
 *   queued ahead of waiting queries, never alongside them.
 * - Every request uses a fresh TCP connection (`agent: false`, `Connection: close`): a stale
 *   keep-alive socket could fail an order with an ambiguous reset; with a fresh connection a refused
 *   connect is proof the request was never received.
 * - Queries (`query_*`) may be retried (bounded, with backoff) on unreachable / timeout / 5xx.
 *   `order_stock`, `cancel_order_stock` and anything not a query are never retried here.
 * - The token travels only in the header; no message or log line contains it.
 */
import http from 'node:http'
import https from 'node:https'
import type { z } from 'zod'
import {
  BridgeAuthError,
  BridgeError,
  BridgeHttpError,
  BridgeNetworkError,
  BridgeProtocolError,
  BridgeServerError,
  BridgeTimeoutError,
  BridgeUnknownMethodError,
  BridgeUnreachableError,
  BridgeValidationError,
} from './errors'
import type { BrokerLogger } from './types'
import {
  XtAccountInfoSchema,
  XtAccountStatusSchema,
  XtAssetSchema,
  XtOrderSchema,
  XtPositionSchema,
  XtTradeSchema,
  type XtAccountInfo,
  type XtAccountStatus,
  type XtAsset,
  type XtOrder,
  type XtPosition,
  type XtTrade,
} from './xt-schemas'

export const DEFAULT_BRIDGE_TIMEOUT_MS = 8000
const MAX_BODY_BYTES = 20 * 1024 * 1024

/** Error codes that prove no TCP connection was established: the request was never received. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'])

export interface RetryPolicy {
  /** Extra attempts after the first (queries only). Default 2. */
  retries: number
  /** Delay before the first retry; doubles each time. Default 200 ms. */
  baseDelayMs: number
}

export interface QkaClientOptions {
  baseUrl: string
  token: string
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
  logger?: BrokerLogger
}

export interface CallOptions {
  timeoutMs?: number
  /** Allowed only for query_* methods; ignored (never retried) for anything else. */
  retry?: boolean
}

export interface QkaStats {
  /** Requests put on the wire (retries count separately). */
  sent: number
  byMethod: Record<string, number>
}

type Priority = 'high' | 'normal'

/** Runs one task at a time; 'high' tasks (orders, cancels) go before waiting 'normal' ones. */
class SerialQueue {
  private busy = false
  private readonly high: Array<() => void> = []
  private readonly normal: Array<() => void> = []

  run<T>(task: () => Promise<T>, priority: Priority): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.busy = true
        task()
          .then(resolve, reject)
          .finally(() => {
            this.busy = false
            const next = this.high.shift() ?? this.normal.shift()
            if (next) next()
          })
      }
      if (!this.busy) start()
      else (priority === 'high' ? this.high : this.normal).push(start)
    })
  }

  get pending(): number {
    return this.high.length + this.normal.length + (this.busy ? 1 : 0)
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

function isQuery(method: string): boolean {
  return method.startsWith('query_')
}

function describeDetail(detail: unknown): string {
  if (typeof detail === 'string') return detail
  try {
    return JSON.stringify(detail)
  } catch {
    return String(detail)
  }
}

export class QkaClient {
  readonly baseUrl: string
  readonly timeoutMs: number
  private readonly token: string
  private readonly retry: RetryPolicy
  private readonly logger?: BrokerLogger
  private readonly queue = new SerialQueue()
  private readonly stats: QkaStats = { sent: 0, byMethod: {} }

  /**
   * A configuration problem (bad URL, no token) does not throw here: every call then fails with
   * BridgeUnreachableError code 'ECONFIG' (provably nothing sent), and connect() reports it.
   */
  readonly configError: string | null

  constructor(opts: QkaClientOptions) {
    const base = typeof opts.baseUrl === 'string' ? opts.baseUrl.trim().replace(/\/+$/, '') : ''
    let err: string | null = null
    try {
      const u = new URL(base)
      if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) err = `bridge address must be an http(s) URL with a host, e.g. http://192.168.1.20:8000 (got ${JSON.stringify(base)})`
    } catch {
      err = `bridge address must be an http(s) URL with a host, e.g. http://192.168.1.20:8000 (got ${JSON.stringify(base)})`
    }
    if (!err && (typeof opts.token !== 'string' || opts.token.length === 0)) err = 'no bridge token configured (QMTServer prints it as 授权Token at startup)'
    this.configError = err
    this.baseUrl = base
    this.token = typeof opts.token === 'string' ? opts.token : ''
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_BRIDGE_TIMEOUT_MS
    this.retry = { retries: 2, baseDelayMs: 200, ...(opts.retry ?? {}) }
    this.logger = opts.logger
  }

  /** Requests sent so far (for diagnostics and tests). */
  getStats(): QkaStats {
    return { sent: this.stats.sent, byMethod: { ...this.stats.byMethod } }
  }

  /** Requests waiting or running in the serial queue. */
  get pending(): number {
    return this.queue.pending
  }

  /**
   * Calls a QKA route and returns `data` as sent (no normalisation). Queries are retried on
   * unreachable / timeout / 5xx when `retry` is not false; nothing else is ever retried.
   */
  async call(method: string, body: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<unknown> {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(method)) throw new TypeError(`QkaClient: invalid method name ${JSON.stringify(method)}`)
    if (this.configError) throw new BridgeUnreachableError(method, 'ECONFIG', `not sent: ${this.configError}`)
    const retryable = isQuery(method) && opts.retry !== false
    const attempts = retryable ? 1 + Math.max(0, this.retry.retries) : 1
    const priority: Priority = isQuery(method) ? 'normal' : 'high'
    let lastError: unknown
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(this.retry.baseDelayMs * 2 ** (attempt - 1))
      try {
        // Each attempt queues separately, so an order never waits behind a whole retry sequence.
        return await this.queue.run(() => this.send(method, body, opts.timeoutMs ?? this.timeoutMs), priority)
      } catch (e) {
        lastError = e
        const again = e instanceof BridgeError && (e.kind === 'unreachable' || e.kind === 'timeout' || e.kind === 'server' || (e.kind === 'http' && (e.status ?? 0) >= 500))
        if (!again || attempt === attempts - 1) throw e
        this.logger?.warn({ method, attempt: attempt + 1, kind: e.kind }, 'bridge query failed; retrying')
      }
    }
    throw lastError
  }

  private send(method: string, body: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    const url = new URL(`${this.baseUrl}/api/${method}`)
    const payload = Buffer.from(JSON.stringify(body ?? {}), 'utf8')
    const mod = url.protocol === 'https:' ? https : http
    const where = `${url.protocol}//${url.host}`
    const started = Date.now()
    this.stats.sent++
    this.stats.byMethod[method] = (this.stats.byMethod[method] ?? 0) + 1

    return new Promise<unknown>((resolve, reject) => {
      let settled = false
      let connected = false
      let timedOut = false
      const finish = (err: Error | null, value?: unknown) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        const ms = Date.now() - started
        if (err) {
          this.logger?.warn({ method, ms, kind: err instanceof BridgeError ? err.kind : 'error', status: err instanceof BridgeError ? err.status : undefined }, 'bridge call failed')
          reject(err)
        } else {
          this.logger?.debug({ method, ms }, 'bridge call ok')
          resolve(value)
        }
      }
      const req = mod.request(
        {
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          agent: false,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': String(payload.length),
            Accept: 'application/json',
            Connection: 'close',
            'X-Token': this.token,
          },
        },
        (res) => {
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (c: Buffer) => {
            size += c.length
            if (size > MAX_BODY_BYTES) {
              req.destroy()
              finish(new BridgeProtocolError(method, `answer from ${where} exceeds ${MAX_BODY_BYTES} bytes`, { status: res.statusCode }))
              return
            }
            chunks.push(c)
          })
          res.on('error', (e) => {
            if (timedOut) finish(new BridgeTimeoutError(method, timeoutMs, `no complete answer from ${where} within ${timeoutMs} ms`, { cause: e }))
            else finish(new BridgeNetworkError(method, `answer from ${where} broke off: ${e.message}`, { cause: e, code: (e as NodeJS.ErrnoException).code }))
          })
          res.on('close', () => {
            // A connection that closes before the answer is complete ('end' not reached).
            if (!res.complete && !timedOut) finish(new BridgeNetworkError(method, `answer from ${where} broke off before it was complete`))
          })
          res.on('end', () => {
            try {
              finish(null, this.interpret(method, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), where))
            } catch (e) {
              finish(e as Error)
            }
          })
        },
      )
      const timer = setTimeout(() => {
        timedOut = true
        req.destroy()
        finish(new BridgeTimeoutError(method, timeoutMs, `no complete answer from ${where} within ${timeoutMs} ms${connected ? '' : ' (connection not established)'}`))
      }, timeoutMs)
      req.on('socket', (sock) => {
        sock.once('connect', () => {
          connected = true
        })
      })
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (timedOut) return
        const code = e.code ?? ''
        if (!connected && NOT_CONNECTED_CODES.has(code)) {
          finish(new BridgeUnreachableError(method, code, `cannot connect to ${where} (${code}); the request was not sent`, { cause: e }))
        } else {
          finish(new BridgeNetworkError(method, `connection to ${where} failed${code ? ` (${code})` : ''}: ${e.message}`, { cause: e, code: code || undefined }))
        }
      })
      req.end(payload)
    })
  }

  private interpret(method: string, status: number, text: string, where: string): unknown {
    let json: unknown = undefined
    let parsed = false
    try {
      json = JSON.parse(text)
      parsed = true
    } catch {
      // handled per status below
    }
    const detail = parsed && json && typeof json === 'object' && 'detail' in json ? (json as { detail: unknown }).detail : undefined
    if (status === 200) {
      if (!parsed) throw new BridgeProtocolError(method, `HTTP 200 from ${where} with a body that is not JSON: ${JSON.stringify(text.slice(0, 120))}`, { status })
      if (!json || typeof json !== 'object' || (json as { success?: unknown }).success !== true || !('data' in json)) {
        throw new BridgeProtocolError(method, `HTTP 200 from ${where} without {"success":true,"data":…}: ${JSON.stringify(text.slice(0, 120))}`, { status })
      }
      return (json as { data: unknown }).data
    }
    if (status === 401) return this.fail(new BridgeAuthError(method, `401 from ${where}: ${detail !== undefined ? describeDetail(detail) : 'unauthorized'} (wrong or rotated token)`, { detail }))
    if (status === 422) return this.fail(new BridgeValidationError(method, `422 from ${where}: ${describeDetail(detail ?? text.slice(0, 200))}`, { detail }))
    if (status === 404) return this.fail(new BridgeUnknownMethodError(method, `404 from ${where}: the bridge has no method ${method} (${describeDetail(detail ?? 'Not Found')})`))
    if (status === 500) {
      const msg = detail !== undefined ? describeDetail(detail) : text.slice(0, 300)
      return this.fail(new BridgeServerError(method, `500 from ${where}: ${msg}`, { detail: detail ?? text.slice(0, 300) }))
    }
    return this.fail(new BridgeHttpError(method, status, `HTTP ${status} from ${where}: ${detail !== undefined ? describeDetail(detail) : JSON.stringify(text.slice(0, 120))}`, { detail }))
  }

  private fail(e: BridgeError): never {
    throw e
  }

  // ---- typed helpers (normalise `{}` to "nothing") ------------------------------------------------

  private parseOne<T>(method: string, schema: z.ZodType<T>, data: unknown, what: string): T {
    const r = schema.safeParse(data)
    if (!r.success) {
      const issue = r.error.issues[0]
      throw new BridgeProtocolError(method, `unexpected ${what} shape: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`)
    }
    return r.data
  }

  /** `{}`/null → null; an object → parsed; anything else → protocol error. */
  private parseObject<T>(method: string, schema: z.ZodType<T>, data: unknown, what: string): T | null {
    if (data === null || data === undefined) return null
    if (typeof data === 'object' && !Array.isArray(data) && Object.keys(data as object).length === 0) return null
    if (typeof data !== 'object' || Array.isArray(data)) throw new BridgeProtocolError(method, `expected a ${what} object or {}, got ${Array.isArray(data) ? 'an array' : typeof data}`)
    return this.parseOne(method, schema, data, what)
  }

  /** `{}`/null → []; an array → every item parsed (one bad item fails the whole answer: never drop an order silently). */
  private parseList<T>(method: string, schema: z.ZodType<T>, data: unknown, what: string): T[] {
    return this.parseListAnswer(method, schema, data, what).items
  }

  /**
   * As parseList, but says whether the answer was `{}`/null (xttrader's None: "nothing today" or
   * "MiniQMT logged out", QKA cannot tell which) rather than a list.
   */
  private parseListAnswer<T>(method: string, schema: z.ZodType<T>, data: unknown, what: string): { items: T[]; absent: boolean } {
    if (data === null || data === undefined) return { items: [], absent: true }
    if (typeof data === 'object' && !Array.isArray(data) && Object.keys(data as object).length === 0) return { items: [], absent: true }
    if (!Array.isArray(data)) throw new BridgeProtocolError(method, `expected a list of ${what} or {}, got ${typeof data}`)
    return { items: data.map((item, i) => this.parseOne(method, schema, item, `${what}[${i}]`)), absent: false }
  }

  private intResult(method: string, data: unknown): number {
    if (typeof data !== 'number' || !Number.isSafeInteger(data)) {
      throw new BridgeProtocolError(method, `expected an integer result, got ${JSON.stringify(data)?.slice(0, 80)}`)
    }
    return data
  }

  async queryStockAsset(opts?: CallOptions): Promise<XtAsset | null> {
    return this.parseObject('query_stock_asset', XtAssetSchema, await this.call('query_stock_asset', {}, opts), 'XtAsset')
  }

  async queryStockPositions(opts?: CallOptions): Promise<XtPosition[]> {
    return this.parseList('query_stock_positions', XtPositionSchema, await this.call('query_stock_positions', {}, opts), 'XtPosition')
  }

  async queryStockPosition(stockCode: string, opts?: CallOptions): Promise<XtPosition | null> {
    return this.parseObject('query_stock_position', XtPositionSchema, await this.call('query_stock_position', { stock_code: stockCode }, opts), 'XtPosition')
  }

  async queryStockOrders(cancelableOnly = false, opts?: CallOptions): Promise<XtOrder[]> {
    return (await this.queryStockOrdersList(cancelableOnly, opts)).items
  }

  /** query_stock_orders with `absent: true` for a `{}` answer. */
  async queryStockOrdersList(cancelableOnly = false, opts?: CallOptions): Promise<{ items: XtOrder[]; absent: boolean }> {
    return this.parseListAnswer('query_stock_orders', XtOrderSchema, await this.call('query_stock_orders', { cancelable_only: cancelableOnly }, opts), 'XtOrder')
  }

  async queryStockOrder(orderId: number, opts?: CallOptions): Promise<XtOrder | null> {
    return this.parseObject('query_stock_order', XtOrderSchema, await this.call('query_stock_order', { order_id: orderId }, opts), 'XtOrder')
  }

  async queryStockTrades(opts?: CallOptions): Promise<XtTrade[]> {
    return (await this.queryStockTradesList(opts)).items
  }

  /** query_stock_trades with `absent: true` for a `{}` answer. */
  async queryStockTradesList(opts?: CallOptions): Promise<{ items: XtTrade[]; absent: boolean }> {
    return this.parseListAnswer('query_stock_trades', XtTradeSchema, await this.call('query_stock_trades', {}, opts), 'XtTrade')
  }

  async queryAccountStatus(opts?: CallOptions): Promise<XtAccountStatus[]> {
    return this.parseList('query_account_status', XtAccountStatusSchema, await this.call('query_account_status', {}, opts), 'XtAccountStatus')
  }

  async queryAccountInfos(opts?: CallOptions): Promise<XtAccountInfo[]> {
    return this.parseList('query_account_infos', XtAccountInfoSchema, await this.call('query_account_infos', {}, opts), 'XtAccountInfo')
  }

  /** order_stock: returns the raw integer (order id > 0, or -1). Never retried. */
  async orderStock(args: {
    stock_code: string
    order_type: number
    order_volume: number
    price_type: number
    price: number
    strategy_name: string
    order_remark: string
  }, opts: { timeoutMs?: number } = {}): Promise<number> {
    return this.intResult('order_stock', await this.call('order_stock', args, { timeoutMs: opts.timeoutMs, retry: false }))
  }

  /** cancel_order_stock: returns the raw integer (0 requested, -1 failed). Never retried. */
  async cancelOrderStock(orderId: number, opts: { timeoutMs?: number } = {}): Promise<number> {
    return this.intResult('cancel_order_stock', await this.call('cancel_order_stock', { order_id: orderId }, { timeoutMs: opts.timeoutMs, retry: false }))
  }
}
