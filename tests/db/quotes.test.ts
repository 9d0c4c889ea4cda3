// Batched snapshot and bar upserts read back exactly through Prisma on both providers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { getBars, getSnapshots, saveQuotes } from '@/lib/db/quotes'
import type { Quote } from '@/lib/market'
import { createTestDb, providers, type TestDb } from '../helpers/db'

function quote(code: string, last: number, t: string): Quote {
  return {
    code, name: '浦发银行', last, prevClose: 9.26, open: 9.28, high: 9.43, low: 9.24, volume: 77_187_100, amount: 722_307_374,
    bids: [{ price: 9.39, volume: 114_500 }], asks: [{ price: 9.4, volume: 242_500 }], limitUp: 10.19, limitDown: 8.33,
    time: new Date(t), suspended: false, source: 'tencent',
  }
}

describe.each(providers())('stored quotes on %s', (provider) => {
  let db: TestDb
  beforeAll(async () => {
    db = await createTestDb(provider)
    process.env.DATABASE_URL = db.url
  })
  afterAll(async () => {
    await getDb().$disconnect()
    await db.drop()
  })

  it('upserts the newest snapshot per code and one bar per minute, exactly', async () => {
    const t1 = '2026-11-23T01:35:24.000Z'
    const fetched = new Date('2026-11-23T01:35:24.672Z')
    const many = Array.from({ length: 900 }, (_, i) => quote(`${String(600000 + i).padStart(6, '0')}.SH`, 9.4, t1))
    const minute = new Date('2026-11-23T01:35:00.000Z')
    await saveQuotes(many, [{ code: '600000.SH', minute, openMilli: 9400, highMilli: 9400, lowMilli: 9400, closeMilli: 9400 }], fetched)
    await saveQuotes([quote('600000.SH', 9.41, '2026-11-23T01:35:27.000Z')], [{ code: '600000.SH', minute, openMilli: 9400, highMilli: 9410, lowMilli: 9400, closeMilli: 9410 }], fetched)
    expect(await getDb().quoteSnapshot.count()).toBe(900)
    const [s] = await getSnapshots(['600000.SH'])
    expect(s).toMatchObject({ name: '浦发银行', lastMilli: 9410, prevCloseMilli: 9260, volume: 77_187_100n, amountMilli: 722_307_374_000n, limitUpMilli: 10190, limitDownMilli: 8330, suspended: false, source: 'tencent' })
    expect(s!.quoteTime.toISOString()).toBe('2026-11-23T01:35:27.000Z')
    expect(s!.fetchedAt.toISOString()).toBe('2026-11-23T01:35:24.672Z')
    expect(s!.bids).toEqual([{ price: 9.39, volume: 114_500 }])
    const bars = await getBars('600000.SH', new Date('2026-11-23T00:00:00Z'), new Date('2026-11-24T00:00:00Z'))
    expect(bars).toHaveLength(1)
    expect(bars[0]).toMatchObject({ openMilli: 9400, highMilli: 9410, lowMilli: 9400, closeMilli: 9410 })
    expect(bars[0]!.minute.toISOString()).toBe(minute.toISOString())
  })

  it('stores nulls, a suspension, large volumes and an empty book exactly', async () => {
    const q = { ...quote('000001.SZ', 11.5, '2026-11-23T01:36:00.000Z'), limitUp: null, limitDown: null, suspended: true, volume: 3_000_000_000, amount: 9_876_543_210.5, bids: [], asks: [] }
    await saveQuotes([q], [], new Date('2026-11-23T01:36:00.100Z'))
    const [s] = await getSnapshots(['000001.SZ'])
    expect(s).toMatchObject({ lastMilli: 11500, limitUpMilli: null, limitDownMilli: null, suspended: true, volume: 3_000_000_000n, amountMilli: 9_876_543_210_500n, bids: [], asks: [] })
    expect(s!.quoteTime.toISOString()).toBe('2026-11-23T01:36:00.000Z')
  })
})
