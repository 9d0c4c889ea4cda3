/**
 * Broker accounts as managed objects (issue 13): list, read, create, edit, disable, share, kill
 * switch and connection test, with the access rules in one place:
 *
 * - a user sees and uses only the accounts they own, that are shared with them, or that are shared
 *   with every user (the default account an upgrade creates);
 * - a read-only share can be looked at, never traded on (never chosen for an auto-trading monitor);
 * - the owner and any admin manage an account (edit, test, disable, share, kill switch off);
 * - an account a user may not see answers 404 (never 403: its existence does not leak).
 *
 * The bridge token is write-only: encrypted at rest (context 'broker.token', like the settings of
 * the first release, whose token the migration copied into the default account), shown as a hint
 * ('••••1234'), never returned, never logged, and never sent to an address it was not entered for.
 * Every change is audit-logged with the token redacted.
 */
import type { z } from 'zod'
import { createBroker, probeSimulatedBridge, type BrokerConfig } from '@/lib/broker'
import type { Env } from '@/lib/env'
import {
  accountAccess,
  accountHealthRows,
  createAccountRow,
  getAccountRow,
  getDefaultAccountRow,
  lastAccountChange,
  listVisibleAccounts,
  removeAccountShare,
  setAccountKillSwitch,
  updateAccountRow,
  updateEnvSourcedAccount,
  upsertAccountShare,
  type AccountAccess,
  type AccountWrite,
  type BrokerAccountRow,
} from '@/lib/db/broker-accounts'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { writeAudit } from '@/lib/db/audit'
import { findUserByEmail } from '@/lib/db/users'
import { listOrdersAtBridge } from '@/lib/db/broker-switch'
import { markChangedOrdersUnknown, refuseUnconfirmedChange } from './connection-change'
import { ForbiddenError, NotFoundError, ValidationError } from '@/lib/errors'
import type { Locale } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'
import type { accountRiskSchema, accountShareSchema, BrokerAccountForm } from '@/lib/schemas/broker-accounts'
import { decryptBrokerToken, encryptBrokerToken, nextBrokerToken, redactAccount, resolveAccountBrokerConfig } from './broker-config'

export interface AccountUser {
  id: number
  role: 'ADMIN' | 'USER'
  email?: string
}

const actorOf = (u: AccountUser) => ({ actorId: u.id, actor: u.email ?? `user:${u.id}` })

// The form schemas live in lib/schemas/broker-accounts.ts (the settings page validates with them too).
export { accountEnableSchema, accountKillSchema, accountRiskSchema, accountShareSchema, accountUnshareSchema, brokerAccountFormSchema, type BrokerAccountForm } from '@/lib/schemas/broker-accounts'

// ---- views ---------------------------------------------------------------------------------------

export interface AccountRisk {
  maxOrdersPerMinute: number | null
  maxOrderValue: number | null
}

function riskOf(v: unknown): AccountRisk {
  const r = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null)
  return { maxOrdersPerMinute: num(r.maxOrdersPerMinute), maxOrderValue: num(r.maxOrderValue) }
}

/** Paper when the account is the in-process paper broker or its bridge is DingPan's paper exchange. */
export function accountIsPaper(a: { kind: string; simulated: boolean }): boolean {
  return a.kind !== 'qmt' || a.simulated
}

type HealthRow = { name: string; status: string; lastOkAt: Date | null; lastErrorAt: Date | null; lastError: string | null }

