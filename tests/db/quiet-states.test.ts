// The worker's batched machine-state writes (writeQuietStates): only rows still as loaded are
// written, the others come back as stale, and what is written reads back exactly through Prisma.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { writeQuietStates } from '@/lib/db/monitors'
import { createStocksBulk } from '@/lib/db/stocks'
import { createUser } from '@/lib/db/users'
import { stockInputSchema } from '@/lib/schemas/stock'
import { createTestDb, providers, type TestDb } from '../helpers/db'

describe.each(providers())('quiet state writes on %s', (provider) => {
  let db: TestDb
  beforeAll(async () => {
    db = await createTestDb(provider)
    process.env.DATABASE_URL = db.url
  })
  afterAll(async () => {
    await getDb().$disconnect()
    await db.drop()
  })

  it('writes rows still as loaded, reports the others, and stores the memo exactly', async () => {
    const user = await createUser('quiet@example.com', 'x'.repeat(60), 'ADMIN')
    const input = (code: string) => stockInputSchema.parse({ code, name: 'T', entryLow: '9.00', entryHigh: '9.10', takeProfit: '12.00', stopLoss: '8.00' })
    await createStocksBulk(user.id, ['600000.SH', '600001.SH', '600004.SH'].map(input))
    const rows = await getDb().monitoredStock.findMany({ orderBy: { id: 'asc' } })
    const [a, b, c] = rows as [typeof rows[0], typeof rows[0], typeof rows[0]]
    const memo = { v: 1, pausedFrom: null, kinds: { ENTRY: { ordered: false, notifiedAt: '2026-11-23T02:00:00.000Z', lastNotifiedAt: null, left: false, deferredDay: null } }, streak: { ENTRY: 2 }, streakDay: '2026-11-23', lastQuoteMs: 1795000000000, exitKind: null, autoRearms: null, autoExitHaltedDay: null, note: "引号 \" and ' 和 \\" }
    const before = new Date(Date.now() - 1000)
    const stale = await writeQuietStates([
      { id: a.id, expect: { version: a.version, state: a.state, episode: a.episode }, next: { state: 'ENTRY_PENDING', episode: a.episode, highestSinceEntryMilli: 9050, triggerMemo: memo, stateChanged: true } },
      // loaded before a user edit: version moved on
      { id: b.id, expect: { version: b.version - 1, state: b.state, episode: b.episode }, next: { state: 'ENTRY_PENDING', episode: b.episode, highestSinceEntryMilli: 1, triggerMemo: memo, stateChanged: true } },
      { id: c.id, expect: { version: c.version, state: c.state, episode: c.episode }, next: { state: c.state, episode: c.episode, highestSinceEntryMilli: null, triggerMemo: memo, stateChanged: false } },
    ])
    expect(stale).toEqual([b.id])
    const after = await getDb().monitoredStock.findMany({ orderBy: { id: 'asc' } })
    expect(after[0]).toMatchObject({ state: 'ENTRY_PENDING', highestSinceEntryMilli: 9050, version: a.version, episode: a.episode })
    expect(after[0]!.triggerMemo).toEqual(memo)
    expect(after[0]!.stateChangedAt.getTime()).toBeGreaterThan(before.getTime())
    expect(after[0]!.updatedAt.getTime()).toBeGreaterThan(before.getTime())
    expect(after[1]).toMatchObject({ state: b.state, highestSinceEntryMilli: b.highestSinceEntryMilli, triggerMemo: b.triggerMemo, updatedAt: b.updatedAt })
    expect(after[2]).toMatchObject({ state: c.state, highestSinceEntryMilli: null, stateChangedAt: c.stateChangedAt })
    expect(after[2]!.triggerMemo).toEqual(memo)
    // the same row twice (an enable move, then an evaluation): applied in order, the second is stale
    const d = after[2]!
    const twice = await writeQuietStates([
      { id: d.id, expect: { version: d.version, state: d.state, episode: d.episode }, next: { state: 'PAUSED', episode: d.episode, highestSinceEntryMilli: null, triggerMemo: memo, stateChanged: true } },
      { id: d.id, expect: { version: d.version, state: d.state, episode: d.episode }, next: { state: 'HOLDING', episode: d.episode, highestSinceEntryMilli: null, triggerMemo: memo, stateChanged: true } },
    ])
    expect(twice).toEqual([d.id])
    expect((await getDb().monitoredStock.findUnique({ where: { id: d.id } }))!.state).toBe('PAUSED')
  })
})
