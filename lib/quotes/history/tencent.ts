/**
 * Tencent K-lines (history-sources.md §1, §2).
 *  - daily: `GET {base}/appstock/app/fqkline/get?param=<sh600000>,day,<start>,<end>,<count>,<qfq|hfq|>`
 *    rows `[date, open, CLOSE, high, low, volume(lots; STAR shares), event?]`; `newfqkline` rows also
 *    carry [7] turnover % and [8] amount 万元 — both shapes parse here;
 *  - minutes: `GET {minuteBase}/appstock/app/kline/mkline?param=<sh600000>,m<N>,,<count>`
 *    rows `[YYYYMMDDHHMM bar end, open, CLOSE, high, low, volume, {}, x]`, unadjusted, no amount.
 * Errors: `msg` non-empty or `code` ≠ 0 → unknown_code (`param error` is how Tencent rejects a code
 * form) ; node present with no / an empty bar array → no_data (Tencent answers an unknown but
 * well-formed code this way too, so this cannot tell the two apart).
 */
import { toPrefixed } from '../codes'
import { decodeUtf8, httpGetBytes } from '../http'
import { QuoteSourceError } from '../types'
import { clip, dayBarEnd, isDay, isStar, makeBar, minuteStamp, num, unwrapJson } from './parse-common'
import { HistorySourceError, type HistoryAdjust, type HistoryBar, type HistoryPeriod, type HistoryProvider, type HistoryRequest, type HistorySeries } from './types'

export const TENCENT_KLINE_DEFAULT_BASE = 'https://web.ifzq.gtimg.cn'
/** `web.ifzq.gtimg.cn` answers mkline with 301 (§2.1). */
export const TENCENT_MKLINE_DEFAULT_BASE = 'https://ifzq.gtimg.cn'
/** Bars per request (third-party cap; the real maximum is UNVERIFIED). */
export const TENCENT_MAX_COUNT = 640

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

function envelope(text: string, source: string, key: string): Obj {
  const j = unwrapJson(text, source)
  if (!isObj(j)) throw new HistorySourceError('malformed', source, 'answer is not an object')
  const msg = typeof j.msg === 'string' ? j.msg : ''
  if (j.code !== 0 || msg !== '') {
    // `{"code":0,"msg":"param error"}` — never an empty series (§1.9).
    throw new HistorySourceError('unknown_code', source, `rejected ${key}: code ${String(j.code)} msg ${JSON.stringify(msg)}`)
  }
  if (!isObj(j.data)) throw new HistorySourceError('malformed', source, 'no data object')
  const node = j.data[key]
  if (!isObj(node)) throw new HistorySourceError('unknown_code', source, `no node for ${key}`)
  return node
}

export interface TencentParseOptions {
  code: string
  adjust: HistoryAdjust
  source?: string
}

/** Parses a `fqkline` / `newfqkline` daily answer. */
export function parseTencentDaily(text: string, opts: TencentParseOptions): HistorySeries {
  const source = opts.source ?? 'tencent'
  const key = toPrefixed(opts.code)
  if (!key) throw new HistorySourceError('unknown_code', source, `not a canonical code: ${opts.code}`)
  const node = envelope(text, source, key)
  const adjKey = opts.adjust === 'none' ? null : `${opts.adjust}day`
  // Key rule (§1.4): `<adjust>day`, then the bare `day` (indices and stocks without adjustment data).
  let rows: unknown = adjKey ? node[adjKey] : undefined
  let adjust: HistoryAdjust = opts.adjust
  if (rows === undefined) {
    rows = node.day
    adjust = 'none'
  }
  if (rows === undefined || (Array.isArray(rows) && rows.length === 0)) throw new HistorySourceError('no_data', source, `no daily bars for ${opts.code}`)
  if (!Array.isArray(rows)) throw new HistorySourceError('malformed', source, 'bar list is not an array')
  const mult = isStar(opts.code) ? 1 : 100
  const bars: HistoryBar[] = rows.map((r: unknown) => {
    if (!Array.isArray(r) || r.length < 6 || !isDay(r[0])) throw new HistorySourceError('malformed', source, `bad row ${JSON.stringify(r).slice(0, 80)}`)
    const amount = r.length >= 9 ? num(r[8]) : NaN
    return makeBar(source, 'day', adjust, r[0], dayBarEnd(r[0]), num(r[1]), num(r[2]), num(r[3]), num(r[4]), num(r[5]) * mult, Number.isFinite(amount) ? Math.round(amount * 10_000) : null)
  })
  const prec = num(node.prec)
  return { code: opts.code, period: 'day', adjust, source, bars: clip(bars, null, null), prevClose: Number.isFinite(prec) && prec > 0 ? prec : null }
}

