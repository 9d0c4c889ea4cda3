/** Display formatting shared by server and client: tick decimals per code, Asia/Shanghai times. */
import { boardOf } from '@/lib/market'

export function priceDecimals(code: string): number {
  try {
    return boardOf(code) === 'FUND' ? 3 : 2
  } catch {
    return 2
  }
}

export function formatPrice(code: string, yuan: number | null | undefined): string {
  if (yuan == null || !Number.isFinite(yuan)) return '—'
  return yuan.toFixed(priceDecimals(code))
}

export function formatPct(ratio: number | null | undefined, digits = 2): string {
  if (ratio == null || !Number.isFinite(ratio)) return '—'
  return `${(ratio * 100).toFixed(digits)}%`
}

/** Asia/Shanghai clock text, with or without the date. */
export function shanghaiTime(value: Date | string | null | undefined, locale: string, opts: { withSeconds: boolean; withDate: boolean }): string {
  if (!value) return '—'
  const d = typeof value === 'string' ? new Date(value) : value
  if (!Number.isFinite(d.getTime())) return '—'
  // One numeric format in both languages (YYYY-MM-DD HH:MM[:SS], Asia/Shanghai): never 02/12/2026
  // beside 12-02. `locale` is kept for callers; the digits read the same in Chinese and English.
  void locale
  const s = new Date(d.getTime() + 8 * 3600_000).toISOString()
  const time = s.slice(11, opts.withSeconds ? 19 : 16)
  return opts.withDate ? `${s.slice(0, 10)} ${time}` : time
}

export function formatTime(value: Date | string | null | undefined, locale: string, withSeconds = true): string {
  return shanghaiTime(value, locale, { withSeconds, withDate: true })
}
