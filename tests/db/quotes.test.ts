// Batched snapshot and bar upserts read back exactly through Prisma on both providers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { closeQuoteWriter, quoteWriterBusyTimeoutMs, getBars, getSnapshots, saveQuotes as save } from '@/lib/db/quotes'
import { writeTx } from '@/lib/db/tx'
import type { Quote } from '@/lib/market'
import { createTestDb, providers, type TestDb } from '../helpers/db'

function quote(code: string, last: number, t: string): Quote {
  return {
    code, name: '浦发银行', last, prevClose: 9.26, open: 9.28, high: 9.43, low: 9.24, volume: 77_187_100, amount: 722_307_374,
    bids: [{ price: 9.39, volume: 114_500 }], asks: [{ price: 9.4, volume: 242_500 }], limitUp: 10.19, limitDown: 8.33,
    time: new Date(t), suspended: false, source: 'tencent',
  }
}

// On SQLite the worker writes through its own connection (direct) and, when that one cannot take the
// write lock at once, through Prisma: both must store exactly the same rows.
type Mode = [ReturnType<typeof providers>[number], 'direct' | 'prisma']
const modes: Mode[] = providers().flatMap((p): Mode[] => (p === 'sqlite' ? [[p, 'direct'], [p, 'prisma']] : [[p, 'prisma']]))

describe.each(modes)('stored quotes on %s (%s)', (provider, mode) => {
  const saveQuotes: typeof save = (q, b, f) => save(q, b, f, { direct: mode === 'direct' })
  let db: TestDb
  beforeAll(async () => {
    db = await createTestDb(provider)
    process.env.DATABASE_URL = db.url
  })
  afterAll(async () => {
    closeQuoteWriter()
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

describe('stored quotes on sqlite while this process holds the write lock', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await createTestDb('sqlite')
    process.env.DATABASE_URL = db.url
  })
  afterAll(async () => {
    closeQuoteWriter()
    await getDb().$disconnect()
    await db.drop()
  })

  it('writes through Prisma after that transaction, without blocking the event loop', async () => {
    // Open the direct connection first, so the busy path is the one taken below.
    await save([quote('600000.SH', 9.4, '2026-11-23T01:35:24.000Z')], [], new Date('2026-11-23T01:35:24.500Z'))
    let pending: Promise<void> | null = null
    let ticked = false
    await writeTx(getDb(), async (tx) => {
      await tx.setting.upsert({ where: { key: 'lock-holder' }, create: { key: 'lock-holder', value: {} }, update: { value: {} } })
      // A synchronous wait for the lock here would freeze this transaction (and the process) for
      // the busy timeout; the direct writer must give up at once and hand over to Prisma.
      expect(quoteWriterBusyTimeoutMs()).toBe(0)
      pending = save([quote('600000.SH', 9.45, '2026-11-23T01:35:27.000Z')], [], new Date('2026-11-23T01:35:27.500Z'))
      await new Promise((r) => setTimeout(r, 20))
      ticked = true
      const [s] = await tx.quoteSnapshot.findMany({ where: { code: '600000.SH' } })
      expect(s!.lastMilli).toBe(9400) // not written under our lock
    })
    await pending
    expect(ticked).toBe(true)
    const [s] = await getSnapshots(['600000.SH'])
    expect(s!.lastMilli).toBe(9450)
    expect(s!.quoteTime.toISOString()).toBe('2026-11-23T01:35:27.000Z')
  })
})
