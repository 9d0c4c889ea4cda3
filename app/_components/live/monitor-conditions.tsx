'use client'
/**
 * A monitor's conditions (issue 14): validity, the daily entry window, the entry quantity, the entry
 * trigger and the re-arm policy. `ConditionsLine` is the dashboard's compact line (有效至 12-31 ·
 * 09:35–14:50 · …, defaults left out), `ConditionsList` the detail page's complete list.
 */
import type { ReactNode } from 'react'
import { useLocale, useTranslations } from 'next-intl'
import type { MonitorConditions } from '@/lib/services/views/conditions'
import { percentText } from '@/lib/schemas/fields'

const num = (n: number, locale: string) => n.toLocaleString(locale === 'en' ? 'en-US' : 'zh-CN')

function useTexts(c: MonitorConditions) {
  const t = useTranslations('conditions')
  const locale = useLocale()
  const v = c.validity
  const why = v?.reason ? (locale === 'en' ? v.reason.messageEn : v.reason.message) : null
  const q = c.entryQty
  const qty = (short: boolean) =>
    !q
      ? t('none')
      : q.mode === 'PCT_ASSETS'
        ? t(short ? 'qty.PCT_ASSETS_short' : 'qty.PCT_ASSETS', { pct: percentText(q.pct) })
        : q.mode === 'AMOUNT'
          ? t(short ? 'qty.AMOUNT_short' : 'qty.AMOUNT', { amount: num(q.amount ?? 0, locale) }) + (short ? '' : t('qty.cap', { pct: percentText(q.capPct) }))
          : t(short ? 'qty.SHARES_short' : 'qty.SHARES', { shares: num(q.shares ?? 0, locale) }) + (short ? '' : t('qty.cap', { pct: percentText(q.capPct) }))
  const e = c.entryTrigger
  const trigger = (short: boolean) =>
    e.mode === 'ZONE'
      ? t('trigger.ZONE')
      : e.reboundPct != null
        ? t(short ? 'trigger.REBOUND_short_pct' : 'trigger.REBOUND_PCT', { pct: percentText(e.reboundPct) })
        : e.reboundTicks != null
          ? t(short ? 'trigger.REBOUND_short_ticks' : 'trigger.REBOUND_TICKS', { ticks: e.reboundTicks })
          : t('trigger.REBOUND_UNSET')
  const r = c.rearm
  const rearm = (short: boolean) =>
    r.policy === 'CLOSE'
      ? t('rearmPolicy.CLOSE')
      : r.policy === 'NEXT_DAY'
        ? t(short ? 'rearmPolicy.NEXT_DAY_short' : 'rearmPolicy.NEXT_DAY')
        : r.cooldownMin != null
          ? t(short ? 'rearmPolicy.COOLDOWN_short' : 'rearmPolicy.COOLDOWN', { min: r.cooldownMin })
          : t('rearmPolicy.COOLDOWN_unset')
  return { t, v, why, qty, trigger, rearm }
}

/** The dashboard's compact line: only what differs from "all day, no end, zone, close". */
export function ConditionsLine({ c, testId }: { c: MonitorConditions; testId?: string }) {
  const { t, v, why, qty, trigger, rearm } = useTexts(c)
  const parts: string[] = []
  if (v && !v.expired) parts.push(t('validUntilShort', { day: v.until.slice(5) }))
  if (c.window) parts.push(`${c.window.start}–${c.window.end}`)
  if (c.entryQty) parts.push(qty(true))
  if (c.entryTrigger.mode === 'REBOUND') parts.push(trigger(true))
  if (c.rearm.policy !== 'CLOSE') parts.push(rearm(true))
  if (!v?.expired && parts.length === 0) return null
  return (
    <div data-testid={testId} data-expired={v?.expired ? 'true' : undefined} className="mt-0.5 flex flex-wrap items-center gap-1 text-xs text-slate-500">
      {v?.expired && (
        <span data-testid={testId ? `${testId}-expired` : undefined} title={why ?? undefined} className="rounded bg-amber-100 px-1.5 text-amber-900">
          {t('expired')} {v.until.slice(5)}
        </span>
      )}
      {parts.length > 0 && <span>{parts.join(' · ')}</span>}
    </div>
  )
}

/** The detail page's complete list of the conditions. */
export function ConditionsList({ c, testId = 'detail-conditions' }: { c: MonitorConditions; testId?: string }) {
  const { t, v, why, qty, trigger, rearm } = useTexts(c)
  const rows: Array<[string, string, ReactNode]> = [
    [
      'validity',
      t('validity'),
      !v ? (
        t('validForever')
      ) : v.expired ? (
        <>
          <span className="rounded bg-amber-100 px-1.5 text-amber-900">{t('expiredOn', { day: v.until })}</span>
          {why && (
            <span data-testid={`${testId}-expired-reason`} className="ml-1 text-xs text-slate-500">
              {why}
            </span>
          )}
        </>
      ) : v.tradingDays != null ? (
        t('validTradingDays', { n: v.tradingDays, day: v.until })
      ) : (
        t('validUntil', { day: v.until })
      ),
    ],
    ['window', t('window'), c.window ? t('windowValue', { start: c.window.start, end: c.window.end }) : t('windowAllDay')],
    ['entryQty', t('entryQty'), qty(false)],
    ['entryTrigger', t('entryTrigger'), trigger(false)],
    ['rearm', t('rearm'), rearm(false)],
  ]
  return (
    <dl data-testid={testId} className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
      {rows.map(([key, label, value]) => (
        <div key={key} className="contents">
          <dt className="text-slate-500">{label}</dt>
          <dd data-testid={`${testId}-${key}`}>{value}</dd>
        </div>
      ))}
    </dl>
  )
}
