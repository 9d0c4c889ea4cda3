/**
 * K-line endpoints of the paper exchange, built from its price model, on the real sources' paths and
 * wire formats (history-sources.md §1, §2, §4), so HISTORY_*_URL can point here and a replay works
 * offline:
 *   GET /appstock/app/fqkline/get?param=sh600000,day,<start>,<end>,<count>,<qfq|hfq|>   (Tencent daily)
 *   GET /appstock/app/kline/mkline?param=sh600000,m<1|5|15|30|60>,,<count>               (Tencent minutes)
 *   GET /api/qt/stock/kline/get?secid=1.600000&klt=<101|1|5|15|30|60>&fqt=<0|1|2>&beg=&end=&lmt=  (Eastmoney)
 *
 * Bars are aggregated from the model's 3-second path: a 1-minute bar m covers steps 20m … 20m+20
 * (its close is the price at its end instant; the 11:30 bar ends at step 2399, the morning's last),
 * labelled by its end (09:31 … 11:30, 13:01 … 15:00).
 * Days before the model's base day are not chained (each starts from the instrument's configured
 * previous close). Today is served up to the current market minute; suspended days have no bar.
 * The model has no corporate actions unless an ex-rights day is configured: without one, adjusted
 * and raw prices are the same and the adjusted key is served; with one, Tencent gets the bare `day`
 * key (unadjusted, as Tencent does for instruments without adjustment data) and Eastmoney fqt≠0 is
 * answered 501.
 */
import { parseCode, shanghaiDate, shanghaiSecondOfDay } from '@/lib/market'
import { isTradingDay, previousTradingDay } from './calendar'
import type { PriceModel } from './price-model'

export interface ModelBar {
  /** `YYYY-MM-DD` (daily) or `YYYY-MM-DD HH:MM` bar end (minutes). */
  label: string
  open: number
  close: number
  high: number
  low: number
  /** Shares. */
  volume: number
  amount: number
}

export type ModelMinutes = 1 | 5 | 15 | 30 | 60

