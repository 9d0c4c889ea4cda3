/**
 * Which broker DingPan talks to: the environment gives the default (BROKER / MINIQMT_*), the
 * settings page may override it (stored with the token encrypted). Secrets stay server-side.
 */
import type { WorkerAccountRow } from '@/lib/db/worker-accounts'
import path from 'node:path'
import { z } from 'zod'
import { decryptSecrets, encryptSecrets } from '@/lib/notify/secrets'
import { encryptionKey } from '@/lib/secrets'
import type { Env } from '@/lib/env'
import type { BrokerConfig } from '@/lib/broker/types'
import { getDefaultAccountRow, updateAccountRow } from '@/lib/db/broker-accounts'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { writeAudit } from '@/lib/db/audit'
import { ValidationError } from '@/lib/errors'

export const brokerSettingsSchema = z.object({
  mode: z.enum(['paper', 'qmt'], { message: 'enum.invalid' }),
  host: z.string().trim().max(200, { message: 'text.tooLong' }).default(''),
  port: z.coerce.number({ message: 'int.notNumber' }).int({ message: 'int.notInteger' }).min(1, { message: 'int.range' }).max(65535, { message: 'int.range' }).default(8000),
  accountId: z.string().trim().max(64, { message: 'text.tooLong' }).default(''),
  /** Write-only: empty keeps the stored token. */
  token: z.string().trim().max(256, { message: 'text.tooLong' }).optional(),
  timeoutMs: z.coerce.number().int().min(500).max(120_000).default(8000),
})
export type BrokerSettingsInput = z.input<typeof brokerSettingsSchema>

interface StoredBrokerSettings {
  mode: 'paper' | 'qmt'
  host: string
  port: number
  accountId: string
  timeoutMs: number
  tokenEnc: string | null
  tokenHint: string | null
}

const TOKEN_CONTEXT = 'broker.token'

/**
 * The default broker account's connection once edited on the settings page (source 'settings'),
 * or undefined while the environment defines it (issue 13: the default account replaced the
 * 'broker.config' setting; the migration copied that setting into it, token included).
 */
export async function readStoredBroker(): Promise<StoredBrokerSettings | undefined> {
  const a = await getDefaultAccountRow()
  if (a.source !== 'settings') return undefined
  return { mode: a.kind === 'qmt' ? 'qmt' : 'paper', host: a.host, port: a.port, accountId: a.qmtAccountId, timeoutMs: a.timeoutMs, tokenEnc: a.tokenEnc, tokenHint: a.tokenHint }
}

/** The effective broker configuration of the default account (settings override the environment). */
export async function resolveBrokerConfig(env: Env): Promise<BrokerConfig> {
  const stored = await readStoredBroker()
  if (stored?.mode === 'qmt') {
    const token = (await knownTokenFor(stored.host, stored.port, env)) ?? ''
    return { broker: 'qmt', baseUrl: `http://${stored.host}:${stored.port}`, token, accountId: stored.accountId || undefined, timeoutMs: stored.timeoutMs }
  }
  if (stored?.mode === 'paper' || env.broker === 'paper') {
    return { broker: 'paper', stateFile: env.PAPER_STATE_FILE, initialCash: env.PAPER_INITIAL_CASH }
  }
  return { broker: 'qmt', baseUrl: env.bridgeBaseUrl, token: env.MINIQMT_TOKEN, accountId: env.MINIQMT_ACCOUNT_ID || undefined, timeoutMs: env.MINIQMT_TIMEOUT_MS }
}

/** Encrypts a bridge token for storage (context 'broker.token', as since the first release). */
export function encryptBrokerToken(token: string): { tokenEnc: string; tokenHint: string } {
  return { tokenEnc: encryptSecrets({ token }, encryptionKey(), TOKEN_CONTEXT), tokenHint: `••••${token.slice(-4)}` }
}

/** Decrypts a stored bridge token. Never logged, never sent to the browser. */
export function decryptBrokerToken(tokenEnc: string): string {
  return (decryptSecrets(tokenEnc, encryptionKey(), TOKEN_CONTEXT) as { token: string }).token
}

/**
 * The token an edited connection keeps: a stored token stays with the address it was entered for;
 * a new address needs the token typed again (a QMT connection without one is refused on `token`).
 */
export function nextBrokerToken(prev: { host: string; port: number; tokenEnc: string | null; tokenHint: string | null } | null | undefined, input: { kind: 'paper' | 'qmt'; host: string; port: number; token?: string }): { tokenEnc: string | null; tokenHint: string | null } {
  const sameAddress = !!prev && prev.host === input.host && prev.port === input.port
  if (input.token) return encryptBrokerToken(input.token)
  const kept = { tokenEnc: sameAddress ? (prev?.tokenEnc ?? null) : null, tokenHint: sameAddress ? (prev?.tokenHint ?? null) : null }
  if (input.kind === 'qmt' && !kept.tokenEnc) throw new ValidationError({ token: ['broker.tokenRequiredForNewAddress'] })
  return kept
}

/** What of a broker account row its connection is built from (see lib/db/worker-accounts.ts). */
export type AccountConnectionRow = Pick<WorkerAccountRow, 'id' | 'kind' | 'defaultKey' | 'source' | 'host' | 'port' | 'qmtAccountId' | 'tokenEnc' | 'timeoutMs'>

