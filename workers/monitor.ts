/**
 * The monitor worker process (`npm run worker`): scheduling and orchestration only. The logic lives
 * in lib/services/trading/worker.ts. node-schedule runs one tick at a time: the next tick is scheduled when
 * the current one ends, so cycles never overlap and a slow cycle delays the next one.
 */
import os from 'node:os'
import { randomBytes } from 'node:crypto'
import schedule from 'node-schedule'
import { loadDotEnv } from '@/lib/load-env'
import { parseEnv, EnvError, type Env } from '@/lib/env'
import { createLogger } from '@/lib/log'
import { createBroker } from '@/lib/broker'
import { createQuoteService } from '@/lib/quotes'
import { CadenceTracker, phaseDelay, type PollPlan } from '@/lib/quotes/cadence'
import { getDb } from '@/lib/db/client'
import { MonitorWorker, type AccountBrokers, type WorkerBroker } from '@/lib/services/trading/worker'
import { SimClock, WallClock } from '@/lib/services/runtime/clock'
import { brokerConfigKey, resolveAccountBrokerConfig } from '@/lib/services/runtime/broker-config'
import { loadRuntimeSettings } from '@/lib/services/runtime/runtime-settings'
import { createOutbox } from '@/lib/services/notifications'

loadDotEnv()
function readEnv(): Env {
  try {
    return parseEnv()
  } catch (e) {
    console.error(e instanceof EnvError ? e.message : e)
    process.exit(1)
  }
}
const env = readEnv()
const log = createLogger('worker', env.LOG_LEVEL)
const workerId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
const clock = env.MARKET_CLOCK === 'sim' ? new SimClock(env.SIM_URL!) : new WallClock()
const defaults = { intervalSeconds: env.MONITOR_INTERVAL_SECONDS, quoteProviders: env.QUOTE_PROVIDERS.split(',').map((s) => s.trim()).filter(Boolean), maxQuoteAgeSec: env.QUOTE_MAX_AGE_SECONDS }

/**
 * One broker per account (issue 13), each rebuilt only when that account's connection changes (the
 * settings page, or BROKER / MINIQMT_* for the default account). A disabled account keeps its
 * broker: its open orders are still tracked (its intents are withdrawn, never sent).
 */
const brokers = new Map<number, { key: string; broker: WorkerBroker; timeoutMs: number }>()
const accounts: AccountBrokers = {
  async brokerFor(account) {
    const cfg = await resolveAccountBrokerConfig(account, env)
    const key = brokerConfigKey(cfg)
    const had = brokers.get(account.id)
    if (had?.key === key) return had
    had?.broker.disconnect()
    // The tracking window (how long a SENDING order may still be on the wire) is the live timeout.
    const timeoutMs = cfg.broker === 'qmt' ? (cfg.timeoutMs ?? env.MINIQMT_TIMEOUT_MS) : env.MINIQMT_TIMEOUT_MS
    const entry = { key, broker: createBroker({ ...cfg, clock: () => clock.now(), logger: log }) as WorkerBroker, timeoutMs }
    brokers.set(account.id, entry)
    log.info({ brokerAccountId: account.id, broker: cfg.broker, ...(cfg.broker === 'qmt' ? { baseUrl: cfg.baseUrl } : { stateFile: cfg.stateFile }) }, 'broker configured')
    return entry
  },
}

let providersKey = ''
let quotes = makeQuotes(defaults.quoteProviders)
function makeQuotes(providers: string[]) {
  providersKey = providers.join(',')
  return createQuoteService({
    providers: providers as Array<'tencent' | 'sina' | 'eastmoney'>,
    baseUrls: { tencent: env.QUOTE_TENCENT_URL, sina: env.QUOTE_SINA_URL, eastmoney: env.QUOTE_EASTMONEY_URL },
    timeoutMs: env.QUOTE_TIMEOUT_MS,
    concurrency: 4,
    maxAgeMs: env.QUOTE_MAX_AGE_SECONDS * 1000,
    logger: log,
  })
}
// Phase-locked polling: each poll tells the source's tracker which snapshot it served and when;
// the next cycle is scheduled just after the primary source's next snapshot (see pollDelay).
const cadences = new Map<string, CadenceTracker>()
let primarySource: string | null = null
function observeQuotes(startMs: number, endMs: number, r: Awaited<ReturnType<typeof quotes.getQuotes>>) {
  const newest = new Map<string, { ms: number; n: number }>()
  for (const q of r.quotes.values()) {
    const e = newest.get(q.source) ?? { ms: -Infinity, n: 0 }
    newest.set(q.source, { ms: Math.max(e.ms, q.time.getTime()), n: e.n + 1 })
  }
  let best = 0
  for (const [source, { ms, n }] of newest) {
    if (!Number.isFinite(ms)) continue
    let t = cadences.get(source)
    if (!t) cadences.set(source, (t = new CadenceTracker()))
    t.observe({ startMs, endMs, snapshotMs: ms })
    if (n > best) {
      best = n
      primarySource = source
    }
  }
}

