import Link from 'next/link'
import { getTranslations } from 'next-intl/server'
import { pageUser } from '@/lib/auth/session'
import { listStocksForUser } from '@/lib/db/stocks'
import { toStockView } from '@/lib/services/views/stock-view'
import { StockTable } from './_components/stock-table'
import { accountScope } from '@/lib/services/views/account-filter'
import { BulkActions } from './_components/bulk-actions'

export const dynamic = 'force-dynamic'

export default async function StocksPage({ searchParams }: { searchParams: Promise<{ archived?: string; saved?: string; created?: string }> }) {
  const user = await pageUser()
  const sp = await searchParams
  const archived = sp.archived === '1'
  const t = await getTranslations('stocks')
  const tw = await getTranslations('watchlist.import')
  // The dashboard's order (添加顺序, oldest first): one order for the same stocks on both pages.
  const scope = await accountScope(user.id)
  const stocks = (await listStocksForUser(user.id, { archived })).map(toStockView).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id - b.id))
  // After a save the form comes back here with the stock's id: say what was saved.
  const savedId = Number(sp.saved ?? sp.created)
  const saved = Number.isInteger(savedId) ? (stocks.find((s) => s.id === savedId) ?? null) : null
  return (
    <section>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">{t('listTitle')}</h1>
        <div className="flex gap-3 text-sm">
          <Link href={archived ? '/stocks' : '/stocks?archived=1'} className="text-slate-600 hover:underline">
            {archived ? t('hideArchived') : t('showArchived')}
          </Link>
          {!archived && (
            <Link href="/stocks/import" className="self-center text-sky-800 hover:underline" data-testid="import-link">
              {tw('link')}
            </Link>
          )}
          <Link href="/stocks/new" className="rounded bg-sky-700 px-3 py-1.5 font-medium text-white hover:bg-sky-800">
            {t('addTitle')}
          </Link>
        </div>
      </div>
      <p role="status" data-testid="save-notice" className={saved ? 'mb-3 rounded border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900' : 'sr-only'}>
        {saved ? t(sp.created ? 'createdNotice' : 'savedNotice', { code: saved.code, name: saved.name }) : ''}
      </p>
      {/* Always mounted, so a restore that empties the archived list keeps its notice on screen. */}
      <StockTable stocks={stocks} accounts={scope.accounts} defaultAccountId={scope.defaultId} />
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
        !archived && <BulkActions stocks={stocks.map((s) => ({ id: s.id, code: s.code, name: s.name, enabled: s.enabled, autoTrade: s.quant?.autoTrade ?? false }))} />
      )}
    </section>
  )
}
