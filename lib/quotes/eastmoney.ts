/**
 * Eastmoney push2 `ulist.np` provider.
 * `GET {base}/api/qt/ulist.np/get?fltt=2&invt=2&secids=1.600000,0.000001&fields=...`, UTF-8 JSON.
 */
import { toSecid } from './codes'
import { EASTMONEY_FIELDS, eastmoneyRowToQuote, parseEastmoneyUlist, type EastmoneyRow } from './eastmoney-parser'
import { decodeUtf8, httpGetBytes } from './http'
import { DEFAULT_TIMEOUT_MS, fetchInChunks, trimBase, type HttpProviderOptions } from './provider-common'
import { QuoteSourceError, type CodeOutcome, type ProviderResult, type QuoteProvider } from './types'

export const EASTMONEY_DEFAULT_BASE = 'https://push2.eastmoney.com'
/** The server limit is UNVERIFIED; 100 keeps URLs short. */
export const EASTMONEY_MAX_BATCH = 100

export function createEastmoneyProvider(opts: HttpProviderOptions = {}): QuoteProvider {
  const id = 'eastmoney'
  const base = trimBase(opts.baseUrl ?? EASTMONEY_DEFAULT_BASE)
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const maxBatch = opts.maxBatch ?? EASTMONEY_MAX_BATCH

  async function fetchChunk(codes: string[], signal?: AbortSignal): Promise<ProviderResult> {
    const secids = codes.map((c) => toSecid(c)!)
    const url = `${base}/api/qt/ulist.np/get?fltt=2&invt=2&secids=${secids.join(',')}&fields=${EASTMONEY_FIELDS.join(',')}`
    const res = await httpGetBytes(id, url, { timeoutMs, signal })
    const text = decodeUtf8(res.bytes)
    const parsed = parseEastmoneyUlist(text, 'fltt2')
    if (!parsed.ok) throw new QuoteSourceError('malformed', id, `${parsed.reason}: ${JSON.stringify(text.slice(0, 80))}`)
    const warnings = parsed.badRows.map((r) => `eastmoney: ${r}`)
    const rows = new Map<string, EastmoneyRow>()
    for (const row of parsed.rows) {
      if (rows.has(row.secid)) warnings.push(`eastmoney: ${row.secid} appeared twice; kept the first`)
      else rows.set(row.secid, row)
    }
    const byCode = new Map<string, CodeOutcome>()
    codes.forEach((code, i) => {
      const row = rows.get(secids[i]!)
      if (!row) {
        // No row: Eastmoney's unknown-code answer is UNVERIFIED; a missing row is treated as unknown.
        byCode.set(code, { ok: false, problem: 'unknown_code', detail: 'no row in the answer' })
        return
      }
      const q = eastmoneyRowToQuote(row, code, id)
      byCode.set(code, q.ok ? { ok: true, quote: q.quote } : { ok: false, problem: 'malformed', detail: q.reason })
    })
    return { byCode, warnings }
  }

  return {
    id,
    maxBatch,
    fetch: (codes, signal) => fetchInChunks(codes, maxBatch, (part) => fetchChunk(part, signal)),
  }
}
