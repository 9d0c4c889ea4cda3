/**
 * The settings page: what is in force (stored settings over environment defaults), the admin-only
 * writes (each through the stored schemas, audit-logged by putSetting), and the broker connection
 * test, which reports exactly what connect() answered — success only when the bridge said so.
 */
import type { z } from 'zod'
import { createBroker } from '@/lib/broker'
import type { BrokerConfig } from '@/lib/broker/types'
import type { Env } from '@/lib/env'
import { putSetting } from '@/lib/db/settings'
import { settingRows } from '@/lib/db/settings-view'
import type { brokerFormSchema, monitorFormSchema, riskFormSchema } from '@/lib/schemas/settings'
import { ValidationError } from '@/lib/errors'
import { brokerSettingsSchema, knownTokenFor, readStoredBroker, saveBrokerSettings } from './broker-config'
import { loadRuntimeSettings, monitorSettingsSchema, riskSettingsSchema, setKillSwitch, SETTING_KEYS, type KillSwitch } from './runtime-settings'
import { runtimeDefaults } from './web-context'

export interface Actor {
  id: number
  label: string
}

const iso = (d: Date | undefined | null) => d?.toISOString() ?? null

export async function settingsView(e: Env) {
  const [runtime, stored, rows] = await Promise.all([loadRuntimeSettings(runtimeDefaults(e)), readStoredBroker(), settingRows(Object.values(SETTING_KEYS))])
  const meta = (key: string) => {
    const r = rows.get(key)
    return r ? { updatedAt: iso(r.updatedAt), updatedBy: r.updatedBy } : null
  }
  const broker = stored
    ? { source: 'settings' as const, mode: stored.mode, host: stored.host, port: stored.port, accountId: stored.accountId, timeoutMs: stored.timeoutMs, tokenHint: stored.tokenHint }
    : {
        source: 'env' as const,
        mode: e.broker,
        host: e.MINIQMT_HOST,
        port: e.MINIQMT_PORT,
        accountId: e.MINIQMT_ACCOUNT_ID,
        timeoutMs: e.MINIQMT_TIMEOUT_MS,
        tokenHint: e.MINIQMT_TOKEN ? `••••${e.MINIQMT_TOKEN.slice(-4)} (MINIQMT_TOKEN)` : null,
      }
  const r = runtime.risk
  return {
    broker: { ...broker, meta: meta(SETTING_KEYS.broker) },
    monitor: { intervalSeconds: runtime.intervalSeconds, quoteProviders: runtime.quoteProviders, meta: meta(SETTING_KEYS.monitor), env: { quoteUrls: { tencent: e.QUOTE_TENCENT_URL ?? null, sina: e.QUOTE_SINA_URL ?? null, eastmoney: e.QUOTE_EASTMONEY_URL ?? null } } },
    killSwitch: { on: runtime.killSwitch.on === true, reason: runtime.killSwitch.reason ?? null, at: runtime.killSwitch.at ?? null, by: runtime.killSwitch.by ?? null },
    risk: {
      maxExposurePct: r.maxExposurePct,
      maxOrderValue: r.maxOrderValue,
      maxOrdersPerMinute: r.maxOrdersPerMinute,
      maxActiveOrdersPerStock: r.maxActiveOrdersPerStock,
      duplicateWindowSec: r.duplicateWindowSec,
      maxDailyRealizedLoss: r.maxDailyRealizedLoss,
      maxQuoteAgeSec: r.maxQuoteAgeSec,
      meta: meta(SETTING_KEYS.risk),
    },
    clock: { mode: e.MARKET_CLOCK, simUrl: e.SIM_URL ?? null },
  }
}

export type SettingsView = Awaited<ReturnType<typeof settingsView>>

export async function saveRisk(input: z.output<typeof riskFormSchema>, actor: Actor) {
  const value = riskSettingsSchema.parse(input)
  await putSetting(SETTING_KEYS.risk, value, actor)
  return value
}

export async function saveMonitor(input: z.output<typeof monitorFormSchema>, actor: Actor) {
  const value = monitorSettingsSchema.parse(input)
  await putSetting(SETTING_KEYS.monitor, value, actor)
  return value
}

export async function saveBroker(input: z.output<typeof brokerFormSchema>, actor: Actor) {
  await saveBrokerSettings(brokerSettingsSchema.parse(input), actor)
}

export async function switchKill(on: boolean, reason: string | null, actor: Actor): Promise<KillSwitch> {
  return setKillSwitch(on, actor, reason ?? undefined)
}

export interface ConnectionTest {
  success: boolean
  message: string
  mode: 'paper' | 'qmt'
  target: string
  at: string
  durationMs: number
}

/**
 * Connects with the submitted form values, so a configuration can be tested before it is saved. An
 * empty token uses the token already known for that same address; for any other address it must be
 * typed (a stored token is never sent somewhere new).
 */
export async function testBrokerConnection(input: z.output<typeof brokerFormSchema>, e: Env): Promise<ConnectionTest> {
  const started = Date.now()
  let cfg: BrokerConfig
  if (input.mode === 'paper') cfg = { broker: 'paper', stateFile: e.PAPER_STATE_FILE, initialCash: e.PAPER_INITIAL_CASH }
  else {
    const token = input.token || (await knownTokenFor(input.host, input.port, e))
    if (!token) throw new ValidationError({ token: ['broker.tokenRequiredForNewAddress'] })
    cfg = { broker: 'qmt', baseUrl: `http://${input.host}:${input.port}`, token, accountId: input.accountId || undefined, timeoutMs: input.timeoutMs }
  }
  const target = cfg.broker === 'qmt' ? cfg.baseUrl : cfg.stateFile
  let res: { success: boolean; message: string }
  const broker = createBroker(cfg)
  try {
    res = await broker.connect()
  } catch (err) {
    res = { success: false, message: (err as Error).message }
  } finally {
    try {
      broker.disconnect()
    } catch {
      // the connect answer stands
    }
  }
  return { success: res.success === true, message: res.message, mode: input.mode, target, at: new Date().toISOString(), durationMs: Date.now() - started }
}
