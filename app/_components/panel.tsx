/**
 * A white card section named by its heading (aria-labelledby), showing the app's one empty-state line
 * instead of its content when there is nothing to list. No hooks: renders on server or client.
 */
import type { ReactNode } from 'react'

export function Panel({
  id,
  title,
  smallTitle = false,
  empty,
  children,
}: {
  /** Id of the heading; the section is labelled by it. */
  id: string
  title: ReactNode
  smallTitle?: boolean
  /** When given, shown instead of the children. */
  empty?: { text: ReactNode; testId: string } | false
  children: ReactNode
}) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-3" aria-labelledby={id}>
      <h2 id={id} className={smallTitle ? 'mb-2 text-sm font-semibold' : 'mb-2 font-semibold'}>
        {title}
      </h2>
      {empty ? (
        <p className="text-sm text-slate-600" data-testid={empty.testId}>
          {empty.text}
        </p>
      ) : (
        children
      )}
    </section>
  )
}
