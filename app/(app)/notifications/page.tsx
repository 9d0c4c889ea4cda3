import Link from 'next/link'
import { getLocale, getTranslations } from 'next-intl/server'
import { pageUser } from '@/lib/auth/session'
import { notificationTypes } from '@/lib/db/notifications'
import { notificationList } from '@/lib/services/views/notifications-view'
import { notFound } from 'next/navigation'
import { NotFoundError } from '@/lib/errors'
import { AccountBadge, AccountOptions } from '@/app/_components/account-badge'
import { listStocksForUser } from '@/lib/db/stocks'
import { notificationQuerySchema } from '@/lib/schemas/notifications'
import { formatTime } from '@/lib/format'
import { isEventType, renderEvent, type NotifyParams } from '@/lib/services/notifications'
import { asLocale } from '@/lib/i18n/config'
import { ClockNote } from '@/app/_components/live/clock-note'
import { env } from '@/lib/env'
import { FilterField, filterErrorText, StockOptions } from '@/app/_components/filters'
import { Pagination } from '@/app/_components/pagination'
import { AutoRefresh, MarkAllReadButton, MarkReadButton } from './notification-actions'

export const dynamic = 'force-dynamic'

const SEVERITY_STYLE = { INFO: 'bg-slate-100 text-slate-700', WARNING: 'bg-amber-100 text-amber-800', CRITICAL: 'bg-red-100 text-red-800' } as const

