'use client'
import { StockForm, type FormState } from './stock-form'
import { QuotePreviewPanel } from './quote-preview'

/** The add/edit form with its live quote preview (the render prop cannot cross from a server component). */
export function StockFormWithPreview({ initial, stockId }: { initial: FormState; stockId?: number }) {
  return <StockForm initial={initial} stockId={stockId} preview={(values) => <QuotePreviewPanel values={values} />} />
}