function hhmm(m: number): string {
  // m = minutes since the open counted in trading time, bar END (1 … 240).
  const total = m <= 120 ? 9 * 60 + 30 + m : 13 * 60 + (m - 120)
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`
}

/** Trading days in [from, to], oldest first, at most `max` (the newest ones). */
function tradingDays(from: string | null, to: string, max: number): string[] {
  const out: string[] = []
  let d = isTradingDay(to) ? to : previousTradingDay(to)
  while (out.length < max && (!from || d >= from) && d >= '1991-01-01') {
    out.push(d)
    d = previousTradingDay(d)
  }
  return out.reverse()
}

/** Minutes of trading completed on `day` at `now` (240 for a past day). */
function minutesDone(day: string, now: Date): number {
  const today = shanghaiDate(now)
  if (day < today) return 240
  if (day > today) return 0
  const sec = shanghaiSecondOfDay(now)
  const open = 9 * 3600 + 30 * 60
  if (sec < open) return 0
  if (sec < 11 * 3600 + 30 * 60) return Math.floor((sec - open) / 60)
  if (sec < 13 * 3600) return 120
  if (sec < 15 * 3600) return 120 + Math.floor((sec - 13 * 3600) / 60)
  return 240
}

function oneMinuteBars(model: PriceModel, code: string, day: string, upto: number): ModelBar[] {
  const path = model.dayPath(code, day)
  if (path.suspended) return []
  const out: ModelBar[] = []
  for (let m = 0; m < upto; m++) {
    const k0 = 20 * m
    // The close is the price at the bar's end instant (the next bar's first step), except before lunch.
    const k1 = m === 119 ? 2399 : k0 + 20
    let hi = -Infinity
    let lo = Infinity
    for (let k = k0; k <= k1; k++) {
      const p = path.price[k]!
      if (p > hi) hi = p
      if (p < lo) lo = p
    }
    const v0 = k0 === 0 ? 0 : path.cumVolume[k0 - 1]!
    const a0 = k0 === 0 ? 0 : path.cumAmount[k0 - 1]!
    const kv = m === 239 ? 4800 : k0 + 19 // volume: each step counted in one bar only
    out.push({ label: `${day} ${hhmm(m + 1)}`, open: path.price[k0]! / 1000, close: path.price[k1]! / 1000, high: hi / 1000, low: lo / 1000, volume: path.cumVolume[kv]! - v0, amount: Math.round((path.cumAmount[kv]! - a0) * 100) / 100 })
  }
  return out
}

function aggregate(bars: ModelBar[], label: string): ModelBar {
  let hi = -Infinity
  let lo = Infinity
  let v = 0
  let a = 0
  for (const b of bars) {
    hi = Math.max(hi, b.high)
    lo = Math.min(lo, b.low)
    v += b.volume
    a += b.amount
  }
  return { label, open: bars[0]!.open, close: bars[bars.length - 1]!.close, high: hi, low: lo, volume: v, amount: Math.round(a * 100) / 100 }
}

export function modelDailyBars(model: PriceModel, code: string, start: string | null, end: string | null, count: number, now: Date): ModelBar[] {
  const today = shanghaiDate(now)
  const last = end && end < today ? end : today
  const out: ModelBar[] = []
  for (const day of tradingDays(start, last, Math.min(count, 5000))) {
    const done = minutesDone(day, now)
    if (done === 0) continue
    const mins = oneMinuteBars(model, code, day, done)
    if (mins.length) out.push(aggregate(mins, day))
  }
  return out
}

export function modelMinuteBars(model: PriceModel, code: string, minutes: ModelMinutes, start: string | null, end: string | null, count: number, now: Date): ModelBar[] {
  const today = shanghaiDate(now)
  const last = end && end < today ? end : today
  const perDay = 240 / minutes
  const days = tradingDays(start, last, Math.min(Math.ceil(count / perDay) + 1, 400))
  const out: ModelBar[] = []
  for (const day of days) {
    const mins = oneMinuteBars(model, code, day, minutesDone(day, now))
    if (minutes === 1) out.push(...mins)
    else for (let i = 0; i + minutes <= mins.length; i += minutes) out.push(aggregate(mins.slice(i, i + minutes), mins[i + minutes - 1]!.label))
  }
  return out.slice(-count)
}

const s2 = (n: number) => n.toFixed(2)
const s3 = (n: number) => n.toFixed(3)

/** Lots on the wire except STAR (shares), as Tencent sends them. */
function wireVolume(code: string, shares: number): number {
  return /^68[89]/.test(code) ? shares : Math.round(shares / 100)
}

export interface KlineAnswer {
  status: number
  body: string
  contentType: string
}

const json = (status: number, body: unknown): KlineAnswer => ({ status, body: JSON.stringify(body), contentType: 'application/json; charset=utf-8' })

function codeOf(prefixed: string): string | null {
  const m = /^(sh|sz|bj)(\d{6})$/.exec(prefixed)
  if (!m) return null
  try {
    return parseCode(`${m[2]}.${m[1]!.toUpperCase()}`).code
  } catch {
    return null
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

/** Tencent fqkline / mkline answers. */
export function tencentKline(model: PriceModel, path: 'fqkline' | 'mkline', param: string, now: Date): KlineAnswer {
  const seg = param.split(',')
  const key = seg[0] ?? ''
  const code = codeOf(key)
  if (!code) return json(200, { code: 0, msg: 'param error' })
  if (path === 'fqkline') {
    if (seg.length < 6 || seg[1] !== 'day') return json(200, { code: 1, msg: 'bad params' })
    const [, , start, end, cnt, adj] = seg
    if ((start && !DAY.test(start)) || (end && !DAY.test(end))) return json(200, { code: 0, msg: 'param error' })
    const count = Math.max(1, Math.min(Number(cnt) || 320, 2000))
    const bars = modelDailyBars(model, code, start || null, end || null, count, now).slice(-count)
    const adjusted = adj === 'qfq' || adj === 'hfq'
    const name = adjusted && !model.config.exRights?.[code] ? `${adj}day` : 'day'
    return json(200, { code: 0, msg: '', data: { [key]: { [name]: bars.map((b) => [b.label, s3(b.open), s3(b.close), s3(b.high), s3(b.low), s3(wireVolume(code, b.volume))]), qt: {}, prec: '', version: '18' } } })
  }
  const period = seg[1] ?? ''
  const pm = /^m(1|5|15|30|60)$/.exec(period)
  if (!pm) return json(200, { code: 0, msg: 'param error' })
  const count = Math.max(1, Math.min(Number(seg[3]) || 320, 60_000))
  const bars = modelMinuteBars(model, code, Number(pm[1]) as ModelMinutes, null, null, count, now)
  return json(200, {
    code: 0,
    msg: '',
    data: { [key]: { [period]: bars.map((b) => [b.label.replace(/[- :]/g, ''), s2(b.open), s2(b.close), s2(b.high), s2(b.low), s2(wireVolume(code, b.volume)), {}, '0.00']), prec: '' } },
  })
}

const KLT: Record<string, 'day' | ModelMinutes> = { '101': 'day', '1': 1, '5': 5, '15': 15, '30': 30, '60': 60 }

/** Eastmoney kline/get answer. */
export function eastmoneyKline(model: PriceModel, q: URLSearchParams, now: Date): KlineAnswer {
  const sm = /^([01])\.(\d{6})$/.exec(q.get('secid') ?? '')
  let code: string | null = null
  if (sm) {
    try {
      const c = parseCode(`${sm[2]}.${sm[1] === '1' ? 'SH' : 'SZ'}`).code
      code = c
    } catch {
      code = null
    }
  }
  if (!code) return json(200, { rc: 100, rt: 1, data: null })
  const klt = KLT[q.get('klt') ?? '101']
  if (klt === undefined) return json(200, { rc: 102, rt: 1, data: null })
  const fqt = q.get('fqt') ?? '0'
  if (fqt !== '0' && model.config.exRights?.[code]) return { status: 501, body: 'adjusted prices across an ex-rights day are not modelled', contentType: 'text/plain' }
  const d = (s: string | null) => (s && /^\d{8}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}` : null)
  const beg = d(q.get('beg'))
  const end = d(q.get('end'))
  const lmt = Math.max(1, Math.min(Number(q.get('lmt')) || 1000, 60_000))
  const endDay = end && end <= '2050-01-01' ? end : null
  const bars = klt === 'day' ? modelDailyBars(model, code, beg, endDay, lmt, now) : modelMinuteBars(model, code, klt, beg, endDay, lmt, now)
  const inst = model.instrument(code)
  return json(200, {
    rc: 0,
    rt: 17,
    data: {
      code: code.slice(0, 6),
      market: code.endsWith('.SH') ? 1 : 0,
      name: inst.name,
      decimal: 2,
      preKPrice: 0,
      klines: bars.slice(-lmt).map((b) => `${b.label},${s2(b.open)},${s2(b.close)},${s2(b.high)},${s2(b.low)},${Math.round(b.volume / 100)},${b.amount.toFixed(2)}`),
    },
  })
}

