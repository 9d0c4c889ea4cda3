import { describe, expect, it } from 'vitest'
import { parseWatchlistImport, splitCsvLine } from '@/lib/market'

describe('parseWatchlistImport', () => {
  it('a CSV with Chinese headers, quotes and a BOM', () => {
    const r = parseWatchlistImport('\uFEFF代码,名称,买入下限,买入上限,止盈,止损,备注\r\n600000,浦发银行,9.20,9.50,10.50,8.80,"低吸, 分批"\r\nsz000001,平安银行,10,10.5,12,9.5,\r\n')
    expect(r.format).toBe('csv')
    expect(r.rows.map((x) => [x.line, x.values.code, x.values.name, x.errors.length])).toEqual([
      [2, '600000.SH', '浦发银行', 0],
      [3, '000001.SZ', '平安银行', 0],
    ])
    expect(r.rows[0].values).toMatchObject({ entryLow: '9.20', entryHigh: '9.50', takeProfit: '10.50', stopLoss: '8.80', notes: '低吸, 分批' })
  })

  it('English headers, tab separated, quant columns, per-row errors and duplicates', () => {
    const r = parseWatchlistImport('code\tname\tentryLow\tentryHigh\ttakeProfit\tstopLoss\tautoTrade\n600000\tA\t9.2\t9.5\t10.5\t8.8\ttrue\n900901\tB股\t1\t1\t1\t1\tfalse\n600000.SH\tdup\t9.2\t9.5\t10.5\t8.8\tfalse\n\tnocode\t1\t2\t3\t0.5\tfalse\n')
    expect(r.rows).toHaveLength(4)
    expect(r.rows[0].values['quant.autoTrade']).toBe('true')
    expect(r.rows[1].errors.map((e) => e.field)).toEqual(['code'])
    expect(r.rows[2].errors[0]).toMatchObject({ field: 'code', message: '与第 2 行重复' })
    expect(r.rows[3].errors[0]).toMatchObject({ field: 'code', messageEn: 'the code is missing' })
  })

  it('同花顺 / 通达信 code lists: prefixes, market digits, names after the code, comments', () => {
    const r = parseWatchlistImport('# 自选股\nSH600000\nsz000001 平安银行\n1600036\n0300750\n2920000\n510300.SH\n\nabc\n')
    expect(r.format).toBe('codes')
    expect(r.rows.map((x) => x.values.code)).toEqual(['600000.SH', '000001.SZ', '600036.SH', '300750.SZ', '920000.BJ', '510300.SH', 'abc'])
    expect(r.rows[1].values.name).toBe('平安银行')
    expect(r.rows[6].errors[0].field).toBe('code')
    expect(r.rows[6].line).toBe(9)
    expect(r.skipped).toBe(3) // the comment, the blank line, the end
  })

  it('splits quoted cells with doubled quotes', () => {
    expect(splitCsvLine('a,"b ""c"", d",e', ',')).toEqual(['a', 'b "c", d', 'e'])
  })

  it('caps the number of rows with an explicit error row', () => {
    const r = parseWatchlistImport(Array.from({ length: 2_005 }, (_, i) => String(600000 + (i % 1000)).padStart(6, '0')).join('\n'))
    expect(r.rows).toHaveLength(2_001)
    expect(r.rows[2_000].errors[0].field).toBe('_row')
  })
})