/**
 * The paper broker's state file of an account: the default account keeps PAPER_STATE_FILE, every
 * other one a sibling file named with its id (each paper account has its own cash and positions).
 */
export function paperStateFileFor(account: Pick<AccountConnectionRow, 'id' | 'defaultKey'>, env: Env): string {
  if (account.defaultKey === 'default') return env.PAPER_STATE_FILE
  const file = env.PAPER_STATE_FILE
  const ext = path.extname(file)
  return path.join(path.dirname(file), `${path.basename(file, ext)}.account-${account.id}${ext || '.json'}`)
}

/**
 * The broker connection of one account (issue 13): a QKA bridge at http://host:port with the
 * account's own token (decrypted here, never logged) and MiniQMT account id, or the in-process
 * paper broker with the account's own state file. The default account while the environment still
 * defines it (source 'env') is exactly what resolveBrokerConfig gives today.
 */
export async function resolveAccountBrokerConfig(account: AccountConnectionRow, env: Env): Promise<BrokerConfig> {
  // While the environment defines the default account it is always what BROKER / MINIQMT_* say now,
  // even when the web app's start-up copied an earlier environment into the row (bootstrapDefaultAccount):
  // a process started with a changed environment never sends to the previous bridge or token.
  if (account.defaultKey === 'default' && account.source === 'env') return resolveBrokerConfig(env)
  if (account.kind === 'qmt') {
    const token = account.tokenEnc ? (decryptSecrets(account.tokenEnc, encryptionKey(), TOKEN_CONTEXT) as { token: string }).token : ''
    return { broker: 'qmt', baseUrl: `http://${account.host}:${account.port}`, token, accountId: account.qmtAccountId || undefined, timeoutMs: account.timeoutMs }
  }
  return { broker: 'paper', stateFile: paperStateFileFor(account, env), initialCash: env.PAPER_INITIAL_CASH }
}

/**
 * The stored bridge token (decrypted), for the settings page's "test connection" when no new token
 * was typed; null when none is stored. Never sent to the browser.
 */
export async function readStoredBrokerToken(): Promise<string | null> {
  const stored = await readStoredBroker()
  return stored?.tokenEnc ? (decryptSecrets(stored.tokenEnc, encryptionKey(), TOKEN_CONTEXT) as { token: string }).token : null
}

/**
 * The token already known for this bridge address — the stored one for the stored address, or the
 * environment's for MINIQMT_HOST:MINIQMT_PORT — and null for any other address: a known token is
 * never sent to an address it was not entered for (it must be typed again).
 */
export async function knownTokenFor(host: string, port: number, env: Env): Promise<string | null> {
  const stored = await readStoredBroker()
  if (stored?.tokenEnc && stored.host === host && stored.port === port) return readStoredBrokerToken()
  if (env.MINIQMT_TOKEN && env.MINIQMT_HOST === host && env.MINIQMT_PORT === port) return env.MINIQMT_TOKEN
  return null
}

/** A stable fingerprint, so the worker rebuilds its broker client only when the config changed. */
export function brokerConfigKey(c: BrokerConfig): string {
  return c.broker === 'qmt' ? `qmt|${c.baseUrl}|${c.accountId ?? ''}|${c.timeoutMs ?? ''}|${c.token.length}:${hashish(c.token)}` : `paper|${c.stateFile}`
}

function hashish(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0
  return h
}

/**
 * Saves the default account's connection from the settings page's broker form (the old
 * 'broker.config' setting): the account's source becomes 'settings' (BROKER / MINIQMT_* no longer
 * overwrite it at start). Audit-logged with the token redacted.
 */
export async function saveBrokerSettings(input: z.output<typeof brokerSettingsSchema>, actor: { id: number | null; label: string }): Promise<void> {
  await writeTx(getDb(), async (tx) => {
    const prev = await getDefaultAccountRow(tx)
    const { tokenEnc, tokenHint } = nextBrokerToken(prev.source === 'settings' || prev.tokenEnc ? prev : null, { kind: input.mode, host: input.host, port: input.port, token: input.token })
    // A new bridge address is not known to be DingPan's paper exchange until tested.
    const simulated = input.mode === 'qmt' && prev.host === input.host && prev.port === input.port ? prev.simulated : false
    const next = await updateAccountRow(prev.id, { kind: input.mode, source: 'settings', host: input.host, port: input.port, qmtAccountId: input.accountId, timeoutMs: input.timeoutMs, tokenEnc, tokenHint, simulated }, tx)
    await writeAudit(tx, { actorId: actor.id, actor: actor.label, action: 'brokerAccount.update', entity: 'BrokerAccount', entityId: prev.id, before: redactAccount(prev), after: redactAccount(next) })
  })
}

/** An account row as the audit log keeps it: the token only as '[encrypted]'. */
export function redactAccount<T extends { tokenEnc: string | null }>(row: T): Omit<T, 'tokenEnc'> & { tokenEnc: string | null } {
  const { tokenEnc, ...rest } = row
  return { ...rest, tokenEnc: tokenEnc ? '[encrypted]' : null }
}
