'use client'
/** A labelled settings field with its hint and its field-level errors (ids the inputs point at with aria-describedby). */
import type { ReactNode } from 'react'

export function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string[]; children: ReactNode }) {
  return (
    <label className="block" htmlFor={id}>
      <span className="text-sm font-medium text-slate-700">{label}</span>
      {children}
      {hint && (
        <span id={`${id}-hint`} className="mt-0.5 block text-xs text-slate-500">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} data-testid={`error-${id}`} className="mt-1 block text-xs text-red-600">
          {error.join('；')}
        </span>
      )}
    </label>
  )
}
