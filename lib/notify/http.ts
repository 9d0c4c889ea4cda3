/**
 * One HTTP POST with a whole-attempt deadline, and the classification shared by every HTTP channel:
 *  - network error, timeout, 408, 425, 429, 5xx → retryable (Retry-After honoured);
 *  - TLS certificate errors, other 4xx, unexpected 3xx → not retryable;
 *  - 2xx is only "an answer": each adapter decides from the body whether the platform delivered.
 * Error strings built here never include the URL, headers or body (they may carry tokens).
 */
import type { DeliveryFailure, SendOptions } from './types'

export interface HttpAnswer {
  status: number
  headers: Headers
  text: string
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: unknown
}

export type HttpOutcome = { ok: true; answer: HttpAnswer } | { ok: false; failure: DeliveryFailure }

/** Answers larger than this are cut (platform answers are tiny; this bounds a hostile receiver). */
const MAX_ANSWER_BYTES = 64 * 1024
/** Retry-After values beyond this are clamped. */
const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000

/** Replaces scheme/host/port of `url` with those of `override`; a path in `override` is prefixed. */
export function applyBaseUrlOverride(url: string, override?: string): string {
  if (!override) return url
  const target = new URL(url)
  const base = new URL(override)
  const prefix = base.pathname.replace(/\/+$/, '')
  return `${base.protocol}//${base.host}${prefix}${target.pathname}${target.search}`
}

/** Retry-After as milliseconds: delta-seconds or an HTTP-date; undefined when absent or unusable. */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | undefined {
  if (value === null) return undefined
  const v = value.trim()
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, MAX_RETRY_AFTER_MS)
  const at = Date.parse(v)
  if (Number.isNaN(at)) return undefined
  return Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS)
}

const TLS_CERT_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

/** First error code (ECONNREFUSED, UND_ERR_SOCKET, …) in an error's cause chain; only code-shaped strings. */
export function errorCode(err: unknown, depth = 0): string | undefined {
  if (depth > 5 || err === null || typeof err !== 'object') return undefined
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown }
  if (typeof e.code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(e.code)) return e.code
  const fromCause = errorCode(e.cause, depth + 1)
  if (fromCause) return fromCause
  if (Array.isArray(e.errors)) {
    for (const x of e.errors) {
      const c = errorCode(x, depth + 1)
      if (c) return c
    }
  }
  return undefined
}

/** Failure for a non-2xx answer, from the status alone (`detail` is an already-scrubbed platform message). */
export function failureFromStatus(platform: string, answer: HttpAnswer, detail?: string): DeliveryFailure {
  const { status } = answer
  const suffix = detail ? `: ${detail}` : ''
  if (status === 429 || status === 408 || status === 425 || status >= 500) {
    const retryAfterMs = parseRetryAfter(answer.headers.get('retry-after'))
    return {
      ok: false,
      retryable: true,
      status,
      error: `${platform} answered HTTP ${status}${status === 429 ? ' (rate limited)' : ''}${suffix}`,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    }
  }
  if (status >= 300 && status < 400) {
    return { ok: false, retryable: false, status, error: `${platform} answered with an unexpected redirect (HTTP ${status})${suffix}` }
  }
  return { ok: false, retryable: false, status, error: `${platform} refused the request (HTTP ${status})${suffix}` }
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    const room = MAX_ANSWER_BYTES - total
    if (value.byteLength >= room) {
      chunks.push(value.subarray(0, room))
      await reader.cancel().catch(() => undefined)
      break
    }
    chunks.push(value)
    total += value.byteLength
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}

export interface PostRequest {
  url: string
  /** Text, or bytes (the encrypted Web Push record). */
  body: string | Uint8Array
  headers: Record<string, string>
}

/** POSTs once; resolves with the answer (any status) or a classified network failure. Never throws. */
export async function postOnce(platform: string, req: PostRequest, opts: SendOptions): Promise<HttpOutcome> {
  let target: string
  try {
    target = applyBaseUrlOverride(req.url, opts.baseUrlOverride)
    new URL(target)
  } catch {
    return { ok: false, failure: { ok: false, retryable: false, error: `${platform}: the configured URL is not valid` } }
  }
  const fetchImpl = opts.fetchImpl ?? globalThis.fetch
  const ctrl = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    ctrl.abort()
  }, Math.max(1, opts.timeoutMs))
  const onCallerAbort = () => ctrl.abort()
  if (opts.signal?.aborted) ctrl.abort()
  opts.signal?.addEventListener('abort', onCallerAbort, { once: true })
  try {
    const res = await fetchImpl(target, {
      method: 'POST',
      headers: req.headers,
      body: typeof req.body === 'string' ? req.body : new Blob([new Uint8Array(req.body)]),
      signal: ctrl.signal,
      // A webhook that redirects is misconfigured or throttling (DingTalk answers 302 while it
      // throttles a robot); following it could also replay the token-bearing request elsewhere.
      redirect: 'manual',
    })
    const text = await readCapped(res)
    let json: unknown
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined
    } catch {
      json = undefined
    }
    return { ok: true, answer: { status: res.status, headers: res.headers, text, json } }
  } catch (err) {
    if (timedOut) {
      return { ok: false, failure: { ok: false, retryable: true, error: `${platform}: no answer within ${opts.timeoutMs} ms (timeout)` } }
    }
    if (opts.signal?.aborted) {
      return { ok: false, failure: { ok: false, retryable: true, error: `${platform}: attempt aborted by the caller` } }
    }
    const code = errorCode(err)
    if (code && TLS_CERT_CODES.has(code)) {
      return { ok: false, failure: { ok: false, retryable: false, error: `${platform}: TLS certificate rejected (${code})` } }
    }
    return { ok: false, failure: { ok: false, retryable: true, error: `${platform}: network error${code ? ` (${code})` : ''}` } }
  } finally {
    clearTimeout(timer)
    opts.signal?.removeEventListener('abort', onCallerAbort)
  }
}

/** A JSON object field as a number (platforms answer numbers, some proxies stringify them). */
export function numField(json: unknown, key: string): number | undefined {
  if (json === null || typeof json !== 'object') return undefined
  const v = (json as Record<string, unknown>)[key]
  if (typeof v === 'number') return v
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v)
  return undefined
}

export function strField(json: unknown, key: string): string | undefined {
  if (json === null || typeof json !== 'object') return undefined
  const v = (json as Record<string, unknown>)[key]
  return typeof v === 'string' ? v : undefined
}

/** Platform message text for an error string: one line, bounded. Scrub secrets before calling. */
export function shortDetail(s: string | undefined, max = 200): string {
  if (!s) return ''
  const one = [...s.replace(/\s+/g, ' ').trim()]
  return one.length > max ? `${one.slice(0, max).join('')}…` : one.join('')
}
