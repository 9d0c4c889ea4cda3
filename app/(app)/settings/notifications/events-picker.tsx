'use client'
/**
 * Which events a channel gets: a preset (radio group) or a custom list — a minimum severity plus
 * individual event types. Every event stays in the in-app history whatever is chosen here.
 */
import { useState } from 'react'
import { useTranslations } from 'next-intl'
import { EVENT_PRESETS, presetOf, ROUTABLE_EVENT_TYPES, SEVERITY_TOKENS, type EventPreset } from '@/lib/schemas/channels'

const PRESETS = Object.keys(EVENT_PRESETS) as EventPreset[]

export function EventsPicker({ value, onChange, error }: { value: string[]; onChange: (events: string[]) => void; error?: string[] }) {
  const t = useTranslations('channels.events')
  const preset = presetOf(value)
  const [custom, setCustom] = useState(preset === null)
  const selected = custom ? 'custom' : (preset ?? 'custom')
  const severity = value.find((e) => e.startsWith('severity:')) ?? ''
  const types = new Set(value.filter((e) => !e.startsWith('severity:') && e !== '*'))

  const setCustomList = (sev: string, list: Set<string>) => onChange([...(sev ? [sev] : []), ...ROUTABLE_EVENT_TYPES.filter((x) => list.has(x))])

  return (
    <fieldset className="rounded-lg border border-slate-200 bg-white p-3" aria-describedby={error ? 'events-error' : 'events-hint'}>
      <legend className="px-1 text-sm font-semibold">{t('title')}</legend>
      <p id="events-hint" className="mb-2 text-xs text-slate-500">
        {t('hint')}
      </p>
      <div role="radiogroup" aria-label={t('preset')} className="grid gap-2 sm:grid-cols-2">
        {[...PRESETS, 'custom' as const].map((p) => (
          <label key={p} className={`flex cursor-pointer items-start gap-2 rounded border p-2 ${selected === p ? 'border-sky-500 bg-sky-50' : 'border-slate-200'}`}>
            <input
              type="radio"
              name="events-preset"
              value={p}
              data-testid={`preset-${p}`}
              checked={selected === p}
              onChange={() => {
                if (p === 'custom') {
                  setCustom(true)
                  // Start from the current routing, spelled out (a "*" becomes every type).
                  if (value.includes('*')) setCustomList('', new Set(ROUTABLE_EVENT_TYPES))
                } else {
                  setCustom(false)
                  onChange([...EVENT_PRESETS[p]])
                }
              }}
              className="mt-1 h-4 w-4"
            />
            <span>
              <span className="block text-sm font-medium">{t(`presets.${p}.label`)}</span>
              <span className="block text-xs text-slate-500">{t(`presets.${p}.desc`)}</span>
            </span>
          </label>
        ))}
      </div>
      {selected === 'custom' && (
        <div className="mt-3 space-y-3">
          <label className="block text-sm">
            <span className="font-medium text-slate-700">{t('minSeverity')}</span>
            <select
              id="events-severity"
              value={severity}
              onChange={(e) => setCustomList(e.target.value, types)}
              className="mt-1 block w-full rounded border border-slate-300 px-3 py-2 text-sm sm:w-64"
            >
              <option value="">{t('severityNone')}</option>
              {SEVERITY_TOKENS.map((s) => (
                <option key={s} value={s}>
                  {t('atLeast', { severity: t(`severity.${s.slice('severity:'.length) as 'INFO'}`) })}
                </option>
              ))}
            </select>
          </label>
          <fieldset>
            <legend className="text-sm font-medium text-slate-700">{t('pick')}</legend>
            <div className="mt-1 grid gap-1 sm:grid-cols-2 lg:grid-cols-3">
              {ROUTABLE_EVENT_TYPES.map((ty) => (
                <label key={ty} className="flex items-center gap-2 py-1 text-sm">
                  <input
                    type="checkbox"
                    className="h-4 w-4"
                    data-testid={`event-${ty}`}
                    checked={types.has(ty)}
                    onChange={(e) => {
                      const next = new Set(types)
                      if (e.target.checked) next.add(ty)
                      else next.delete(ty)
                      setCustomList(severity, next)
                    }}
                  />
                  {t(`types.${ty}`)}
                </label>
              ))}
            </div>
          </fieldset>
        </div>
      )}
      {error && (
        <span id="events-error" className="mt-2 block text-xs text-red-600" data-testid="error-events">
          {error.join('；')}
        </span>
      )}
    </fieldset>
  )
}

/** Short text for the list: the preset's name, or the custom choices. */
export function useEventsSummary() {
  const t = useTranslations('channels.events')
  return (events: string[]): string => {
    const p = presetOf(events)
    if (p) return t(`presets.${p}.label`)
    const parts = events.map((e) =>
      e === '*'
        ? t('all')
        : e.startsWith('severity:')
          ? t('atLeast', { severity: t(`severity.${e.slice('severity:'.length) as 'INFO'}`) })
          : (ROUTABLE_EVENT_TYPES as readonly string[]).includes(e)
            ? t(`types.${e as (typeof ROUTABLE_EVENT_TYPES)[number]}`)
            : e,
    )
    return parts.length > 4 ? `${parts.slice(0, 4).join('、')} ${t('more', { count: parts.length - 4 })}` : parts.join('、')
  }
}
