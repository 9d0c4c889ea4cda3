'use client'
/**
 * 设置 → 通知渠道: "在此浏览器接收推送". Web Push for this browser: the notification permission is
 * asked only when the button is pressed; the browser subscribes with the server's VAPID public key
 * (GET /api/push/vapid-public-key) through the service worker's PushManager, and the subscription
 * becomes a WEBPUSH channel (POST /api/channels; stored encrypted, never shown again). "Stop"
 * deletes the channel and unsubscribes. The channel id made here is remembered in this browser, so
 * the state shown is this browser's, and a channel the server disabled (the push service said the
 * subscription is gone) shows as such with the way back.
 */
import { useCallback, useEffect, useState } from 'react'
import { useTranslations } from 'next-intl'
import { mutate } from 'swr'
import { EVENT_PRESETS } from '@/lib/schemas/channels'
import type { ChannelView } from '@/lib/services/notifications'

/** This browser's WEBPUSH channel id (localStorage). */
export const PUSH_CHANNEL_KEY = 'dingpan.push.channel'

type State =
  | { kind: 'loading' }
  | { kind: 'unsupported' }
  | { kind: 'insecure' }
  | { kind: 'denied' }
  | { kind: 'off' }
  | { kind: 'on'; channel: ChannelView }
  | { kind: 'disabled'; channel: ChannelView; gone: boolean }

function storedChannelId(): number | null {
  try {
    const v = Number(localStorage.getItem(PUSH_CHANNEL_KEY))
    return Number.isInteger(v) && v > 0 ? v : null
  } catch {
    return null
  }
}
function storeChannelId(id: number | null): void {
  try {
    if (id === null) localStorage.removeItem(PUSH_CHANNEL_KEY)
    else localStorage.setItem(PUSH_CHANNEL_KEY, String(id))
  } catch {
    // Storage blocked: the state is read from the channel list next time.
  }
}

function supported(): 'yes' | 'unsupported' | 'insecure' {
  if (typeof window === 'undefined') return 'unsupported'
  if (!window.isSecureContext) return 'insecure'
  return 'serviceWorker' in navigator && 'PushManager' in window && typeof Notification !== 'undefined' ? 'yes' : 'unsupported'
}

/** applicationServerKey: the base64url VAPID public key as bytes. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4)
  const raw = atob(b64)
  const out = new Uint8Array(new ArrayBuffer(raw.length))
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i)
  return out
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a) return false
  const x = new Uint8Array(a)
  return x.length === b.length && x.every((v, i) => v === b[i])
}

/** "Chrome · Android"-style label for the channel name (at most 60 characters). */
function browserLabel(): string {
  const ua = navigator.userAgent
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser'
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : ''
  return os ? `${browser} · ${os}` : browser
}

async function registration(): Promise<ServiceWorkerRegistration> {
  const existing = await navigator.serviceWorker.getRegistration('/')
  if (!existing) await navigator.serviceWorker.register('/sw.js', { scope: '/' })
  return navigator.serviceWorker.ready
}

async function channels(): Promise<ChannelView[]> {
  const res = await fetch('/api/channels', { cache: 'no-store' })
  if (!res.ok) throw new Error(`HTTP ${res.status}`)
  return ((await res.json()) as { items: ChannelView[] }).items
}

async function errorText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { message?: string; fields?: Record<string, string[]> }
    return Object.values(body.fields ?? {})[0]?.[0] ?? body.message ?? `HTTP ${res.status}`
  } catch {
    return `HTTP ${res.status}`
  }
}

