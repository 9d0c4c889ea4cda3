/**
 * Code-form mapping local to lib/quotes, from the exchange suffix only (no board inference):
 * canonical `600000.SH` ⇄ Tencent/Sina `sh600000` ⇄ Eastmoney secid `1.600000`.
 * Eastmoney market ids: SH → 1; SZ and BJ → 0 (quote-sources.md §3).
 */
export type Exchange = 'SH' | 'SZ' | 'BJ'

export interface ParsedCode {
  digits: string
  exchange: Exchange
}

const CANONICAL = /^(\d{6})\.(SH|SZ|BJ)$/
const PREFIXED = /^(sh|sz|bj)(\d{6})$/

/** Parse an already-normalised canonical code; null when it is not of the form `123456.SH|SZ|BJ`. */
export function parseCanonical(code: string): ParsedCode | null {
  const m = CANONICAL.exec(code)
  if (!m) return null
  return { digits: m[1]!, exchange: m[2] as Exchange }
}

/** `600000.SH` → `sh600000`; null for a non-canonical code. */
export function toPrefixed(code: string): string | null {
  const p = parseCanonical(code)
  return p ? `${p.exchange.toLowerCase()}${p.digits}` : null
}

/** `sh600000` → `600000.SH`; null when the key is not `sh|sz|bj` + 6 digits. */
export function fromPrefixed(key: string): string | null {
  const m = PREFIXED.exec(key)
  if (!m) return null
  return `${m[2]!}.${m[1]!.toUpperCase()}`
}

/** `600000.SH` → `1.600000`, `000001.SZ` → `0.000001`, `920118.BJ` → `0.920118`. */
export function toSecid(code: string): string | null {
  const p = parseCanonical(code)
  if (!p) return null
  return `${p.exchange === 'SH' ? 1 : 0}.${p.digits}`
}
