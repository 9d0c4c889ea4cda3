import { useTranslations } from 'next-intl'

/** Says plainly that the broker is the paper exchange (模拟盘): nothing here touches a real account. */
export function PaperNotice() {
  const t = useTranslations('common')
  return (
    <p data-testid="paper-notice" className="mb-3 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
      <strong className="font-semibold">{t('paper')}</strong>: {t('paperHint')}
    </p>
  )
}
