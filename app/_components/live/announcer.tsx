'use client'
import { useEffect, useRef, useState } from 'react'

export interface Announceable {
  /** The thing that changes (a stock, an order). */
  key: string | number
  /** Its current state; a different value than last time is news. */
  signature: string
  /** What to say when it changed. */
  text: string
}

/**
 * A polite live region for screen readers: says what changed since the last refresh (a new trigger,
 * an order's new outcome). Nothing is said for what was already on screen when the page opened.
 */
export function LiveAnnouncer({ items, testId = 'live-announcer' }: { items: Announceable[]; testId?: string }) {
  const seen = useRef<Map<string | number, string> | null>(null)
  const [message, setMessage] = useState('')
  useEffect(() => {
    const prev = seen.current
    const next = new Map(items.map((i) => [i.key, i.signature]))
    seen.current = next
    if (!prev) return
    const news = items.filter((i) => prev.get(i.key) !== i.signature && i.text).map((i) => i.text)
    if (news.length > 0) setMessage(news.join('; '))
  }, [items])
  return (
    <p role="status" aria-live="polite" aria-atomic="true" className="sr-only" data-testid={testId}>
      {message}
    </p>
  )
}
