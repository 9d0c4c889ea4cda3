'use client'
import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { signOut } from 'next-auth/react'
import { useTranslations } from 'next-intl'
import useSWR from 'swr'
import { LocaleSwitch } from './locale-switch'
import { ThemeSwitch } from './browser/theme-switch'
import { useLiveInterval } from './live/live-updates'

const fetcher = (url: string) => fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))

export interface NavItem {
  href: string
  label: 'dashboard' | 'stocks' | 'addStock' | 'orders' | 'account' | 'notifications' | 'settings' | 'status'
}

/** `paper` / `live`: every broker account the user sees is paper (模拟盘) / live (实盘); with both kinds neither is said here (each row names its account). */
export function Nav({ items, email, initialUnread, paper = false, live = false }: { items: NavItem[]; email: string; initialUnread: number; paper?: boolean; live?: boolean }) {
  const t = useTranslations('common')
  const pathname = usePathname()
  const { data } = useSWR<{ unread: number }>('/api/notifications/unread-count', fetcher, {
    refreshInterval: useLiveInterval(5000),
    fallbackData: { unread: initialUnread },
  })
  const unread = data?.unread ?? initialUnread
  // The most specific matching item is the active one (/stocks/new is not also /stocks).
  const matches = (href: string) => (href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(href + '/'))
  const activeHref = items.filter((i) => matches(i.href)).sort((a, b) => b.href.length - a.href.length)[0]?.href
  return (
    <header className="border-b border-slate-200 bg-white">
      <a
        href="#main"
        data-testid="skip-link"
        onClick={(e) => {
          const main = document.getElementById('main')
          if (!main) return
          e.preventDefault()
          main.focus()
          main.scrollIntoView()
        }}
        className="sr-only rounded bg-sky-700 px-3 py-2 text-white focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50">
        {t('skip')}
      </a>
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-2 gap-y-1 px-3 py-2">
        <Link href="/" className="mr-1 shrink-0 text-lg font-bold text-slate-900">
          {t('appName')}
        </Link>
        {paper && (
          <span data-testid="paper-badge" title={t('paperHint')} className="shrink-0 rounded border border-amber-300 bg-amber-50 px-1.5 py-0.5 text-xs font-medium text-amber-900">
            {t('paper')}
          </span>
        )}
        {live && !paper && (
          <span data-testid="live-badge" title={t('liveHint')} className="shrink-0 rounded border border-red-300 bg-red-50 px-1.5 py-0.5 text-xs font-medium text-red-800">
            {t('live')}
          </span>
        )}
        {/* Below 640 px the items wrap onto as many rows as they need: every one (and the unread badge) stays visible. */}
        <nav className="order-last flex w-full flex-wrap gap-1 text-sm sm:order-none sm:w-auto sm:min-w-0 sm:flex-1" aria-label={t('navLabel')} data-testid="main-nav">
          {items.map((item) => {
            const active = item.href === activeHref
            return (
              <Link
                key={item.href}
                href={item.href}
                aria-current={active ? 'page' : undefined}
                className={`shrink-0 rounded px-2 py-1 ${active ? 'bg-sky-50 font-medium text-sky-800' : 'text-slate-700 hover:bg-slate-100'}`}
              >
                {t(`nav.${item.label}`)}
                {item.label === 'notifications' && unread > 0 && (
                  <span data-testid="unread-badge" className="ml-1 rounded-full bg-red-700 px-1.5 text-xs text-white">
                    {unread > 99 ? '99+' : unread}
                  </span>
                )}
              </Link>
            )
          })}
        </nav>
        <span className="ml-auto hidden text-xs text-slate-600 md:inline">{email}</span>
        <span className="ml-auto flex shrink-0 items-center md:ml-0">
          <ThemeSwitch />
          <LocaleSwitch signedIn />
          <button type="button" onClick={() => signOut({ callbackUrl: '/signin' })} className="shrink-0 rounded px-2 py-1 text-sm text-slate-700 hover:bg-slate-100">
            {t('nav.signOut')}
          </button>
        </span>
      </div>
    </header>
  )
}
