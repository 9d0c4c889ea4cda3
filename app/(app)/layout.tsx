import { pageUser } from '@/lib/auth/session'
import { unreadCount } from '@/lib/db/notifications'
import { Nav, type NavItem } from '@/app/_components/nav'
import { LiveUpdates } from '@/app/_components/live/live-updates'
import { BrowserAlerts } from '@/app/_components/browser/browser-alerts'
import { RegisterServiceWorker } from '@/app/_components/browser/register-sw'
import { accountScope } from '@/lib/services/views/account-filter'

export const dynamic = 'force-dynamic'

const NAV: NavItem[] = [
  { href: '/', label: 'dashboard' },
  { href: '/stocks', label: 'stocks' },
  { href: '/stocks/new', label: 'addStock' },
  { href: '/orders', label: 'orders' },
  { href: '/account', label: 'account' },
  { href: '/notifications', label: 'notifications' },
  { href: '/settings', label: 'settings' },
  { href: '/status', label: 'status' },
]

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const user = await pageUser()
  const [unread, scope] = await Promise.all([unreadCount(user.id), accountScope(user.id)])
  // Paper (模拟盘) or live (实盘) in the header when every account the user sees is the one or the other.
  const paper = scope.accounts.length > 0 && scope.accounts.every((a) => a.paper)
  const live = scope.accounts.length > 0 && scope.accounts.every((a) => !a.paper)
  return (
    <LiveUpdates>
      <BrowserAlerts />
      <RegisterServiceWorker />
      <Nav items={NAV} email={user.email} initialUnread={unread} paper={paper} live={live} />
      <main id="main" tabIndex={-1} className="mx-auto max-w-7xl px-3 py-4 focus:outline-none">
        {children}
      </main>
    </LiveUpdates>
  )
}
