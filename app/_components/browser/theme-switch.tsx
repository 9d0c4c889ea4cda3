'use client'
/** The header's theme select: follow the system (default), light or dark; remembered in this browser. */
import { useEffect, useSyncExternalStore } from 'react'
import { useTranslations } from 'next-intl'
import { applyTheme, readTheme, THEME_KEY, type ThemeChoice } from './theme'

const CHANGE = 'dingpan:theme'
function subscribe(onChange: () => void): () => void {
  window.addEventListener(CHANGE, onChange)
  window.addEventListener('storage', onChange)
  return () => {
    window.removeEventListener(CHANGE, onChange)
    window.removeEventListener('storage', onChange)
  }
}

export function ThemeSwitch() {
  const t = useTranslations('browser.theme')
  const choice = useSyncExternalStore(subscribe, readTheme, () => 'system' as ThemeChoice)

  // Following the system: a change of the system setting applies at once.
  useEffect(() => {
    if (choice !== 'system') return
    const mq = window.matchMedia('(prefers-color-scheme: dark)')
    const on = () => applyTheme('system')
    mq.addEventListener('change', on)
    return () => mq.removeEventListener('change', on)
  }, [choice])

  return (
    <select
      aria-label={t('label')}
      data-testid="theme-switch"
      value={choice}
      onChange={(e) => {
        const next = e.target.value as ThemeChoice
        try {
          if (next === 'system') localStorage.removeItem(THEME_KEY)
          else localStorage.setItem(THEME_KEY, next)
        } catch {
          // Storage blocked: the choice holds for this page only.
        }
        applyTheme(next)
        window.dispatchEvent(new Event(CHANGE))
      }}
      className="shrink-0 rounded border border-slate-300 bg-white px-1 py-0.5 text-sm text-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
    >
      <option value="system">{t('system')}</option>
      <option value="light">{t('light')}</option>
      <option value="dark">{t('dark')}</option>
    </select>
  )
}
