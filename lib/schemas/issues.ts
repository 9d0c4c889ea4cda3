import type { z } from 'zod'
import type { FieldErrors } from '@/lib/errors'

type Translate = (key: string, params?: Record<string, string | number>) => string

/** zod issues → translated messages per field path; shared by forms and route handlers. */
export function issuesToFieldErrors(issues: readonly z.core.$ZodIssue[], t: Translate): FieldErrors {
  const out: FieldErrors = {}
  for (const issue of issues) {
    const path = issue.path.length ? issue.path.map(String).join('.') : '_form'
    const params = ('params' in issue && issue.params ? issue.params : {}) as Record<string, string | number>
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