/** What a user sees of an account. Never the token, only its hint; shares only for those who manage it. */
export function accountView(a: BrokerAccountRow, access: AccountAccess, health: HealthRow | null) {
  const manage = access === 'manage'
  return {
    id: a.id,
    name: a.name,
    kind: a.kind === 'qmt' ? ('qmt' as const) : ('paper' as const),
    simulated: a.simulated,
    paper: accountIsPaper(a),
    isDefault: a.defaultKey === 'default',
    source: a.source === 'env' ? ('env' as const) : ('settings' as const),
    owner: a.owner ? { id: a.owner.id, email: a.owner.email } : null,
    sharedWithAll: a.sharedWithAll,
    access,
    canTrade: access !== 'read' && a.disabledAt == null,
    host: a.host,
    port: a.port,
    qmtAccountId: a.qmtAccountId,
    tokenHint: manage ? a.tokenHint : null,
    hasToken: a.tokenEnc != null,
    timeoutMs: a.timeoutMs,
    risk: riskOf(a.risk),
    killSwitch: { on: a.killSwitchOn, at: a.killSwitchAt?.toISOString() ?? null, reason: a.killSwitchWhy },
    disabled: a.disabledAt != null,
    disabledAt: a.disabledAt?.toISOString() ?? null,
    health: health ? { status: health.status, lastOkAt: health.lastOkAt?.toISOString() ?? null, lastErrorAt: health.lastErrorAt?.toISOString() ?? null, lastError: health.lastError } : null,
    shares: manage ? a.shares.map((s) => ({ userId: s.userId, email: s.user.email, canTrade: s.canTrade })) : [],
    updatedAt: a.updatedAt.toISOString(),
  }
}
export type BrokerAccountView = ReturnType<typeof accountView>

function healthFor(a: BrokerAccountRow, rows: HealthRow[]): HealthRow | null {
  return rows.find((r) => r.name === `bridge:${a.id}`) ?? (a.defaultKey === 'default' ? (rows.find((r) => r.name === 'bridge') ?? null) : null)
}

// ---- access --------------------------------------------------------------------------------------

/** The account and the user's access to it; 404 when the user may not see it. */
async function visible(user: AccountUser, id: number): Promise<{ row: BrokerAccountRow; access: AccountAccess }> {
  const access = await accountAccess(user.id, id)
  const row = access ? await getAccountRow(id) : null
  if (!access || !row) throw new NotFoundError()
  return { row, access }
}

async function managed(user: AccountUser, id: number): Promise<BrokerAccountRow> {
  const { row, access } = await visible(user, id)
  if (access !== 'manage') throw new ForbiddenError()
  return row
}

/** Whether a user may trade (run auto-trading monitors) on an account now: visible with trading, and enabled. */
export async function canTradeOn(userId: number, accountId: number): Promise<boolean> {
  const access = await accountAccess(userId, accountId)
  if (access !== 'manage' && access !== 'trade') return false
  const row = await getAccountRow(accountId)
  return !!row && row.disabledAt == null
}

// ---- reads ---------------------------------------------------------------------------------------

export async function listAccounts(user: AccountUser): Promise<BrokerAccountView[]> {
  const rows = await listVisibleAccounts(user.id, user.role === 'ADMIN')
  const health = await accountHealthRows(rows.map((r) => r.id))
  const out: BrokerAccountView[] = []
  for (const r of rows) {
    const access = await accountAccess(user.id, r.id)
    if (access) out.push(accountView(r, access, healthFor(r, health)))
  }
  // The default account first, then by id.
  return out.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.id - b.id)
}

export async function getAccount(user: AccountUser, id: number): Promise<BrokerAccountView & { lastChange: { at: string; by: string } | null }> {
  const { row, access } = await visible(user, id)
  const [health, change] = await Promise.all([accountHealthRows([row.id]), lastAccountChange(row.id)])
  return { ...accountView(row, access, healthFor(row, health)), lastChange: change ? { at: change.createdAt.toISOString(), by: change.actor } : null }
}

async function viewOf(user: AccountUser, id: number) {
  return getAccount(user, id)
}

// ---- writes --------------------------------------------------------------------------------------

function riskJson(r: z.output<typeof accountRiskSchema>): object {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null))
}

/** Any signed-in user may add an account of their own (not shared until they or an admin share it). */
export async function createAccount(user: AccountUser, input: BrokerAccountForm) {
  const { tokenEnc, tokenHint } = nextBrokerToken(null, { kind: input.kind, host: input.host, port: input.port, token: input.token })
  const id = await writeTx(getDb(), async (tx) => {
    const row = await createAccountRow(
      {
        name: input.name,
        kind: input.kind,
        ownerId: user.id,
        source: 'settings',
        host: input.kind === 'qmt' ? input.host : '',
        port: input.port,
        qmtAccountId: input.kind === 'qmt' ? input.qmtAccountId : '',
        tokenEnc: input.kind === 'qmt' ? tokenEnc : null,
        tokenHint: input.kind === 'qmt' ? tokenHint : null,
        timeoutMs: input.timeoutMs,
        risk: riskJson(input.risk),
      },
      tx,
    )
    await writeAudit(tx, { ...actorOf(user), action: 'brokerAccount.create', entity: 'BrokerAccount', entityId: row.id, after: redactAccount(row) })
    return row.id
  })
  return viewOf(user, id)
}

