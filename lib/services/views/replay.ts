/**
 * Replay (回放/试算): what a monitor's levels would have done over recent history.
 *
 * Bars come from lib/quotes/history (Tencent, then Eastmoney; the demo and tests point the
 * HISTORY_*_URL variables at the paper exchange). Daily bars are requested 前复权 (qfq): qfq is
 * anchored on the latest price, so levels typed against today's price stay comparable across
 * ex-rights days; the answer says whether the source actually adjusted them. Minute bars are
 * unadjusted (Tencent offers no adjusted minute bars), and the view says so.
 * The replay itself is lib/market `replayVariants`: the worker's own evaluate, sizing, pricing, fees
 * and transitions. Fees are the configured ones.
 * Source 'stored' reads DingPan's own 1-minute bars (lib/db/quotes getStoredBars: what the worker
 * saw live, for the codes it watched, kept STORED_BAR_DAYS calendar days), merged into the asked
 * bar size; unadjusted, and with no close before the range (the first day's limits are taken around
 * its first open). The QuoteSnapshot table keeps only the newest quote per code, so it is no series.
 * With `quant` (the monitor's or the form's settings) the replay uses them (replay-settings.ts).
 */
import { AppError, UpstreamError, ValidationError } from '@/lib/errors'
import type { Env } from '@/lib/env'
import type { Locale } from '@/lib/i18n/config'
import { addDays, fromMilli, isTradingDay, previousTradingDay, replay, shanghaiDate, shanghaiTime, validateMonitorLevels, type ReplayBar, type ReplayInput, type ReplayLevels, type ReplayResult } from '@/lib/market'
import { getStoredBars } from '@/lib/db/quotes'
import { createHistoryService, HistorySourceError, type HistoryAdjust, type HistoryPeriod, type HistoryService } from '@/lib/quotes/history'
import { STORED_BAR_DAYS, type ReplayRequest } from '@/lib/schemas/replay'
import { loadRuntimeSettings } from '../runtime/runtime-settings'
import { runtimeDefaults } from '../runtime/web-context'
import { replaySettingsOf } from './replay-settings'

/** Bars drawn on the chart at most; longer series are merged into wider candles for display only. */
export const REPLAY_CHART_MAX_BARS = 1500
/** Trigger rows returned per variant at most (the counts are complete). */
const MAX_TRIGGER_ROWS = 400

const services = new Map<string, HistoryService>()

export function historyServiceFor(e: Env, only?: 'tencent' | 'eastmoney'): HistoryService {
  const key = JSON.stringify([only ?? e.HISTORY_PROVIDERS, e.HISTORY_TENCENT_URL, e.HISTORY_TENCENT_MINUTE_URL, e.HISTORY_EASTMONEY_URL, e.HISTORY_TIMEOUT_MS])
  let s = services.get(key)
  if (!s) {
    const ids = (only ?? e.HISTORY_PROVIDERS).split(',')
      .map((x) => x.trim())
      .filter((x): x is 'tencent' | 'eastmoney' => x === 'tencent' || x === 'eastmoney')
    s = createHistoryService({
      providers: ids.length ? ids : ['tencent', 'eastmoney'],
      baseUrls: { tencent: e.HISTORY_TENCENT_URL, tencentMinute: e.HISTORY_TENCENT_MINUTE_URL, eastmoney: e.HISTORY_EASTMONEY_URL },
      timeoutMs: e.HISTORY_TIMEOUT_MS,
    })
    services.set(key, s)
  }
  return s
}

export interface ReplayDeps {
  env: Env
  now: Date
  locale: Locale
}

export interface ReplayChartBar {
  /** Bar end, unix seconds. */
  t: number
  o: number
  h: number
  l: number
  c: number
}

type Iso<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Array<infer U> ? Array<Iso<U>> : T[K] extends object | null ? T[K] : T[K] }

export interface ReplayVariantView {
  label: string
  levels: ReplayLevels
  result: Omit<Iso<ReplayResult>, 'equity'> & { triggerCount: number }
}

export interface ReplayView {
  code: string
  bar: ReplayRequest['bar']
  /** The adjustment the bars actually carry. */
  adjust: HistoryAdjust
  source: string
  /** Stored bars: calendar days DingPan keeps them (null for the other sources). */
  storedDays: number | null
  /** Whether the monitor's quant settings (pricing, anti-spike, hysteresis, timeout, sizing) were applied. */
  settingsApplied: boolean
  firstDay: string
  lastDay: string
  barCount: number
  tradingDays: number
  cash: number
  chart: ReplayChartBar[]
  /** Bars merged per chart candle (1 = every bar drawn). */
  chartMerge: number
  variants: ReplayVariantView[]
}

const PERIOD_SECONDS: Record<ReplayRequest['bar'], number> = { day: 86_400, m60: 3600, m30: 1800, m15: 900, m5: 300, m1: 60 }

