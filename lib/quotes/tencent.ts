/** Tencent `qt.gtimg.cn` provider (default). `GET {base}/q=sh600000,sz000001`, GBK body. */
import { toPrefixed } from './codes'
import { decodeGbk, httpGetBytes } from './http'
import { DEFAULT_TIMEOUT_MS, fetchInChunks, outcomesByCode, trimBase, type HttpProviderOptions } from './provider-common'
import { parseTencent } from './tencent-parser'
import { QuoteSourceError, type ProviderResult, type QuoteProvider } from './types'

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
    // Tencent answers unknown codes with a v_pv_none_match marker that does not name the code, so a
    // code with no record is an unknown code.
    return outcomesByCode(codes, records, { id, emptyProblem: 'empty', piece: 'segment', missing: 'no record in the answer', warnRepeats: true })
  }

  return {
    id,
    maxBatch,
    fetch: (codes, signal) => fetchInChunks(codes, maxBatch, (part) => fetchChunk(part, signal)),
  }
}
