/**
 * Watchlist import: every row of a pasted CSV or 同花顺/通达信 code list (lib/market's parser) checked
 * with the same stock schema as the add form, against the user's live list and the other rows, and
 * previewed with its own field-level errors. Only reads: the route saves the checked inputs, and
 * only when no row has an error (all rows in one transaction), so a half-imported list never exists.
 */
import { normalizeCode, parseWatchlistImport, type ImportRowError } from '@/lib/market'
import { listStocksForUser } from '@/lib/db/stocks'
import { defaultAccountForUser } from '@/lib/db/account-scope'
import { getSnapshots } from '@/lib/db/quotes'
import type { Locale } from '@/lib/i18n/config'
import { stockInputSchema, type StockInput } from '@/lib/schemas/stock'
import { issuesToFieldErrors } from '@/lib/schemas/issues'
import type { WatchlistImportInput } from '@/lib/schemas/watchlist'

type Translate = (key: string, params?: Record<string, string | number>) => string

export interface ImportPreviewRow {
  line: number
  values: Record<string, string>
  errors: Record<string, string[]>
}

export interface ImportPreview {
  format: 'csv' | 'codes' | 'rows'
  rows: ImportPreviewRow[]
  valid: number
  invalid: number
  saved?: number
}

export interface ImportCheck {
  preview: ImportPreview
  /** The schema-checked inputs, one per row, when no row has an error. */
  inputs: StockInput[] | null
  /** Errors keyed `rows.<index>.<field>` for a refused save. */
  fields: Record<string, string[]>
}

const LEVELS = ['entryLow', 'entryHigh', 'takeProfit', 'stopLoss'] as const

function toInput(values: Record<string, string>): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  const quant: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(values)) {
    if (k.startsWith('quant.')) quant[k.slice(6)] = v
    else input[k] = v
  }
  for (const l of LEVELS) input[l] ??= ''
  input.name ??= ''
  if (Object.keys(quant).length) input.quant = quant
  return input
}

export async function checkWatchlistImport(userId: number, body: WatchlistImportInput, locale: Locale, te: Translate): Promise<ImportCheck> {
  const parsed = body.text !== undefined ? parseWatchlistImport(body.text) : null
  const rows: Array<{ line: number; values: Record<string, string>; parseErrors: ImportRowError[] }> = parsed
    ? parsed.rows.map((r) => ({ line: r.line, values: r.values, parseErrors: r.errors }))
    : (body.rows ?? []).map((r, i) => ({
        line: r.line ?? i + 1,
        values: Object.fromEntries(Object.entries(r.values).filter(([, v]) => v !== null && v !== '').map(([k, v]) => [k, String(v)])),
        parseErrors: [],
      }))

  // A code is live per broker account: rows without an account go to the user's default account.
  const fallback = await defaultAccountForUser(userId)
  const live = new Set((await listStocksForUser(userId)).map((s) => `${s.brokerAccountId ?? fallback}:${s.code}`))
  const names = new Map((await getSnapshots(rows.map((r) => r.values.code).filter((c): c is string => !!c))).map((q) => [q.code, q.name]))
  const seen = new Map<string, number>()
  const inputs: StockInput[] = []
  const out: ImportPreviewRow[] = rows.map((r) => {
    const errors: Record<string, string[]> = {}
    const put = (field: string, msg: string) => (errors[field] ??= []).includes(msg) || errors[field].push(msg)
    for (const e of r.parseErrors) put(e.field, locale === 'en' ? e.messageEn : e.message)
    const values = { ...r.values }
    if (!values.name && values.code && names.get(values.code)) values.name = names.get(values.code)!
    const res = stockInputSchema.safeParse(toInput(values))
    // The code is checked against the live list and the rows above whatever else is wrong in the row.
    let code: string | null = null
    if (res.success) code = res.data.code
    else if (!errors.code && values.code) {
      try {
        code = normalizeCode(values.code)
      } catch {
        code = null
      }
    }
    if (code) {
      values.code = code
      const key = `${(res.success ? res.data.brokerAccountId : null) ?? fallback}:${code}`
      if (live.has(key)) put('code', te('stock.duplicate', { code }))
      const at = seen.get(key)
      if (at !== undefined && !errors.code) put('code', locale === 'en' ? `same code as line ${at}` : `与第 ${at} 行重复`)
      if (at === undefined) seen.set(key, r.line)
    }
    if (res.success) {
      if (Object.keys(errors).length === 0) inputs.push(res.data)
    } else {
      for (const [f, msgs] of Object.entries(issuesToFieldErrors(res.error.issues, te))) {
        // The parser's code message is more precise than the schema's.
        if (f === 'code' && errors.code) continue
        for (const m of msgs) put(f, m)
      }
    }
    return { line: r.line, values, errors }
  })
  const invalid = out.filter((r) => Object.keys(r.errors).length > 0).length
  const preview: ImportPreview = { format: parsed ? parsed.format : 'rows', rows: out, valid: out.length - invalid, invalid }
  const fields: Record<string, string[]> = {}
  out.forEach((r, i) => {
    for (const [f, msgs] of Object.entries(r.errors)) fields[`rows.${i}.${f}`] = msgs
  })
  if (out.length === 0) fields.text = [te('import.textRequired')]
  return { preview, inputs: invalid === 0 && out.length > 0 ? inputs : null, fields }
}
