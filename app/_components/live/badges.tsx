/** Badges shared by the live pages; usable from server and client components. */
import { useLocale, useTranslations } from 'next-intl'
import { ageParts, clockTime } from './fmt'

export function useAge() {
  const t = useTranslations('live')
  return (sec: number | null | undefined) => {
    const p = ageParts(sec)
    return p ? t(`age.${p.unit}`, { n: p.n }) : '—'
  }
}

const FRESH_STYLE = {
  fresh: 'bg-sky-100 text-sky-800',
  stale: 'bg-amber-100 text-amber-900',
  closed: 'bg-slate-100 text-slate-600',
  none: 'border border-dashed border-slate-300 text-slate-500',
  unknown: 'bg-slate-100 text-slate-600',
} as const

export type FreshnessState = keyof typeof FRESH_STYLE

export function FreshnessBadge({ state, ageSec, time, maxAgeSec, testId }: { state: FreshnessState; ageSec: number | null; time: string | null; maxAgeSec: number; testId?: string }) {
  const t = useTranslations('live')
  const locale = useLocale()
  const age = useAge()
  const hint = t(`freshnessHint.${state}`, { time: clockTime(time, locale), age: age(ageSec), max: maxAgeSec })
  return (
    <span data-testid={testId} data-state={state} title={hint} className={`inline-block whitespace-nowrap rounded px-1.5 py-0.5 text-xs ${FRESH_STYLE[state]}`}>
      {t(`freshness.${state}`)}
      {state === 'stale' && ageSec != null ? ` ${age(ageSec)}` : ''}
      <span className="sr-only">: {hint}</span>
    </span>
  )
}

const STATE_STYLE: Record<string, string> = {
  WATCHING: 'bg-sky-50 text-sky-800',
  ENTRY_PENDING: 'bg-amber-100 text-amber-900',
  HOLDING: 'bg-violet-100 text-violet-900',
  EXIT_PENDING: 'bg-amber-100 text-amber-900',
  CLOSED: 'bg-slate-200 text-slate-700',
  PAUSED: 'bg-slate-100 text-slate-600',
}

export function MonitorStateBadge({ state, testId, reason }: { state: string; testId?: string; reason?: { message: string; messageEn: string } | null }) {
  const t = useTranslations('stocks')
  const locale = useLocale()
  const why = reason ? (locale === 'en' ? reason.messageEn : reason.message) : null
  const badge = (
    <span data-testid={testId} data-state={state} title={why ?? undefined} className={`inline-block whitespace-nowrap rounded px-1.5 py-0.5 text-xs ${STATE_STYLE[state] ?? 'bg-slate-100'}`}>
      {t(`state.${state}` as never)}
    </span>
  )
  if (!why) return badge
  // The final state names its reason (已结束：why).
  return (
    <span className="inline-flex flex-wrap items-baseline gap-1">
      {badge}
      <span data-testid={testId ? `${testId}-reason` : undefined} className="text-xs text-slate-500">
        {why}
      </span>
    </span>
  )
}

/** A dot + label for up/down/unknown style health. */
export function HealthDot({ tone }: { tone: 'ok' | 'bad' | 'warn' | 'idle' }) {
  const c = { ok: 'bg-emerald-500', bad: 'bg-red-600', warn: 'bg-amber-500', idle: 'bg-slate-400' }[tone]
  return <span aria-hidden className={`inline-block h-2 w-2 shrink-0 rounded-full ${c}`} />
}
