'use client'
/**
 * 设置 → 通知渠道: browser alerts for this browser. Notification permission is asked only when the
 * user presses the button here, never on load; the choices stay in this browser (localStorage).
 */
import { useSyncExternalStore } from 'react'
import { useTranslations } from 'next-intl'
import { playSound, PREFS_EVENT, PREFS_KEY, readPrefs, showSystemNotification, SOUNDS, writePrefs, type AlertPrefs, type SoundName } from './alerts'

type Permission = NotificationPermission | 'unsupported'
const SOUND_LABEL: Record<SoundName, string> = { off: 'soundOff', chime: 'soundChime', beep: 'soundBeep', bell: 'soundBell' }

function subscribe(onChange: () => void): () => void {
  window.addEventListener(PREFS_EVENT, onChange)
  window.addEventListener('storage', onChange)
  return () => {
    window.removeEventListener(PREFS_EVENT, onChange)
    window.removeEventListener('storage', onChange)
  }
}
function rawPrefs(): string {
  try {
    return localStorage.getItem(PREFS_KEY) ?? ''
  } catch {
    return ''
  }
}
const currentPermission = (): Permission => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission)

export function AlertSettings() {
  const t = useTranslations('browser.alerts')
  // Re-read on every change (this tab's writePrefs, another tab's storage event); the raw string is the snapshot.
  const raw = useSyncExternalStore(subscribe, rawPrefs, () => null)
  const prefs: AlertPrefs = raw === null ? { notify: false, sound: 'off' } : readPrefs()
  const permission = useSyncExternalStore(subscribe, currentPermission, () => 'default' as Permission)
  const save = (p: AlertPrefs) => writePrefs(p)
  const notifyOn = prefs.notify && permission === 'granted'

  return (
    <section className="mb-4 rounded-lg border border-slate-200 bg-white p-3" aria-labelledby="browser-alerts-title" data-testid="browser-alerts">
      <h2 id="browser-alerts-title" className="mb-1 font-semibold">
        {t('title')}
      </h2>
      <p className="mb-3 text-sm text-slate-600">{t('hint')}</p>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span>{t('notify')}:</span>
        {permission === 'unsupported' ? (
          <span className="text-slate-600">{t('unsupported')}</span>
        ) : permission === 'denied' ? (
          <span className="text-red-700" data-testid="alerts-denied">{t('denied')}</span>
        ) : notifyOn ? (
          <>
            <span className="text-slate-700" data-testid="alerts-granted">{t('granted')}</span>
            <button type="button" className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-50" onClick={() => save({ ...prefs, notify: false })} data-testid="alerts-notify-off">
              {t('off')}
            </button>
          </>
        ) : (
          <button
            type="button"
            data-testid="alerts-enable"
            className="rounded bg-sky-700 px-3 py-1 text-white hover:bg-sky-800"
            onClick={async () => {
              const result = await Notification.requestPermission()
              save({ ...prefs, notify: result === 'granted' })
            }}
          >
            {t('enable')}
          </button>
        )}
      </div>
      <div className="mt-3 flex flex-wrap items-center gap-3 text-sm">
        <label htmlFor="alerts-sound">{t('sound')}:</label>
        <select
          id="alerts-sound"
          data-testid="alerts-sound"
          value={prefs.sound}
          onChange={(e) => {
            const sound = e.target.value as SoundName
            save({ ...prefs, sound })
            playSound(sound)
          }}
          className="rounded border border-slate-300 bg-white px-2 py-1"
        >
          {SOUNDS.map((s) => (
            <option key={s} value={s}>
              {t(SOUND_LABEL[s])}
            </option>
          ))}
        </select>
        <button
          type="button"
          data-testid="alerts-test"
          className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-50"
          onClick={() => {
            playSound(prefs.sound)
            if (notifyOn) void showSystemNotification(t('testTitle'), t('testBody'), 'dingpan-test')
          }}
        >
          {t('test')}
        </button>
      </div>
    </section>
  )
}
