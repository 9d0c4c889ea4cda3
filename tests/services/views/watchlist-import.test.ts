// Watchlist import and bulk actions on real databases: rows checked with the stock schema against
// the live list, saved all-or-nothing; bulk actions per id, owner-scoped, refusals reported.
import { describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { createStock, createStocksBulk, listStocksForUser } from '@/lib/db/stocks'
import { bulkStockAction } from '@/lib/db/stock-bulk'
import { stockInputSchema } from '@/lib/schemas/stock'
import { watchlistImportSchema } from '@/lib/schemas/watchlist'
import { translator } from '@/lib/i18n/translator'
import { checkWatchlistImport } from '@/lib/services/views/watchlist-import'
import { providers } from '../../helpers/db'
import { makeUser, useTestDb } from '../helpers'
import { seedOrderWithFills } from './seed-fills'

const t = translator('zh')
const te = (k: string, p?: Record<string, string | number>) => t(`errors.${k}` as never, p as never)
const stock = (code: string) => stockInputSchema.parse({ code, name: 'X', entryLow: '9.00', entryHigh: '9.20', takeProfit: '11.00', stopLoss: '8.50' })

describe.each(providers())('watchlist import and bulk actions (%s)', (provider) => {
  useTestDb(provider)

  it('previews per-row errors, refuses to save any row while one is wrong, then saves all', async () => {
    const u = await makeUser()
    await createStock(u, stock('600036'))
    const text = '代码,名称,买入下限,买入上限,止盈,止损\n600000,浦发银行,9.20,9.50,10.50,8.80\n600036,招商银行,30,31,35,28\n000001,平安银行,10,9,12,9.5\n'
    const pre = await checkWatchlistImport(u, watchlistImportSchema.parse({ text }), 'zh', te)
    expect(pre.preview.rows.map((r) => Object.keys(r.errors))).toEqual([[], ['code'], ['entryHigh']])
    expect(pre.preview.rows[1].errors.code[0]).toContain('已在该账户的监测列表中')
    expect(pre.inputs).toBeNull()
    expect(Object.keys(pre.fields)).toEqual(['rows.1.code', 'rows.2.entryHigh'])
    expect((await listStocksForUser(u)).length).toBe(1)

    // code list: names from nothing → the name and the levels are asked for, row by row
    const codes = await checkWatchlistImport(u, watchlistImportSchema.parse({ text: 'SH600000\n0000001\n1600036\n' }), 'zh', te)
    expect(codes.preview.format).toBe('codes')
    expect(codes.preview.rows.map((r) => Object.keys(r.errors).sort())).toEqual([
      ['entryHigh', 'entryLow', 'name', 'stopLoss', 'takeProfit'],
      ['entryHigh', 'entryLow', 'name', 'stopLoss', 'takeProfit'],
      ['code', 'entryHigh', 'entryLow', 'name', 'stopLoss', 'takeProfit'],
    ])
    // already watched: said on the code even before the levels are filled in
    expect(codes.preview.rows[2].errors.code).toEqual(['600036.SH 已在该账户的监测列表中'])

    // the edited rows come back: all valid → inputs to save
    const rows = [
      { line: 2, values: { code: '600000.SH', name: '浦发银行', entryLow: '9.20', entryHigh: '9.50', takeProfit: '10.50', stopLoss: '8.80' } },
      { line: 3, values: { code: '000001', name: '平安银行', entryLow: '9', entryHigh: '10', takeProfit: '12', stopLoss: '8.5', 'quant.autoTrade': 'true' } },
    ]
    const ok = await checkWatchlistImport(u, watchlistImportSchema.parse({ rows, commit: true }), 'zh', te)
    expect(ok.preview.invalid).toBe(0)
    expect(ok.inputs?.map((i) => [i.code, i.quant.autoTrade])).toEqual([['600000.SH', false], ['000001.SZ', true]])
    expect(await createStocksBulk(u, ok.inputs!)).toBe(2)
    expect((await listStocksForUser(u)).map((s) => s.code).sort()).toEqual(['000001.SZ', '600000.SH', '600036.SH'])
  })

  it('bulk: enable/disable/auto-trade off/archive per id; foreign ids are not found; an open order blocks archiving', async () => {
    const a = await makeUser()
    const b = await makeUser()
    const s1 = await createStock(a, stockInputSchema.parse({ code: '600000', name: 'A', entryLow: '9.00', entryHigh: '9.20', takeProfit: '11.00', stopLoss: '8.50', quant: { autoTrade: true } }))
    const s2 = await createStock(a, stock('000001'))
    const foreign = await createStock(b, stock('600036'))
    const v0 = (await getDb().monitoredStock.findUniqueOrThrow({ where: { id: s1.id } })).version

    const off = await bulkStockAction(a, [s1.id, s2.id, foreign.id], 'disable')
    expect(off.map((r) => (r.ok ? r.changed : r.error.message))).toEqual([true, true, 'stock.notFound'])
    expect((await getDb().monitoredStock.findUniqueOrThrow({ where: { id: foreign.id } })).enabled).toBe(true)
    expect((await getDb().monitoredStock.findUniqueOrThrow({ where: { id: s1.id } })).version).toBeGreaterThan(v0)
    expect((await bulkStockAction(a, [s1.id], 'disable'))[0]).toMatchObject({ ok: true, changed: false })

    const at = await bulkStockAction(a, [s1.id, s2.id], 'autoTradeOff')
    expect(at.map((r) => r.ok && r.changed)).toEqual([true, false])
    expect((await getDb().quantConfig.findUniqueOrThrow({ where: { stockId: s1.id } })).autoTrade).toBe(false)

    // an open order on s2 blocks its archive; s1 is archived
    const o = await seedOrderWithFills(a, s2.id, '000001.SZ', 'BUY', [{ priceMilli: 9_100, quantity: 100, at: new Date() }])
    await getDb().order.update({ where: { id: o.id }, data: { status: 'SUBMITTED', activeKey: o.id } })
    const arch = await bulkStockAction(a, [s1.id, s2.id], 'archive')
    expect(arch.map((r) => (r.ok ? 'ok' : r.error.message))).toEqual(['ok', 'stock.archiveOpenOrders'])
    expect((await getDb().monitoredStock.findUniqueOrThrow({ where: { id: s1.id } })).archivedAt).not.toBeNull()
    expect((await bulkStockAction(a, [s1.id], 'enable'))[0]).toMatchObject({ ok: false })
    const audit = await getDb().auditLog.count({ where: { action: 'stock.bulkEnabled' } })
    expect(audit).toBe(2)
  })
})

describe('bulk request schema', () => {
  it('every refusal is a known message key (the API translates it for the field)', async () => {
    const { stockBulkSchema } = await import('@/lib/schemas/watchlist')
    const keys = (v: unknown) => {
      const r = stockBulkSchema.safeParse(v)
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}:${i.message}`)
    }
    const known = (k: string) => k.split(':')[1].split('.').reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], t.raw('errors' as never)) !== undefined || !k.split(':')[1].includes('.')
    for (const v of [{ ids: 'x', action: 'disable' }, { ids: [], action: 'disable' }, { ids: [0], action: 'nope' }, {}]) {
      for (const k of keys(v)) expect(known(k), k).toBe(true)
    }
  })
})
