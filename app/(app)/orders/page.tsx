import type { Metadata } from 'next'
import { getTranslations } from 'next-intl/server'
import { pageUser } from '@/lib/auth/session'
import { listStocksForUser } from '@/lib/db/stocks'
import { orderQuerySchema, ORDER_STATUSES } from '@/lib/schemas/orders'
import { listOrders } from '@/lib/services/views/orders-view'
import { FilterField, filterErrorText, StockOptions } from '@/app/_components/filters'
import { OrdersView } from './orders-view'
import { ClockNote } from '@/app/_components/live/clock-note'
import { env } from '@/lib/env'
import { notFound } from 'next/navigation'
import { NotFoundError } from '@/lib/errors'
import { AccountOptions } from '@/app/_components/account-badge'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: '委托与成交 / Orders' }

export default async function OrdersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await pageUser()
  const raw = Object.fromEntries(Object.entries(await searchParams).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''))
  const parsed = orderQuerySchema.safeParse(raw)
  const q = parsed.success ? parsed.data : orderQuerySchema.parse({})
  // ?account= names an account the user sees, or the page is not found (never another user's rows).
  const [list, active, archived] = await Promise.all([
    listOrders(user.id, q.filter, q.page, q.pageSize, q.account).catch((e) => {
      if (e instanceof NotFoundError) notFound()
      throw e
    }),
    listStocksForUser(user.id),
    listStocksForUser(user.id, { archived: true }),
  ])
  const t = await getTranslations('orders')
  const tl = await getTranslations('live')
  const te = await getTranslations('errors')
  const invalid = parsed.success ? null : filterErrorText(parsed.error.issues, te)
  const select = 'mt-0.5 rounded border border-slate-300 px-2 py-1.5 text-base sm:text-sm'
  const qs = new URLSearchParams(parsed.success ? raw : {}).toString()
  return (
    <section className="space-y-3">
      <h1 className="text-xl font-semibold">{t('title')}</h1>
      <p className="text-sm text-slate-600">{t('intro')}</p>
      <ClockNote mode={env().MARKET_CLOCK} />
      <form method="get" className="flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-3" data-testid="orders-filter">
        <FilterField label={t('filter.status')}>
          <select name="status" defaultValue={raw.status ?? ''} className={select}>
            <option value="">{t('filter.allStatuses')}</option>
            <option value="open">{t('filter.open')}</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {tl(`orderStatus.${s}`)}
              </option>
            ))}
          </select>
        </FilterField>
        <FilterField label={t('filter.stock')}>
          <select name="stockId" defaultValue={raw.stockId ?? ''} className={select}>
            <option value="">{t('filter.allStocks')}</option>
            <StockOptions stocks={[...active, ...archived]} archivedMark={` (${t('archived')})`} />
          </select>
        </FilterField>
        {list.accounts.length > 1 && (
          <FilterField label={t('filter.account')}>
            <select name="account" defaultValue={raw.account ?? ''} className={select} data-testid="orders-account-filter">
              <option value="">{t('filter.allAccounts')}</option>
              <AccountOptions accounts={list.accounts} paperText={t('account.paper')} liveText={t('account.live')} />
            </select>
          </FilterField>
        )}
        <FilterField label={t('filter.side')}>
          <select name="side" defaultValue={raw.side ?? ''} className={select}>
            <option value="">{t('filter.allSides')}</option>
            <option value="BUY">{tl('side.BUY')}</option>
            <option value="SELL">{tl('side.SELL')}</option>
          </select>
        </FilterField>
        <FilterField label={t('filter.from')}>
          <input type="date" name="from" defaultValue={raw.from ?? ''} className={select} />
        </FilterField>
        <FilterField label={t('filter.to')}>
          <input type="date" name="to" defaultValue={raw.to ?? ''} className={select} />
        </FilterField>
        <button type="submit" className="rounded bg-sky-700 px-3 py-1.5 text-sm text-white hover:bg-sky-800">
          {t('filter.apply')}
        </button>
        <a href="/orders" className="px-2 py-1.5 text-sm text-slate-600 hover:underline">
          {t('filter.reset')}
        </a>
      </form>
      {invalid && (
        <p role="alert" data-testid="orders-filter-error" className="rounded bg-red-50 px-3 py-2 text-sm text-red-700">
          {t('invalidFilter', { message: invalid })}
        </p>
      )}
      <OrdersView initial={list} query={qs} />
    </section>
  )
}
