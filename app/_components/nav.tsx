'use client'
import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { signOut } from 'next-auth/react'
import { useTranslations } from 'next-intl'
import useSWR from 'swr'
import { LocaleSwitch } from './locale-switch'

const fetcher = (url: string) => fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))

export interface NavItem {
  href: string
  label: 'dashboard' | 'stocks' | 'addStock' | 'orders' | 'account' | 'notifications' | 'settings' | 'status'
}

export function Nav({ items, email, initialUnread }: { items: NavItem[]; email: string; initialUnread: number }) {
  const t = useTranslations('common')
  const pathname = usePathname()
  const { data } = useSWR<{ unread: number }>('/api/notifications/unread-count', fetcher, {
    refreshInterval: 5000,
    fallbackData: { unread: initialUnread },
  })
  const unread = data?.unread ?? initialUnread
  // The most specific matching item is the active one (/stocks/new is not also /stocks).
  const matches = (href: string) => (href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(href + '/'))
  const activeHref = items.filter((i) => matches(i.href)).sort((a, b) => b.href.length - a.href.length)[0]?.href
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-7xl items-center gap-2 px-3 py-2">
        <Link href="/" className="mr-2 shrink-0 text-lg font-bold text-slate-900">
          {t('appName')}
        </Link>
        <nav className="flex min-w-0 flex-1 gap-1 overflow-x-auto text-sm" aria-label="main">
          {items.map((item) => {
            const active = item.href === activeHref
            return (
              <Link
                key={item.href}
                href={item.href}
                aria-current={active ? 'page' : undefined}
                className={`shrink-0 rounded px-2 py-1 ${active ? 'bg-sky-50 font-medium text-sky-700' : 'text-slate-600 hover:bg-slate-100'}`}
              >
                {t(`nav.${item.label}`)}
                {item.label === 'notifications' && unread > 0 && (
                  <span data-testid="unread-badge" className="ml-1 rounded-full bg-red-600 px-1.5 text-xs text-white">
                    {unread > 99 ? '99+' : unread}
                  </span>
                )}
              </Link>
            )
          })}
        </nav>
        <span className="hidden text-xs text-slate-500 md:inline">{email}</span>
        <LocaleSwitch signedIn />
        <button type="button" onClick={() => signOut({ callbackUrl: '/signin' })} className="shrink-0 rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100">
          {t('nav.signOut')}
        </button>
      </div>
    </header>
  )
}