/** Where the account's orders go: the bridge, its MiniQMT account and its token (the timeout is not part of it). */
function connectionKey(c: BrokerConfig): string {
  return c.broker === 'qmt' ? `qmt|${c.baseUrl}|${c.accountId ?? ''}|${c.token}` : `paper|${c.stateFile ?? ''}`
}

/**
 * Edits an account (owner or admin). The token stays with the address it was entered for; a new
 * address needs it again. A change of the bridge, the MiniQMT account or the token while THIS
 * account's DingPan orders are at its bridge is refused (field `confirmWorkingOrders`, naming them)
 * unless confirmed; then those orders become UNKNOWN (still reconciled), each trader is told, and
 * the change is audit-logged with the orders. Other accounts' orders are never touched.
 */
export async function updateAccount(user: AccountUser, id: number, input: BrokerAccountForm, e: Env, locale: Locale = 'zh') {
  const prev = await managed(user, id)
  const isDefault = prev.defaultKey === 'default'
  const token = nextBrokerToken(prev, { kind: input.kind, host: input.host, port: input.port, token: input.token })
  const data: AccountWrite = {
    name: input.name,
    kind: input.kind,
    source: 'settings',
    host: input.kind === 'qmt' ? input.host : prev.host,
    port: input.kind === 'qmt' ? input.port : prev.port,
    qmtAccountId: input.kind === 'qmt' ? input.qmtAccountId : prev.qmtAccountId,
    tokenEnc: input.kind === 'qmt' ? token.tokenEnc : prev.tokenEnc,
    tokenHint: input.kind === 'qmt' ? token.tokenHint : prev.tokenHint,
    timeoutMs: input.timeoutMs,
    risk: riskJson(input.risk),
  }
  // A new bridge address is not known to be the paper exchange until tested.
  if (input.kind === 'qmt' && (prev.host !== input.host || prev.port !== input.port)) data.simulated = false
  const before = connectionKey(await resolveAccountBrokerConfig(prev, e))
  const after = connectionKey(await resolveAccountBrokerConfig({ ...prev, ...data, kind: input.kind, source: 'settings', host: data.host!, port: data.port!, qmtAccountId: data.qmtAccountId!, tokenEnc: data.tokenEnc ?? null, timeoutMs: input.timeoutMs }, e))
  const orders = before === after ? [] : await listOrdersAtBridge(getDb(), { id, isDefault })
  refuseUnconfirmedChange(orders, input.confirmWorkingOrders, locale)
  await writeTx(getDb(), async (tx) => {
    const next = await updateAccountRow(id, data, tx)
    await writeAudit(tx, { ...actorOf(user), action: 'brokerAccount.update', entity: 'BrokerAccount', entityId: id, before: redactAccount(prev), after: redactAccount(next) })
    const note = 'broker account connection changed while the order was at the bridge: state unknown, still reconciled'
    await markChangedOrdersUnknown(tx, orders, note, { ...actorOf(user), action: 'brokerAccount.ordersUnknown', entityId: id })
  })
  return viewOf(user, id)
}

/** Disables (no new orders; open ones still tracked) or enables an account: owner or admin. */
export async function setAccountDisabled(user: AccountUser, id: number, disabled: boolean) {
  const prev = await managed(user, id)
  if (disabled === (prev.disabledAt != null)) return viewOf(user, id)
  await writeTx(getDb(), async (tx) => {
    await updateAccountRow(id, { disabledAt: disabled ? new Date() : null }, tx)
    await writeAudit(tx, { ...actorOf(user), action: disabled ? 'brokerAccount.disable' : 'brokerAccount.enable', entity: 'BrokerAccount', entityId: id, before: { disabledAt: prev.disabledAt }, after: { disabled } })
  })
  return viewOf(user, id)
}

