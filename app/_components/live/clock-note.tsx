import { useTranslations } from 'next-intl'

/** With the demo's simulated clock, says which times on the page are market time and which are the computer's. */
export function ClockNote({ mode }: { mode: 'wall' | 'sim' }) {
  const t = useTranslations('live')
  if (mode !== 'sim') return null
  return (
    <p data-testid="clock-note" className="text-xs text-slate-600">
      {t('clockNote')}
    </p>
  )
}
