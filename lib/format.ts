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

const dtf = new Map<string, Intl.DateTimeFormat>()

/** Asia/Shanghai wall-clock text, with or without the date; one cached formatter per locale and shape. */
export function shanghaiTime(value: Date | string | null | undefined, locale: string, opts: { withSeconds: boolean; withDate: boolean }): string {
  if (!value) return '—'
  const key = `${locale}|${opts.withSeconds}|${opts.withDate}`
  let f = dtf.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
      timeZone: 'Asia/Shanghai',
      ...(opts.withDate ? { year: 'numeric', month: '2-digit', day: '2-digit' } : {}),
      hour: '2-digit',
      minute: '2-digit',
      ...(opts.withSeconds ? { second: '2-digit' } : {}),
      hour12: false,
    })
    dtf.set(key, f)
  }
  return f.format(typeof value === 'string' ? new Date(value) : value)
}

export function formatTime(value: Date | string | null | undefined, locale: string, withSeconds = true): string {
  return shanghaiTime(value, locale, { withSeconds, withDate: true })
}