export function PushSettings() {
  const t = useTranslations('channels.push')
  const [state, setState] = useState<State>({ kind: 'loading' })
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null)

  const refresh = useCallback(async () => {
    const s = supported()
    if (s !== 'yes') return setState({ kind: s })
    if (Notification.permission === 'denied') return setState({ kind: 'denied' })
    const id = storedChannelId()
    const reg = await navigator.serviceWorker.getRegistration('/').catch(() => undefined)
    const sub = await reg?.pushManager.getSubscription().catch(() => null)
    const channel = id === null ? undefined : (await channels()).find((c) => c.id === id && c.type === 'WEBPUSH')
    if (!channel) {
      if (id !== null) storeChannelId(null)
      return setState({ kind: 'off' })
    }
    if (!channel.enabled || !sub) {
      const gone = !sub || (channel.lastDelivery?.status === 'FAILED' && /\b(404|410)\b/.test(channel.lastDelivery.error ?? ''))
      return setState({ kind: 'disabled', channel, gone })
    }
    setState({ kind: 'on', channel })
  }, [])

  useEffect(() => {
    // Reads this browser's subscription and channel once the page is on screen.
    void refresh().catch(() => setState({ kind: 'off' }))
  }, [refresh])

  async function enable() {
    setBusy(true)
    setMessage(null)
    try {
      const permission = await Notification.requestPermission()
      if (permission !== 'granted') {
        setState(permission === 'denied' ? { kind: 'denied' } : { kind: 'off' })
        return
      }
      const keyRes = await fetch('/api/push/vapid-public-key', { cache: 'no-store' })
      if (!keyRes.ok) throw new Error(await errorText(keyRes))
      const key = keyBytes(((await keyRes.json()) as { publicKey: string }).publicKey)
      const reg = await registration()
      let sub = await reg.pushManager.getSubscription()
      // A subscription made with another server key (the keys changed) cannot receive our pushes.
      if (sub && !sameKey(sub.options.applicationServerKey, key)) {
        await sub.unsubscribe()
        sub = null
      }
      sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key })
      const json = sub.toJSON() as { endpoint?: string; keys?: { p256dh?: string; auth?: string } }
      // The channel this browser had before (disabled, or for an older subscription) is replaced.
      const old = storedChannelId()
      if (old !== null) await fetch(`/api/channels/${old}`, { method: 'DELETE' }).catch(() => undefined)
      storeChannelId(null)
      const res = await fetch('/api/channels', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'WEBPUSH',
          name: t('defaultName', { browser: browserLabel() }).slice(0, 60),
          enabled: true,
          events: [...EVENT_PRESETS.trading],
          config: {},
          secrets: { endpoint: json.endpoint, p256dh: json.keys?.p256dh, auth: json.keys?.auth },
        }),
      })
      if (!res.ok) throw new Error(await errorText(res))
      const created = (await res.json()) as ChannelView
      storeChannelId(created.id)
      setMessage({ text: t('enabled'), error: false })
      await mutate('/api/channels')
      await refresh()
    } catch (e) {
      setMessage({ text: t('failed', { message: e instanceof Error ? e.message : String(e) }), error: true })
    } finally {
      setBusy(false)
    }
  }

  async function disable() {
    setBusy(true)
    setMessage(null)
    try {
      const id = storedChannelId()
      if (id !== null) {
        const res = await fetch(`/api/channels/${id}`, { method: 'DELETE' })
        if (!res.ok && res.status !== 404) throw new Error(await errorText(res))
      }
      storeChannelId(null)
      const reg = await navigator.serviceWorker.getRegistration('/')
      const sub = await reg?.pushManager.getSubscription()
      await sub?.unsubscribe()
      setMessage({ text: t('disabled'), error: false })
      await mutate('/api/channels')
      await refresh()
    } catch (e) {
      setMessage({ text: t('failed', { message: e instanceof Error ? e.message : String(e) }), error: true })
    } finally {
      setBusy(false)
    }
  }

  const button = (kind: 'enable' | 'disable') => (
    <button
      type="button"
      disabled={busy}
      data-testid={kind === 'enable' ? 'push-enable' : 'push-disable'}
      onClick={() => void (kind === 'enable' ? enable() : disable())}
      className={
        kind === 'enable'
          ? 'rounded bg-sky-700 px-3 py-1 text-white hover:bg-sky-800 disabled:opacity-60'
          : 'rounded border border-slate-300 px-2 py-1 hover:bg-slate-50 disabled:opacity-60'
      }
    >
      {busy ? t('working') : t(kind)}
    </button>
  )

  return (
    <section className="mb-4 rounded-lg border border-slate-200 bg-white p-3" aria-labelledby="push-title" data-testid="push-settings" data-state={state.kind}>
      <h2 id="push-title" className="mb-1 font-semibold">
        {t('title')}
      </h2>
      <p className="mb-3 text-sm text-slate-600">{t('hint')}</p>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        {state.kind === 'loading' ? null : state.kind === 'unsupported' || state.kind === 'insecure' ? (
          <span className="text-slate-600">{t(state.kind)}</span>
        ) : state.kind === 'denied' ? (
          <span className="text-red-700">{t('denied')}</span>
        ) : state.kind === 'on' ? (
          <>
            <span className="text-slate-700" data-testid="push-on">
              {t('on', { name: state.channel.name })}
            </span>
            {button('disable')}
          </>
        ) : state.kind === 'disabled' ? (
          <>
            <span className="text-amber-800" role="status" data-testid="push-disabled">
              {t(state.gone ? 'gone' : 'paused', { name: state.channel.name })}
            </span>
            {button('enable')}
            {button('disable')}
          </>
        ) : (
          <>
            <span className="text-slate-600">{t('off')}</span>
            {button('enable')}
          </>
        )}
      </div>
      <p aria-live="polite" className={`mt-2 text-sm ${message?.error ? 'text-red-700' : 'text-emerald-700'}`} data-testid="push-message">
        {message?.text}
      </p>
    </section>
  )
}
