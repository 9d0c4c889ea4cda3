/** Small display helpers shared by the live pages (server and client): Asia/Shanghai clock times, ages, signed percentages. */
import { shanghaiTime } from '@/lib/format'

/** HH:MM:SS (or HH:MM) in Asia/Shanghai. */
export function clockTime(value: Date | string | null | undefined, locale: string, withSeconds = true): string {
  return shanghaiTime(value, locale, { withSeconds, withDate: false })
}

/** MM-DD HH:MM (or HH:MM:SS) in Asia/Shanghai, for times that may be on another day. */
export function dayTime(value: Date | string | null | undefined, withSeconds = false): string {
  if (!value) return '—'
  const d = typeof value === 'string' ? new Date(value) : value
  if (!Number.isFinite(d.getTime())) return '—'
  const s = new Date(d.getTime() + 8 * 3600_000).toISOString()
  return `${s.slice(5, 10)} ${s.slice(11, withSeconds ? 19 : 16)}`
}

/** +1.23% / −0.45% (sign always shown, real minus sign). */
export function signedPct(ratio: number | null | undefined, digits = 2): string {
  if (ratio == null || !Number.isFinite(ratio)) return '—'
  const v = (ratio * 100).toFixed(digits)
  if (Number(v) === 0) return `${(0).toFixed(digits)}%`
  return ratio > 0 ? `+${v}%` : `−${v.slice(1)}%`
}

/** Red up, green down, grey flat (A-share colours). */
export function trendClass(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v) || v === 0) return 'text-flat'
  return v > 0 ? 'text-up' : 'text-down'
}

/** Seconds → the largest whole unit, for "3 分钟前". */
export function ageParts(sec: number | null | undefined): { unit: 's' | 'm' | 'h' | 'd'; n: number } | null {
  if (sec == null || !Number.isFinite(sec)) return null
  const s = Math.max(0, Math.round(sec))
  if (s < 120) return { unit: 's', n: s }
  if (s < 7200) return { unit: 'm', n: Math.floor(s / 60) }
  if (s < 172_800) return { unit: 'h', n: Math.floor(s / 3600) }
  return { unit: 'd', n: Math.floor(s / 86_400) }
}

export async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  let res: Response
  try {
    res = await fetch(url, init)
  } catch (e) {
    throw new Error((e as Error).message || 'network error')
  }
  const body = await res.json().catch(() => null)
  if (!res.ok) {
    const err = new Error((body as { message?: string } | null)?.message ?? `HTTP ${res.status}`) as Error & { status?: number; body?: unknown }
    err.status = res.status
    err.body = body
    throw err
  }
  return body as T
}

const moneyFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
/** Yuan with thousands separators and 2 decimals. */
export function money(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return '—'
  return moneyFormat.format(v)
}
