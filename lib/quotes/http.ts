/**
 * Minimal HTTP GET for quote sources: global fetch with a hard timeout covering headers AND body,
 * reading raw bytes and leaving decoding to the caller (`Response.text()` would force UTF-8 and
 * garble GBK). Every failure becomes a QuoteSourceError, except an abort requested by the caller's
 * own signal, which rejects with that signal's reason.
 */
import { QuoteSourceError } from './types'

export interface HttpGetOptions {
  timeoutMs: number
  signal?: AbortSignal
  headers?: Record<string, string>
  /** A body matching this marks an anti-scraping answer (kind `blocked`) even on an HTTP error status. */
  blockedBody?: RegExp
  /** Defaults to the global fetch; tests and callers with their own agent inject one. */
  fetchImpl?: typeof fetch
}

export interface HttpBytes {
  status: number
  contentType: string | null
  bytes: Uint8Array
}

class TimeoutMarker extends Error {}

export async function httpGetBytes(provider: string, url: string, opts: HttpGetOptions): Promise<HttpBytes> {
  const { signal } = opts
  if (signal?.aborted) throw signal.reason
  const ctrl = new AbortController()
  const timer = setTimeout(() => ctrl.abort(new TimeoutMarker(`timeout after ${opts.timeoutMs} ms`)), opts.timeoutMs)
  const onAbort = () => ctrl.abort(signal?.reason)
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const res = await (opts.fetchImpl ?? fetch)(url, { headers: opts.headers, signal: ctrl.signal })
    if (res.status < 200 || res.status > 299) {
      // Error bodies are small; read the start to recognise anti-scraping pages (Sina answers a missing
      // Referer with 403 + `Kinsoku jikou desu!`).
      const head = new TextDecoder('utf-8').decode((await res.arrayBuffer().catch(() => new ArrayBuffer(0))).slice(0, 512))
      if (opts.blockedBody?.test(head)) {
        throw new QuoteSourceError('blocked', provider, `HTTP ${res.status} anti-scraping answer ${JSON.stringify(head.slice(0, 80))} from ${url}`, { status: res.status })
      }
      throw new QuoteSourceError('http', provider, `HTTP ${res.status} from ${url}`, { status: res.status })
    }
    const bytes = new Uint8Array(await res.arrayBuffer())
    return { status: res.status, contentType: res.headers.get('content-type'), bytes }
  } catch (e) {
    if (e instanceof QuoteSourceError) throw e
    if (signal?.aborted) throw signal.reason
    if (ctrl.signal.aborted && ctrl.signal.reason instanceof TimeoutMarker) {
      throw new QuoteSourceError('timeout', provider, `no complete answer within ${opts.timeoutMs} ms from ${url}`, { cause: e })
    }
    const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : ''
    throw new QuoteSourceError('network', provider, `${e instanceof Error ? e.message : String(e)}${cause} (${url})`, { cause: e })
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
}

/** `text/html; charset="GBK"` → `gbk`; null when absent. */
export function charsetOf(contentType: string | null): string | null {
  if (!contentType) return null
  const m = /charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)
  return m ? m[1]!.toLowerCase() : null
}

/** GBK bytes → string (WHATWG `gbk` decoder, which Node 20 ships with full ICU). */
export function decodeGbk(bytes: Uint8Array): string {
  return new TextDecoder('gbk').decode(bytes)
}

export function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes)
}

const GB_FAMILY = new Set(['gbk', 'gb2312', 'gb18030', 'x-gbk', 'csgb2312', 'chinese', 'gb_2312-80'])

/**
 * Sina body → string (quote-sources.md §0.1): honour the Content-Type charset; without one (or with
 * one TextDecoder does not know) try strict UTF-8 and fall back to gb18030. A declared UTF-8 that
 * is not valid UTF-8 also falls back to gb18030 rather than producing U+FFFD names.
 */
export function decodeSina(bytes: Uint8Array, contentType: string | null): string {
  const cs = charsetOf(contentType)
  if (cs !== null && GB_FAMILY.has(cs)) return new TextDecoder('gb18030').decode(bytes)
  if (cs !== null && cs !== 'utf-8' && cs !== 'utf8') {
    try {
      return new TextDecoder(cs).decode(bytes)
    } catch {
      // unknown label: fall through to detection
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return new TextDecoder('gb18030').decode(bytes)
  }
}
