'use client'
import { useEffect, useState } from 'react'
import { StockForm, type AccountOption, type FormState } from './stock-form'
import { QuotePreviewPanel } from './quote-preview'
import { ReplayPanel } from './replay-panel'

/** Hands the form's current values up, so the replay panel can sit below the form at full width. */
function LiftValues({ values, onValues }: { values: FormState; onValues: (v: FormState) => void }) {
  useEffect(() => onValues(values), [values, onValues])
  return null
}

/** The add/edit form with its live quote preview (the render prop cannot cross from a server component) and the replay panel. */
export function StockFormWithPreview({
  initial: given,
  stockId,
  simulated = false,
  accounts = [],
  accountId = null,
}: {
  initial: FormState
  stockId?: number
  simulated?: boolean
  accounts?: AccountOption[]
  /** The account preselected when the initial values name none (the user's default). Set here: a server page cannot spread this module's EMPTY_FORM. */
  accountId?: number | null
}) {
  const initial = accountId !== null && !given.brokerAccountId ? { ...given, brokerAccountId: String(accountId) } : given
  const [values, setValues] = useState<FormState>(initial)
  // Paper or live follows the account chosen in the form (the install's broker when none is known).
  const paperOf = (v: FormState) => accounts.find((a) => String(a.id) === v.brokerAccountId)?.paper ?? simulated
  return (
    <div className="space-y-4">
      <StockForm
        initial={initial}
        stockId={stockId}
        accounts={accounts}
        preview={(v, onName) => (
          <>
            <QuotePreviewPanel values={v} onName={onName} simulated={paperOf(v)} />
            <LiftValues values={v} onValues={setValues} />
          </>
        )}
      />
      <ReplayPanel code={values.code} levels={values} quant={values.quant} testId="replay-form" />
    </div>
  )
}
