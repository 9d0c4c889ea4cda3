import type { z } from 'zod'
import type { FieldErrors } from '@/lib/errors'

type Translate = (key: string, params?: Record<string, string | number>) => string

/** zod issues → translated messages per field path; shared by forms and route handlers. */
export function issuesToFieldErrors(issues: readonly z.core.$ZodIssue[], t: Translate): FieldErrors {
  const out: FieldErrors = {}
  // Rule texts from lib/market come in both languages (`detail`, `detailEn`): the translator's
  // own language (its "lang" message) picks one, so no Chinese reaches the English UI.
  const english = safeT(t, 'lang', {}) === 'en'
  for (const issue of issues) {
    const path = issue.path.length ? issue.path.map(String).join('.') : '_form'
    const raw = ('params' in issue && issue.params ? issue.params : {}) as Record<string, string | number>
    const params = english && typeof raw.detailEn === 'string' ? { ...raw, detail: raw.detailEn } : raw
    const key = issue.code === 'custom' || issue.message.includes('.') ? issue.message : `zod.${issue.code}`
    const text = safeT(t, key, params)
    const list = (out[path] ??= [])
    if (!list.includes(text)) list.push(text)
  }
  return out
}

function safeT(t: Translate, key: string, params: Record<string, string | number>): string {
  try {
    return t(key, params)
  } catch {
    return key
  }
}
