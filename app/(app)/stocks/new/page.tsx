import { getTranslations } from 'next-intl/server'
import { EMPTY_FORM } from '../_components/stock-form'
import { StockFormWithPreview } from '../_components/stock-form-with-preview'
import { brokerIsPaper } from '@/lib/services/runtime/web-context'
import { pageUser } from '@/lib/auth/session'
import { defaultAccountForUser } from '@/lib/db/account-scope'
import { formAccountOptions } from '@/lib/services/views/account-filter'

export const dynamic = 'force-dynamic'

export default async function NewStockPage() {
  const user = await pageUser()
  const t = await getTranslations('stocks')
  // The user's default account preselected; the select lists every account they can use.
  const [accounts, def] = await Promise.all([formAccountOptions(user.id), defaultAccountForUser(user.id)])
  return (
    <section>
      <h1 className="mb-4 text-xl font-semibold">{t('addTitle')}</h1>
      <StockFormWithPreview initial={EMPTY_FORM} accountId={def} simulated={brokerIsPaper()} accounts={accounts} />
    </section>
  )
}
