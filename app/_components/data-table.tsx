/**
 * The app's one table markup: a horizontally scrolling frame, a header row from the column
 * definitions and one body row per item, so every list looks and scrolls the same.
 * - `card`: its own white bordered box with roomy cells and tabular body digits (lists of things).
 * - `compact`: tight cells inside a card the page already draws (the status figures).
 * No hooks and no 'use client': it renders wherever its caller does.
 */
import type { HTMLAttributes, ReactNode, ThHTMLAttributes } from 'react'

/** `data-*` attributes that browser tests select on. */
export type DataAttributes = { [name: `data-${string}`]: string | number | undefined }

export interface Column<R> {
  header: ReactNode
  /** Right-aligned header and cells, for figures. */
  numeric?: boolean
  /** Extra header-cell attributes (sticky column, aria-sort); `className` is added to the padding. */
  headProps?: ThHTMLAttributes<HTMLTableCellElement>
  /** Extra body-cell classes, fixed or per row. */
  className?: string | ((row: R) => string)
  /** Per-row body-cell attributes. */
  cellProps?: (row: R) => DataAttributes
  cell: (row: R) => ReactNode
  /** The field's name on a phone card (defaults to `header` when that is a string). */
  cardLabel?: string
}

export interface DataTableProps<R> {
  columns: Column<R>[]
  rows: readonly R[]
  rowKey: (row: R) => string | number
  /** Body-row attributes; `className` is added to the row's top border. */
  rowProps?: (row: R) => HTMLAttributes<HTMLTableRowElement> & DataAttributes
  look?: 'card' | 'compact'
  testId?: string
  /** Body text size. An `sm` table has `xs` headers unless `smallHeader` is false. */
  text?: 'sm' | 'xs'
  smallHeader?: boolean
  /** Extra classes on the frame (`relative` for a sticky first column) and on the table. */
  frameClassName?: string
  className?: string
  /** Shown instead of the table when there are no rows. */
  empty?: ReactNode
  /**
   * Below 640 px each row becomes a card: one line per column, its name on the left (a CSS label
   * from `cardLabel`/`header`, so cell text is unchanged), nothing off-screen sideways.
   */
  phoneCards?: boolean
}

const cx = (...parts: Array<string | false | null | undefined>) => parts.filter(Boolean).join(' ')

const LOOKS = {
  card: { frame: 'overflow-x-auto rounded-lg border border-slate-200 bg-white', head: 'bg-slate-50 text-left', headColor: 'text-slate-600', body: 'tabular', pad: 'px-3 py-2' },
  compact: { frame: 'overflow-x-auto', head: 'text-left', headColor: 'text-slate-500', body: undefined, pad: 'py-1 pr-3' },
} as const

const PHONE = {
  frame: 'max-sm:overflow-visible max-sm:border-0 max-sm:bg-transparent',
  table: 'max-sm:block',
  head: 'max-sm:hidden',
  body: 'max-sm:block max-sm:space-y-2',
  row: 'max-sm:block max-sm:rounded-lg max-sm:border max-sm:border-slate-200 max-sm:bg-white max-sm:px-2 max-sm:py-1',
  cell: 'max-sm:static max-sm:flex max-sm:items-start max-sm:justify-between max-sm:gap-3 max-sm:px-1 max-sm:py-1 max-sm:text-right max-sm:before:shrink-0 max-sm:before:text-left max-sm:before:text-xs max-sm:before:text-slate-600 max-sm:before:content-[attr(data-label)]',
} as const

export function DataTable<R>({ columns, rows, rowKey, rowProps, look = 'card', testId, text = 'sm', smallHeader = true, frameClassName, className, empty, phoneCards = false }: DataTableProps<R>) {
  if (rows.length === 0 && empty !== undefined) return <>{empty}</>
  const l = LOOKS[look]
  const p = phoneCards ? PHONE : null
  const labelOf = (c: Column<R>) => c.cardLabel ?? (typeof c.header === 'string' ? c.header : '')
  return (
    <div className={cx(frameClassName, l.frame, p?.frame)} data-phone-cards={phoneCards ? 'true' : undefined}>
      <table className={cx('min-w-full', text === 'xs' ? 'text-xs' : 'text-sm', className, p?.table)} data-testid={testId}>
        <thead className={cx(l.head, text === 'sm' && smallHeader && 'text-xs', l.headColor, p?.head)}>
          <tr>
            {columns.map((c, i) => (
              <th key={i} {...c.headProps} className={cx(c.headProps?.className, l.pad, c.numeric && 'text-right')}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className={cx(l.body, p?.body)}>
          {rows.map((row) => {
            const { className: rowClass, ...attrs } = rowProps?.(row) ?? {}
            return (
              <tr key={rowKey(row)} {...attrs} className={cx('border-t border-slate-100', rowClass, p?.row)}>
                {columns.map((c, i) => (
                  <td
                    key={i}
                    {...c.cellProps?.(row)}
                    data-label={p ? labelOf(c) : undefined}
                    className={cx(l.pad, c.numeric && 'text-right', typeof c.className === 'function' ? c.className(row) : c.className, p?.cell)}
                  >
                    {p ? <div className="min-w-0">{c.cell(row)}</div> : c.cell(row)}
                  </td>
                ))}
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
