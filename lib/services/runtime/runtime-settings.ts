/**
 * Settings the trader changes at run time (kill switch, risk limits, fees, broker, quote providers,
 * interval). Stored in the Setting table and read by the worker every cycle, so a change in the web
 * app takes effect within one cycle; environment variables give the defaults.
 */
import { z } from 'zod'
import { DEFAULT_FEE_RATES, DEFAULT_RISK_LIMITS, type FeeRates, type RiskLimits } from '@/lib/market'
import { getSettings, putSetting } from '@/lib/db/settings'
import type { Tx } from '@/lib/db/tx'

export const SETTING_KEYS = {
  killSwitch: 'trading.killSwitch',
  risk: 'trading.risk',
  fees: 'trading.fees',
  broker: 'broker.config',
  quotes: 'quotes.config',
  monitor: 'monitor.config',
} as const

export const killSwitchSchema = z.object({ on: z.boolean(), reason: z.string().max(200).optional() })
export type KillSwitch = z.infer<typeof killSwitchSchema> & { at?: string; by?: string }

const money = z.coerce.number().min(0).max(1_000_000_000)
/**
 * The stored risk limits. maxExposurePct is stored as a fraction of total assets (0.8 = 80 %); the
 * forms and the API take it typed as a percentage (lib/schemas/settings.ts riskFormSchema converts).
 */
export const riskSettingsSchema = z.object({
  maxExposurePct: z.coerce.number().gt(0, { message: 'ratio.range' }).max(1, { message: 'ratio.range' }),
  maxOrderValue: money.nullable(),
  maxOrdersPerMinute: z.coerce.number().int().min(1).max(600),
  maxActiveOrdersPerStock: z.coerce.number().int().min(1).max(20),
  duplicateWindowSec: z.coerce.number().int().min(0).max(3600),
  maxDailyRealizedLoss: money.nullable(),
  maxQuoteAgeSec: z.coerce.number().int().min(1).max(3600),
})
export type RiskSettings = z.infer<typeof riskSettingsSchema>

export const feeSettingsSchema = z.object({
  commissionRate: z.coerce.number().min(0).max(0.003),
  minCommission: z.coerce.number().min(0).max(100),
  stampDutyRate: z.coerce.number().min(0).max(0.01),
  transferFeeRate: z.coerce.number().min(0).max(0.001),
})

export const monitorSettingsSchema = z.object({
  intervalSeconds: z.coerce.number().int().min(1).max(3600),
  quoteProviders: z.array(z.enum(['tencent', 'sina', 'eastmoney'])).min(1).max(3),
})

export interface RuntimeSettings {
  killSwitch: KillSwitch
  risk: RiskLimits
  fees: FeeRates
  intervalSeconds: number
  quoteProviders: string[]
}

export interface RuntimeDefaults {
  intervalSeconds: number
  quoteProviders: string[]
  maxQuoteAgeSec: number
}

type Reader = Pick<Tx, 'setting'>

/** Reads every runtime setting in one query; pass a transaction to read them inside it. */
export async function loadRuntimeSettings(defaults: RuntimeDefaults, tx?: Reader): Promise<RuntimeSettings> {
  const keys = Object.values(SETTING_KEYS)
  const raw = tx
    ? Object.fromEntries((await tx.setting.findMany({ where: { key: { in: keys } } })).map((r) => [r.key, r.value]))
    : await getSettings(keys)
  const kill = killSwitchSchema.safeParse(raw[SETTING_KEYS.killSwitch])
  const risk = riskSettingsSchema.partial().safeParse(raw[SETTING_KEYS.risk])
  const fees = feeSettingsSchema.partial().safeParse(raw[SETTING_KEYS.fees])
  const mon = monitorSettingsSchema.partial().safeParse(raw[SETTING_KEYS.monitor])
  return {
    killSwitch: kill.success ? (raw[SETTING_KEYS.killSwitch] as KillSwitch) : { on: false },
    risk: { ...DEFAULT_RISK_LIMITS, maxQuoteAgeSec: defaults.maxQuoteAgeSec, ...(risk.success ? stripUndefined(risk.data) : {}) },
    fees: { ...DEFAULT_FEE_RATES, ...(fees.success ? stripUndefined(fees.data) : {}) },
    intervalSeconds: (mon.success && mon.data.intervalSeconds) || defaults.intervalSeconds,
    quoteProviders: (mon.success && mon.data.quoteProviders) || defaults.quoteProviders,
  }
}

/**
 * The kill switch as stored right now, read inside the caller's transaction: the transactions that
 * create or send an order decide on this read, not on the one taken at the start of the tick.
 */
export async function readKillSwitch(tx: Reader): Promise<boolean> {
  const row = await tx.setting.findUnique({ where: { key: SETTING_KEYS.killSwitch } })
  const kill = killSwitchSchema.safeParse(row?.value)
  return kill.success && kill.data.on
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

export async function setKillSwitch(on: boolean, actor: { id: number | null; label: string }, reason?: string): Promise<KillSwitch> {
  const value: KillSwitch = { on, reason, at: new Date().toISOString(), by: actor.label }
  await putSetting(SETTING_KEYS.killSwitch, value, actor)
  return value
}
