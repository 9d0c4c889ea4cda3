/**
 * Eastmoney K-lines (history-sources.md §4):
 * `GET {base}/api/qt/stock/kline/get?secid=1.600000&fields1=f1,f2,f3,f4,f5,f6&fields2=f51,…,f61&klt=<101|1|5|15|30|60>&fqt=<0|1|2>&beg=YYYYMMDD&end=YYYYMMDD&lmt=N`
 * `data.klines` strings `date,open,CLOSE,high,low,volume(lots),amount(yuan),…`, ascending.
 * `rc` ≠ 0 with `data: null` → unknown_code (the exact cause of rc=100 is UNVERIFIED; it is also what
 * a nonexistent secid gets); `klines: []` → no_data; HTTP 204 → no_data (minutes on a non-trading
 * date). Eastmoney qfq is subtractive and can go negative: such rows are refused as malformed.
 * Volume is taken as lots everywhere (the STAR unit is UNVERIFIED at Eastmoney).
 */
import { toSecid } from '../codes'
import { clip, dayBarEnd, isDay, makeBar, minuteStamp, num, unwrapJson } from './parse-common'
import { getText } from './tencent'
import { HistorySourceError, type HistoryAdjust, type HistoryBar, type HistoryPeriod, type HistoryProvider, type HistoryRequest, type HistorySeries } from './types'

export const EASTMONEY_KLINE_DEFAULT_BASE = 'https://push2his.eastmoney.com'
export const EASTMONEY_KLT: Record<HistoryPeriod, number> = { day: 101, m1: 1, m5: 5, m15: 15, m30: 30, m60: 60 }
export const EASTMONEY_FQT: Record<HistoryAdjust, number> = { none: 0, qfq: 1, hfq: 2 }

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

export function parseEastmoneyKline(text: string, opts: { code: string; period: HistoryPeriod; adjust: HistoryAdjust; source?: string }): HistorySeries {
  const source = opts.source ?? 'eastmoney'
  const j = unwrapJson(text, source)
  if (!isObj(j)) throw new HistorySourceError('malformed', source, 'answer is not an object')
  if (j.data === null || j.data === undefined) {
    if (j.rc !== 0) throw new HistorySourceError('unknown_code', source, `rc ${String(j.rc)} with no data for ${opts.code}`)
    throw new HistorySourceError('no_data', source, `no data for ${opts.code}`)
  }
  if (!isObj(j.data)) throw new HistorySourceError('malformed', source, 'data is not an object')
  const kl = j.data.klines
  if (!Array.isArray(kl)) throw new HistorySourceError('malformed', source, 'klines missing')
  if (kl.length === 0) throw new HistorySourceError('no_data', source, `no bars for ${opts.code} in range`)
  const bars: HistoryBar[] = kl.map((row: unknown) => {
    if (typeof row !== 'string') throw new HistorySourceError('malformed', source, 'kline row is not a string')
    const f = row.split(',')
    if (f.length < 6) throw new HistorySourceError('malformed', source, `short row ${JSON.stringify(row.slice(0, 60))}`)
    let day: string
    let time: Date
    if (opts.period === 'day') {
      if (!isDay(f[0])) throw new HistorySourceError('malformed', source, `bad date ${f[0]}`)
      day = f[0]
      time = dayBarEnd(day)
    } else {
      const st = minuteStamp(f[0]!)
      if (!st) throw new HistorySourceError('malformed', source, `bad time ${f[0]}`)
      day = st.day
      time = st.time
    }
    const amount = f.length > 6 ? num(f[6]) : NaN
    return makeBar(source, opts.period, opts.adjust, day, time, num(f[1]), num(f[2]), num(f[3]), num(f[4]), num(f[5]) * 100, Number.isFinite(amount) ? amount : null)
  })
  const pre = num(j.data.preKPrice)
  return { code: opts.code, period: opts.period, adjust: opts.adjust, source, bars: clip(bars, null, null), prevClose: Number.isFinite(pre) && pre > 0 ? pre : null }
}

export interface EastmoneyHistoryOptions {
  baseUrl?: string
  timeoutMs?: number
  fetchImpl?: typeof fetch
}

export function createEastmoneyHistoryProvider(o: EastmoneyHistoryOptions = {}): HistoryProvider {
  const id = 'eastmoney'
  const base = (o.baseUrl ?? EASTMONEY_KLINE_DEFAULT_BASE).replace(/\/+$/, '')
  const timeoutMs = o.timeoutMs ?? 8000
  return {
    id,
    supports: () => true,
    async fetch(req: HistoryRequest, signal?: AbortSignal): Promise<HistorySeries> {
      const secid = toSecid(req.code)
      if (!secid) throw new HistorySourceError('unknown_code', id, `not a canonical code: ${req.code}`)
      const beg = req.start ? req.start.replaceAll('-', '') : '0'
      const end = req.end ? req.end.replaceAll('-', '') : '20500101'
      const url =
        `${base}/api/qt/stock/kline/get?secid=${secid}&fields1=f1,f2,f3,f4,f5,f6&fields2=f51,f52,f53,f54,f55,f56,f57,f58,f59,f60,f61` +
        `&klt=${EASTMONEY_KLT[req.period]}&fqt=${EASTMONEY_FQT[req.adjust]}&beg=${beg}&end=${end}&lmt=${req.count}`
      const { status, text } = await getText(id, url, timeoutMs, signal, o.fetchImpl, { Referer: 'https://quote.eastmoney.com/' })
      if (status === 204 || text.trim() === '') throw new HistorySourceError('no_data', id, `empty answer (HTTP ${status}) for ${req.code}`)
      const s = parseEastmoneyKline(text, { code: req.code, period: req.period, adjust: req.adjust, source: id })
      const bars = clip(s.bars, req.start, req.end)
      if (!bars.length) throw new HistorySourceError('no_data', id, `no bars for ${req.code} in ${req.start ?? '…'}–${req.end ?? '…'}`)
      return { ...s, bars: bars.slice(-req.count) }
    },
  }
}
