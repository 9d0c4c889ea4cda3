/**
 * Broker accounts as the worker sees them (issue 13): every account with its connection and its
 * trading switches, the users an account's system events go to, and whether an account may trade
 * now. The account management (create, edit, share) lives in broker-accounts.ts.
 */
import { getDb } from './client'
import { accountAccess, defaultBrokerAccountId } from './broker-accounts'
import type { Tx } from './tx'

type Db = Tx | ReturnType<typeof getDb>

export interface WorkerAccountRow {
  id: number
  name: string
  kind: string
  defaultKey: string | null
  source: string
  host: string
  port: number
  qmtAccountId: string
  tokenEnc: string | null
  timeoutMs: number
  killSwitchOn: boolean
  disabledAt: Date | null
  sharedWithAll: boolean
  ownerId: number | null
}

const SELECT = {
  id: true,
  name: true,
  kind: true,
  defaultKey: true,
  source: true,
  host: true,
  port: true,
  qmtAccountId: true,
  tokenEnc: true,
  timeoutMs: true,
  killSwitchOn: true,
  disabledAt: true,
  sharedWithAll: true,
  ownerId: true,
} as const

/** Every account (the default one first, made if missing), disabled ones included: their open orders are still tracked. */
export async function listWorkerAccounts(db: Db = getDb()): Promise<WorkerAccountRow[]> {
  await defaultBrokerAccountId(db)
  const rows = await db.brokerAccount.findMany({ select: SELECT, orderBy: { id: 'asc' } })
  return rows.sort((a, b) => Number(b.defaultKey === 'default') - Number(a.defaultKey === 'default') || a.id - b.id)
}

export async function getWorkerAccount(id: number, db: Db = getDb()): Promise<WorkerAccountRow | null> {
  return db.brokerAccount.findUnique({ where: { id }, select: SELECT })
}

/** The users an account's system events (bridge down / back) go to: its owner, the users it is shared with, or everyone when shared with all. */
export async function accountRecipients(tx: Db, accountId: number): Promise<Array<{ id: number; locale: string }>> {
  const a = await tx.brokerAccount.findUnique({ where: { id: accountId }, select: { ownerId: true, sharedWithAll: true, shares: { select: { userId: true } } } })
  if (!a) return []
  if (a.sharedWithAll) return tx.user.findMany({ select: { id: true, locale: true }, orderBy: { id: 'asc' } })
  const ids = [...new Set([...(a.ownerId != null ? [a.ownerId] : []), ...a.shares.map((s) => s.userId)])]
  if (ids.length === 0) return []
  return tx.user.findMany({ where: { id: { in: ids } }, select: { id: true, locale: true }, orderBy: { id: 'asc' } })
}

/**
 * Whether an account refuses new orders now: disabled, or its own kill switch on (the global kill
 * switch is read beside it); and, given the monitor's user, when that user may no longer trade on it
 * (the share removed or made read-only after the monitor was saved: access is checked on save, and
 * again here, before every order). A row written before accounts (null) trades on the default account.
 */
export async function accountTradingHalted(tx: Db, brokerAccountId: number | null, userId?: number): Promise<boolean> {
  const id = brokerAccountId ?? (await defaultBrokerAccountId(tx))
  const a = await tx.brokerAccount.findUnique({ where: { id }, select: { killSwitchOn: true, disabledAt: true } })
  if (!a || a.killSwitchOn || a.disabledAt != null) return true
  if (userId === undefined) return false
  const access = await accountAccess(userId, id, tx)
  return access !== 'manage' && access !== 'trade'
}