export default async function NotificationsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const user = await pageUser()
  const raw = await searchParams
  const parsed = notificationQuerySchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== '')))
  const q = parsed.success ? parsed.data : notificationQuerySchema.parse({})
  // ?account= names an account the user sees, or the page is not found (never another user's rows).
  const [{ total, items, accounts }, types, active, archived] = await Promise.all([
    notificationList(user.id, q.filter, q.page, q.pageSize, q.account).catch((e) => {
      if (e instanceof NotFoundError) notFound()
      throw e
    }),
    notificationTypes(user.id),
    listStocksForUser(user.id),
    listStocksForUser(user.id, { archived: true }),
  ])
  const t = await getTranslations('notifications')
  const te = await getTranslations('errors')
  const typeLabel = (ty: string) => (isEventType(ty) ? t(`types.${ty}`) : ty)
  const invalid = parsed.success ? null : filterErrorText(parsed.error.issues, te)
  const locale = await getLocale()
  // Shown in the reader's language now, from the stored event parameters (a notification created
  // while the account was in Chinese reads in English after the switch); the stored text otherwise.
  const textOf = (n: (typeof items)[number]): { title: string; body: string } => {
    const stored = { title: n.title, body: n.body }
    if (!isEventType(n.type) || !n.params || typeof n.params !== 'object' || Array.isArray(n.params)) return stored
    try {
      return renderEvent(n.type, n.params as NotifyParams, asLocale(locale))
    } catch {
      return stored
    }
  }
  const pageHref = (page: number) => {
    const sp = new URLSearchParams(Object.entries(raw).filter((e): e is [string, string] => !!e[1]))
    sp.set('page', String(page))
    return `/notifications?${sp.toString()}`
  }
  const select = 'rounded border border-slate-300 px-2 py-1.5 text-sm'

  return (
    <section>
      <AutoRefresh />
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">{t('title')}</h1>
        <MarkAllReadButton />
      </div>
      <div className="mb-2">
        <ClockNote mode={env().MARKET_CLOCK} />
      </div>
      <form method="get" className="mb-4 flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-3">
        <FilterField label={t('filterType')}>
          <select name="type" defaultValue={raw.type ?? ''} className={select}>
            <option value="">{t('allTypes')}</option>
            {types.map((ty) => (
              <option key={ty} value={ty}>
                {typeLabel(ty)}
              </option>
            ))}
          </select>
        </FilterField>
        <FilterField label={t('filterStock')}>
          <select name="stockId" defaultValue={raw.stockId ?? ''} className={select}>
            <option value="">{t('allStocks')}</option>
            <StockOptions stocks={[...active, ...archived]} archivedMark={` ${t('archivedStock')}`} />
          </select>
        </FilterField>
        {accounts.length > 1 && (
          <FilterField label={t('filterAccount')}>
            <select name="account" defaultValue={raw.account ?? ''} className={select} data-testid="notifications-account-filter">
              <option value="">{t('allAccounts')}</option>
              <AccountOptions accounts={accounts} paperText={t('accountPaper')} liveText={t('accountLive')} />
            </select>
          </FilterField>
        )}
        <FilterField label={t('filterFrom')}>
          <input type="date" name="from" defaultValue={raw.from ?? ''} className={select} />
        </FilterField>
        <FilterField label={t('filterTo')}>
          <input type="date" name="to" defaultValue={raw.to ?? ''} className={select} />
        </FilterField>
        <label className="flex items-center gap-1 text-sm">
          <input type="checkbox" name="unread" value="1" defaultChecked={raw.unread === '1'} />
          {t('onlyUnread')}
        </label>
        <button type="submit" className="rounded bg-sky-700 px-3 py-1.5 text-sm text-white hover:bg-sky-800">
          {t('apply')}
        </button>
      </form>
      {invalid && (
        <p role="alert" data-testid="notifications-filter-error" className="mb-3 rounded bg-red-50 px-3 py-2 text-sm text-red-700">
          {t('invalidFilter', { message: invalid })}
        </p>
      )}
      {items.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">{t('empty')}</p>
      ) : (
        <ul className="space-y-2" data-testid="notification-list">
          {items.map((n) => (
            <li key={n.id} className={`rounded-lg border bg-white p-3 ${n.readAt ? 'border-slate-200' : 'border-sky-300'}`} data-testid="notification">
              <div className="flex flex-wrap items-center gap-2 text-xs text-slate-600">
                <span className={`rounded px-1.5 py-0.5 ${SEVERITY_STYLE[n.severity]}`}>{t(`severity.${n.severity}`)}</span>
                <span data-type={n.type}>{typeLabel(n.type)}</span>
                <time dateTime={n.marketAt.toISOString()}>{formatTime(n.marketAt, locale)}</time>
                {n.stock && (
                  <Link href={`/stocks/${n.stock.id}`} className="text-sky-700 hover:underline">
                    {n.stock.code} {n.stock.name}
                    {n.stock.archivedAt ? ` ${t('archivedStock')}` : ''}
                  </Link>
                )}
                {n.orderId && n.stock && (
                  <Link href={`/orders?stockId=${n.stock.id}`} className="text-sky-700 hover:underline">
                    {t('viewOrder')}
                  </Link>
                )}
                <AccountBadge account={n.account} paperText={t('accountPaper')} liveText={t('accountLive')} testId={`notification-account-${n.id}`} />
                {!n.readAt && <span className="font-medium text-sky-700">{t('unread')}</span>}
                {!n.readAt && <MarkReadButton id={n.id} />}
              </div>
              <p className="mt-1 font-medium">{textOf(n).title}</p>
              <p className="whitespace-pre-line text-sm text-slate-700">{textOf(n).body}</p>
              {n.deliveries.length > 0 && (
                <ul className="mt-1 flex flex-wrap gap-2 text-xs">
                  {n.deliveries.map((d) => (
                    <li key={d.id} className={d.status === 'FAILED' ? 'text-red-700' : 'text-slate-500'} title={d.lastError ?? undefined}>
                      {d.channel.name}: {t(`delivery.${d.status}`)}
                      {d.status === 'FAILED' && d.lastError ? ` (${d.lastError})` : ''}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
      <Pagination className="mt-4" total={total} page={q.page} pageSize={q.pageSize} href={pageHref} />
    </section>
  )
}
