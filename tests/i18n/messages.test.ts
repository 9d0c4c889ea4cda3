// Both languages carry the same keys and the same {placeholders}; every event type has texts.
import { describe, expect, it } from 'vitest'
import { messages } from '@/lib/i18n/messages'
import { EVENT_TYPES } from '@/lib/services/notifications/events'

function flatten(obj: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  if (typeof obj === 'string') out.set(prefix, obj)
  else if (obj && typeof obj === 'object') {
    for (const [k, v] of Object.entries(obj)) for (const [kk, vv] of flatten(v, prefix ? `${prefix}.${k}` : k)) out.set(kk, vv)
  }
  return out
}
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('messages', () => {
  const zh = flatten(messages.zh)
  const en = flatten(messages.en)

  it('has the same keys in Chinese and English', () => {
    expect([...en.keys()].sort()).toEqual([...zh.keys()].sort())
  })

  it('uses the same placeholders in both languages', () => {
    for (const [key, text] of zh) expect(placeholders(en.get(key) ?? ''), key).toEqual(placeholders(text))
  })

  it('has a title and body for every event type', () => {
    for (const type of Object.keys(EVENT_TYPES)) {
      expect(zh.has(`events.${type}.title`), type).toBe(true)
      expect(zh.has(`events.${type}.body`), type).toBe(true)
    }
  })
})
