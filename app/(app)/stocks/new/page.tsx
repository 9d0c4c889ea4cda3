import { getTranslations } from 'next-intl/server'
import { EMPTY_FORM } from '../_components/stock-form'
import { StockFormWithPreview } from '../_components/stock-form-with-preview'

export default async function NewStockPage() {
  const t = await getTranslations('stocks')
  return (
    <section>
      <h1 className="mb-4 text-xl font-semibold">{t('addTitle')}</h1>
      <StockFormWithPreview initial={EMPTY_FORM} />
    </section>
  )
}