/** Parses an `mkline` minute answer (unadjusted). */
export function parseTencentMinute(text: string, opts: { code: string; period: Exclude<HistoryPeriod, 'day'>; source?: string }): HistorySeries {
  const source = opts.source ?? 'tencent'
  const key = toPrefixed(opts.code)
  if (!key) throw new HistorySourceError('unknown_code', source, `not a canonical code: ${opts.code}`)
  const node = envelope(text, source, key)
  const rows = node[opts.period]
  if (rows === undefined) {
    // `sh999999` answers a node with `qt: []` and no m<N> key (§2.3).
    const qt = isObj(node.qt) ? node.qt[key] : undefined
    if (Array.isArray(qt) && qt.length === 0) throw new HistorySourceError('unknown_code', source, `unknown code ${opts.code}`)
    throw new HistorySourceError('no_data', source, `no ${opts.period} bars for ${opts.code}`)
  }
  if (!Array.isArray(rows)) throw new HistorySourceError('malformed', source, 'bar list is not an array')
  if (rows.length === 0) throw new HistorySourceError('no_data', source, `no ${opts.period} bars for ${opts.code}`)
  const mult = isStar(opts.code) ? 1 : 100
  const bars = rows.map((r: unknown) => {
    const st = Array.isArray(r) && typeof r[0] === 'string' ? minuteStamp(r[0]) : null
    if (!Array.isArray(r) || r.length < 6 || !st) throw new HistorySourceError('malformed', source, `bad row ${JSON.stringify(r).slice(0, 80)}`)
    return makeBar(source, opts.period, 'none', st.day, st.time, num(r[1]), num(r[2]), num(r[3]), num(r[4]), num(r[5]) * mult, null)
  })
  const prec = num(node.prec)
  return { code: opts.code, period: opts.period, adjust: 'none', source, bars: clip(bars, null, null), prevClose: Number.isFinite(prec) && prec > 0 ? prec : null }
}

export interface TencentHistoryOptions {
  baseUrl?: string
  minuteBaseUrl?: string
  timeoutMs?: number
  fetchImpl?: typeof fetch
}

/** Maps a transport failure to source_down. */
export async function getText(source: string, url: string, timeoutMs: number, signal?: AbortSignal, fetchImpl?: typeof fetch, headers?: Record<string, string>): Promise<{ status: number; text: string }> {
  try {
    const r = await httpGetBytes(source, url, { timeoutMs, signal, fetchImpl, headers })
    return { status: r.status, text: decodeUtf8(r.bytes) }
  } catch (e) {
    if (e instanceof QuoteSourceError) throw new HistorySourceError('source_down', source, e.message, { cause: e })
    throw e
  }
}

export function createTencentHistoryProvider(o: TencentHistoryOptions = {}): HistoryProvider {
  const id = 'tencent'
  const base = (o.baseUrl ?? TENCENT_KLINE_DEFAULT_BASE).replace(/\/+$/, '')
  const mbase = (o.minuteBaseUrl ?? o.baseUrl ?? TENCENT_MKLINE_DEFAULT_BASE).replace(/\/+$/, '')
  const timeoutMs = o.timeoutMs ?? 8000
  return {
    id,
    // Minute bars are raw only: a qfq/hfq minute request is not served here.
    supports: (r) => r.period === 'day' || r.adjust === 'none',
    async fetch(req: HistoryRequest, signal?: AbortSignal): Promise<HistorySeries> {
      const key = toPrefixed(req.code)
      if (!key) throw new HistorySourceError('unknown_code', id, `not a canonical code: ${req.code}`)
      if (req.period === 'day') {
        // Page backwards by end date: the server returns the newest `count` bars ending at `end`.
        const all: HistoryBar[] = []
        let end = req.end ?? ''
        let first: HistorySeries | null = null
        let want = req.count
        for (let page = 0; page < 20 && want > 0; page++) {
          const n = Math.min(want, TENCENT_MAX_COUNT)
          const adj = req.adjust === 'none' ? '' : req.adjust
          const url = `${base}/appstock/app/fqkline/get?param=${key},day,${req.start ?? ''},${end},${n},${adj}`
          const { text } = await getText(id, url, timeoutMs, signal, o.fetchImpl)
          let s: HistorySeries
          try {
            s = parseTencentDaily(text, { code: req.code, adjust: req.adjust, source: id })
          } catch (e) {
            if (page > 0 && e instanceof HistorySourceError && e.kind === 'no_data') break
            throw e
          }
          first ??= s
          all.push(...s.bars)
          want -= s.bars.length
          if (s.bars.length < n) break
          const oldest = s.bars[0]!.day
          if (req.start && oldest <= req.start) break
          const d = new Date(`${oldest}T00:00:00Z`)
          d.setUTCDate(d.getUTCDate() - 1)
          end = d.toISOString().slice(0, 10)
        }
        const bars = clip(all, req.start, req.end)
        if (!bars.length) throw new HistorySourceError('no_data', id, `no daily bars for ${req.code} in ${req.start ?? '…'}–${req.end ?? '…'}`)
        return { ...first!, bars: bars.slice(-req.count) }
      }
      const url = `${mbase}/appstock/app/kline/mkline?param=${key},${req.period},,${Math.min(req.count, 2000)}`
      const { text } = await getText(id, url, timeoutMs, signal, o.fetchImpl)
      const s = parseTencentMinute(text, { code: req.code, period: req.period, source: id })
      const bars = clip(s.bars, req.start, req.end)
      if (!bars.length) throw new HistorySourceError('no_data', id, `no ${req.period} bars for ${req.code} in ${req.start ?? '…'}–${req.end ?? '…'}`)
      return { ...s, bars: bars.slice(-req.count) }
    },
  }
}
