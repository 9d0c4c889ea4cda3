// Export on real databases: CSV with a UTF-8 BOM and CRLF that Excel opens with Chinese intact,
// JSON, Asia/Shanghai day ranges, and only the exporting user's rows.
import { describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { createStock } from '@/lib/db/stocks'
import { stockInputSchema } from '@/lib/schemas/stock'
import { exportQuerySchema } from '@/lib/schemas/pnl'
import { shanghaiTime } from '@/lib/market'
import { buildExport, toCsv } from '@/lib/services/views/export'
import { providers } from '../../helpers/db'
import { makeUser, notifyTx, useTestDb } from '../helpers'
import { seedOrderWithFills } from './seed-fills'

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8')
const q = (o: Record<string, string>) => exportQuerySchema.parse(o)

describe('CSV cells', () => {
  it('quotes commas, quotes and newlines, and defuses formulas in text cells only', () => {
    const out = text(toCsv(['a', 'b', 'c'], ['a', 'b', 'c'], [{ a: '=1+1', b: 'x,"y"\nz', c: -1.5 }]))
    expect(out.charCodeAt(0)).toBe(0xfeff)
    expect(out.slice(1)).toBe(`a,b,c\r\n'=1+1,"x,""y""\nz",-1.5\r\n`)
  })
})

describe('export query', () => {
  it('field-level errors: order, length, kind', () => {
    const bad = (o: Record<string, string>) => {
      const r = exportQuerySchema.safeParse(o)
      return r.success ? null : r.error.issues.map((i) => `${i.path.join('.')}:${i.message}`)
    }
    expect(bad({ kind: 'orders', from: '2026-12-02', to: '2026-12-01' })).toEqual(['to:date.rangeOrder'])
    expect(bad({ kind: 'orders', from: '2025-01-01', to: '2026-01-02' })).toEqual(['to:date.rangeTooLong'])
    expect(bad({ kind: 'orders', from: '2025-01-01', to: '2026-01-01' })).toBeNull() // 366 days, both ends included
    expect(bad({ kind: 'trades', from: '2026-12-01', to: '2026-12-01' })).toEqual(['kind:enum.invalid'])
    expect(bad({ kind: 'orders', from: '2026-02-31', to: '2026-12-01' })).toEqual(['from:date.invalid'])
  })
})

describe.each(providers())('export (%s)', (provider) => {
  useTestDb(provider)

  it('orders, fills, notifications and P&L of one user for Shanghai days, CSV with BOM and JSON', async () => {
    const a = await makeUser('zh')
    const b = await makeUser('en')
    const s = await createStock(a, stockInputSchema.parse({ code: '600000', name: '浦发银行', entryLow: '9.00', entryHigh: '9.20', takeProfit: '11.00', stopLoss: '8.50' }))
    const sb = await createStock(b, stockInputSchema.parse({ code: '000001', name: '平安银行', entryLow: '9.00', entryHigh: '9.20', takeProfit: '11.00', stopLoss: '8.50' }))
    // 2026-12-01 00:30 in Shanghai is still 2026-11-30 in UTC: it belongs to the 1st.
    const early = shanghaiTime('2026-12-01', '00:30')
    await seedOrderWithFills(a, s.id, '600000.SH', 'BUY', [{ priceMilli: 9_100, quantity: 1000, at: early }])
    await seedOrderWithFills(a, s.id, '600000.SH', 'SELL', [{ priceMilli: 11_000, quantity: 400, at: shanghaiTime('2026-12-02', '10:00') }, { priceMilli: 11_000, quantity: 600, at: shanghaiTime('2026-12-02', '10:01') }])
    await seedOrderWithFills(b, sb.id, '000001.SZ', 'BUY', [{ priceMilli: 9_000, quantity: 100, at: shanghaiTime('2026-12-01', '10:00') }])
    await notifyTx({ userId: a, type: 'TEST', params: { channel: '通道, "一"' } })
    await notifyTx({ userId: b, type: 'TEST', params: { channel: 'B' } })

    const fills = await buildExport(a, q({ kind: 'fills', from: '2026-12-01', to: '2026-12-02' }), 'zh')
    const csv = text(fills.body)
    expect(fills.contentType).toBe('text/csv; charset=utf-8')
    expect([...fills.body.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(fills.rows).toBe(3)
    const lines = csv.slice(1).split('\r\n')
    expect(lines[0]).toContain('成交时间（北京时间）')
    expect(lines[1]).toContain('2026-12-01 00:30:00')
    expect(lines[1]).toContain('浦发银行')
    expect(lines[1]).toContain('买入')
    expect(csv).not.toContain('平安银行')
    // only the 1st: the early buy is in, the sells of the 2nd are not
    expect((await buildExport(a, q({ kind: 'fills', from: '2026-12-01', to: '2026-12-01' }), 'zh')).rows).toBe(1)
    expect((await buildExport(a, q({ kind: 'fills', from: '2026-11-30', to: '2026-11-30' }), 'zh')).rows).toBe(0)

    const orders = await buildExport(a, q({ kind: 'orders', format: 'json', from: '2026-11-01', to: '2026-12-31' }), 'en')
    const doc = JSON.parse(text(orders.body)) as { rows: Array<{ code: string; side: string }> }
    expect(doc.rows.map((r) => [r.code, r.side])).toEqual([['600000.SH', 'Buy'], ['600000.SH', 'Sell']])

    const allNotes = await getDb().notification.findMany({ where: { userId: a } })
    const day = new Date(allNotes[0].createdAt.getTime() + 8 * 3600_000).toISOString().slice(0, 10)
    const n = await buildExport(a, q({ kind: 'notifications', from: day, to: day }), 'zh')
    expect(n.rows).toBe(1)
    expect(text(n.body)).toContain('"') // the comma and quotes in the body are quoted
    expect(text(n.body)).not.toContain('B')

    const pnl = await buildExport(a, q({ kind: 'pnl', from: '2026-12-02', to: '2026-12-02' }), 'zh')
    expect(pnl.rows).toBe(2)
    const pj = JSON.parse(text((await buildExport(a, q({ kind: 'pnl', format: 'json', from: '2026-12-02', to: '2026-12-02' }), 'en')).body)) as { rows: Array<{ pnl: number }>; summary: { total: { pnl: number } } }
    expect(pj.rows.reduce((x, r) => x + r.pnl, 0)).toBeCloseTo(pj.summary.total.pnl, 6)
    expect(pj.summary.total.pnl).toBeGreaterThan(1800)
    expect((await buildExport(b, q({ kind: 'pnl', from: '2026-12-01', to: '2026-12-31' }), 'zh')).rows).toBe(0)
  })
})