/**
 * The account's own kill switch (the global one stays above it): anyone who may trade on the
 * account may turn it on; only its owner or an admin turns it off.
 */
export async function switchAccountKill(user: AccountUser, id: number, on: boolean, reason: string | null) {
  const { row, access } = await visible(user, id)
  if (access === 'read' || (!on && access !== 'manage')) throw new ForbiddenError()
  await writeTx(getDb(), async (tx) => {
    await setAccountKillSwitch(id, on, reason, tx)
    await writeAudit(tx, { ...actorOf(user), action: 'brokerAccount.killSwitch', entity: 'BrokerAccount', entityId: id, before: { on: row.killSwitchOn, reason: row.killSwitchWhy }, after: { on, reason: on ? reason : null } })
  })
  return viewOf(user, id)
}

/** Shares an account with a user (by email), read-only or with trading: owner or admin. */
export async function shareAccount(user: AccountUser, id: number, input: z.output<typeof accountShareSchema>, locale: Locale = 'zh') {
  const row = await managed(user, id)
  const target = await findUserByEmail(input.email)
  const t = translator(locale)
  if (!target) throw new ValidationError({ email: [t('brokerAccounts.errors.userNotFound' as never)] }, 'validation.failed', true)
  if (target.id === row.ownerId) throw new ValidationError({ email: [t('brokerAccounts.errors.shareOwner' as never)] }, 'validation.failed', true)
  await writeTx(getDb(), async (tx) => {
    await upsertAccountShare(id, target.id, input.canTrade, tx)
    await writeAudit(tx, { ...actorOf(user), action: 'brokerAccount.share', entity: 'BrokerAccount', entityId: id, after: { userId: target.id, email: target.email, canTrade: input.canTrade } })
  })
  return viewOf(user, id)
}

export async function unshareAccount(user: AccountUser, id: number, email: string, locale: Locale = 'zh') {
  await managed(user, id)
  const target = await findUserByEmail(email)
  const removed = target
    ? await writeTx(getDb(), async (tx) => {
        const had = await removeAccountShare(id, target.id, tx)
        if (had) await writeAudit(tx, { ...actorOf(user), action: 'brokerAccount.unshare', entity: 'BrokerAccount', entityId: id, before: { userId: target.id, email: target.email } })
        return had
      })
    : false
  if (!removed) throw new ValidationError({ email: [translator(locale)('brokerAccounts.errors.notShared' as never)] }, 'validation.failed', true)
  return viewOf(user, id)
}

// ---- connection test -----------------------------------------------------------------------------

export interface AccountConnectionTest {
  success: boolean
  message: string
  kind: 'paper' | 'qmt'
  target: string
  /** true: the bridge is DingPan's paper exchange; false: a real bridge; null: not known (no answer, or paper kind). */
  simulated: boolean | null
  account: { accountId: string | null; totalAsset: number; cash: number } | null
  at: string
  durationMs: number
}

/**
 * Connects to an account's bridge and reads the account (owner or admin). With form values, tests
 * those before they are saved (an empty token uses the stored one only for the stored address);
 * without, tests the stored connection and records whether the bridge is the paper exchange.
 */
