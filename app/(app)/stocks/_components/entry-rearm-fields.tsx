'use client'
/**
 * The stock form's rebound entry (反弹买入) and re-arm policy section (issue 14): the entry trigger
 * (buy in the zone, or once the price rebounds r % / n ticks off its low in the zone — one of the
 * two), and what happens after a completed exit (stay closed, watch again after N minutes, or on
 * the next trading day). Percent typed as percent, the unit beside the field.
 */
import type { ReactNode } from 'react'
import { useTranslations } from 'next-intl'
import type { FormState } from './stock-form'

export interface EntryRearmFieldsProps {
  values: FormState
  set: (name: keyof FormState, value: string | boolean) => void
  err: (path: string) => ReactNode
  aria: (path: string) => Record<string, unknown>
  inputClass: string
}

const hintClass = 'mt-0.5 block text-xs text-slate-500'
const unitClass = 'pointer-events-none absolute inset-y-0 right-3 mt-1 flex items-center text-sm text-slate-500'

export function EntryRearmFields({ values, set, err, aria, inputClass }: EntryRearmFieldsProps) {
  const t = useTranslations('stocks.form.entryRearm')
  const trigger = values.entryTrigger === 'REBOUND' ? 'REBOUND' : 'ZONE'
  const policy = values.rearmPolicy === 'COOLDOWN' || values.rearmPolicy === 'NEXT_DAY' ? values.rearmPolicy : 'CLOSE'
  const withUnit = (name: 'reboundPct' | 'reboundTicks' | 'rearmCooldownMin', label: string, unit: string, hint: string | null, inputMode: 'decimal' | 'numeric') => (
    <label className="block">
      <span className="text-sm font-medium text-slate-700">{label}</span>
      <span className="relative block">
        <input id={name} name={name} inputMode={inputMode} value={String(values[name] ?? '')} onChange={(e) => set(name, e.target.value)} className={inputClass} {...aria(name)} />
        <span aria-hidden="true" data-testid={`unit-${name}`} className={unitClass}>
          {unit}
        </span>
      </span>
      {hint && (
        <span id={`${name}-hint`} className={hintClass}>
          {hint}
        </span>
      )}
      {err(name)}
    </label>
  )
  return (
    <fieldset className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3" data-testid="entry-rearm">
      <legend className="px-1 text-sm font-semibold">{t('legend')}</legend>
      <label className="block">
        <span className="text-sm font-medium text-slate-700">{t('entryTrigger')}</span>
        <select id="entryTrigger" name="entryTrigger" value={trigger} onChange={(e) => set('entryTrigger', e.target.value)} className={inputClass} {...aria('entryTrigger')}>
          <option value="ZONE">{t('triggers.ZONE')}</option>
          <option value="REBOUND">{t('triggers.REBOUND')}</option>
        </select>
        <span id="entryTrigger-hint" className={hintClass}>
          {trigger === 'REBOUND' ? t('reboundHint') : t('zoneHint')}
        </span>
        {err('entryTrigger')}
      </label>
      {trigger === 'REBOUND' ? (
        <>
          {withUnit('reboundPct', t('reboundPct'), '%', t('reboundPctHint'), 'decimal')}
          {withUnit('reboundTicks', t('reboundTicks'), t('ticksUnit'), t('reboundTicksHint'), 'numeric')}
        </>
      ) : (
        <div className="sm:col-span-2" />
      )}
      <label className="block">
        <span className="text-sm font-medium text-slate-700">{t('rearmPolicy')}</span>
        <select id="rearmPolicy" name="rearmPolicy" value={policy} onChange={(e) => set('rearmPolicy', e.target.value)} className={inputClass} {...aria('rearmPolicy')}>
          {(['CLOSE', 'COOLDOWN', 'NEXT_DAY'] as const).map((p) => (
            <option key={p} value={p}>
              {t(`policies.${p}`)}
            </option>
          ))}
        </select>
        <span id="rearmPolicy-hint" className={hintClass}>
          {t('rearmHint')}
        </span>
        {err('rearmPolicy')}
      </label>
      {policy === 'COOLDOWN' && withUnit('rearmCooldownMin', t('rearmCooldownMin'), t('minutesUnit'), null, 'numeric')}
    </fieldset>
  )
}
