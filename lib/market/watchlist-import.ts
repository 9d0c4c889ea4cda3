import { MarketRuleError } from './errors'
import { normalizeCode } from './codes'

/**
 * Reading a watchlist to import (pure): a CSV with a header row (code, name, levels, quant fields;
 * English or Chinese column names), or an exported code list of 同花顺 / 通达信 — one code per line,
 * with or without a market prefix (600000, SH600000, sh600000, 600000.SH, 通达信's market digit
 * 1600000 / 0000001 / 2920000), optionally followed by the name. Every line becomes a row with its
 * values and its own errors; nothing is dropped silently. Levels are validated later with the stock
 * schema; here only the code is.
 */
export interface ImportRowError {
  field: string
  message: string
  messageEn: string
}

export interface WatchlistImportRow {
  /** 1-based line in the text. */
  line: number
  values: Record<string, string>
  errors: ImportRowError[]
}

export interface WatchlistImport {
  format: 'csv' | 'codes'
  rows: WatchlistImportRow[]
  /** Lines of the text that are not rows (header, blank, comments). */
  skipped: number
}

export const IMPORT_MAX_ROWS = 2_000

/** Column names accepted in a CSV header (lower-cased, spaces removed) → field. */
const COLUMNS: Record<string, string> = {
  code: 'code', 代码: 'code', 证券代码: 'code', 股票代码: 'code',
  name: 'name', 名称: 'name', 证券名称: 'name', 股票名称: 'name',
  entrylow: 'entryLow', 买入下限: 'entryLow', 进场下限: 'entryLow', 买入区间下限: 'entryLow',
  entryhigh: 'entryHigh', 买入上限: 'entryHigh', 进场上限: 'entryHigh', 买入区间上限: 'entryHigh',
  takeprofit: 'takeProfit', 止盈: 'takeProfit', 止盈价: 'takeProfit',
  stoploss: 'stopLoss', 止损: 'stopLoss', 止损价: 'stopLoss',
  trailingstoppct: 'trailingStopPct', 移动止损: 'trailingStopPct',
  notes: 'notes', 备注: 'notes',
  enabled: 'enabled', 启用: 'enabled',
  autotrade: 'quant.autoTrade', 自动交易: 'quant.autoTrade',
  maxpositionpct: 'quant.maxPositionPct', 最大仓位: 'quant.maxPositionPct',
  mintradeamount: 'quant.minTradeAmount', 最小交易金额: 'quant.minTradeAmount',
  autostoploss: 'quant.autoStopLoss', 自动止损: 'quant.autoStopLoss',
  autotakeprofit: 'quant.autoTakeProfit', 自动止盈: 'quant.autoTakeProfit',
}

/** Splits one CSV line (RFC 4180 quotes; comma, tab or semicolon as chosen for the file). */
export function splitCsvLine(line: string, sep: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cur += '"'
          i++
        } else quoted = false
      } else cur += ch
    } else if (ch === '"' && cur.trim() === '') {
      quoted = true
      cur = ''
    } else if (ch === sep) {
      out.push(cur.trim())
      cur = ''
    } else cur += ch
  }
  out.push(cur.trim())
  return out
}

function codeOf(token: string): { code: string } | { error: ImportRowError } {
  let t = token.trim()
  // 通达信: a market digit before the 6 digits (0 深圳, 1 上海, 2 北京).
  const tdx = /^([012])(\d{6})$/.exec(t)
  if (tdx) t = `${tdx[2]}.${tdx[1] === '1' ? 'SH' : tdx[1] === '0' ? 'SZ' : 'BJ'}`
  try {
    return { code: normalizeCode(t) }
  } catch (e) {
    const m = e instanceof MarketRuleError ? e : new MarketRuleError('CODE_FORMAT', String(e), String(e))
    return { error: { field: 'code', message: m.message, messageEn: m.messageEn } }
  }
}

function header(cells: string[]): string[] | null {
  const fields = cells.map((c) => COLUMNS[c.replace(/^\uFEFF/, '').replace(/\s+/g, '').toLowerCase()] ?? '')
  return fields.includes('code') ? fields : null
}

export function parseWatchlistImport(text: string): WatchlistImport {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)
  const first = lines.findIndex((l) => l.trim() !== '')
  const rows: WatchlistImportRow[] = []
  let skipped = 0
  const seen = new Map<string, number>()
  const dedupe = (row: WatchlistImportRow) => {
    const code = row.values.code
    if (!code || row.errors.some((e) => e.field === 'code')) return
    const at = seen.get(code)
    if (at !== undefined) row.errors.push({ field: 'code', message: `与第 ${at} 行重复`, messageEn: `same code as line ${at}` })
    else seen.set(code, row.line)
  }
  const tooMany = (line: number) => {
    if (rows.length < IMPORT_MAX_ROWS) return false
    rows.push({ line, values: {}, errors: [{ field: '_row', message: `最多导入 ${IMPORT_MAX_ROWS} 行`, messageEn: `at most ${IMPORT_MAX_ROWS} rows per import` }] })
    return true
  }

  const firstLine = first >= 0 ? lines[first] : ''
  const sep = ['\t', ',', ';'].map((s) => [s, firstLine.split(s).length] as const).sort((a, b) => b[1] - a[1])[0][0]
  const fields = first >= 0 ? header(splitCsvLine(firstLine, sep)) : null
  if (fields) {
    for (let i = first + 1; i < lines.length; i++) {
      const raw = lines[i]
      if (raw.trim() === '' || raw.trim().startsWith('#')) {
        skipped++
        continue
      }
      if (tooMany(i + 1)) break
      const cells = splitCsvLine(raw, sep)
      const values: Record<string, string> = {}
      fields.forEach((f, j) => {
        if (f && cells[j] !== undefined && cells[j] !== '') values[f] = cells[j]
      })
      const row: WatchlistImportRow = { line: i + 1, values, errors: [] }
      if (cells.length > fields.length && cells.slice(fields.length).some((c) => c !== '')) {
        row.errors.push({ field: '_row', message: `本行有 ${cells.length} 列，表头只有 ${fields.length} 列`, messageEn: `${cells.length} columns but the header has ${fields.length}` })
      }
      if (values.code === undefined) row.errors.push({ field: 'code', message: '缺少代码', messageEn: 'the code is missing' })
      else {
        const c = codeOf(values.code)
        if ('code' in c) values.code = c.code
        else row.errors.push(c.error)
      }
      dedupe(row)
      rows.push(row)
    }
    return { format: 'csv', rows, skipped: skipped + 1 + first }
  }

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim()
    if (raw === '' || raw.startsWith('#') || raw.startsWith('//')) {
      skipped++
      continue
    }
    if (tooMany(i + 1)) break
    const [token, ...rest] = raw.split(/[\s,;]+/)
    const name = rest.join(' ').trim()
    const c = codeOf(token)
    const row: WatchlistImportRow = { line: i + 1, values: 'code' in c ? { code: c.code } : { code: token }, errors: 'code' in c ? [] : [c.error] }
    if (name) row.values.name = name
    dedupe(row)
    rows.push(row)
  }
  return { format: 'codes', rows, skipped }
}
