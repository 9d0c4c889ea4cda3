import { pageUser } from '@/lib/auth/session'
import { unreadCount } from '@/lib/db/notifications'
import { Nav, type NavItem } from '@/app/_components/nav'

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
  const unread = await unreadCount(user.id)
  return (
    <>
      <Nav items={NAV} email={user.email} initialUnread={unread} />
      <main className="mx-auto max-w-7xl px-3 py-4">{children}</main>
    </>
  )
}
