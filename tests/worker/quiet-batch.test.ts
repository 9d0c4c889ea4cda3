// Signals that place no order are written in batches (one transaction per 25, issue 17). Through the
// paper exchange: 30 notify-only monitors entering their zone in one cycle are each told once and
// move on, across two batches; a monitor the web app changed after the worker loaded it fails its
// batch, which then writes the rest one by one: the others are told in that cycle, the changed one
// in the next, and nobody twice.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { providers } from '../helpers/db'
import { at, MONDAY, startWorkerHarness, type WorkerHarness } from './helpers'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

const CODES = Array.from({ length: 30 }, (_, i) => `6000${String(i).padStart(2, '0')}.SH`)

async function entryNotices(userId: number): Promise<Map<number, number>> {
  const rows = await getDb().notification.findMany({ where: { userId, type: 'TRIGGER_ENTRY' }, select: { stockId: true } })
  const by = new Map<number, number>()
  for (const r of rows) by.set(r.stockId!, (by.get(r.stockId!) ?? 0) + 1)
  return by
}

async function setup(provider: 'sqlite' | 'postgresql'): Promise<number[]> {
  h = await startWorkerHarness(provider)
  const ids: number[] = []
  for (const code of CODES) ids.push(await h.addStock({ code }, { autoTrade: false }))
  await h.setClock(at(MONDAY, '09:35:00'))
  for (const code of CODES) await h.setPrice(code, 9.3, { prevClose: 9.3 })
  await h.step() // loaded, above the zone: nothing fires
  expect((await entryNotices(h.userId)).size).toBe(0)
  for (const code of CODES) await h.setPrice(code, 9.05, { prevClose: 9.3 })
  return ids
}

describe.each(providers())('signal writes in batches on %s', (provider) => {
  it('30 notify-only entries in one cycle: each told once, none ordered', async () => {
    const ids = await setup(provider)
    const r = await h!.step()
    expect(r.stats?.errors).toEqual([])
    const told = await entryNotices(h!.userId)
    expect([...told.keys()].sort((a, b) => a - b)).toEqual(ids)
    expect([...told.values()].every((n) => n === 1)).toBe(true)
    await h!.step()
    expect([...(await entryNotices(h!.userId)).values()].every((n) => n === 1)).toBe(true)
    expect(await getDb().order.count()).toBe(0)
    const triggers = await getDb().triggerEvent.findMany({ where: { kind: 'ENTRY' } })
    expect(triggers).toHaveLength(30)
    expect(new Set(triggers.map((t) => t.stockId)).size).toBe(30)
  }, 120_000)

  it('a monitor changed after the load fails its batch: the rest are written one by one, it follows next cycle', async () => {
    const ids = await setup(provider)
    // The web app's write as the worker cannot see it coming: the episode moves, the change stamp
    // (count, sum of versions, max id) does not, so the worker's loaded row is stale at the write.
    const stale = ids[3]!
    await getDb().monitoredStock.update({ where: { id: stale }, data: { episode: { increment: 1 } } })
    const first = await h!.step()
    expect(first.stats?.errors).toEqual([])
    const told = await entryNotices(h!.userId)
    expect(told.has(stale)).toBe(false)
    expect(told.size).toBe(29)
    await h!.step()
    const after = await entryNotices(h!.userId)
    expect(after.size).toBe(30)
    expect([...after.values()].every((n) => n === 1)).toBe(true)
    const row = await getDb().triggerEvent.findFirstOrThrow({ where: { stockId: stale, kind: 'ENTRY' } })
    expect(row.episode).toBe(2)
  }, 120_000)
})
