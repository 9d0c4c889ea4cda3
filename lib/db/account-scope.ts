/**
 * The broker accounts a user sees and uses (issue 13), for the stock form's account select and the
 * views' account filter. Access levels follow accountAccess (lib/db/broker-accounts.ts): owner or
 * admin 'manage', shared with every user or a trading share 'trade', a read-only share 'read'.
 */
import { getDb } from './client'
import type { Tx } from './tx'
import { accountAccess, defaultBrokerAccountId, type AccountAccess } from './broker-accounts'

type Db = Tx | ReturnType<typeof getDb>

export interface VisibleAccount {
  id: number
  name: string
  kind: string
  /** Paper when the account is the in-process paper broker or a bridge known to simulate. */
  paper: boolean
  access: AccountAccess
  disabled: boolean
}

/** Paper (模拟) or live (实盘): kind 'paper', or a bridge flagged as a simulator. */
export function isPaperAccount(a: { kind: string; simulated: boolean }): boolean {
  return a.kind === 'paper' || a.simulated
}

/** Every account the user can see, by id, with the user's access level. */
export async function visibleAccounts(userId: number, db: Db = getDb()): Promise<VisibleAccount[]> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { role: true } })
  if (!user) return []
  const admin = user.role === 'ADMIN'
  const rows = await db.brokerAccount.findMany({
    where: admin ? {} : { OR: [{ ownerId: userId }, { sharedWithAll: true }, { shares: { some: { userId } } }] },
    select: { id: true, name: true, kind: true, simulated: true, ownerId: true, sharedWithAll: true, disabledAt: true, shares: { where: { userId }, select: { canTrade: true } } },
    orderBy: { id: 'asc' },
  })
  return rows.map((a) => ({
    id: a.id,
    name: a.name,
    kind: a.kind,
    paper: isPaperAccount(a),
    access: admin || a.ownerId === userId ? 'manage' : a.sharedWithAll || a.shares[0]?.canTrade ? 'trade' : 'read',
    disabled: a.disabledAt !== null,
  }))
}

/** The accounts a monitor may be put on: visible and not disabled. */
export async function usableAccounts(userId: number, db: Db = getDb()): Promise<VisibleAccount[]> {
  return (await visibleAccounts(userId, db)).filter((a) => !a.disabled)
}

/**
 * The user's default account: the first account they own (by id, not disabled), else the install's
 * default account.
 */
export async function defaultAccountForUser(userId: number, db: Db = getDb()): Promise<number> {
  const own = await db.brokerAccount.findFirst({ where: { ownerId: userId, disabledAt: null }, orderBy: { id: 'asc' }, select: { id: true } })
  return own?.id ?? defaultBrokerAccountId(db)
}

/** The user's access to an account for a monitor: null when not visible or disabled. */
export async function monitorAccountAccess(userId: number, accountId: number, db: Db = getDb()): Promise<AccountAccess | null> {
  const access = await accountAccess(userId, accountId, db)
  if (!access) return null
  const a = await db.brokerAccount.findUnique({ where: { id: accountId }, select: { disabledAt: true } })
  return a && a.disabledAt === null ? access : null
}

/**
 * The stock form's account select: the usable accounts (and the monitor's current one, even when it
 * can no longer be chosen), paper or live, read-only marked.
 */
export async function accountOptions(userId: number, currentId: number | null = null): Promise<Array<{ id: number; name: string; paper: boolean; readOnly: boolean }>> {
  const all = await visibleAccounts(userId)
  return all.filter((a) => !a.disabled || a.id === currentId).map((a) => ({ id: a.id, name: a.name, paper: a.paper, readOnly: a.access === 'read' }))
}

/**
 * The rows (orders, notifications, monitors) of one account for a list filter; rows written before
 * accounts existed (NULL) belong to the install's default account. No account: no condition.
 */
export function accountRowsWhere(account: { id: number; defaultId: number } | undefined): { brokerAccountId?: number; OR?: Array<{ brokerAccountId: number | null }> } {
  if (!account) return {}
  return account.id === account.defaultId ? { OR: [{ brokerAccountId: account.id }, { brokerAccountId: null }] } : { brokerAccountId: account.id }
}
