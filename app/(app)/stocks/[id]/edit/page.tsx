import { notFound } from 'next/navigation'
import { getTranslations } from 'next-intl/server'
import { pageUser } from '@/lib/auth/session'
import { getStockForUser } from '@/lib/db/stocks'
import { NotFoundError } from '@/lib/errors'
import { parseId } from '@/lib/http/route'
import { toStockView } from '@/lib/services/views/stock-view'
import { StockFormWithPreview } from '../../_components/stock-form-with-preview'
import { brokerIsPaper } from '@/lib/services/runtime/web-context'
import { formStateOf } from '../../_components/form-state'
import { formAccountOptions } from '@/lib/services/views/account-filter'

export const dynamic = 'force-dynamic'

export default async function EditStockPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await pageUser()
  // Plain digits within the id column's range: a larger number would fail in Prisma (500).
  const id = parseId((await params).id)
  if (id === null) notFound()
  const row = await getStockForUser(user.id, id).catch((e) => {
    if (e instanceof NotFoundError) notFound()
    throw e
  })
  const stock = toStockView(row)
  const t = await getTranslations('stocks')
  const accounts = await formAccountOptions(user.id, row.brokerAccountId)
  return (
    <section>
      <h1 className="mb-4 text-xl font-semibold">{t('editTitle', { code: stock.code, name: stock.name })}</h1>
      <StockFormWithPreview initial={formStateOf(stock)} stockId={stock.id} simulated={brokerIsPaper()} accounts={accounts} />
    </section>
  )
}
