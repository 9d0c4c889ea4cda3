'use client'
/**
 * A button that asks first, in a native modal <dialog> (focus stays inside, Esc cancels), then runs
 * `onConfirm`. The caller shows the outcome; this only guards against a stray click.
 */
import { useRef, useState, type ReactNode } from 'react'
import { useTranslations } from 'next-intl'

export function ConfirmButton({
  label,
  title,
  body,
  confirmLabel,
  onConfirm,
  testId,
  tone = 'primary',
  disabled,
}: {
  label: ReactNode
  title: string
  body: ReactNode
  confirmLabel: string
  onConfirm: () => Promise<void>
  testId: string
  tone?: 'primary' | 'danger'
  disabled?: boolean
}) {
  const tc = useTranslations('common.actions')
  const ref = useRef<HTMLDialogElement>(null)
  const [busy, setBusy] = useState(false)
  const btn =
    tone === 'danger'
      ? 'bg-red-600 text-white hover:bg-red-700 focus-visible:ring-red-500'
      : 'bg-sky-700 text-white hover:bg-sky-800 focus-visible:ring-sky-500'
  return (
    <>
      <button
        type="button"
        data-testid={testId}
        disabled={disabled || busy}
        onClick={() => ref.current?.showModal()}
        className={`rounded px-3 py-1.5 text-sm font-medium focus:outline-none focus-visible:ring-2 disabled:opacity-50 ${btn}`}
      >
        {label}
      </button>
      <dialog ref={ref} data-testid={`${testId}-dialog`} aria-labelledby={`${testId}-title`} className="m-auto w-[min(28rem,92vw)] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40">
        <div className="space-y-3 p-4">
          <h2 id={`${testId}-title`} className="text-base font-semibold">
            {title}
          </h2>
          <div className="text-sm text-slate-700">{body}</div>
          <div className="flex justify-end gap-2 pt-1">
            <button type="button" autoFocus onClick={() => ref.current?.close()} className="rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500">
              {tc('cancel')}
            </button>
            <button
              type="button"
              data-testid={`${testId}-confirm`}
              disabled={busy}
              onClick={async () => {
                setBusy(true)
                try {
                  await onConfirm()
                } finally {
                  setBusy(false)
                  ref.current?.close()
                }
              }}
              className={`rounded px-3 py-1.5 text-sm font-medium focus:outline-none focus-visible:ring-2 disabled:opacity-50 ${btn}`}
            >
              {busy ? tc('loading') : confirmLabel}
            </button>
          </div>
        </div>
      </dialog>
    </>
  )
}
