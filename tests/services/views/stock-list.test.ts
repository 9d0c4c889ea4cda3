// The cached stock list against real databases: a write through this process's API shows at once
// (invalidation), a write by another process (the worker) shows once the stamp is re-read.
import { describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { createStock } from '@/lib/db/stocks'
import { stockInputSchema } from '@/lib/schemas/stock'
import { invalidateStockList, stockListJson, STAMP_TTL_MS } from '@/lib/services/views/stock-list'
import { providers } from '../../helpers/db'
import { makeUser, useTestDb } from '../helpers'

const input = (code: string) =>
  stockInputSchema.parse({ code, name: 'T', entryLow: '9.00', entryHigh: '9.20', takeProfit: '11.00', stopLoss: '8.50' })
const count = (body: Uint8Array) => (JSON.parse(Buffer.from(body).toString('utf8')) as { items: unknown[] }).items.length

describe.each(providers())('stock list cache (%s)', (provider) => {
  useTestDb(provider)

  it('re-reads the stamp after the TTL and at once after an invalidation', async () => {
    const userId = await makeUser()
    invalidateStockList(userId) // ids repeat across the per-provider databases; the cache is per process
    const t0 = 1_000_000
    await createStock(userId, input('600000'))
    const first = await stockListJson(userId, false, t0)
    expect(count(first.body)).toBe(1)

    // Another process changes a row: within the TTL the cached body stands…
    await createStock(userId, input('000001'))
    const within = await stockListJson(userId, false, t0 + STAMP_TTL_MS - 1)
    expect(within.etag).toBe(first.etag)
    expect(count(within.body)).toBe(1)
    // …and once it has passed, the new stamp rebuilds the list.
    const after = await stockListJson(userId, false, t0 + STAMP_TTL_MS)
    expect(after.etag).not.toBe(first.etag)
    expect(count(after.body)).toBe(2)

    // A write through our own API invalidates: the very next read is exact.
    await getDb().monitoredStock.updateMany({ where: { userId, code: '600000.SH' }, data: { version: { increment: 1 } } })
    invalidateStockList(userId)
    const fresh = await stockListJson(userId, false, t0 + STAMP_TTL_MS + 1)
    expect(fresh.etag).not.toBe(after.etag)
  })

  it('keeps users and archived lists apart', async () => {
    const a = await makeUser()
    const b = await makeUser()
    invalidateStockList(a)
    invalidateStockList(b)
    await createStock(a, input('600036'))
    expect(count((await stockListJson(a, false)).body)).toBe(1)
    expect(count((await stockListJson(b, false)).body)).toBe(0)
    expect(count((await stockListJson(a, true)).body)).toBe(0)
  })
})
