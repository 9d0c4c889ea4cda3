import { notFound } from 'next/navigation'
import type { Metadata } from 'next'
import { pageUser } from '@/lib/auth/session'
import { NotFoundError } from '@/lib/errors'
import { parseId } from '@/lib/http/route'
import { stockDetail } from '@/lib/services/views/stock-detail'
import { marketClock } from '@/lib/services/runtime/web-context'
import { StockDetailView } from './_components/stock-detail-view'
import { ClockNote } from '@/app/_components/live/clock-note'
import { env } from '@/lib/env'
import { getLocale } from 'next-intl/server'
import { asLocale } from '@/lib/i18n/config'
import { PnlPanel } from '@/app/_components/pnl-panel'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: '股票详情 / Stock detail' }

export default async function StockDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await pageUser()
  // Plain digits within the id column's range: a larger number would fail in Prisma (500).
  const id = parseId((await params).id)
  if (id === null) notFound()
  const detail = await stockDetail(user.id, id, await marketClock(), asLocale(await getLocale())).catch((e) => {
    if (e instanceof NotFoundError) notFound()
    throw e
  })
  return (
    <>
      <StockDetailView initial={JSON.parse(JSON.stringify(detail))} />
      <div className="mt-6">
        <PnlPanel stockId={id} />
      </div>
      <div className="mt-2">
        <ClockNote mode={env().MARKET_CLOCK} />
      </div>
    </>
  )
}
