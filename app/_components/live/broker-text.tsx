'use client'
import { useLocale, useTranslations } from 'next-intl'

const CJK = /[\u3400-\u9fff\uff00-\uffef]/

/**
 * Texts from the broker (MiniQMT's status messages are Chinese). In the English UI a Chinese text
 * is not shown inline: a labelled note carries it in its tooltip, so no Chinese sits in English prose.
 */
export function BrokerText({ parts, className, testId }: { parts: Array<string | null | undefined>; className?: string; testId?: string }) {
  const locale = useLocale()
  const t = useTranslations('orders')
  const list = parts.filter((p): p is string => !!p)
  if (list.length === 0) return null
  const plain = locale === 'zh' ? list : list.filter((p) => !CJK.test(p))
  const chinese = locale === 'zh' ? [] : list.filter((p) => CJK.test(p))
  return (
    <div className={className} data-testid={testId}>
      {plain.join(' · ')}
      {chinese.length > 0 && (
        <>
          {plain.length > 0 ? ' · ' : ''}
          <span tabIndex={0} title={chinese.join(' · ')} aria-label={`${t('brokerNote')}: ${chinese.join(' · ')}`} className="underline decoration-dotted">
            {t('brokerNote')}
          </span>
        </>
      )}
    </div>
  )
}
