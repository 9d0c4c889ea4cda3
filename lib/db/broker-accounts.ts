/**
 * Broker accounts (issue 13): the install's default account (created by the migration) and the
 * account a monitor trades on. The full account management lives beside these queries.
 */
import { getDb } from './client'
import type { Tx } from './tx'

type Db = Tx | ReturnType<typeof getDb>

/** The install's default account id; the migration creates it, so it always exists. */
export async function defaultBrokerAccountId(db: Db = getDb()): Promise<number> {
  const a = await db.brokerAccount.findUnique({ where: { defaultKey: 'default' }, select: { id: true } })
  if (a) return a.id
  // A database migrated before the default existed and then emptied by hand: make it again.
  const made = await db.brokerAccount.upsert({
    where: { defaultKey: 'default' },
    create: { name: 'Default', kind: 'paper', defaultKey: 'default', sharedWithAll: true, source: 'env' },
    update: {},
    select: { id: true },
  })
  return made.id
}

/** The account a monitor trades on: its own, or the default for a row written before accounts. */
export async function accountOfStock(row: { brokerAccountId: number | null }, db: Db = getDb()): Promise<number> {
  return row.brokerAccountId ?? defaultBrokerAccountId(db)
}

export type AccountAccess = 'manage' | 'trade' | 'read'

/**
 * What a user may do with an account: 'manage' (its owner, or any admin), 'trade' (shared with
 * trading, or shared with every user), 'read' (shared read-only), or null (not visible: callers
 * answer 404, never 403, so an account's existence does not leak). A disabled account keeps its
 * access level; callers that trade check `disabledAt` themselves.
 */
export async function accountAccess(userId: number, accountId: number, db: Db = getDb()): Promise<AccountAccess | null> {
  if (!Number.isSafeInteger(accountId) || accountId <= 0) return null
  const [user, account] = await Promise.all([
    db.user.findUnique({ where: { id: userId }, select: { role: true } }),
    db.brokerAccount.findUnique({
      where: { id: accountId },
      select: { ownerId: true, sharedWithAll: true, shares: { where: { userId }, select: { canTrade: true } } },
    }),
  ])
  if (!user || !account) return null
  if (user.role === 'ADMIN' || account.ownerId === userId) return 'manage'
  if (account.sharedWithAll) return 'trade'
  const share = account.shares[0]
  if (!share) return null
  return share.canTrade ? 'trade' : 'read'
}

/** Accounts a user sees: owned, shared with them, or shared with every user (an admin sees all). */
function visibleWhere(userId: number, isAdmin: boolean) {
  return isAdmin ? {} : { OR: [{ ownerId: userId }, { sharedWithAll: true }, { shares: { some: { userId } } }] }
}

const accountInclude = {
  owner: { select: { id: true, email: true } },
  shares: { select: { userId: true, canTrade: true, user: { select: { email: true } } }, orderBy: { userId: 'asc' as const } },
}

export async function listVisibleAccounts(userId: number, isAdmin: boolean, db: Db = getDb()) {
  return db.brokerAccount.findMany({ where: visibleWhere(userId, isAdmin), include: accountInclude, orderBy: { id: 'asc' } })
}

export type BrokerAccountRow = Awaited<ReturnType<typeof listVisibleAccounts>>[number]

export async function getAccountRow(id: number, db: Db = getDb()): Promise<BrokerAccountRow | null> {
  if (!Number.isSafeInteger(id) || id <= 0) return null
  return db.brokerAccount.findUnique({ where: { id }, include: accountInclude })
}

export async function getDefaultAccountRow(db: Db = getDb()): Promise<BrokerAccountRow> {
  const id = await defaultBrokerAccountId(db)
  return (await getAccountRow(id, db))!
}

export interface AccountWrite {
  name?: string
  kind?: string
  simulated?: boolean
  source?: string
  host?: string
  port?: number
  qmtAccountId?: string
  tokenEnc?: string | null
  tokenHint?: string | null
  timeoutMs?: number
  risk?: object | null
  disabledAt?: Date | null
}

/** No limits are stored as {} (a JSON null differs between the two providers' clients). */
const riskValue = (r: object | null | undefined) => (r === undefined ? undefined : (r ?? {}))

export async function createAccountRow(data: AccountWrite & { name: string; kind: string; ownerId: number | null }, db: Db = getDb()) {
  const { risk, ...rest } = data
  const made = await db.brokerAccount.create({ data: { ...rest, risk: riskValue(risk) }, select: { id: true } })
  return (await getAccountRow(made.id, db))!
}

export async function updateAccountRow(id: number, data: AccountWrite, db: Db = getDb()) {
  const { risk, ...rest } = data
  await db.brokerAccount.update({ where: { id }, data: { ...rest, risk: riskValue(risk) } })
  return (await getAccountRow(id, db))!
}

export async function setAccountKillSwitch(id: number, on: boolean, why: string | null, db: Db = getDb()) {
  await db.brokerAccount.update({ where: { id }, data: { killSwitchOn: on, killSwitchAt: new Date(), killSwitchWhy: on ? why : null } })
  return (await getAccountRow(id, db))!
}

export async function upsertAccountShare(accountId: number, userId: number, canTrade: boolean, db: Db = getDb()) {
  return db.brokerAccountShare.upsert({
    where: { accountId_userId: { accountId, userId } },
    create: { accountId, userId, canTrade },
    update: { canTrade },
  })
}

/** Removes a share; returns whether there was one. */
export async function removeAccountShare(accountId: number, userId: number, db: Db = getDb()): Promise<boolean> {
  const r = await db.brokerAccountShare.deleteMany({ where: { accountId, userId } })
  return r.count > 0
}

/** Who last changed an account (from the audit log), for the settings page. */
export async function lastAccountChange(id: number, db: Db = getDb()) {
  return db.auditLog.findFirst({ where: { entity: 'BrokerAccount', entityId: String(id) }, orderBy: { id: 'desc' }, select: { createdAt: true, actor: true } })
}

/** The bridge health the worker records for an account (`bridge:<id>`; the default account also `bridge`). */
export async function accountHealthRows(ids: number[], db: Db = getDb()) {
  return db.serviceHealth.findMany({ where: { name: { in: ['bridge', ...ids.map((id) => `bridge:${id}`)] } } })
}

/** Updates the default account from the environment only while it is still env-defined; returns whether it did. */
export async function updateEnvSourcedAccount(id: number, data: AccountWrite, db: Db = getDb()): Promise<boolean> {
  const { risk, ...rest } = data
  const r = await db.brokerAccount.updateMany({ where: { id, source: 'env' }, data: { ...rest, risk: riskValue(risk) } })
  return r.count === 1
}
