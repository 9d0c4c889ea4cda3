/** Total, page x of y, and previous/next links for a paged list. No 'use client': renders on server or client. */
import Link from 'next/link'
import { useTranslations } from 'next-intl'

export function Pagination({ total, page, pageSize, href, className }: { total: number; page: number; pageSize: number; href: (page: number) => string; className?: string }) {
  const tc = useTranslations('common')
  const pages = Math.max(1, Math.ceil(total / pageSize))
  return (
    <nav className={className ? `${className} flex items-center justify-between text-sm` : 'flex items-center justify-between text-sm'} aria-label="pagination">
      <span className="text-slate-600">
        {tc('total', { total })} · {tc('page', { page, pages })}
      </span>
      <span className="space-x-3">
        {page > 1 && <Link href={href(page - 1)}>{tc('prev')}</Link>}
        {page < pages && <Link href={href(page + 1)}>{tc('next')}</Link>}
      </span>
    </nav>
  )
}
