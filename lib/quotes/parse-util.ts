/** Small pure helpers shared by the quote parsers. */
import type { BookLevel } from '../market/quote'
import { fromPrefixed } from './codes'

const DECIMAL = /^-?\d+(?:\.\d+)?$/

/** Strict decimal parse: `'9.40'` → 9.4; `''`, `'-'`, `'abc'`, `'1e5'` → null. */
export function parseDecimal(s: string | undefined): number | null {
  if (s === undefined) return null
  const t = s.trim()
  if (!DECIMAL.test(t)) return null
  const n = Number(t)
  return Number.isFinite(n) ? n : null
}

/** Round to 3 decimals (mills), half away from zero, so `toMilli` of the result is exact. */
export function round3(x: number): number {
  const r = Math.round(Math.abs(x) * 1000) / 1000
  return x < 0 ? -r : r
}

/** Beijing time is fixed UTC+8 (no DST since 1991), independent of the process TZ. */
const BEIJING_OFFSET_HOURS = 8

/**
 * Beijing wall-clock fields → instant. Returns null for out-of-range fields (e.g. month 13) so garbage
 * never turns into a plausible-looking Date.
 */
export function beijingTime(y: number, mo: number, d: number, h: number, mi: number, s: number): Date | null {
  if (![y, mo, d, h, mi, s].every(Number.isInteger)) return null
  if (y < 1990 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null
  if (h < 0 || mi < 0 || s < 0) return null
  const ms = Date.UTC(y, mo - 1, d, h - BEIJING_OFFSET_HOURS, mi, s)
  // Round-trip check catches 2026-02-30 and similar.
  const back = new Date(ms + BEIJING_OFFSET_HOURS * 3600_000)
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null
  return new Date(ms)
}

/** `20260914161438` (Beijing) → instant, else null. */
export function parseCompactBeijing(s: string | undefined): Date | null {
  const m = s === undefined ? null : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s.trim())
  if (!m) return null
  return beijingTime(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
}

/** `2026-08-21` + `15:34:58` (Beijing) → instant, else null. */
export function parseDashedBeijing(date: string | undefined, time: string | undefined): Date | null {
  const d = date === undefined ? null : /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim())
  const t = time === undefined ? null : /^(\d{2}):(\d{2}):(\d{2})$/.exec(time.trim())
  if (!d || !t) return null
  return beijingTime(+d[1]!, +d[2]!, +d[3]!, +t[1]!, +t[2]!, +t[3]!)
}

/**
 * Build one side of the book from (price, volume) pairs. Levels with no price or no volume are
 * empty and left out (never reported as price 0). Returns null if a non-empty field is not a number.
 */
export function bookSide(pairs: Array<[price: string | undefined, volume: string | undefined]>, volumeFactor: number): BookLevel[] | null {
  const out: BookLevel[] = []
  for (const [ps, vs] of pairs) {
    if (ps === undefined || vs === undefined) return null
    const price = parseDecimal(ps)
    const volume = parseDecimal(vs)
    if (price === null || volume === null) return null
    if (price <= 0 || volume <= 0) continue
    out.push({ price: round3(price), volume: Math.round(volume * volumeFactor) })
  }
  return out
}

/**
 * Not tradable now (quote-sources.md §1 heuristic, §4 item 6): no valid last price, or nothing traded
 * and no open price yet. Callers add source-specific signals (limit `-1`, Sina status).
 */
export function looksSuspended(last: number, open: number, volume: number): boolean {
  return last <= 0 || (volume === 0 && open <= 0)
}

/** `key=""`: the source's answer for an unknown or invalid code. */
export type EmptyRecord = { kind: 'empty'; key: string; code: string | null }
export type MalformedRecord = { kind: 'malformed'; key: string | null; code: string | null; reason: string }

/** How one `prefix<key>="<value>"` text format (Tencent, Sina) lays out its records. */
export interface RecordFormat<R> {
  /** What separates records in the body. */
  separator: string | RegExp
  /** A whole record; group 1 is the key (`sh600000`), group 2 the value between the quotes. */
  record: RegExp
  /** The start of a record, so a broken one can still name its code. */
  keyOnly: RegExp
  /** Reason given for a piece that is not a record at all. */
  notARecord: string
  /** A key that is a marker rather than a code (Tencent's `pv_none_match`) → its record. */
  marker?: (key: string) => R | undefined
  /** A non-empty value under a key that maps to a code. */
  parseValue: (key: string, code: string, value: string) => R
}

/**
 * Split a body into records and parse each, in order: blank pieces skipped; a piece that is not a record
 * is malformed (with its key when one can be read); an empty value is `empty`; a key that is not a
 * code is malformed; anything else goes to `parseValue`. One bad record never hides its neighbours.
 */
export function parseRecords<R>(text: string, format: RecordFormat<R>): Array<R | EmptyRecord | MalformedRecord> {
  const out: Array<R | EmptyRecord | MalformedRecord> = []
  for (const raw of text.split(format.separator)) {
    const piece = raw.trim()
    if (piece === '') continue
    const m = format.record.exec(piece)
    if (!m) {
      const k = format.keyOnly.exec(piece)
      const key = k ? k[1]! : null
      out.push({ kind: 'malformed', key, code: key ? fromPrefixed(key) : null, reason: format.notARecord })
      continue
    }
    const key = m[1]!
    const value = m[2]!
    const marked = format.marker?.(key)
    if (marked !== undefined) {
      out.push(marked)
      continue
    }
    const code = fromPrefixed(key)
    if (value === '') {
      out.push({ kind: 'empty', key, code })
      continue
    }
    if (code === null) {
      out.push({ kind: 'malformed', key, code: null, reason: `unsupported key ${key}` })
      continue
    }
    out.push(format.parseValue(key, code, value))
  }
  return out
}
