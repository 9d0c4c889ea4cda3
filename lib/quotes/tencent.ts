/** Tencent `qt.gtimg.cn` provider (default). `GET {base}/q=sh600000,sz000001`, GBK body. */
import type { Quote } from '../market/quote'
import { toPrefixed } from './codes'
import { decodeGbk, httpGetBytes } from './http'
import { DEFAULT_TIMEOUT_MS, fetchInChunks, newest, trimBase, type HttpProviderOptions } from './provider-common'
import { parseTencent } from './tencent-parser'
import { QuoteSourceError, type CodeOutcome, type ProviderResult, type QuoteProvider } from './types'

export const TENCENT_DEFAULT_BASE = 'http://qt.gtimg.cn'
/** easyquotation's `max_num`; the real server limit is UNVERIFIED. */
export const TENCENT_MAX_BATCH = 60

export function createTencentProvider(opts: HttpProviderOptions = {}): QuoteProvider {
  const id = 'tencent'
  const base = trimBase(opts.baseUrl ?? TENCENT_DEFAULT_BASE)
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const maxBatch = Math.min(opts.maxBatch ?? TENCENT_MAX_BATCH, TENCENT_MAX_BATCH)

  async function fetchChunk(codes: string[], signal?: AbortSignal): Promise<ProviderResult> {
    const url = `${base}/q=${codes.map((c) => toPrefixed(c)).join(',')}`
    const res = await httpGetBytes(id, url, { timeoutMs, signal })
    const text = decodeGbk(res.bytes)
    const records = parseTencent(text, id)
    const recognised = records.filter((r) => r.kind === 'unknown' || ('key' in r && r.key !== null))
    if (recognised.length === 0) {
      throw new QuoteSourceError('malformed', id, `no v_xx="..." record in a ${res.bytes.length}-byte body: ${JSON.stringify(text.slice(0, 80))}`)
    }
    const warnings: string[] = []
    const quotes = new Map<string, Quote[]>()
    const other = new Map<string, CodeOutcome>()
    for (const r of records) {
      if (r.kind === 'quote') {
        warnings.push(...r.warnings)
        const list = quotes.get(r.code) ?? []
        list.push(r.quote)
        quotes.set(r.code, list)
      } else if (r.kind === 'empty' && r.code !== null) {
        if (!other.has(r.code)) other.set(r.code, { ok: false, problem: 'empty', detail: 'empty record' })
      } else if (r.kind === 'malformed') {
        if (r.code !== null) other.set(r.code, { ok: false, problem: 'malformed', detail: r.reason })
        else warnings.push(`tencent: unparsable segment skipped (${r.reason})`)
      }
    }
    const byCode = new Map<string, CodeOutcome>()
    for (const code of codes) {
      const list = quotes.get(code)
      const q = list ? newest(list) : undefined
      if (q) {
        if (list!.length > 1) warnings.push(`tencent: ${code} appeared ${list!.length} times; kept the newest (${q.time.toISOString()})`)
        byCode.set(code, { ok: true, quote: q })
      } else {
        // No record for the code: Tencent answers unknown codes with a v_pv_none_match marker that does
        // not name the code, so a missing record is an unknown code.
        byCode.set(code, other.get(code) ?? { ok: false, problem: 'unknown_code', detail: 'no record in the answer' })
      }
    }
    return { byCode, warnings }
  }

  return {
    id,
    maxBatch,
    fetch: (codes, signal) => fetchInChunks(codes, maxBatch, (part) => fetchChunk(part, signal)),
  }
}
