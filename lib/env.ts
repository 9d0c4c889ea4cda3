/**
 * Every environment variable DingPan reads, parsed and validated once. A bad value fails fast
 * with a message naming the variable. Documented with defaults in .env.example.
 */
import { z } from 'zod'

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? def : ['true', '1', 'yes'].includes(v)))

const int = (def: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).optional().default(def)

const url = z.string().url()

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).optional().default('development'),
  DATABASE_URL: z
    .string()
    .optional()
    .default('file:./data/dingpan.db')
    .refine((v) => /^(file:|postgres(ql)?:\/\/)/.test(v), 'must start with file: (SQLite) or postgresql:// (PostgreSQL)'),
  NEXTAUTH_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  NEXTAUTH_URL: url.optional(),
  DINGPAN_ENCRYPTION_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional().default('info'),

  // Broker: the in-process paper exchange (default) or the QKA bridge in front of MiniQMT.
  BROKER: z.enum(['paper', 'qmt']).optional(),
  MINIQMT_ENABLED: bool(false),
  MINIQMT_ACCOUNT_ID: z.string().optional().default(''),
  MINIQMT_HOST: z.string().optional().default('127.0.0.1'),
  MINIQMT_PORT: int(8000, 1, 65535),
  MINIQMT_TOKEN: z.string().optional().default(''),
  MINIQMT_TIMEOUT_MS: int(8000, 100, 120_000),
  PAPER_STATE_FILE: z.string().optional().default('./data/paper-account.json'),
  PAPER_INITIAL_CASH: int(1_000_000, 0, 1_000_000_000),

  // Quotes
  QUOTE_PROVIDERS: z.string().optional().default('tencent,sina,eastmoney'),
  QUOTE_TENCENT_URL: url.optional(),
  QUOTE_SINA_URL: url.optional(),
  QUOTE_EASTMONEY_URL: url.optional(),
  QUOTE_TIMEOUT_MS: int(3000, 100, 60_000),
  // Historical K-lines for replays (lib/quotes/history): failover order and base URLs.
  HISTORY_PROVIDERS: z.string().optional().default('tencent,eastmoney'),
  HISTORY_TENCENT_URL: url.optional(),
  HISTORY_TENCENT_MINUTE_URL: url.optional(),
  HISTORY_EASTMONEY_URL: url.optional(),
  HISTORY_TIMEOUT_MS: int(8000, 100, 60_000),
  // The exchanges' published trading calendar (SZSE's monthly calendar format), fetched in December
  // and January for the coming year. Unset: www.szse.cn. Empty: never fetch (enter it by hand).
  CALENDAR_FEED_URL: z.union([z.literal(''), url]).optional(),

  // Worker
  MONITOR_INTERVAL_SECONDS: int(3, 1, 3600),
  QUOTE_MAX_AGE_SECONDS: int(15, 1, 3600),
  // Phase-locked polling: poll each quote source just after its next snapshot (lib/quotes/cadence.ts); off: the fixed interval.
  QUOTE_PHASE_LOCK: bool(true),
  MONITOR_AUCTIONS: bool(false),
  WORKER_STALE_SECONDS: int(30, 5, 3600),
  // A standby worker takes over when the active one has not renewed its lease for this long
  // (default: two monitor intervals, at least 6 s).
  WORKER_LEASE_SECONDS: z.coerce.number().int().min(2).max(600).optional(),
  // An order missing from the bridge's list is declared absent only after this grace period.
  ORDER_ABSENT_GRACE_SECONDS: int(30, 1, 3600),
  // wall: real Asia/Shanghai time. sim: the paper exchange's simulated market clock (demo).
  MARKET_CLOCK: z.enum(['wall', 'sim']).optional().default('wall'),
  SIM_URL: url.optional(),
})

export type Env = z.infer<typeof envSchema> & {
  broker: 'paper' | 'qmt'
  bridgeBaseUrl: string
}

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const res = envSchema.safeParse(source)
  if (!res.success) {
    const lines = res.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new EnvError(`Invalid environment configuration:\n${lines.join('\n')}\nSee .env.example for every variable and its default.`)
  }
  const e = res.data
  const broker = e.BROKER ?? (e.MINIQMT_ENABLED ? 'qmt' : 'paper')
  if (e.MARKET_CLOCK === 'sim' && !e.SIM_URL) {
    throw new EnvError('Invalid environment configuration:\n  SIM_URL: required when MARKET_CLOCK=sim')
  }
  return { ...e, broker, bridgeBaseUrl: `http://${e.MINIQMT_HOST}:${e.MINIQMT_PORT}` }
}

let cached: Env | undefined
export function env(): Env {
  cached ??= parseEnv()
  return cached
}
