'use client'
/**
 * "Mark existing position as managed" with a quantity: the dialog asks how many of the held shares
 * DingPan manages (default: all of them), checks it with the API's own schema (manageQuantityFor:
 * at most what is held, whole lots unless it is the whole position) and shows the server's
 * field-level errors under the field.
 */
import { useRef, useState } from 'react'
import { useTranslations } from 'next-intl'
import { BOARD_RULES, boardOf } from '@/lib/market'
import { manageQuantityFor } from '@/lib/schemas/stock'
import { issuesToFieldErrors } from '@/lib/schemas/issues'

export interface ManagedResult {
  episode: number
  state: string
  positionQty: number
}

export function ManagePositionDialog({
  stockId,
  code,
  held,
  label,
  body,
  onDone,
}: {
  stockId: number
  code: string
  held: number
  label: string
  body: React.ReactNode
  onDone: (r: { ok: true; value: ManagedResult } | { ok: false; message: string }) => void | Promise<void>
}) {
  const t = useTranslations('detail')
  const tc = useTranslations('common.actions')
  const tr = useTranslations()
  const ref = useRef<HTMLDialogElement>(null)
  const [qty, setQty] = useState(String(held))
  const [fieldError, setFieldError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const lot = BOARD_RULES[boardOf(code)].sellLot
  const te = (k: string, p?: Record<string, string | number>) => tr(`errors.${k}` as never, p as never)

  function open() {
    setQty(String(held))
    setFieldError(null)
    ref.current?.showModal()
  }

  async function submit() {
    const input = { quantity: qty.trim() === '' ? undefined : qty.trim() }
    const checked = manageQuantityFor(code, held).safeParse(input)
    if (!checked.success) {
      setFieldError(issuesToFieldErrors(checked.error.issues, te).quantity?.[0] ?? te('validation.failed'))
      return
    }
    setBusy(true)
    setFieldError(null)
    try {
      const res = await fetch(`/api/stocks/${stockId}/manage-position`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ quantity: checked.data.quantity ?? held }),
      })
      const answer = await res.json().catch(() => ({}))
      if (res.status === 400 && answer.fields?.quantity?.length) {
        setFieldError(answer.fields.quantity[0])
        return
      }
      ref.current?.close()
      if (!res.ok) await onDone({ ok: false, message: answer.message ?? `HTTP ${res.status}` })
      else await onDone({ ok: true, value: answer as ManagedResult })
    } catch (e) {
      ref.current?.close()
      await onDone({ ok: false, message: (e as Error).message })
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <button
        type="button"
        data-testid="detail-manage"
        onClick={open}
        className="rounded bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
      >
        {label}
      </button>
      <dialog ref={ref} data-testid="detail-manage-dialog" aria-labelledby="detail-manage-title" className="m-auto w-[min(28rem,92vw)] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40">
        <form
          className="space-y-3 p-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault()
            void submit()
          }}
        >
          <h2 id="detail-manage-title" className="text-base font-semibold">
            {label}
          </h2>
          <div className="text-sm text-slate-700">{body}</div>
          <div>
            <label htmlFor="manage-qty" className="block text-sm font-medium">
              {t('markManagedQty')}
            </label>
            <input
              id="manage-qty"
              name="quantity"
              data-testid="detail-manage-qty"
              inputMode="numeric"
              value={qty}
              onChange={(e) => setQty(e.target.value)}
              aria-invalid={fieldError ? true : undefined}
              aria-describedby="manage-qty-hint manage-qty-error"
              className="mt-1 w-40 rounded border border-slate-300 px-2 py-1 text-sm"
            />
            <p id="manage-qty-hint" className="mt-1 text-xs text-slate-500">
              {t('markManagedQtyHint', { qty: held, lot })}
            </p>
            {fieldError && (
              <p id="manage-qty-error" role="alert" data-testid="detail-manage-qty-error" className="mt-1 text-xs text-red-700">
                {fieldError}
              </p>
            )}
          </div>
          <div className="flex justify-end gap-2 pt-1">
            <button type="button" onClick={() => ref.current?.close()} className="rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
              {tc('cancel')}
            </button>
            <button type="submit" data-testid="detail-manage-confirm" disabled={busy} className="rounded bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-50">
              {busy ? tc('loading') : label}
            </button>
          </div>
        </form>
      </dialog>
    </>
  )
}
