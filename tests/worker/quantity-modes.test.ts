// Entry quantity modes (issue 14), end to end through the paper exchange: a fixed number of shares
// buys exactly those shares (whole lots), a fixed amount buys the whole lots it pays for, and both
// still stay within the position cap.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { providers } from '../helpers/db'
import { at, MONDAY, startWorkerHarness, type WorkerHarness } from './helpers'

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

const buys = (stockId: number) => getDb().order.findMany({ where: { stockId, side: 'BUY' }, orderBy: { id: 'asc' } })

describe.each(providers())('entry quantity modes on %s', (provider) => {
  it('fixed shares 350 buys 300; fixed amount 5 000 yuan at 9.05 buys 500; both once', async () => {
    h = await startWorkerHarness(provider)
    const shares = await h.addStock({ code: '600000.SH' }, { maxPositionPct: 50, entryQtyMode: 'SHARES', entryQty: '350' })
    const amount = await h.addStock({ code: '000001.SZ' }, { maxPositionPct: 50, entryQtyMode: 'AMOUNT', entryQty: '5000' })
    expect(await getDb().quantConfig.findUniqueOrThrow({ where: { stockId: shares } })).toMatchObject({ entryQtyMode: 'SHARES', entryQty: 350 })

    await h.setClock(at(MONDAY, '09:30:00'))
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.setPrice('000001.SZ', 9.05, { prevClose: 9.05, asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.step()
    await h.step()
    await h.step()
    const a = await buys(shares)
    const b = await buys(amount)
    expect(a).toHaveLength(1)
    expect(b).toHaveLength(1)
    expect(a[0]).toMatchObject({ quantity: 300, status: 'FILLED' })
    expect(b[0]).toMatchObject({ quantity: 500, status: 'FILLED' })
  }, 120_000)

  it('the form schema asks for the amount or shares when the mode needs it', async () => {
    h = await startWorkerHarness(provider)
    await expect(h.addStock({ code: '600000.SH' }, { entryQtyMode: 'SHARES', entryQty: '' })).rejects.toThrow()
    await expect(h.addStock({ code: '600000.SH' }, { entryQtyMode: 'AMOUNT' })).rejects.toThrow(/quantity\.required/)
  }, 60_000)
})