/** The wait before the next cycle: phase-locked to the primary source's snapshots when it shows a cadence. */
function pollDelay(fixedMs: number): { delayMs: number; mode: PollPlan['mode'] } {
  const t = env.QUOTE_PHASE_LOCK && primarySource ? cadences.get(primarySource) : undefined
  if (!t) return { delayMs: fixedMs, mode: 'fixed' }
  const now = Date.now()
  const plan = t.plan(now, fixedMs)
  return { delayMs: phaseDelay(plan, t.cadence()?.periodMs, fixedMs, now - lastPollStartMs), mode: plan.mode }
}

let lastPollStartMs = 0
const quoteService = {
  getQuotes: async (...a: Parameters<typeof quotes.getQuotes>) => {
    const startMs = Date.now()
    lastPollStartMs = startMs
    const r = await quotes.getQuotes(...a)
    observeQuotes(startMs, Date.now(), r)
    return r
  },
  health: () => quotes.health(),
}

const worker = new MonitorWorker({
  workerId,
  clock,
  accounts,
  quotes: quoteService,
  log,
  defaults,
  auctions: env.MONITOR_AUCTIONS,
  bridgeTimeoutMs: env.MINIQMT_TIMEOUT_MS,
  absentAfterMs: env.ORDER_ABSENT_GRACE_SECONDS * 1000,
  leaseTtlMs: env.WORKER_LEASE_SECONDS ? env.WORKER_LEASE_SECONDS * 1000 : undefined,
  // on the simulated clock the paper exchange answers the calendar too: a demo never reaches out
  calendarFeed: { baseUrl: env.CALENDAR_FEED_URL ?? (env.MARKET_CLOCK === 'sim' ? env.SIM_URL : undefined), timeoutMs: env.QUOTE_TIMEOUT_MS * 3 },
})
const outbox = createOutbox({ logger: log })

let running: Promise<void> | null = null
let nextJob: schedule.Job | null = null
let stopping = false
let leaseTimer: NodeJS.Timeout | null = null

function scheduleNext(delayMs: number) {
  if (stopping) return
  const run = () => {
    running = runTick().finally(() => {
      running = null
    })
  }
  // node-schedule refuses a date that is already past when it is registered: never schedule "now".
  nextJob = schedule.scheduleJob(new Date(Date.now() + Math.max(25, delayMs)), run)
  if (!nextJob) setTimeout(run, 25)
}

async function runTick(): Promise<void> {
  let delay = 1_000
  try {
    const settings = await loadRuntimeSettings(defaults)
    if (settings.quoteProviders.join(',') !== providersKey) quotes = makeQuotes(settings.quoteProviders)
    const res = await worker.tick()
    delay = res.nextDelayMs
    let poll: PollPlan['mode'] = 'fixed'
    if (res.kind === 'cycle') ({ delayMs: delay, mode: poll } = pollDelay(res.nextDelayMs))
    if (res.kind === 'cycle' && res.stats) {
      const s = res.stats
      log.info({ poll, nextMs: delay, phase: res.phase, marketTime: res.marketTime?.toISOString(), ms: s.durationMs, monitors: s.monitors, quotes: s.quotes, stale: s.stale, signals: s.signals, intents: s.intents, sent: s.sent, unknown: s.unknown, fills: s.fills, timings: s.timings, errors: s.errors.length ? s.errors : undefined }, 'cycle')
    }
  } catch (e) {
    log.error({ err: e }, 'tick failed')
    delay = 2_000
  }
  scheduleNext(delay)
}

async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  log.info({ signal }, 'shutting down: finishing the current cycle')
  nextJob?.cancel()
  if (leaseTimer) clearInterval(leaseTimer)
  await running
  await outbox.stop()
  await worker.release().catch((e) => log.error({ err: e }, 'lease release failed'))
  for (const b of brokers.values()) b.broker.disconnect()
  await getDb().$disconnect()
  log.info('stopped')
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
// Windows: Ctrl+Break and closing the console window.
process.on('SIGBREAK', () => void shutdown('SIGBREAK'))
// Spawned with an IPC channel (the demo, tests): the portable way to ask for a clean stop on Windows.
process.on('message', (m) => {
  if (m === 'shutdown') void shutdown('ipc')
})

log.info({ workerId, clock: clock.mode, interval: defaults.intervalSeconds, providers: defaults.quoteProviders }, 'worker starting')
// Renew the lease between ticks too: a long cycle must not let a standby take over mid-cycle.
leaseTimer = setInterval(() => {
  if (worker.holdsAnyLease) void worker.renewLeases().catch(() => undefined)
}, 2_000)
outbox.start()
scheduleNext(0)
