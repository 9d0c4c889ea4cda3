/**
 * Pure parser for Eastmoney push2 `api/qt/ulist.np/get` responses (quote-sources.md §3).
 *
 * - Rows are keyed by secid `f13.f12` (never by position, never by f12 alone: `1.000001` 上证指数 and
 *   `0.000001` 平安银行 are different instruments).
 * - `data.diff` may be an array or an object `{"0": {...}, "1": {...}}`; both are accepted.
 * - Mode `fltt2` (what we request): prices are decimals; `"-"` (or any non-number) means missing.
 * - Mode `raw` (no `fltt`): prices and changes are integers scaled by 10^decimals, decimals taken from
 *   f152, else f1 (f1 as the decimal count is UNVERIFIED); percents are ×100. Without a decimal count
 *   the prices are left null rather than guessed. Volume f5 (lots) and amount f6 (yuan) are not scaled.
 * - f124 is unix seconds. Prev close falls back to last − change (f2 − f4) when f18 is missing.
 * - ulist has no limit prices (f350/f351 UNVERIFIED, not used) and no book fields we can justify
 *   from the reference (its f19/f20... numbering belongs to `stock/get`), so limits are null and the
 *   book is empty.
 */
import type { Quote } from '../market/quote'
import { looksSuspended, round3 } from './parse-util'

export type EastmoneyMode = 'fltt2' | 'raw'

export interface EastmoneyRow {
  /** `f13.f12`, e.g. `1.600000`. */
  secid: string
  market: number
  /** 6-digit code (f12). */
  digits: string
  name: string | null
  last: number | null
  prevClose: number | null
  open: number | null
  high: number | null
  low: number | null
  change: number | null
  /** Percent, e.g. −1.61 for −1.61%. */
  changePct: number | null
  volumeLots: number | null
  amount: number | null
  time: Date | null
  /** Decimal count used to scale raw integers (raw mode only). */
  decimals: number | null
}

export type EastmoneyParse =
  | { ok: true; rows: EastmoneyRow[]; badRows: string[] }
  | { ok: false; reason: string }

/** Fields the provider requests (f1/f152 are the decimal counts, so raw answers can be scaled too). */
export const EASTMONEY_FIELDS = ['f1', 'f2', 'f4', 'f5', 'f6', 'f12', 'f13', 'f14', 'f15', 'f16', 'f17', 'f18', 'f124', 'f152'] as const

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function parseEastmoneyUlist(text: string, mode: EastmoneyMode = 'fltt2'): EastmoneyParse {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { ok: false, reason: 'body is not JSON' }
  }
  if (!isRecord(json)) return { ok: false, reason: 'JSON body is not an object' }
  if (!('data' in json)) return { ok: false, reason: 'no "data" member' }
  if (json.rc !== undefined && json.rc !== 0) return { ok: false, reason: `rc=${String(json.rc)}` }
  const data = json.data
  // data: null is how an answer with no matching rows looks (UNVERIFIED); every code is then unknown.
  if (data === null) return { ok: true, rows: [], badRows: [] }
  if (!isRecord(data)) return { ok: false, reason: '"data" is not an object' }
  const diff = data.diff
  let items: unknown[]
  if (diff === undefined || diff === null) items = []
  else if (Array.isArray(diff)) items = diff
  else if (isRecord(diff)) items = Object.values(diff)
  else return { ok: false, reason: '"data.diff" is neither an array nor an object' }

  const rows: EastmoneyRow[] = []
  const badRows: string[] = []
  items.forEach((item, i) => {
    const row = isRecord(item) ? parseRow(item, mode) : null
    if (row === null) badRows.push(`diff[${i}] has no usable f12/f13`)
    else rows.push(row)
  })
  return { ok: true, rows, badRows }
}

function parseRow(o: Record<string, unknown>, mode: EastmoneyMode): EastmoneyRow | null {
  const digits = typeof o.f12 === 'string' ? o.f12 : typeof o.f12 === 'number' ? String(o.f12).padStart(6, '0') : null
  const market = num(o.f13)
  if (digits === null || !/^\d{6}$/.test(digits) || market === null || !Number.isInteger(market)) return null

  let decimals: number | null = null
  let price: (v: unknown) => number | null
  let pct: (v: unknown) => number | null
  if (mode === 'fltt2') {
    price = (v) => {
      const n = num(v)
      return n === null ? null : round3(n)
    }
    pct = num
  } else {
    const d = num(o.f152) ?? num(o.f1)
    decimals = d !== null && Number.isInteger(d) && d >= 0 && d <= 6 ? d : null
    const scale = decimals === null ? null : 10 ** decimals
    price = (v) => {
      const n = num(v)
      return n === null || scale === null ? null : round3(n / scale)
    }
    pct = (v) => {
      const n = num(v)
      return n === null ? null : n / 100
    }
  }

  const last = price(o.f2)
  const change = price(o.f4)
  const prevClose = price(o.f18) ?? (last !== null && change !== null ? round3(last - change) : null)
  const seconds = num(o.f124)
  return {
    secid: `${market}.${digits}`,
    market,
    digits,
    name: typeof o.f14 === 'string' ? o.f14 : null,
    last,
    prevClose,
    open: price(o.f17),
    high: price(o.f15),
    low: price(o.f16),
    change,
    changePct: pct(o.f3),
    volumeLots: num(o.f5),
    amount: num(o.f6),
    time: seconds !== null && seconds > 0 ? new Date(seconds * 1000) : null,
    decimals,
  }
}

export type EastmoneyToQuote = { ok: true; quote: Quote } | { ok: false; reason: string }

/**
 * Turn a parsed row into a Quote for the canonical `code` the caller asked for (the caller maps the
 * secid back, because Eastmoney market 0 covers both SZ and BJ).
 * - Missing last price (`"-"`) → last 0 and suspended (no valid price).
 * - Missing open/high/low/volume/amount → 0; missing time, or a valid last without prev close → malformed.
 */
export function eastmoneyRowToQuote(row: EastmoneyRow, code: string, source = 'eastmoney'): EastmoneyToQuote {
  if (row.time === null) return { ok: false, reason: `${row.secid}: no update time (f124)` }
  const last = row.last !== null && row.last > 0 ? row.last : 0
  if (last > 0 && (row.prevClose === null || row.prevClose <= 0)) return { ok: false, reason: `${row.secid}: no prev close (f18)` }
  const open = row.open ?? 0
  const volume = row.volumeLots === null ? 0 : Math.round(row.volumeLots * 100)
  for (const v of [row.open, row.high, row.low, row.volumeLots, row.amount]) {
    if (v !== null && v < 0) return { ok: false, reason: `${row.secid}: negative value` }
  }
  return {
    ok: true,
    quote: {
      code,
      name: row.name ?? '',
      last,
      prevClose: row.prevClose ?? 0,
      open,
      high: row.high ?? 0,
      low: row.low ?? 0,
      volume,
      amount: row.amount === null ? 0 : round3(row.amount),
      bids: [],
      asks: [],
      limitUp: null,
      limitDown: null,
      time: row.time,
      suspended: looksSuspended(last, open, volume),
      source,
    },
  }
}