/** The first day of the last `n` trading days ending at `end` (inclusive). */
function lastTradingDays(end: string, n: number): { start: string; end: string } {
  let last = isTradingDay(end) ? end : previousTradingDay(end)
  const stop = last
  for (let i = 1; i < n; i++) last = previousTradingDay(last)
  return { start: last, end: stop }
}

/** Stored 1-minute bars (minute = start) as replay bars (time = end), merged into `seconds`-wide bars within a day. */
function storedBarsOf(rows: Awaited<ReturnType<typeof getStoredBars>>, seconds: number): ReplayBar[] {
  const out: ReplayBar[] = []
  let key = ''
  for (const r of rows) {
    const end = new Date(r.minute.getTime() + 60_000)
    const day = shanghaiDate(r.minute)
    // Day bars merge per day; minute sizes per bucket of the day's wall clock (bars end on the bucket's edge).
    const bucketEnd = seconds >= 86_400 ? shanghaiTime(day, '15:00') : new Date(Math.ceil(end.getTime() / (seconds * 1000)) * seconds * 1000)
    const k = `${day}|${bucketEnd.getTime()}`
    const o = fromMilli(r.openMilli)
    const h = fromMilli(r.highMilli)
    const l = fromMilli(r.lowMilli)
    const c = fromMilli(r.closeMilli)
    const last = out[out.length - 1]
    if (last && k === key) {
      if (h > last.high) last.high = h
      if (l < last.low) last.low = l
      last.close = c
      continue
    }
    key = k
    out.push({ time: bucketEnd, day, open: o, high: h, low: l, close: c })
  }
  return out
}

function levelsOf(x: Pick<ReplayRequest, 'entryLow' | 'entryHigh' | 'takeProfit' | 'stopLoss' | 'trailingStopPct'>): ReplayLevels {
  return { entryLow: x.entryLow, entryHigh: x.entryHigh, takeProfit: x.takeProfit, stopLoss: x.stopLoss, trailingStopPct: x.trailingStopPct }
}

function checkLevels(levels: ReplayLevels, path: string, locale: Locale, fields: Record<string, string[]>, relative = false): void {
  if (!relative && Object.values(levels).every((v) => v === null)) {
    ;(fields[path] ??= []).push(locale === 'zh' ? '至少填写一个价位（买入区间、止盈、止损或跟踪止损）才能回放' : 'Enter at least one level (entry zone, take-profit, stop-loss or trailing stop) to replay')
    return
  }
  for (const r of validateMonitorLevels({ ...levels, episode: 1 })) (fields[path] ??= []).push(locale === 'zh' ? r.message : r.messageEn)
}

function chartOf(bars: readonly ReplayBar[]): { chart: ReplayChartBar[]; merge: number } {
  const merge = Math.max(1, Math.ceil(bars.length / REPLAY_CHART_MAX_BARS))
  const chart: ReplayChartBar[] = []
  for (let i = 0; i < bars.length; i += merge) {
    const part = bars.slice(i, i + merge)
    let h = -Infinity
    let l = Infinity
    for (const b of part) {
      if (b.high > h) h = b.high
      if (b.low < l) l = b.low
    }
    chart.push({ t: Math.floor(part[part.length - 1]!.time.getTime() / 1000), o: part[0]!.open, h, l, c: part[part.length - 1]!.close })
  }
  return { chart, merge }
}

const iso = <T extends { time: Date }>(x: T) => ({ ...x, time: x.time.toISOString() })

