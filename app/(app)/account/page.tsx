import type { Metadata } from 'next'
import { pageUser } from '@/lib/auth/session'
import { AccountView } from './account-view'
import { PaperNotice } from '@/app/_components/paper-notice'
import { notFound } from 'next/navigation'
import { NotFoundError } from '@/lib/errors'
import { defaultAccountForUser } from '@/lib/db/account-scope'
import { accountScope } from '@/lib/services/views/account-filter'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: '账户 / Account' }

/** The account is read live from the broker by the client (it may take the bridge's timeout), with a loading state. */
export default async function AccountPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await pageUser()
  const raw = (await searchParams).account
  // ?account= names an account the user sees, or the page is not found (never another user's account).
  const scope = await accountScope(user.id, typeof raw === 'string' && raw !== '' ? raw : null).catch((e) => {
    if (e instanceof NotFoundError) notFound()
    throw e
  })
  const preferred = await defaultAccountForUser(user.id)
  const shown = scope.selected ?? scope.accounts.find((a) => a.id === preferred) ?? scope.accounts[0] ?? null
  return (
    <>
      {shown?.paper && <PaperNotice />}
      <AccountView account={scope.selected?.id ?? null} />
    </>
  )
}
