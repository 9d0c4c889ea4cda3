/**
 * The views' account filter (issue 13): `?account=<id>` on the dashboard, orders, account and
 * notifications. Only accounts the user sees may be chosen: any other id (unknown, another user's,
 * not a number) is not found — never another user's rows. Rows stay the user's own either way;
 * each row names its account with a plain paper (模拟盘) / live (实盘) badge.
 */
import { accountOptions, visibleAccounts } from '@/lib/db/account-scope'
import { defaultBrokerAccountId } from '@/lib/db/broker-accounts'
import { NotFoundError } from '@/lib/errors'
import { brokerIsPaper } from '../runtime/web-context'

export interface AccountBadge {
  id: number
  name: string
  /** Paper (模拟盘): the paper broker or a bridge known to simulate; otherwise live (实盘). */
  paper: boolean
}

export interface AccountScope {
  accounts: AccountBadge[]
  selected: AccountBadge | null
  defaultId: number
}

/** Parses an account id as given in a query (digits only); anything else is NaN. */
function idOf(raw: string | number): number {
  if (typeof raw === 'number') return raw
  return /^\d{1,10}$/.test(raw.trim()) ? Number(raw.trim()) : NaN
}

/** The user's visible accounts and the chosen one; a chosen id the user does not see → NotFoundError. */
export async function accountScope(userId: number, raw?: string | number | null): Promise<AccountScope> {
  const [all, defaultId] = await Promise.all([visibleAccounts(userId), defaultBrokerAccountId()])
  // The default account while the environment runs the paper exchange (BROKER=paper, or the demo's
  // simulated bridge) is paper, whatever its stored kind says.
  const envPaper = brokerIsPaper()
  const accounts = all.map((a) => ({ id: a.id, name: a.name, paper: a.paper || (a.id === defaultId && envPaper) }))
  if (raw == null || raw === '') return { accounts, selected: null, defaultId }
  const id = idOf(raw)
  const selected = accounts.find((a) => a.id === id) ?? null
  if (!selected) throw new NotFoundError()
  return { accounts, selected, defaultId }
}

/** The account filter for a db list: undefined when none is chosen. */
export function scopeFilter(scope: AccountScope): { id: number; defaultId: number } | undefined {
  return scope.selected ? { id: scope.selected.id, defaultId: scope.defaultId } : undefined
}

/** A row's account badge (NULL = the install default); null when the user no longer sees it. */
export function badgeOf(scope: AccountScope, brokerAccountId: number | null): AccountBadge | null {
  const id = brokerAccountId ?? scope.defaultId
  return scope.accounts.find((a) => a.id === id) ?? null
}

/** The stock form's account select: the usable accounts (and the monitor's current one), paper by the same rule as the badges. */
export async function formAccountOptions(userId: number, currentId: number | null = null) {
  const [options, defaultId] = await Promise.all([accountOptions(userId, currentId), defaultBrokerAccountId()])
  const envPaper = brokerIsPaper()
  return options.map((a) => ({ ...a, paper: a.paper || (a.id === defaultId && envPaper) }))
}