export async function testAccountConnection(user: AccountUser, id: number, input: BrokerAccountForm | null, e: Env): Promise<AccountConnectionTest> {
  const row = await managed(user, id)
  const started = Date.now()
  let cfg: BrokerConfig
  if (input) {
    if (input.kind === 'qmt') {
      const token = input.token || (row.tokenEnc && row.host === input.host && row.port === input.port ? decryptBrokerToken(row.tokenEnc) : null)
      if (!token) throw new ValidationError({ token: ['broker.tokenRequiredForNewAddress'] })
      cfg = { broker: 'qmt', baseUrl: `http://${input.host}:${input.port}`, token, accountId: input.qmtAccountId || undefined, timeoutMs: input.timeoutMs }
    } else cfg = await resolveAccountBrokerConfig({ ...row, kind: 'paper', source: 'settings' }, e)
  } else cfg = await resolveAccountBrokerConfig(row, e)
  const target = cfg.broker === 'qmt' ? cfg.baseUrl : cfg.stateFile
  let res: { success: boolean; message: string }
  let account: AccountConnectionTest['account'] = null
  const broker = createBroker(cfg)
  try {
    res = await broker.connect()
    if (res.success === true) {
      try {
        const a = await broker.getAccountInfo()
        account = { accountId: a.accountId, totalAsset: a.totalAsset, cash: a.cash }
      } catch (err) {
        res = { success: false, message: `${res.message}; ${(err as Error).message}` }
      }
    }
  } catch (err) {
    res = { success: false, message: (err as Error).message }
  } finally {
    try {
      broker.disconnect()
    } catch {
      // the connect answer stands
    }
  }
  const simulated = cfg.broker === 'qmt' ? await probeSimulatedBridge(cfg.baseUrl, Math.min(cfg.timeoutMs ?? 3000, 3000)) : null
  // Record what the stored bridge is (a tested form not yet saved changes nothing).
  const storedCfg = await resolveAccountBrokerConfig(row, e)
  if (simulated !== null && storedCfg.broker === 'qmt' && cfg.broker === 'qmt' && storedCfg.baseUrl === cfg.baseUrl && simulated !== row.simulated) {
    await writeTx(getDb(), async (tx) => {
      await updateAccountRow(id, { simulated }, tx)
      await writeAudit(tx, { ...actorOf(user), action: 'brokerAccount.simulated', entity: 'BrokerAccount', entityId: id, before: { simulated: row.simulated }, after: { simulated } })
    })
  }
  return { success: res.success === true, message: res.message, kind: cfg.broker === 'qmt' ? 'qmt' : 'paper', target, simulated, account, at: new Date().toISOString(), durationMs: Date.now() - started }
}

// ---- start-up ------------------------------------------------------------------------------------

/**
 * At start: while the environment defines the default account (source 'env'), BROKER / MINIQMT_*
 * update it (kind, bridge, MiniQMT account, token encrypted, timeout), and a bridge that is DingPan's
 * paper exchange marks it simulated. An account edited on the settings page (source 'settings') is
 * never overwritten. Returns what it did.
 */
export async function bootstrapDefaultAccount(e: Env, opts: { probe?: boolean } = {}): Promise<'updated' | 'unchanged' | 'settings'> {
  const row = await getDefaultAccountRow()
  if (row.source !== 'env') return 'settings'
  const data: AccountWrite = { kind: e.broker, timeoutMs: e.MINIQMT_TIMEOUT_MS }
  if (e.broker === 'qmt') {
    data.host = e.MINIQMT_HOST
    data.port = e.MINIQMT_PORT
    data.qmtAccountId = e.MINIQMT_ACCOUNT_ID
    const same = row.tokenEnc && row.host === e.MINIQMT_HOST && row.port === e.MINIQMT_PORT && safeDecrypt(row.tokenEnc) === e.MINIQMT_TOKEN
    if (!same) Object.assign(data, e.MINIQMT_TOKEN ? encryptBrokerToken(e.MINIQMT_TOKEN) : { tokenEnc: null, tokenHint: null })
    if (opts.probe !== false) {
      const simulated = await probeSimulatedBridge(e.bridgeBaseUrl, 3000)
      if (simulated !== null) data.simulated = simulated
    }
  } else data.simulated = false
  const changed = Object.entries(data).filter(([k, v]) => (row as unknown as Record<string, unknown>)[k] !== v)
  if (changed.length === 0) return 'unchanged'
  await writeTx(getDb(), async (tx) => {
    // Guarded: an edit on the settings page in the meantime wins.
    if (!(await updateEnvSourcedAccount(row.id, data, tx))) return
    const next = await getAccountRow(row.id, tx)
    await writeAudit(tx, { actor: 'system:env', action: 'brokerAccount.bootstrap', entity: 'BrokerAccount', entityId: row.id, before: redactAccount(row), after: next ? redactAccount(next) : null })
  })
  return 'updated'
}

function safeDecrypt(enc: string): string | null {
  try {
    return decryptBrokerToken(enc)
  } catch {
    return null
  }
}
