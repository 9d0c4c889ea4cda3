/** Sina `hq.sinajs.cn` provider. `GET {base}/list=sh600000,...` with the Referer Sina requires. */
import type { Quote } from '../market/quote'
import { toPrefixed } from './codes'
import { decodeSina, httpGetBytes } from './http'
import { DEFAULT_TIMEOUT_MS, fetchInChunks, newest, trimBase, type HttpProviderOptions } from './provider-common'
import { isSinaBlockedBody, parseSina, SINA_BLOCKED } from './sina-parser'
import { QuoteSourceError, type CodeOutcome, type ProviderResult, type QuoteProvider } from './types'

export const SINA_DEFAULT_BASE = 'https://hq.sinajs.cn'
export const SINA_REFERER = 'https://finance.sina.com.cn/'
/** easyquotation's `max_num`. */
export const SINA_MAX_BATCH = 800

export function createSinaProvider(opts: HttpProviderOptions = {}): QuoteProvider {
  const id = 'sina'
  const base = trimBase(opts.baseUrl ?? SINA_DEFAULT_BASE)
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const maxBatch = Math.min(opts.maxBatch ?? SINA_MAX_BATCH, SINA_MAX_BATCH)

  async function fetchChunk(codes: string[], signal?: AbortSignal): Promise<ProviderResult> {
    const url = `${base}/list=${codes.map((c) => toPrefixed(c)).join(',')}`
    const res = await httpGetBytes(id, url, { timeoutMs, signal, headers: { Referer: SINA_REFERER }, blockedBody: SINA_BLOCKED })
    const text = decodeSina(res.bytes, res.contentType)
    if (isSinaBlockedBody(text)) throw new QuoteSourceError('blocked', id, `anti-scraping answer: ${JSON.stringify(text.slice(0, 80))}`)
    const records = parseSina(text, id)
    if (!records.some((r) => r.key !== null)) {
      throw new QuoteSourceError('malformed', id, `no var hq_str_xx="..." line in a ${res.bytes.length}-byte body: ${JSON.stringify(text.slice(0, 80))}`)
    }
    const warnings: string[] = []
    const quotes = new Map<string, Quote[]>()
    const other = new Map<string, CodeOutcome>()
    for (const r of records) {
      if (r.kind === 'quote') {
        const list = quotes.get(r.code) ?? []
        list.push(r.quote)
        quotes.set(r.code, list)
      } else if (r.kind === 'empty') {
        // Sina's empty string means "unknown or invalid code" (fixture sz160923).
        if (r.code !== null && !other.has(r.code)) other.set(r.code, { ok: false, problem: 'unknown_code', detail: 'empty record' })
      } else if (r.code !== null) {
        other.set(r.code, { ok: false, problem: 'malformed', detail: r.reason })
      } else {
        warnings.push(`sina: unparsable line skipped (${r.reason})`)
      }
    }
    const byCode = new Map<string, CodeOutcome>()
    for (const code of codes) {
      const list = quotes.get(code)
      const q = list ? newest(list) : undefined
      if (q) byCode.set(code, { ok: true, quote: q })
      else byCode.set(code, other.get(code) ?? { ok: false, problem: 'unknown_code', detail: 'no line in the answer' })
    }
    return { byCode, warnings }
  }

  return {
    id,
    maxBatch,
    fetch: (codes, signal) => fetchInChunks(codes, maxBatch, (part) => fetchChunk(part, signal)),
  }
}
