/**
 * Which broker DingPan talks to: the environment gives the default (BROKER / MINIQMT_*), the
 * settings page may override it (stored with the token encrypted). Secrets stay server-side.
 */
import { z } from 'zod'
import { decryptSecrets, encryptSecrets } from '@/lib/notify/secrets'
import { encryptionKey } from '@/lib/secrets'
import type { Env } from '@/lib/env'
import type { BrokerConfig } from '@/lib/broker/types'
import { getSetting, putSetting } from '@/lib/db/settings'
import { ValidationError } from '@/lib/errors'
import { SETTING_KEYS } from './runtime-settings'

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

export async function readStoredBroker(): Promise<StoredBrokerSettings | undefined> {
  return getSetting<StoredBrokerSettings>(SETTING_KEYS.broker)
}

/** The effective broker configuration (settings override the environment). */
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

export async function saveBrokerSettings(input: z.output<typeof brokerSettingsSchema>, actor: { id: number | null; label: string }): Promise<void> {
  const prev = await readStoredBroker()
  // A stored token stays with the address it was entered for: a new address needs the token again.
  const sameAddress = prev && prev.host === input.host && prev.port === input.port
  let tokenEnc = sameAddress ? (prev?.tokenEnc ?? null) : null
  let tokenHint = sameAddress ? (prev?.tokenHint ?? null) : null
  if (input.mode === 'qmt' && !input.token && !tokenEnc) throw new ValidationError({ token: ['broker.tokenRequiredForNewAddress'] })
  if (input.token) {
    tokenEnc = encryptSecrets({ token: input.token }, encryptionKey(), TOKEN_CONTEXT)
    tokenHint = `••••${input.token.slice(-4)}`
  }
  const value: StoredBrokerSettings = { mode: input.mode, host: input.host, port: input.port, accountId: input.accountId, timeoutMs: input.timeoutMs, tokenEnc, tokenHint }
  const redacted = (v: StoredBrokerSettings | undefined) => (v ? { ...v, tokenEnc: v.tokenEnc ? '[encrypted]' : null } : null)
  await putSetting(SETTING_KEYS.broker, value, actor, { before: redacted(prev), after: redacted(value) })
}