export async function replayView(input: ReplayRequest, deps: ReplayDeps): Promise<ReplayView> {
  const { env: e, locale } = deps
  const base = levelsOf(input)
  const fields: Record<string, string[]> = {}
  const hasRelative = input.takeProfitPct !== null || input.stopLossPct !== null
  checkLevels(base, 'levels', locale, fields, hasRelative)
  const variants = input.variants.map((v) => ({ label: v.label, levels: { ...base, ...Object.fromEntries(Object.entries(levelsOf(v)).filter(([, x]) => x !== null)) } as ReplayLevels }))
  variants.forEach((v, i) => checkLevels(v.levels, `variants.${i}`, locale, fields, hasRelative))
  if (Object.keys(fields).length) throw new ValidationError(fields, 'validation.failed', true)

  const today = shanghaiDate(deps.now)
  const range = input.range === 'dates' ? { start: input.start!, end: input.end! } : lastTradingDays(today, Number(input.range))
  const end = range.end > today ? today : range.end
  // Bars per day by size; the count bounds what the source sends (≤ 60 000 one-minute bars).
  const perDay = input.bar === 'day' ? 1 : 240 / (PERIOD_SECONDS[input.bar] / 60)
  let days = 0
  for (let d = isTradingDay(end) ? end : previousTradingDay(end); d >= range.start && days < 1000; d = previousTradingDay(d)) days++
  const count = Math.min(Math.max(days, 1) * perDay, 60_000)
  const period: HistoryPeriod = input.bar
  const adjust: HistoryAdjust = input.bar === 'day' ? 'qfq' : 'none'

  let series: { bars: ReplayBar[]; prevClose: number | null; adjust: HistoryAdjust; source: string }
  if (input.source === 'stored') {
    const rows = await getStoredBars(input.code, shanghaiTime(range.start, '00:00'), shanghaiTime(addDays(end, 1), '00:00'))
    if (!rows.length) throw new AppError(422, 'replay_no_stored_bars', 'replay.noStoredBars', { start: range.start, end, days: STORED_BAR_DAYS })
    series = { bars: storedBarsOf(rows, PERIOD_SECONDS[input.bar]), prevClose: null, adjust: 'none', source: 'stored' }
  } else try {
    series = await historyServiceFor(e, input.source === 'auto' ? undefined : input.source).getBars({ code: input.code, period, adjust, start: range.start, end, count })
  } catch (err) {
    if (err instanceof HistorySourceError) {
      const detail = err.message.slice(0, 300)
      if (err.kind === 'no_data') throw new AppError(422, 'replay_no_data', 'replay.noData', { detail })
      if (err.kind === 'unknown_code' || err.kind === 'unsupported') throw new AppError(422, 'replay_unknown_code', 'replay.unknownCode', { detail })
      throw new UpstreamError('replay.sourceDown', { detail })
    }
    throw err
  }
  // A bar still forming (today before the close) is left out: its high/low are not final.
  const bars: ReplayBar[] = series.bars.filter((b) => b.time.getTime() <= deps.now.getTime()).map((b) => ({ time: b.time, day: b.day, open: b.open, high: b.high, low: b.low, close: b.close }))
  if (!bars.length) throw new AppError(422, 'replay_no_data', 'replay.noData', { detail: `${range.start}–${end}` })

  const settings = await loadRuntimeSettings(runtimeDefaults(e))
  const replayInput: ReplayInput = { code: input.code, bars, barSeconds: PERIOD_SECONDS[input.bar], prevClose: series.prevClose, levels: base, cash: input.cash, fees: settings.fees }
  if (input.quant) {
    const q = replaySettingsOf(input.quant, { takeProfitPct: input.takeProfitPct, stopLossPct: input.stopLossPct })
    Object.assign(replayInput, { options: q.options, pricing: q.pricing, maxPositionPct: q.maxPositionPct, minTradeAmount: q.minTradeAmount, entryMode: q.entryMode, autoStopLoss: q.autoStopLoss, autoTakeProfit: q.autoTakeProfit, unfilledTimeoutSec: q.unfilledTimeoutSec, relative: q.relative, ...(q.exitMode.kind === 'ALL' ? {} : { stagedExits: { exitMode: q.exitMode } }) } satisfies Partial<ReplayInput>)
  } else if (input.takeProfitPct !== null || input.stopLossPct !== null) {
    replayInput.relative = { takeProfitBp: input.takeProfitPct === null ? null : Math.round(input.takeProfitPct * 10_000), stopLossBp: input.stopLossPct === null ? null : Math.round(input.stopLossPct * 10_000) }
  }
  // A variant's own take-profit / stop-loss price replaces a relative one for that variant.
  const runs = [{ label: locale === 'zh' ? '当前价位' : 'Current levels', levels: base }, ...variants].map((v) => {
    const rel = replayInput.relative
    const relative = rel && { takeProfitBp: v.levels.takeProfit !== base.takeProfit ? null : rel.takeProfitBp, stopLossBp: v.levels.stopLoss !== base.stopLoss ? null : rel.stopLossBp }
    return { label: v.label, levels: v.levels, result: replay({ ...replayInput, levels: v.levels, relative }) }
  })
  const { chart, merge } = chartOf(bars)
  return {
    code: input.code,
    bar: input.bar,
    adjust: series.adjust,
    source: series.source,
    storedDays: input.source === 'stored' ? STORED_BAR_DAYS : null,
    settingsApplied: !!input.quant,
    firstDay: bars[0]!.day,
    lastDay: bars[bars.length - 1]!.day,
    barCount: bars.length,
    tradingDays: new Set(bars.map((b) => b.day)).size,
    cash: input.cash,
    chart,
    chartMerge: merge,
    variants: runs.map(({ label, levels, result: r }) => {
      const { equity: _equity, ...rest } = r
      return {
        label,
        levels,
        result: {
          ...rest,
          triggerCount: r.triggers.length,
          triggers: r.triggers.slice(0, MAX_TRIGGER_ROWS).map(iso),
          orders: r.orders.slice(0, MAX_TRIGGER_ROWS).map(iso),
          fills: r.fills.map(iso),
          trades: r.trades.map((t) => ({ ...t, entryTime: t.entryTime.toISOString(), exitTime: t.exitTime.toISOString() })),
        },
      }
    }),
  }
}
