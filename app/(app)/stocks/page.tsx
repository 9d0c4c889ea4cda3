import Link from 'next/link'
import { getTranslations } from 'next-intl/server'
import { pageUser } from '@/lib/auth/session'
import { listStocksForUser } from '@/lib/db/stocks'
import { toStockView } from '@/lib/services/views/stock-view'
import { StockTable } from './_components/stock-table'

export const dynamic = 'force-dynamic'

export default async function StocksPage({ searchParams }: { searchParams: Promise<{ archived?: string }> }) {
  const user = await pageUser()
  const archived = (await searchParams).archived === '1'
  const t = await getTranslations('stocks')
  const stocks = (await listStocksForUser(user.id, { archived })).map(toStockView)
  return (
    <section>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">{t('listTitle')}</h1>
        <div className="flex gap-3 text-sm">
          <Link href={archived ? '/stocks' : '/stocks?archived=1'} className="text-slate-600 hover:underline">
            {archived ? t('hideArchived') : t('showArchived')}
          </Link>
          <Link href="/stocks/new" className="rounded bg-sky-600 px-3 py-1.5 font-medium text-white hover:bg-sky-700">
            {t('addTitle')}
          </Link>
        </div>
      </div>
      {stocks.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">
          <p>{t('empty')}</p>
          {!archived && (
            <Link href="/stocks/new" className="mt-3 inline-block text-sky-700 hover:underline">
              {t('addFirst')}
            </Link>
          )}
        </div>
      ) : (
        <StockTable stocks={stocks} />
      )}
    </section>
  )
}
