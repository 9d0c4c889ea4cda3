'use client'
/**
 * One Server-Sent Events stream per tab (/api/stream): when the server says what changed for this
 * user (orders, notifications) or that the worker finished a cycle, the matching SWR data is
 * revalidated at once. While the stream is connected the pages' own polling slows to
 * LIVE_FALLBACK_MS (useLiveInterval); when it is not, they poll as before.
 */
import { createContext, useContext, useEffect, useRef, useState } from 'react'
import { usePathname, useRouter } from 'next/navigation'
import { useSWRConfig } from 'swr'

// Slower than the pages' own polls, yet quick enough that what no event announces (a worker that
// stopped writing heartbeats ages into the stalled banner) still shows within seconds.
export const LIVE_FALLBACK_MS = 15_000
const RECONNECT_MS = 10_000

type Topic = 'orders' | 'notifications' | 'cycle'
const ALL: Topic[] = ['orders', 'notifications', 'cycle']

/** SWR keys (URL prefixes) to revalidate per topic. */
const KEYS: Record<Topic, string[]> = {
  cycle: ['/api/dashboard', '/api/status', '/api/stocks/'],
  orders: ['/api/orders', '/api/dashboard', '/api/stocks/', '/api/account'],
  notifications: ['/api/notifications'],
}

const LiveContext = createContext(false)

/** The polling interval for a page's SWR hook: `ms` without a live stream, a slow fallback with one. */
export function useLiveInterval(ms: number): number {
  return useContext(LiveContext) ? Math.max(ms, LIVE_FALLBACK_MS) : ms
}

function keyUrl(key: unknown): string | null {
  if (typeof key === 'string') return key
  if (Array.isArray(key) && typeof key[0] === 'string') return key[0]
  return null
}

export function LiveUpdates({ children }: { children: React.ReactNode }) {
  const { mutate } = useSWRConfig()
  const router = useRouter()
  const pathname = usePathname()
  const path = useRef(pathname)
  const [connected, setConnected] = useState(false)

  useEffect(() => {
    path.current = pathname
  }, [pathname])

  useEffect(() => {
    if (typeof EventSource === 'undefined') return
    let es: EventSource | null = null
    let retry: ReturnType<typeof setTimeout> | null = null
    let stopped = false
    let opened = false

    const refresh = (topics: Topic[]) => {
      // Browser alerts (app/_components/browser/browser-alerts.tsx) listen for what changed.
      window.dispatchEvent(new CustomEvent('dingpan:live', { detail: { topics } }))
      const prefixes = topics.flatMap((t) => KEYS[t] ?? [])
      if (prefixes.length === 0) return
      void mutate((key) => {
        const url = keyUrl(key)
        return url !== null && prefixes.some((p) => url.startsWith(p))
      })
      // The notifications page is server-rendered: re-render it.
      if (topics.includes('notifications') && path.current.startsWith('/notifications')) router.refresh()
    }

    const connect = () => {
      es = new EventSource('/api/stream')
      es.addEventListener('hello', () => {
        setConnected(true)
        // A new stream after a lost one (no Last-Event-ID): anything may have changed meanwhile.
        if (opened) refresh(ALL)
        opened = true
      })
      es.addEventListener('change', (e) => {
        setConnected(true)
        try {
          const topics = (JSON.parse((e as MessageEvent<string>).data) as { topics?: Topic[] }).topics ?? []
          refresh(topics)
        } catch {
          refresh(ALL)
        }
      })
      es.addEventListener('reset', () => {
        setConnected(true)
        refresh(ALL)
      })
      es.onerror = () => {
        setConnected(false)
        // EventSource retries by itself unless the answer was an error (then it is CLOSED).
        if (es?.readyState === EventSource.CLOSED && !stopped) {
          es.close()
          retry = setTimeout(connect, RECONNECT_MS)
        }
      }
    }
    connect()
    return () => {
      stopped = true
      if (retry) clearTimeout(retry)
      es?.close()
    }
  }, [mutate, router])

  return <LiveContext.Provider value={connected}>{children}</LiveContext.Provider>
}
