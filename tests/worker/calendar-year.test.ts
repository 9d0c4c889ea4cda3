// Issue: on 2027-01-01 the shipped calendar runs out (chinese-days has data through 2026). The worker
// must keep watching on the provisional weekday rule: a stop-loss on a held position fires and sells
// on the first trading day of 2027, while a weekday the real exchange keeps closed (unknown to
// DingPan) trades nothing and is recorded closed once the quote feed shows no trade by 09:35.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { writeMachineState } from '@/lib/db/monitors'
import { coveredYears, isProvisionalDay, isTradingDay, marketPhase, markPositionManaged, setCalendarData, toMilli } from '@/lib/market'
import { setUnannouncedClosures } from '@/lib/paper'
import { calendarChanged } from '@/lib/services/runtime/calendar'
import { providers } from '../helpers/db'
import { at, notificationTypes, orderRequests, startWorkerHarness, type WorkerHarness } from './helpers'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
  setUnannouncedClosures([])
  setCalendarData({ years: [], days: [] })
  calendarChanged()
})

const db = () => getDb()
const orders = (stockId: number) => db().order.findMany({ where: { stockId }, orderBy: { id: 'asc' } })

async function manage(w: WorkerHarness, id: number, code: string, volume: number, avgPrice: number) {
  await w.control('/control/holding', { code, volume, avgPrice })
  const row = await db().monitoredStock.findUniqueOrThrow({ where: { id } })
  const next = markPositionManaged({ state: row.state, episode: row.episode, highestSinceEntry: null, memo: row.triggerMemo as never }, { avgPrice })
  if ('ok' in next) throw new Error(next.message)
  await writeTx(db(), (tx) =>
    writeMachineState(tx, id, { state: next.state, episode: next.episode, highestSinceEntryMilli: toMilli(avgPrice), triggerMemo: next.memo, stateChanged: true }, { positionQty: volume, positionCostMilli: toMilli(avgPrice), version: { increment: 1 } }),
  )
}

describe.each(providers())('crossing into a year without a published calendar on %s', (provider) => {
  it('keeps monitoring into 2027: the stop-loss sells on 2027-01-04; a closed weekday the calendar does not know trades nothing', async () => {
    expect(coveredYears().at(-1)).toBe(2026) // the shipped data really ends in 2026
    // The real exchange is closed on Tuesday 2027-01-05 (unknown to DingPan's provisional calendar).
    h = await startWorkerHarness(provider, { start: at('2026-12-31', '09:29:00'), closures: ['2027-01-05'] })
    expect(isProvisionalDay('2027-01-05') && isTradingDay('2027-01-05')).toBe(true)

    const held = await h.addStock({ code: '600000.SH', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.80', stopLoss: '8.80' })
    await manage(h, held, '600000.SH', 2_000, 9.2)
    const entry = await h.addStock({ code: '601398.SH', entryLow: '5.00', entryHigh: '5.10', takeProfit: '5.80', stopLoss: '4.80' })

    // Last published trading day: quiet.
    await h.setClock(at('2026-12-31', '10:00:00'))
    await h.setPrice('600000.SH', 9.3)
    await h.setPrice('601398.SH', 5.5)
    expect((await h.step()).kind).toBe('cycle')
    // New Year's Day: closed on the provisional rule too.
    expect(marketPhase(new Date(at('2027-01-01', '10:00:00')))).toBe('closed')
    await h.setClock(at('2027-01-01', '10:00:00'))
    expect((await h.step()).kind).toBe('idle') // the exchange's clock skips the closed days

    // First trading day of 2027 (provisional): a gap below the stop-loss sells the held shares.
    await h.setClock(at('2027-01-04', '09:30:00'))
    await h.setPrice('600000.SH', 8.6, { prevClose: 9.3, bids: [{ price: 8.6, volume: 1_000_000 }] })
    const t = await h.step()
    expect(t.kind).toBe('cycle')
    expect(t.phase).toBe('continuous')
    await h.step() // tracking sees the fill
    const sells = (await orders(held)).filter((o) => o.side === 'SELL')
    expect(sells).toHaveLength(1)
    expect(sells[0]).toMatchObject({ quantity: 2_000, status: 'FILLED' })
    expect((await db().calendarDay.findFirst({ where: { date: '2027-01-04', origin: 'observed' } }))?.status).toBe('open')
    expect(await notificationTypes(h.userId)).toContain('CALENDAR_PROVISIONAL')
    const requestsAfterMonday = orderRequests(await h.state())
    expect(requestsAfterMonday).toBe(1)

    // Tuesday: the exchange is closed. The feed shows Monday's close; the entry zone "touched" in a
    // stale quote fires nothing, and at 09:35 the day is recorded closed and everyone is told.
    await h.setPrice('601398.SH', 5.05, { asks: [{ price: 5.05, volume: 1_000_000 }] })
    // the exchange's own clock would skip its closed day: stay on it, as the wall clock does
    await h.control('/control/clock', { now: at('2027-01-05', '09:30:00'), paused: true, skipClosed: false })
    const before = await h.step()
    expect(before.kind).toBe('cycle') // DingPan's provisional calendar believes the market open
    for (let i = 0; i < 3; i++) await h.step(60)
    expect(await orders(entry)).toHaveLength(0)
    await h.control('/control/clock', { now: at('2027-01-05', '09:35:30'), paused: true, skipClosed: false })
    await h.step()
    expect((await db().calendarDay.findFirst({ where: { date: '2027-01-05', origin: 'observed' } }))?.status).toBe('closed')
    expect(await notificationTypes(h.userId)).toContain('CALENDAR_DAY_CLOSED')
    expect((await h.step(60)).phase).toBe('closed')
    expect(await orders(entry)).toHaveLength(0)
    expect(orderRequests(await h.state())).toBe(requestsAfterMonday)

    // Wednesday: open again; the same zone buys.
    // Previous closes as a real feed gives them: Monday's closes (ex-rights detection compares them
    // with the closes it stored, so a made-up previous close would read as an ex-rights day).
    await h.setClock(at('2027-01-06', '09:30:00'))
    await h.setPrice('600000.SH', 8.6, { prevClose: 8.6 })
    await h.setPrice('601398.SH', 5.05, { prevClose: 5.05, asks: [{ price: 5.05, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    expect((await orders(entry)).map((o) => [o.side, o.status])).toEqual([['BUY', 'FILLED']])
    // no order was ever FAILED or sent twice
    expect(await db().order.count({ where: { status: 'FAILED' } })).toBe(0)
    expect(orderRequests(await h.state())).toBe(2)
    expect(await db().exRightsAdjustment.count()).toBe(0)
  }, 90_000)
})
