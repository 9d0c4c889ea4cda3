import type { MonitorInput, Quote } from '@/lib/market'
import { emptyMemo, shanghaiTime } from '@/lib/market'

/** A Monday in continuous trading: 2026-09-14 10:00 Asia/Shanghai. */
export const DAY = '2026-09-14'
export const at = (hhmm: string, day = DAY) => shanghaiTime(day, hhmm)

export function quote(over: Partial<Quote> & { code?: string } = {}): Quote {
  const last = over.last ?? 10
  return {
    code: '600000.SH',
    name: 'TEST',
    last,
    prevClose: 10,
    open: 10,
    high: last,
    low: last,
    volume: 1_000_000,
    amount: 10_000_000,
    bids: [{ price: Math.round((last - 0.01) * 100) / 100, volume: 10_000 }],
    asks: [{ price: last, volume: 10_000 }],
    limitUp: null,
    limitDown: null,
    time: at('10:00'),
    suspended: false,
    source: 'test',
    ...over,
  }
}

export function monitor(over: Partial<MonitorInput> = {}): MonitorInput {
  return {
    code: '600000.SH',
    enabled: true,
    state: 'WATCHING',
    episode: 1,
    entryLow: 9.5,
    entryHigh: 10,
    takeProfit: 12,
    stopLoss: 9,
    trailingStopPct: null,
    autoTrade: true,
    autoStopLoss: true,
    autoTakeProfit: true,
    highestSinceEntry: null,
    position: null,
    memo: emptyMemo(),
    options: { maxQuoteAgeSec: 30, antiSpikeCount: 1, hysteresisPct: 0.005, renotifyCooldownSec: 600, allowAuctions: false, maxAutoRearmsPerDay: 2 },
    ...over,
  }
}

/** Exact BigInt reference for the half-up limit formula, independent of the implementation. */
export function bigLimit(prevCloseMilli: number, pct: number, tickMilli: number, dir: 1 | -1): number {
  const m = BigInt(prevCloseMilli)
  const t = BigInt(tickMilli)
  const num = m * BigInt(100 + dir * pct) // exact value × 100, in mills
  const ticks = (num * 2n + 100n * t) / (200n * t) // half-up: floor(x/(100t) + 1/2)
  return Number(ticks * t)
}
