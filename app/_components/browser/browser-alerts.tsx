'use client'
/**
 * While a tab is open: when the live stream says notifications changed, the newest unread ones of
 * types TRIGGER_* / ORDER_* that no tab of this browser has alerted yet (and that arrived after this
 * tab opened) are shown as system notifications and/or a sound, as chosen in 设置 → 通知渠道.
 * One tab alerts (the Web Locks leader); the ids alerted are also kept in localStorage so a tab taking
 * over does not repeat them. Renders nothing. Alerts with no tab open come by Web Push (the WEBPUSH channel, public/sw.js).
 */
import { useEffect, useRef } from 'react'
import { useTranslations } from 'next-intl'
import { alerting, exclusive, LIVE_EVENT, playSound, readPrefs, readShown, showSystemNotification, writeShown } from './alerts'

interface Item {
  id: number
  type: string
  title: string
  body: string
}

async function newest(): Promise<Item[]> {
  const res = await fetch('/api/notifications?unread=1&pageSize=20', { cache: 'no-store' })
  if (!res.ok) return []
  return ((await res.json()) as { items: Item[] }).items
}

export function BrowserAlerts() {
  const t = useTranslations('browser.alerts')
  const tRef = useRef(t)
  useEffect(() => {
    tRef.current = t
  }, [t])

  useEffect(() => {
    let stopped = false
    // What was there when this tab opened is not news.
    const baseline = newest()
      .then((items) => items.reduce((m, i) => Math.max(m, i.id), 0))
      .catch(() => Number.MAX_SAFE_INTEGER)
    let running = Promise.resolve()
    // One tab of this browser alerts: the one holding the leader lock (Web Locks); when it closes the
    // next tab takes over. localStorage alone cannot dedupe (other tabs see its writes late).
    let leader = false
    let release: (() => void) | null = null
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined
    if (locks) {
      void locks
        .request('dingpan-alerts-leader', () => {
          if (stopped) return undefined
          leader = true
          return new Promise<void>((resolve) => (release = resolve))
        })
        .catch(() => undefined)
    }

    const check = async () => {
      if (locks && !leader) return
      const prefs = readPrefs()
      if (!prefs.notify && prefs.sound === 'off') return
      const since = await baseline
      const items = (await newest().catch(() => [] as Item[])).filter((i) => i.id > since && alerting(i.type))
      if (items.length === 0 || stopped) return
      const fresh = await exclusive(async () => {
        const shown = readShown()
        const todo = items.filter((i) => !shown.includes(i.id)).sort((a, b) => a.id - b.id)
        if (todo.length > 0) writeShown([...shown, ...todo.map((i) => i.id)])
        return todo
      })
      if (fresh.length === 0) return
      if (prefs.sound !== 'off') playSound(prefs.sound)
      if (prefs.notify) {
        for (const i of fresh) await showSystemNotification(tRef.current('notificationTitle', { title: i.title }), i.body, `dingpan-${i.id}`)
      }
    }

    const onLive = (e: Event) => {
      const topics = (e as CustomEvent<{ topics?: string[] }>).detail?.topics ?? []
      if (!topics.includes('notifications')) return
      running = running.then(check).catch(() => undefined)
    }
    window.addEventListener(LIVE_EVENT, onLive)
    return () => {
      stopped = true
      release?.()
      window.removeEventListener(LIVE_EVENT, onLive)
    }
  }, [])

  return null
}
