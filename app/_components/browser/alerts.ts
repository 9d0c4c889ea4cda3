/**
 * Browser alerts (issue 16): preferences kept per browser, the sounds (Web Audio, nothing downloaded)
 * and which notification types alert (triggers and order outcomes).
 */
export type SoundName = 'off' | 'chime' | 'beep' | 'bell'
export const SOUNDS: SoundName[] = ['off', 'chime', 'beep', 'bell']
export interface AlertPrefs {
  notify: boolean
  sound: SoundName
}
export const PREFS_KEY = 'dingpan.alerts'
/** Ids already alerted by some tab of this browser (newest last), so two open tabs alert once. */
export const SHOWN_KEY = 'dingpan.alerts.shown'
export const PREFS_EVENT = 'dingpan:alert-prefs'
export const LIVE_EVENT = 'dingpan:live'

export const alerting = (type: string) => type.startsWith('TRIGGER_') || type.startsWith('ORDER_')

export function readPrefs(): AlertPrefs {
  try {
    const v = JSON.parse(localStorage.getItem(PREFS_KEY) ?? '{}') as Partial<AlertPrefs>
    return { notify: v.notify === true, sound: SOUNDS.includes(v.sound as SoundName) ? (v.sound as SoundName) : 'off' }
  } catch {
    return { notify: false, sound: 'off' }
  }
}

export function writePrefs(p: AlertPrefs): void {
  try {
    localStorage.setItem(PREFS_KEY, JSON.stringify(p))
  } catch {
    // Storage blocked: nothing to remember.
  }
  window.dispatchEvent(new Event(PREFS_EVENT))
}

let ctx: AudioContext | null = null

/** Plays a short generated sound; silently nothing where Web Audio is missing or not yet allowed. */
export function playSound(name: SoundName): void {
  if (name === 'off' || typeof window === 'undefined' || typeof AudioContext === 'undefined') return
  try {
    ctx ??= new AudioContext()
    void ctx.resume().catch(() => undefined)
    const now = ctx.currentTime
    const tone = (freq: number, start: number, length: number, type: OscillatorType, volume: number) => {
      const osc = ctx!.createOscillator()
      const gain = ctx!.createGain()
      osc.type = type
      osc.frequency.value = freq
      gain.gain.setValueAtTime(0.0001, now + start)
      gain.gain.exponentialRampToValueAtTime(volume, now + start + 0.01)
      gain.gain.exponentialRampToValueAtTime(0.0001, now + start + length)
      osc.connect(gain).connect(ctx!.destination)
      osc.start(now + start)
      osc.stop(now + start + length + 0.02)
    }
    if (name === 'chime') {
      tone(880, 0, 0.35, 'sine', 0.3)
      tone(660, 0.25, 0.5, 'sine', 0.3)
    } else if (name === 'beep') {
      tone(1000, 0, 0.12, 'square', 0.15)
      tone(1000, 0.18, 0.12, 'square', 0.15)
    } else {
      tone(1320, 0, 1.2, 'sine', 0.3)
      tone(2640, 0, 0.6, 'sine', 0.1)
    }
  } catch {
    // No sound is not an error worth showing.
  }
}

/** Shows a system notification: the page's Notification, or the service worker's where only that works (Android). */
export async function showSystemNotification(title: string, body: string, tag: string): Promise<void> {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return
  try {
    new Notification(title, { body, tag, icon: '/icon.svg' })
  } catch {
    const reg = await navigator.serviceWorker?.getRegistration().catch(() => undefined)
    await reg?.showNotification(title, { body, tag, icon: '/icon.svg' }).catch(() => undefined)
  }
}

/** Runs `fn` while no other tab of this browser runs it (Web Locks), or just runs it where locks are missing (not a secure context). */
export async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  if (typeof navigator !== 'undefined' && navigator.locks) return navigator.locks.request('dingpan-alerts', fn)
  return fn()
}

export function readShown(): number[] {
  try {
    const v = JSON.parse(localStorage.getItem(SHOWN_KEY) ?? '[]')
    return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : []
  } catch {
    return []
  }
}

export function writeShown(ids: number[]): void {
  try {
    localStorage.setItem(SHOWN_KEY, JSON.stringify(ids.slice(-200)))
  } catch {
    // Storage blocked: tabs may each alert.
  }
}
