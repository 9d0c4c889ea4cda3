/** Sina `hq.sinajs.cn` provider. `GET {base}/list=sh600000,...` with the Referer Sina requires. */
import { toPrefixed } from './codes'
import { decodeSina, httpGetBytes } from './http'
import { DEFAULT_TIMEOUT_MS, fetchInChunks, outcomesByCode, trimBase, type HttpProviderOptions } from './provider-common'
import { isSinaBlockedBody, parseSina, SINA_BLOCKED } from './sina-parser'
import { QuoteSourceError, type ProviderResult, type QuoteProvider } from './types'

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
    // Sina's empty string means "unknown or invalid code" (fixture sz160923).
    return outcomesByCode(codes, records, { id, emptyProblem: 'unknown_code', piece: 'line', missing: 'no line in the answer', warnRepeats: false })
  }

  return {
    id,
    maxBatch,
    fetch: (codes, signal) => fetchInChunks(codes, maxBatch, (part) => fetchChunk(part, signal)),
  }
}
