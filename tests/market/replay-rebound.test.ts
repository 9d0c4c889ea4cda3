// Replay honours the rebound entry (issue 14): it buys once the price rebounds off its low in the
// zone, at no more than the trigger level, and never on the zone's first touch.
import { describe, expect, it } from 'vitest'
import { nextTradingDay, replay, shanghaiTime, type ReplayBar } from '@/lib/market'

function daily(rows: Array<[number, number, number, number]>, start = '2026-03-02'): ReplayBar[] {
  let day = start
  return rows.map(([open, high, low, close], i) => {
    if (i > 0) day = nextTradingDay(day)
    return { time: shanghaiTime(day, '15:00'), day, open, high, low, close }
  })
}

const LEVELS = { entryLow: 9.8, entryHigh: 10, takeProfit: 11, stopLoss: 9.5, trailingStopPct: null }

describe('replay rebound entry', () => {
  it('zone entry buys at the zone edge; the rebound entry waits for the rebound off the low and pays the trigger level', () => {
    // Day 1: 10.2 → down to 9.85 → close 9.9 (a 5-tick rebound off 9.85); day 2 rallies to 10.4.
    const bars = daily([[10.2, 10.2, 9.85, 9.9], [9.9, 10.4, 9.9, 10.3]])
    const zone = replay({ code: '600000.SH', bars, barSeconds: 86_400, prevClose: 10, levels: LEVELS, cash: 100_000 })
    expect(zone.triggers[0]).toMatchObject({ kind: 'ENTRY', price: 10 })
    const rb = replay({ code: '600000.SH', bars, barSeconds: 86_400, prevClose: 10, levels: LEVELS, cash: 100_000, entryTrigger: 'REBOUND', reboundTicks: 3 })
    const entry = rb.triggers.find((t) => t.kind === 'ENTRY')!
    expect(entry).toMatchObject({ action: 'order', level: 9.88 })
    expect(entry.price).toBeGreaterThanOrEqual(9.88)
    // Closing at 9.90, the buy is a limit at the trigger level 9.88 (not the 9.90 that fired).
    expect(rb.orders[0]).toMatchObject({ kind: 'ENTRY', side: 'buy', status: 'placed', price: 9.88 })
    // Every rebound buy of the replay is capped at the level of its own trigger.
    for (const o of rb.orders.filter((x) => x.kind === 'ENTRY' && x.status === 'placed')) expect(o.price!).toBeLessThanOrEqual(10)
  })

  it('no dip into the zone, no rebound entry', () => {
    const bars = daily([[10.2, 10.5, 10.1, 10.3], [10.3, 10.6, 10.05, 10.4]])
    const rb = replay({ code: '600000.SH', bars, barSeconds: 86_400, prevClose: 10, levels: LEVELS, cash: 100_000, entryTrigger: 'REBOUND', reboundPct: 0.01 })
    expect(rb.triggers).toHaveLength(0)
  })
})
