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
}

const cx = (...parts: Array<string | false | null | undefined>) => parts.filter(Boolean).join(' ')

const LOOKS = {
  card: { frame: 'overflow-x-auto rounded-lg border border-slate-200 bg-white', head: 'bg-slate-50 text-left', headColor: 'text-slate-600', body: 'tabular', pad: 'px-3 py-2' },
  compact: { frame: 'overflow-x-auto', head: 'text-left', headColor: 'text-slate-500', body: undefined, pad: 'py-1 pr-3' },
} as const

export function DataTable<R>({ columns, rows, rowKey, rowProps, look = 'card', testId, text = 'sm', smallHeader = true, frameClassName, className, empty }: DataTableProps<R>) {
  if (rows.length === 0 && empty !== undefined) return <>{empty}</>
  const l = LOOKS[look]
  return (
    <div className={cx(frameClassName, l.frame)}>
      <table className={cx('min-w-full', text === 'xs' ? 'text-xs' : 'text-sm', className)} data-testid={testId}>
        <thead className={cx(l.head, text === 'sm' && smallHeader && 'text-xs', l.headColor)}>
          <tr>
            {columns.map((c, i) => (
              <th key={i} {...c.headProps} className={cx(c.headProps?.className, l.pad, c.numeric && 'text-right')}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className={l.body}>
          {rows.map((row) => {
            const { className: rowClass, ...attrs } = rowProps?.(row) ?? {}
            return (
              <tr key={rowKey(row)} {...attrs} className={cx('border-t border-slate-100', rowClass)}>
                {columns.map((c, i) => (
                  <td key={i} {...c.cellProps?.(row)} className={cx(l.pad, c.numeric && 'text-right', typeof c.className === 'function' ? c.className(row) : c.className)}>
                    {c.cell(row)}
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
