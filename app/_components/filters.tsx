/** Pieces of the filter forms above the lists (orders, notifications, the dashboard search). No hooks: server or client. */
import type { ReactNode } from 'react'
import type { z } from 'zod'
import { issuesToFieldErrors } from '@/lib/schemas/issues'

/** A labelled filter control. */
export function FilterField({ label, children }: { label: ReactNode; children: ReactNode }) {
  return (
    <label className="text-sm">
      <span className="block text-slate-600">{label}</span>
      {children}
    </label>
  )
}

/** One option per stock; archived ones stay listed (marked), so their orders and notifications can still be found. */
export function StockOptions({ stocks, archivedMark }: { stocks: ReadonlyArray<{ id: number; code: string; name: string; archivedAt: Date | null }>; archivedMark: string }) {
  return stocks.map((s) => (
    <option key={s.id} value={s.id}>
      {s.code} {s.name}
      {s.archivedAt ? archivedMark : ''}
    </option>
  ))
}

/** Every invalid filter field with its translated messages, on one line. */
export function filterErrorText(issues: readonly z.core.$ZodIssue[], te: (key: never, params: never) => string): string {
  return Object.entries(issuesToFieldErrors(issues, (k, p) => te(k as never, p as never)))
    .map(([field, msgs]) => `${field}: ${msgs.join('；')}`)
    .join(' · ')
}
