// The worker's monitor list is read in pages (start-up memory): every live row comes back once, in
// id order, with its quant config and user; archived rows never do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { loadLiveMonitors } from '@/lib/db/monitors'
import { createStocksBulk } from '@/lib/db/stocks'
import { createUser } from '@/lib/db/users'
import { stockInputSchema } from '@/lib/schemas/stock'
import { createTestDb, providers, type TestDb } from '../helpers/db'

describe.each(providers())('live monitors on %s', (provider) => {
  let db: TestDb
  beforeAll(async () => {
    db = await createTestDb(provider)
    process.env.DATABASE_URL = db.url
  })
  afterAll(async () => {
    await getDb().$disconnect()
    await db.drop()
  })

  it('loads more rows than a page holds, each once, without the archived', async () => {
    const user = await createUser('pages@example.com', 'x'.repeat(60), 'ADMIN')
    // 1,201 rows: two full pages and one more row.
    const codes = Array.from({ length: 1201 }, (_, i) => `${600000 + i}.SH`)
    const input = (code: string) => stockInputSchema.parse({ code, name: 'T', entryLow: '9.00', entryHigh: '9.10', takeProfit: '12.00', stopLoss: '8.00' })
    for (let i = 0; i < codes.length; i += 400) await createStocksBulk(user.id, codes.slice(i, i + 400).map(input))
    const all = await getDb().monitoredStock.findMany({ orderBy: { id: 'asc' }, select: { id: true } })
    const archived = new Set([all[0]!.id, all[499]!.id, all[500]!.id, all[1200]!.id])
    await getDb().monitoredStock.updateMany({ where: { id: { in: [...archived] } }, data: { archivedAt: new Date() } })
    const rows = await loadLiveMonitors()
    expect(rows.map((r) => r.id)).toEqual(all.map((r) => r.id).filter((id) => !archived.has(id)))
    expect(rows.every((r) => r.user.id === user.id && r.quantConfig !== undefined)).toBe(true)
  })
})
