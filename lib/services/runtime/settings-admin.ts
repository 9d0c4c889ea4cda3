/**
 * The settings page: what is in force (stored settings over environment defaults), the admin-only
 * writes (each through the stored schemas, audit-logged by putSetting), and the broker connection
 * test, which reports exactly what connect() answered — success only when the bridge said so.
 */
import type { z } from 'zod'
import { createBroker } from '@/lib/broker'
import type { BrokerConfig } from '@/lib/broker/types'
import { env, type Env } from '@/lib/env'
import { putSetting } from '@/lib/db/settings'
import { settingRows } from '@/lib/db/settings-view'
import type { brokerFormSchema, monitorFormSchema, riskFormSchema } from '@/lib/schemas/settings'
import { ValidationError } from '@/lib/errors'
import { brokerSettingsSchema, knownTokenFor, readStoredBroker, resolveBrokerConfig, saveBrokerSettings } from './broker-config'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { listOrdersAtBridge } from '@/lib/db/broker-switch'
import { markChangedOrdersUnknown, refuseUnconfirmedChange } from './connection-change'
import { defaultBrokerAccountId, getDefaultAccountRow, lastAccountChange } from '@/lib/db/broker-accounts'
import type { Locale } from '@/lib/i18n/config'
import { loadRuntimeSettings, monitorSettingsSchema, riskSettingsSchema, setKillSwitch, SETTING_KEYS, type KillSwitch } from './runtime-settings'
import { runtimeDefaults } from './web-context'

export interface Actor {
  id: number
  label: string
}

const iso = (d: Date | undefined | null) => d?.toISOString() ?? null

export async function settingsView(e: Env) {
  const [runtime, stored, rows, defaultRow] = await Promise.all([loadRuntimeSettings(runtimeDefaults(e)), readStoredBroker(), settingRows(Object.values(SETTING_KEYS)), getDefaultAccountRow()])
  const defaultId = defaultRow.id
  const brokerChange = stored ? await lastAccountChange(defaultId) : null
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
    // The default broker account (issue 13); its last change from the audit log.
    // Paper: the in-process paper broker, or a bridge known to be DingPan's paper exchange.
    broker: { ...broker, brokerAccountId: defaultId, paper: broker.mode === 'paper' || defaultRow.simulated, meta: stored ? { updatedAt: iso(brokerChange?.createdAt), updatedBy: brokerChange?.actor ?? null } : null },
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

/** Which bridge and account orders go to (the timeout is not part of it). */
function connectionOf(c: BrokerConfig): string {
  return c.broker === 'qmt' ? `qmt|${c.baseUrl}|${c.accountId ?? ''}|${c.token}` : `paper|${c.stateFile ?? ''}`
}

/**
 * Saves the broker settings. A change of the bridge, account or token while DingPan orders are at
 * the bridge in force is refused (field `confirmWorkingOrders`, naming them) unless the trader
 * confirms; then those orders become UNKNOWN — the worker keeps reconciling them, nothing fails
 * them for the change — each trader is told, and the change is audit-logged with the orders.
 */
export async function saveBroker(input: z.output<typeof brokerFormSchema>, actor: Actor, e: Env = env(), locale: Locale = 'zh') {
  const next = brokerSettingsSchema.parse(input)
  const before = connectionOf(await resolveBrokerConfig(e))
  const token = next.mode === 'qmt' ? (next.token || ((await knownTokenFor(next.host, next.port, e)) ?? '')) : ''
  const after = next.mode === 'qmt' ? `qmt|http://${next.host}:${next.port}|${next.accountId}|${token}` : `paper|${e.PAPER_STATE_FILE ?? ''}`
  const orders = before === after ? [] : await listOrdersAtBridge(getDb(), { id: await defaultBrokerAccountId(), isDefault: true })
  refuseUnconfirmedChange(orders, input.confirmWorkingOrders, locale)
  await saveBrokerSettings(next, actor)
  if (orders.length === 0) return
  const note = 'broker settings changed while the order was at the bridge: state unknown, still reconciled'
  await writeTx(getDb(), (tx) => markChangedOrdersUnknown(tx, orders, note, { actorId: actor.id, actor: actor.label, action: 'settings.broker.ordersUnknown' }))
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
