/**
 * The monitor worker's logic, one `tick()` at a time (workers/monitor.ts only schedules ticks):
 *   lease → market clock → phase → daily jobs → cycle (trading phases) or idle beat.
 * A cycle: load monitors (reloaded when the web app changed them) → quotes → snapshots →
 * evaluate → persist signals (one transaction each) → send intents → track orders → heartbeat.
 */
import {
  evaluate,
  marketPhase,
  nextPhaseChange,
  normalizeMemo,
  isTradingDay,
  setEnabled,
  shanghaiDate,
  shanghaiSecondOfDay,
  toMilli,
  type EvaluateResult,
  type Signal,
  type MarketPhase,
  type Quote,
} from '@/lib/market'
import type { Logger } from 'pino'
import type { QuoteService } from '@/lib/quotes'
import { acquireLease, livePresence, prunePresence, releaseLease, type LeaseState } from '@/lib/db/lease'
import { loadLiveMonitors, loadMonitorsByIds, monitorsStamp, writeQuietStates, type MachineState, type MonitorRow } from '@/lib/db/monitors'
import { saveQuotes, pruneBars, type Bar } from '@/lib/db/quotes'
import { pruneHeartbeats, setServiceHealth, writeHeartbeat } from '@/lib/db/worker-status'
import { accountRecipients, listWorkerAccounts, type WorkerAccountRow } from '@/lib/db/worker-accounts'
import type { AccountScope } from '@/lib/db/orders'
import { dbProvider, getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import type { BrokerPort } from './broker-port'
import type { MarketClock } from '../runtime/clock'
import { loadRuntimeSettings, type RuntimeDefaults, type RuntimeSettings } from '../runtime/runtime-settings'
import { managedPosition, toMonitorInput, type TriggerEnv } from './monitor-input'
import { persistEvaluation, persistQuietEvaluations, StaleMonitorError, type MarketView } from './signals'
import { sendPendingOrders, type SendResult as SendOutcome } from './order-send'
import { trackOpenOrders, type TrackResult } from './order-track'
import { marketViewFromSnapshot, readAccount, refreshAccount, saveAccountView } from './account-sync'
import { dailySummary, notify, notifyAllUsers } from '../notifications'
import { asLocale } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'
import { formatPrice } from '@/lib/format'
import { crashPoint } from './crash-points'
import { CalendarWatch } from '../runtime/calendar-watch'
import { holdExRights, storeCloses } from './ex-rights'
import { expireMonitor, validityGate } from './validity'
import { policyRearmMonitor, rearmDecision } from './rearm-policy'
import type { CalendarFeedOptions } from '@/lib/quotes'

export const LEASE_NAME = 'monitor'

/**
 * Issue 13: every account other than the default one has its own lease; the default account
 * trades under LEASE_NAME, which also carries the install-wide duties (daily jobs, quote notices).
 */
export function accountLeaseName(brokerAccountId: number): string {
  return `${LEASE_NAME}:account:${brokerAccountId}`
}
/** A worker's presence (PostgreSQL, with several accounts): how many workers split the accounts. */
const PRESENCE_PREFIX = 'presence:'

/** A broker client; the in-process paper broker also takes the cycle's quotes (its fills follow them). */
export type WorkerBroker = BrokerPort & { onQuotes?: (quotes: Quote[], now: Date) => Promise<void> }

/**
 * The broker of each account (issue 13): the caller builds and caches them (rebuilt when an
 * account's connection changes). Null, or a throw, leaves the account without a broker this tick:
 * its intents wait, and its bridge is reported down with the reason.
 */
export interface AccountBrokers {
  brokerFor(account: WorkerAccountRow): Promise<{ broker: WorkerBroker; timeoutMs?: number } | null>
}

export interface WorkerOptions {
  workerId: string
  clock: MarketClock
  /** One broker for the default account (the tests' and a single-account install's path). */
  broker?: WorkerBroker
  /** A broker per account; takes precedence over `broker`. */
  accounts?: AccountBrokers
  quotes: QuoteService
  log: Logger
  defaults: RuntimeDefaults
  auctions: boolean
  bridgeTimeoutMs: number
  /** Seconds without a heartbeat after which the lease lapses; default 2 intervals (min 6 s). */
  leaseTtlMs?: number
  /** Grace period before an order missing at the bridge is declared absent (tests shorten it). */
  absentAfterMs?: number
  /** The exchange's published calendar; `baseUrl: ''` turns fetching off. */
  calendarFeed?: CalendarFeedOptions
}

export interface TickResult {
  kind: 'cycle' | 'idle' | 'standby' | 'error'
  /** Wall milliseconds until the next tick should start. */
  nextDelayMs: number
  phase?: MarketPhase
  marketTime?: Date
  stats?: CycleStats
}

export interface CycleStats {
  monitors: number
  quotes: number
  stale: number
  signals: number
  intents: number
  sent: number
  unknown: number
  fills: number
  errors: string[]
  durationMs: number
  /** Milliseconds spent in each step of the cycle (for the benchmark and the logs). */
  timings: Record<string, number>
}

const TRADING_PHASES: MarketPhase[] = ['opening_auction', 'continuous', 'closing_auction']
const IDLE_BEAT_MS = 10_000
/** Signals without an order written in one transaction (bounded: the write lock is held throughout). */
const QUIET_BATCH = 25
const BRIDGE_PROBE_MS = 30_000
const STALE_NOTICE_EVERY_MS = 10 * 60_000
const PRE_OPEN_SEC = 9 * 3600 + 10 * 60
const POST_CLOSE_SEC = 15 * 3600 + 5 * 60

/**
 * What of a memo is worth writing: everything but the last quote time (kept in memory), and the
 * streak day when no streak is running (it only resets counters at the first quote of a day).
 */
function memoWithoutQuoteTime(memo: unknown): string {
  const { lastQuoteMs: _ignored, streakDay, streak, ...rest } = normalizeMemo(memo) as unknown as Record<string, unknown>
  const running = streak && typeof streak === 'object' && Object.keys(streak).length > 0
  return JSON.stringify(running ? { ...rest, streak, streakDay } : rest)
}

export class MonitorWorker {
  private lease: LeaseState | null = null
  private monitors: MonitorRow[] = []
  private stamp = ''
  private dirty = true
  /** Monitors moved in the database by this worker's own steps: reloaded one by one. */
  private dirtyIds = new Set<number>()
  private bars = new Map<string, Bar>()
  private lastQuoteTime = new Map<string, number>()
  /** Per account: the bridge's health memory, connect and probe times, the last view stored. */
  private laneStates = new Map<number, LaneState>()
  /** This tick's accounts with their brokers (only those whose lease this worker holds). */
  private lanes: Lane[] = []
  /** The leases of the accounts other than the default one, by account id. */
  private accountLeases = new Map<number, LeaseState>()
  private lastStaleNotice = 0
  private quotesDown = false
  private preOpenDay: string | null = null
  private postCloseDay: string | null = null
  private lastIdleBeat = 0
  private stopping = false
  readonly calendar: CalendarWatch

  /** The broker client's request timeout as configured now (settings page), not only at start. */
  private bridgeTimeoutMs: number

  /** The broker was reconfigured (its timeout may have changed): the tracking window follows it. */
  setBridgeTimeoutMs(ms: number | undefined): void {
    if (typeof ms === 'number' && Number.isFinite(ms) && ms > 0) this.bridgeTimeoutMs = ms
  }

  constructor(private readonly o: WorkerOptions) {
    this.bridgeTimeoutMs = o.bridgeTimeoutMs
    this.calendar = new CalendarWatch({ log: o.log, feed: o.calendarFeed ?? { baseUrl: '' } })
  }

  get holdsLease(): boolean {
    return !!this.lease?.held
  }

  private leaseTtlMs(settings?: RuntimeSettings): number {
    const interval = (settings?.intervalSeconds ?? this.o.defaults.intervalSeconds) * 1000
    return this.o.leaseTtlMs ?? Math.max(6_000, 2 * interval)
  }

  private triggerEnv(settings: RuntimeSettings): TriggerEnv {
    return { maxQuoteAgeSec: settings.risk.maxQuoteAgeSec, auctions: this.o.auctions, fees: settings.fees }
  }

  private leaseIdentity() {
    return { leaseName: LEASE_NAME, holderId: this.o.workerId, fencingToken: this.lease!.fencingToken }
  }

  /** Renews the lease between ticks too, so a long cycle does not let it lapse. */
  async renewLease(): Promise<boolean> {
    const state = await acquireLease(LEASE_NAME, this.o.workerId, this.leaseTtlMs())
    if (this.lease?.held && !state.held) this.o.log.warn({ holder: state.holderId }, 'lease lost to another worker')
    if (state.held && (!this.lease?.held || state.tookOver)) {
      this.o.log.info({ fencingToken: state.fencingToken, tookOver: state.tookOver }, 'holding the worker lease: this worker is active')
      this.dirty = true
    }
    this.lease = state
    return state.held
  }

  /** Holds the main lease or any account's. */
  get holdsAnyLease(): boolean {
    return this.holdsLease || [...this.accountLeases.values()].some((l) => l.held)
  }

  /** Renews every lease held (between ticks too). */
  async renewLeases(): Promise<void> {
    if (this.lease?.held) await this.renewLease()
    if (this.presence) await acquireLease(`${PRESENCE_PREFIX}${this.o.workerId}`, this.o.workerId, this.leaseTtlMs())
    for (const [id, l] of this.accountLeases) {
      if (!l.held) continue
      const st = await acquireLease(accountLeaseName(id), this.o.workerId, this.leaseTtlMs())
      if (!st.held) this.o.log.warn({ brokerAccountId: id, holder: st.holderId }, 'account lease lost to another worker')
      this.accountLeases.set(id, st)
    }
  }

  async release(): Promise<void> {
    this.stopping = true
    if (this.lease?.held) await releaseLease(LEASE_NAME, this.o.workerId)
    for (const [id, l] of this.accountLeases) if (l.held) await releaseLease(accountLeaseName(id), this.o.workerId)
    if (this.presence) await releaseLease(`${PRESENCE_PREFIX}${this.o.workerId}`, this.o.workerId)
  }

  private presence = false

  /**
   * The accounts this worker trades this tick. The default account goes with the main lease; every
   * other account has its own lease, fenced the same way. On SQLite one worker holds them all (the
   * others stand by); on PostgreSQL the live workers split them: each holds at most its share
   * (accounts / live workers, rounded up), gives back what is above it, and takes over any account
   * whose lease lapsed (its worker died) while below it.
   */
  private async claimAccounts(rows: WorkerAccountRow[]): Promise<Set<number>> {
    const held = new Set<number>()
    const main = rows.find((r) => r.defaultKey === 'default')
    if (main && this.lease?.held) held.add(main.id)
    const others = rows.filter((r) => r.defaultKey !== 'default')
    const ttl = this.leaseTtlMs()
    for (const id of [...this.accountLeases.keys()]) if (!others.some((r) => r.id === id)) this.accountLeases.delete(id)
    if (others.length === 0) return held
    let live = 1
    if (dbProvider() === 'postgresql') {
      // Presence: a lease of its own per worker, so standbys count too.
      await acquireLease(`${PRESENCE_PREFIX}${this.o.workerId}`, this.o.workerId, ttl)
      this.presence = true
      live = Math.max(1, await livePresence(PRESENCE_PREFIX))
      if (Math.random() < 0.01) await prunePresence(PRESENCE_PREFIX).catch(() => undefined)
    }
    const share = Math.ceil(others.length / live)
    let count = 0
    for (const r of others) {
      const had = this.accountLeases.get(r.id)
      if (!had?.held) continue
      const st = await acquireLease(accountLeaseName(r.id), this.o.workerId, ttl)
      if (!st.held) this.o.log.warn({ brokerAccountId: r.id, holder: st.holderId }, 'account lease lost to another worker')
      this.accountLeases.set(r.id, st)
      if (st.held) count++
    }
    // Above the share (a worker joined): give back the last ones; their new holder takes them over fenced.
    for (const r of [...others].reverse()) {
      if (count <= share) break
      if (!this.accountLeases.get(r.id)?.held) continue
      await releaseLease(accountLeaseName(r.id), this.o.workerId)
      this.accountLeases.delete(r.id)
      count--
      this.o.log.info({ brokerAccountId: r.id, share, live }, 'account handed back: above this worker’s share')
    }
    for (const r of others) {
      if (count >= share) break
      if (this.accountLeases.get(r.id)?.held) continue
      const st = await acquireLease(accountLeaseName(r.id), this.o.workerId, ttl)
      this.accountLeases.set(r.id, st)
      if (st.held) {
        count++
        this.dirty = true
        this.o.log.info({ brokerAccountId: r.id, fencingToken: st.fencingToken, tookOver: st.tookOver }, 'holding an account lease: this worker trades the account')
      }
    }
    for (const r of others) if (this.accountLeases.get(r.id)?.held) held.add(r.id)
    return held
  }

  /** The lease a lane's writes are fenced by. */
  private laneLease(scope: AccountScope) {
    if (scope.isDefault) return this.leaseIdentity()
    return { leaseName: accountLeaseName(scope.id), holderId: this.o.workerId, fencingToken: this.accountLeases.get(scope.id)?.fencingToken ?? -1 }
  }

  async tick(): Promise<TickResult> {
    const started = Date.now()
    let settings: RuntimeSettings
    try {
      settings = await loadRuntimeSettings(this.o.defaults)
      const main = await this.renewLease()
      const rows = await listWorkerAccounts()
      const held = await this.claimAccounts(rows)
      if (!main && held.size === 0) {
        this.lanes = []
        return { kind: 'standby', nextDelayMs: Math.min(2_000, this.leaseTtlMs(settings) / 3) }
      }
      this.lanes = await this.loadLanes(rows.filter((r) => held.has(r.id)))
    } catch (e) {
      this.o.log.error({ err: e }, 'database unavailable')
      return { kind: 'error', nextDelayMs: 5_000 }
    }

    let now: Date
    try {
      await this.o.clock.sync()
      now = this.o.clock.now()
    } catch (e) {
      this.o.log.error({ err: (e as Error).message }, 'market clock unavailable')
      // Without a clock nothing trades, but the bridge's health must stay truthful (in demo mode the
      // clock and the bridge are the same paper exchange: both are gone).
      for (const lane of this.liveLanes()) if (Date.now() - lane.state.lastBridgeProbe > BRIDGE_PROBE_MS / 3) await this.probeBridge(lane).catch(() => undefined)
      await this.beat(new Date(started), 'unknown', new Date(), { errors: [`clock: ${(e as Error).message}`] })
      return { kind: 'error', nextDelayMs: 2_000 }
    }

    let phase: MarketPhase
    try {
      // A year without published closures is provisional, never a stop: see CalendarWatch.
      await this.calendar.beforeTick(now)
      phase = marketPhase(now)
    } catch (e) {
      this.o.log.error({ err: e }, 'trading calendar unavailable')
      await this.beat(new Date(started), 'unknown', now, { errors: [`calendar: ${(e as Error).message}`] })
      return { kind: 'error', nextDelayMs: 5_000 }
    }

    await this.dailyJobs(now, settings).catch((e) => this.o.log.error({ err: e }, 'daily job failed'))
    await this.ensureConnected()

    if (TRADING_PHASES.includes(phase)) {
      const stats = await this.cycle(now, phase, settings)
      const interval = settings.intervalSeconds * 1000
      return { kind: 'cycle', phase, marketTime: now, stats, nextDelayMs: Math.max(0, interval - (Date.now() - started)) }
    }
    return this.idle(now, phase, settings, started)
  }

  private async idle(now: Date, phase: MarketPhase, settings: RuntimeSettings, started: number): Promise<TickResult> {
    const errors: string[] = []
    // Orders may still be working (lunch break) or need reconciling: keep tracking, cheaply, on every account.
    for (const lane of this.lanes) {
      if (!lane.broker) continue
      const tracked = await trackOpenOrders(this.sendDeps(settings, lane), now, new Map()).catch((e) => ({ bridgeOk: false, error: (e as Error).message }))
      if (!tracked.bridgeOk) errors.push(`${bridgeLabel(lane)}: ${tracked.error}`)
    }
    for (const lane of this.liveLanes()) if (Date.now() - lane.state.lastBridgeProbe > BRIDGE_PROBE_MS) await this.probeBridge(lane)
    const next = nextPhaseChange(now)
    if (Date.now() - this.lastIdleBeat >= IDLE_BEAT_MS) {
      this.lastIdleBeat = Date.now()
      this.o.log.info({ phase, marketTime: now.toISOString(), nextPhase: next.phase, nextAt: next.at.toISOString(), clock: this.o.clock.mode }, 'market not trading; sleeping until the next phase')
      await this.beat(new Date(started), phase, now, { errors })
    }
    const untilNext = this.o.clock.wallMsUntil(next.at)
    return { kind: 'idle', phase, marketTime: now, nextDelayMs: Math.max(200, Math.min(IDLE_BEAT_MS / 2, untilNext)) }
  }

  private sendDeps(settings: RuntimeSettings, lane: Lane) {
    return {
      ...this.laneLease(lane.scope),
      broker: lane.broker ?? NO_BROKER,
      account: lane.scope,
      log: lane.scope.isDefault ? this.o.log : this.o.log.child({ brokerAccountId: lane.scope.id }),
      triggerEnv: this.triggerEnv(settings),
      sendTimeoutMs: lane.timeoutMs ?? this.bridgeTimeoutMs,
      absentAfterMs: this.o.absentAfterMs,
    }
  }

  private laneState(id: number): LaneState {
    let st = this.laneStates.get(id)
    if (!st) this.laneStates.set(id, (st = { bridgeUp: null, lastBridgeProbe: 0, lastConnectAttempt: 0, lastViewKey: '', configError: null }))
    return st
  }

  /** Every account with its broker for this tick (a broker that cannot be built leaves the account without one, said in its health). */
  private async loadLanes(rows: WorkerAccountRow[]): Promise<Lane[]> {
    const lanes: Lane[] = []
    for (const row of rows) {
      const scope: AccountScope = { id: row.id, isDefault: row.defaultKey === 'default' }
      const state = this.laneState(row.id)
      let got: { broker: WorkerBroker; timeoutMs?: number } | null = null
      try {
        got = this.o.accounts ? await this.o.accounts.brokerFor(row) : scope.isDefault && this.o.broker ? { broker: this.o.broker } : null
        state.configError = null
      } catch (e) {
        state.configError = (e as Error).message
        this.o.log.error({ brokerAccountId: row.id, err: (e as Error).message }, 'broker of the account could not be built; its intents wait')
      }
      lanes.push({ scope, row, broker: got?.broker ?? null, timeoutMs: got?.timeoutMs, state })
    }
    return lanes
  }

  /** Accounts the worker talks to on its own (connect, probe, health): enabled ones with a broker. */
  private liveLanes(): Lane[] {
    return this.lanes.filter((l) => l.broker && !l.row.disabledAt)
  }

  private laneOf(m: { brokerAccountId: number | null }): Lane | undefined {
    return this.lanes.find((l) => (m.brokerAccountId == null ? l.scope.isDefault : l.scope.id === m.brokerAccountId))
  }

  private laneCycleOf(ctx: OrderPath, m: { brokerAccountId: number | null }): LaneCycle | undefined {
    const lane = this.laneOf(m)
    return lane ? ctx.lanes.get(lane.scope.id) : undefined
  }

  private async loadMonitors(): Promise<void> {
    const stamp = await monitorsStamp()
    if (this.dirty || stamp !== this.stamp) {
      this.monitors = await loadLiveMonitors()
      this.stamp = stamp
      this.dirty = false
      this.dirtyIds.clear()
      return
    }
    if (this.dirtyIds.size === 0) return
    const fresh = new Map((await loadMonitorsByIds([...this.dirtyIds])).map((m) => [m.id, m]))
    this.monitors = this.monitors.flatMap((m) => (this.dirtyIds.has(m.id) ? (fresh.has(m.id) ? [fresh.get(m.id)!] : []) : [m]))
    this.dirtyIds.clear()
  }

  /**
   * One cycle, as a pipeline of named stages; each takes what it needs and returns what the next
   * one needs. The order path: an ORDER signal is persisted and sent inside `evaluate`, before the
   * rest of the list is evaluated, so a stop-loss never waits for 5,000 other monitors.
   */
  async cycle(now: Date, phase: MarketPhase, settings: RuntimeSettings): Promise<CycleStats> {
    const run = new CycleRun()
    try {
      const loaded = await this.loadStage(run, settings)
      await this.rearmStage(run, loaded.active, now, settings)
      const fetched = await this.fetchStage(run, loaded.active, now, phase, settings)
      const session = await this.calendar.confirmSession(now, fetched.quotes, fetched.requested)
      if (session === 'closed') {
        run.stats.errors.push('calendar: provisional day recorded closed (no trade of the day by 09:35)')
        this.dirty = true
        return await this.finish(run, 'closed', now)
      }
      const ctx: OrderPath = { now, settings, quotes: fetched.quotes, lanes: fetched.lanes, canSend: session !== 'unconfirmed' }
      // Ex-rights day (除权除息): a monitor whose levels wait for the trader's decision is not evaluated.
      const refresh = () => Promise.all(this.liveLanes().map((l) => refreshAccount(l.broker!, l.scope).catch(() => undefined)))
      const evaluable = await holdExRights({ key: this, log: this.o.log, refresh }, loaded.active, fetched.quotes, now)
      const evaluated = await this.evaluateStage(run, evaluable, ctx)
      await this.persistStage(run, evaluated.later, ctx)
      await this.sendStage(run, ctx)
      await this.storeStage(run, ctx, [...loaded.quiet, ...evaluated.quiet])
      const tracked = await this.trackStage(run, ctx)
      await this.healthStage(run, ctx, tracked)
    } catch (e) {
      run.stats.errors.push((e as Error).message)
      this.o.log.error({ err: e }, 'cycle failed')
      this.dirty = true
    }
    return this.finish(run, phase, now)
  }

  /** load: the monitor list (reloaded when the web app changed it), and enable/disable moves. */
  private async loadStage(run: CycleRun, settings: RuntimeSettings): Promise<{ active: MonitorRow[]; quiet: QuietUpdate[] }> {
    await this.loadMonitors()
    // Only the monitors of the accounts this worker holds (another worker trades the others).
    const mine = this.monitors.filter((m) => this.laneOf(m))
    run.stats.monitors = mine.length
    const env = this.triggerEnv(settings)
    // Enable/disable changes move monitors in and out of PAUSED without needing a quote.
    const quiet: QuietUpdate[] = []
    for (const m of mine) {
      if (m.enabled === (m.state !== 'PAUSED')) continue
      const r = setEnabled(toMonitorInput(m, null, env), m.enabled)
      quiet.push({ id: m.id, expect: { version: m.version, state: m.state, episode: m.episode }, next: this.machine(r.state, r.highestSinceEntry, r.memo, m) })
    }
    run.lap('load')
    return { active: mine.filter((m) => m.enabled), quiet }
  }

  /**
   * fetch: quotes for the watched codes, once for every account. Each account is read from its
   * broker alongside (another server), only when one of its monitors may trade, so an order signal
   * never waits for it here.
   */
  private async fetchStage(run: CycleRun, active: MonitorRow[], now: Date, phase: MarketPhase, settings: RuntimeSettings) {
    const codes = [...new Set(active.map((m) => m.code))]
    const lanes = new Map<number, LaneCycle>()
    for (const lane of this.lanes) {
      const trades = !lane.row.disabledAt && lane.broker && active.some((m) => m.quantConfig?.autoTrade && this.laneOf(m) === lane)
      lanes.set(lane.scope.id, { lane, account: new AccountRead(trades ? this.freshMarketView(lane) : null), snapshot: await marketViewFromSnapshot(lane.scope), sent: new SendTally() })
    }
    const quotes = new Map<string, Quote>()
    if (codes.length) {
      const res = await this.o.quotes.getQuotes(codes, now)
      for (const [code, q] of res.quotes) quotes.set(code, q)
      run.stats.quotes = res.quotes.size
      const staleCodes = [...res.quotes.values()].filter((q) => q.ageMs > settings.risk.maxQuoteAgeSec * 1000).map((q) => q.code)
      run.stats.stale = staleCodes.length
      await this.quoteHealth(codes.length, res.quotes.size, res.problems.size, run.stats.stale, phase, settings, staleCodes)
    }
    run.lap('quotes')
    for (const lane of this.lanes) await lane.broker?.onQuotes?.([...quotes.values()], now)
    return { quotes, lanes, requested: codes.length }
  }

  /** evaluate: every active monitor against its quote; order signals go out at once. */
  private async evaluateStage(run: CycleRun, active: MonitorRow[], ctx: OrderPath): Promise<{ later: Evaluated[]; quiet: QuietUpdate[] }> {
    const env = this.triggerEnv(ctx.settings)
    const later: Evaluated[] = []
    const quiet: QuietUpdate[] = []
    for (const m of active) {
      // Validity and the daily entry window (issue 14): expiry closes a monitor holding nothing;
      // outside the window a monitor that can only enter is not evaluated (exits always are).
      const gate = validityGate(m, ctx.now)
      if (gate === 'expire') {
        await this.expire(run, m)
        continue
      }
      if (gate === 'skip') continue
      const q = ctx.quotes.get(m.code)
      if (!q) continue
      // Each monitor against its own account's positions.
      const lc = this.laneCycleOf(ctx, m)
      if (!lc) continue
      const input = toMonitorInput(m, managedPosition(m, lc.account.now(lc.snapshot).positions.get(m.code)), env)
      const r = evaluate(input, q, ctx.now)
      if (r.signals.some((sig) => sig.action === 'order')) {
        run.lap('evaluate')
        await this.persistOne(run, { m, r, q }, ctx)
        await this.sendStage(run, ctx, lc)
      } else if (r.signals.length || r.breakevenActivated) later.push({ m, r, q }) // a breakeven stop that activated is told with the memo holding it
      else {
        const changed = r.state !== m.state || toMilliOrNull(r.highestSinceEntry) !== m.highestSinceEntryMilli || memoWithoutQuoteTime(r.memo) !== memoWithoutQuoteTime(m.triggerMemo)
        // Keep the full memo (incl. the last quote time) in memory; write only real changes.
        m.triggerMemo = r.memo as never
        if (changed) quiet.push({ id: m.id, expect: { version: m.version, state: m.state, episode: m.episode }, next: this.machine(r.state, r.highestSinceEntry, r.memo, m) })
      }
    }
    run.lap('evaluate')
    return { later, quiet }
  }

  /**
   * persist: the signals that place no order (notifications, deferrals), per account in batches of
   * QUIET_BATCH, one transaction each (a transaction per signal cost ~15 ms at 50 signals a cycle).
   * A batch that fails wrote nothing; its evaluations are then written one by one, as before.
   */
  private async persistStage(run: CycleRun, later: Evaluated[], ctx: OrderPath): Promise<void> {
    const byLane = new Map<LaneCycle, Evaluated[]>()
    for (const e of later) {
      const lc = this.laneCycleOf(ctx, e.m)
      if (!lc) continue
      const list = byLane.get(lc)
      if (list) list.push(e)
      else byLane.set(lc, [e])
    }
    for (const [lc, list] of byLane) {
      for (let i = 0; i < list.length; i += QUIET_BATCH) {
        const batch = list.slice(i, i + QUIET_BATCH)
        if (batch.length > 1 && (await this.persistBatch(run, lc, batch, ctx))) continue
        for (const e of batch) await this.persistOne(run, e, ctx)
      }
    }
  }

  /** A batch of evaluations without an order signal in one transaction; false when it wrote nothing. */
  private async persistBatch(run: CycleRun, lc: LaneCycle, batch: Evaluated[], ctx: OrderPath): Promise<boolean> {
    const market = lc.account.settled() ?? lc.snapshot
    try {
      const deps = { ...this.laneLease(lc.lane.scope), settings: ctx.settings, triggerEnv: this.triggerEnv(ctx.settings) }
      await persistQuietEvaluations(deps, batch.map(({ m, r, q }) => ({ row: m, result: r, quote: q, market })), ctx.now)
    } catch (e) {
      // A stale monitor is expected now and then (the web app wrote it); anything else is told
      // again, per monitor, by the one-by-one writes that follow.
      if (!(e instanceof StaleMonitorError)) this.o.log.warn({ err: e, count: batch.length }, 'a batch of signal writes failed; writing them one by one')
      return false
    } finally {
      run.lap('signals')
    }
    for (const { m, r } of batch) {
      run.stats.signals += r.signals.length
      this.dirtyIds.add(m.id) // state, episode and memo moved in the database
    }
    return true
  }

  /** One evaluation's signals in one transaction; an order intent waits for the fresh account read. */
  private async persistOne(run: CycleRun, { m, r, q }: Evaluated, ctx: OrderPath): Promise<void> {
    run.stats.signals += r.signals.length
    try {
      const lc = this.laneCycleOf(ctx, m)
      if (!lc) return
      const order = r.signals.find((sig) => sig.action === 'order')
      // Sized against the monitor's own account.
      const view = order ? await lc.account.fresh() : lc.account.settled()
      run.lap('account')
      // Sizing against an account nobody has read would refuse the order and close the monitor:
      // wait instead (nothing written, so the signal fires again next cycle and is sized then).
      if (order && !view && !lc.snapshot.account) return await this.waitForAccount(run, m, order, q)
      const res = await persistEvaluation({ ...this.laneLease(lc.lane.scope), settings: ctx.settings, triggerEnv: this.triggerEnv(ctx.settings) }, m, r, q, ctx.now, view ?? lc.snapshot)
      run.stats.intents += res.orders
      if (res.orders) crashPoint('after-commit')
    } catch (e) {
      if (!(e instanceof StaleMonitorError)) {
        run.stats.errors.push(`signal ${m.code}: ${(e as Error).message}`)
        this.o.log.error({ err: e, stockId: m.id }, 'persisting a signal failed; it fires again next cycle')
      }
    }
    this.dirtyIds.add(m.id) // state, episode and memo moved in the database
    run.lap('signals')
  }

  /**
   * re-arm (issue 14): monitors closed by a completed exit watch again by their re-arm policy
   * (cooldown / next trading day), one transaction each; evaluated from the next cycle on.
   */
  private async rearmStage(run: CycleRun, active: MonitorRow[], now: Date, settings: RuntimeSettings): Promise<void> {
    for (const m of active) {
      if (m.state !== 'CLOSED' || m.rearmPolicy === 'CLOSE') continue
      const lane = this.laneOf(m)
      if (!lane) continue
      const killSwitch = settings.killSwitch.on || lane.row.killSwitchOn || !!lane.row.disabledAt
      if (rearmDecision(m, now, killSwitch).action !== 'rearm') continue
      try {
        if (await policyRearmMonitor(this.laneLease(lane.scope), m, now, killSwitch)) this.dirtyIds.add(m.id)
      } catch (e) {
        if (!(e instanceof StaleMonitorError)) {
          run.stats.errors.push(`re-arm ${m.code}: ${(e as Error).message}`)
          this.o.log.error({ err: e, stockId: m.id }, 're-arming a monitor by its policy failed; tried again next cycle')
        }
        this.dirtyIds.add(m.id)
      }
    }
    run.lap('rearm')
  }

  /** An expired monitor holding nothing: CLOSED ('expired') and MONITOR_EXPIRED, one transaction. */
  private async expire(run: CycleRun, m: MonitorRow): Promise<void> {
    try {
      const lane = this.laneOf(m)
      if (!lane) return
      await expireMonitor(this.laneLease(lane.scope), m)
    } catch (e) {
      if (!(e instanceof StaleMonitorError)) {
        run.stats.errors.push(`expiry ${m.code}: ${(e as Error).message}`)
        this.o.log.error({ err: e, stockId: m.id }, 'closing an expired monitor failed; tried again next cycle')
      }
    }
    this.dirtyIds.add(m.id)
  }

  /** An order signal that cannot be sized yet: told once per monitor, episode and kind. */
  private async waitForAccount(run: CycleRun, m: MonitorRow, signal: Signal, q: Quote): Promise<void> {
    run.stats.errors.push(`sizing ${m.code}: waits for the account (bridge unavailable)`)
    const locale = asLocale(m.user.locale)
    const t = translator(locale)
    await writeTx(getDb(), (tx) =>
      notify(tx, {
        userId: m.userId,
        locale,
        at: this.marketNow(),
        type: 'SIZING_WAITS',
        params: { code: m.code, name: m.name, kind: t(`events.kinds.${signal.kind}` as never), price: formatPrice(m.code, q.last) },
        stockId: m.id,
        dedupeKey: `sizing-wait:${m.id}:${m.episode}:${signal.kind}`,
      }),
    )
    run.lap('signals')
  }

  /**
   * send: every unsent intent (this cycle's, and any left from earlier: bridge down, lunch break),
   * each account's through its own broker (`only`: one account, after an order signal). An
   * account without a broker keeps its intents waiting — unless it is disabled, then they are
   * withdrawn (the claim decides that before any request; the broker is never asked).
   */
  private async sendStage(run: CycleRun, ctx: OrderPath, only?: LaneCycle): Promise<void> {
    // On a provisional calendar day nothing goes out until the quotes show the market open.
    if (!ctx.canSend) return
    for (const lc of only ? [only] : ctx.lanes.values()) {
      if (!lc.lane.broker && !lc.lane.row.disabledAt && !lc.lane.row.killSwitchOn) continue
      try {
        const r = await sendPendingOrders(this.sendDeps(ctx.settings, lc.lane), ctx.now, ctx.quotes, { killSwitch: ctx.settings.killSwitch.on, market: lc.account.settled() })
        lc.sent.add(r)
      } catch (e) {
        // One account's failure never stops the others.
        run.stats.errors.push(`send ${bridgeLabel(lc.lane)}: ${(e as Error).message}`)
        this.o.log.error({ err: e, brokerAccountId: lc.lane.scope.id }, 'sending failed for an account')
      }
    }
    run.stats.sent = [...ctx.lanes.values()].reduce((n, l) => n + l.sent.sent, 0)
    run.stats.unknown = [...ctx.lanes.values()].reduce((n, l) => n + l.sent.unknown, 0)
    run.lap('send')
  }

  /** store: the account view (when it changed), quotes and 1-minute bars, quiet state changes. */
  private async storeStage(run: CycleRun, ctx: OrderPath, quiet: QuietUpdate[]): Promise<void> {
    for (const lc of ctx.lanes.values()) {
      const view = await lc.account.fresh()
      if (view) await this.saveView(lc.lane, view)
    }
    await this.storeQuotes(ctx.quotes, ctx.now)
    run.lap('store')
    const stale = await writeQuietStates(quiet)
    if (stale.length) this.dirty = true
    for (const u of quiet) {
      const m = this.monitors.find((x) => x.id === u.id)
      if (m && !stale.includes(u.id)) Object.assign(m, { state: u.next.state, highestSinceEntryMilli: u.next.highestSinceEntryMilli, triggerMemo: u.next.triggerMemo })
    }
    run.lap('quiet')
  }

  /** track: open orders at each account's bridge — fills, cancels, timeouts. */
  private async trackStage(run: CycleRun, ctx: OrderPath): Promise<Map<number, TrackResult>> {
    const out = new Map<number, TrackResult>()
    for (const lc of ctx.lanes.values()) {
      if (!lc.lane.broker) continue
      let tracked: TrackResult
      try {
        tracked = await trackOpenOrders(this.sendDeps(ctx.settings, lc.lane), ctx.now, ctx.quotes)
      } catch (e) {
        // One account's failure never stops the others.
        run.stats.errors.push(`track ${bridgeLabel(lc.lane)}: ${(e as Error).message}`)
        this.o.log.error({ err: e, brokerAccountId: lc.lane.scope.id }, 'tracking failed for an account')
        continue
      }
      out.set(lc.lane.scope.id, tracked)
      run.stats.fills += tracked.fills
      // Only the monitors whose orders moved are reloaded, not all 5,000 (not known which: all).
      if (tracked.terminal || tracked.fills) {
        if (tracked.stockIds?.length) for (const id of tracked.stockIds) this.dirtyIds.add(id)
        else this.dirty = true
      }
    }
    run.lap('track')
    return out
  }

  /**
   * health: the bridge is up only on evidence — a call it answered this cycle — and every failed
   * call counts (the account read, a send, the tracking query). A cycle that asked it nothing
   * probes it every BRIDGE_PROBE_MS instead of assuming.
   */
  private async healthStage(run: CycleRun, ctx: OrderPath, trackedBy: Map<number, TrackResult>): Promise<void> {
    for (const lc of ctx.lanes.values()) {
      const lane = lc.lane
      if (lane.row.disabledAt) continue
      if (!lane.broker) {
        if (lane.state.configError) {
          run.stats.errors.push(`${bridgeLabel(lane)}: ${lane.state.configError}`)
          await this.setBridge(lane, false, lane.state.configError)
        }
        continue
      }
      const tracked = trackedBy.get(lane.scope.id) ?? { bridgeCalled: false, bridgeOk: true, fills: 0, terminal: 0, cancelsRequested: 0 }
      const read = await lc.account.outcome()
      const failure = read.error ?? (lc.sent.bridgeUnreachable ? 'connection refused' : null) ?? (tracked.bridgeCalled && !tracked.bridgeOk ? (tracked.error ?? 'unreachable') : null)
      const answered = (read.called && !read.error) || lc.sent.sent > 0 || (tracked.bridgeCalled && tracked.bridgeOk)
      const probeDue = Date.now() - lane.state.lastBridgeProbe > BRIDGE_PROBE_MS
      if (failure) {
        run.stats.errors.push(`${bridgeLabel(lane)}: ${failure}`)
        await this.setBridge(lane, false, failure)
      } else if (answered) {
        if (tracked.fills || lc.sent.sent) await refreshAccount(lane.broker, lane.scope).catch(() => undefined)
        if (lane.state.bridgeUp !== true || tracked.fills || lc.sent.sent || probeDue) await this.setBridge(lane, true)
        if (probeDue) lane.state.lastBridgeProbe = Date.now()
      } else if (probeDue) await this.probeBridge(lane)
    }
    run.lap('health')
  }

  private async finish(run: CycleRun, phase: string, now: Date): Promise<CycleStats> {
    run.stats.durationMs = Date.now() - run.startedAt
    await this.beat(new Date(run.startedAt), phase, now, { ...run.stats })
    return run.stats
  }

  private machine(state: MachineState['state'], highest: number | null, memo: unknown, m: MonitorRow): MachineState {
    return { state, episode: m.episode, highestSinceEntryMilli: toMilliOrNull(highest), triggerMemo: memo, stateChanged: state !== m.state }
  }

  /** Stores an account's view only when it changed since the last one stored. */
  private async saveView(lane: Lane, view: MarketView): Promise<void> {
    const key = JSON.stringify([view.account, [...view.positions.values()]])
    if (key === lane.state.lastViewKey) return
    try {
      await saveAccountView(view, lane.scope)
      lane.state.lastViewKey = key
    } catch (e) {
      this.o.log.warn({ err: e }, 'account snapshot not saved')
    }
  }

  /** The account read from the broker this cycle (saved after the orders went out); its error counts against the bridge's health. */
  private async freshMarketView(lane: Lane): Promise<{ view: MarketView | null; error: string | null }> {
    try {
      return { view: await readAccount(lane.broker!), error: null }
    } catch (e) {
      return { view: null, error: (e as Error).message }
    }
  }

  private async storeQuotes(quotes: Map<string, Quote>, fetchedAt: Date): Promise<void> {
    const changed: Quote[] = []
    const bars: Bar[] = []
    for (const q of quotes.values()) {
      if (this.lastQuoteTime.get(q.code) === q.time.getTime()) continue
      this.lastQuoteTime.set(q.code, q.time.getTime())
      changed.push(q)
      if (q.suspended || !(q.last > 0)) continue
      const minute = new Date(Math.floor(q.time.getTime() / 60_000) * 60_000)
      const px = toMilli(q.last)
      const cur = this.bars.get(q.code)
      const bar: Bar =
        cur && cur.minute.getTime() === minute.getTime()
          ? { ...cur, highMilli: Math.max(cur.highMilli, px), lowMilli: Math.min(cur.lowMilli, px), closeMilli: px }
          : { code: q.code, minute, openMilli: px, highMilli: px, lowMilli: px, closeMilli: px }
      this.bars.set(q.code, bar)
      bars.push(bar)
    }
    await saveQuotes(changed, bars, fetchedAt)
  }

  private async quoteHealth(requested: number, delivered: number, problems: number, stale: number, phase: MarketPhase, settings: RuntimeSettings, staleCodes: string[]) {
    const health = this.o.quotes.health()
    for (const h of health) {
      await setServiceHealth(`quotes:${h.id}`, h.state !== 'open', { error: h.lastError?.message, details: { state: h.state, consecutiveFailures: h.consecutiveFailures, lastLatencyMs: h.lastLatencyMs } })
    }
    // The install-wide notices come from the main lease's holder only (one notice, not one per worker).
    if (!this.lease?.held) return
    if (requested > 0 && delivered === 0) {
      if (!this.quotesDown) {
        this.quotesDown = true
        const reason = health.map((h) => `${h.id}: ${h.lastError?.message ?? h.state}`).join('; ')
        await writeTx(getDb(), (tx) => notifyAllUsers(tx, { type: 'QUOTES_DOWN', at: this.marketNow(), params: { reason }, dedupeKey: `quotes-down:${Date.now()}` }))
      }
      return
    }
    this.quotesDown = false
    if (phase === 'continuous' && stale > 0 && Date.now() - this.lastStaleNotice > STALE_NOTICE_EVERY_MS) {
      this.lastStaleNotice = Date.now()
      await writeTx(getDb(), (tx) =>
        notifyAllUsers(tx, { type: 'QUOTES_STALE', at: this.marketNow(), params: { count: stale, seconds: settings.risk.maxQuoteAgeSec, codes: staleCodes.slice(0, 5).join(', ') }, dedupeKey: `quotes-stale:${this.lastStaleNotice}` }),
      )
    }
    void problems
  }

  /**
   * The bridge client refuses to send orders until connect() proved the bridge answers; after a
   * refused connection or a timeout it counts as disconnected. Reconnect, at most every 5 s.
   */
  private async ensureConnected(): Promise<void> {
    for (const lane of this.liveLanes()) {
      const broker = lane.broker!
      if (broker.isConnected() || Date.now() - lane.state.lastConnectAttempt < 5_000) continue
      lane.state.lastConnectAttempt = Date.now()
      const res = await broker.connect().catch((e) => ({ success: false, message: (e as Error).message }))
      await this.setBridge(lane, res.success, res.success ? undefined : res.message).catch((e) => this.o.log.error({ err: e }, 'bridge health not stored'))
      if (res.success) this.o.log.info({ message: res.message, brokerAccountId: lane.scope.id }, 'broker connected')
    }
  }

  private async probeBridge(lane: Lane): Promise<void> {
    lane.state.lastBridgeProbe = Date.now()
    try {
      await lane.broker!.getAccountInfo()
      await this.setBridge(lane, true)
    } catch (e) {
      await this.setBridge(lane, false, (e as Error).message)
    }
  }

  /**
   * An account's bridge health ('bridge' for the default account, 'bridge:<id>' for the others),
   * and on a change BRIDGE_DOWN / BRIDGE_UP to that account's users only (owner, shares, or
   * everyone when shared with all), each notification carrying the account.
   */
  /** The market clock's now for a notification's market time; undefined (wall time stands in) when it is not synced. */
  private marketNow(): Date | undefined {
    try {
      return this.o.clock.now()
    } catch {
      return undefined
    }
  }

  private async setBridge(lane: Lane, ok: boolean, error?: string): Promise<void> {
    // The stored state is the memory across restarts: a worker that starts while it says "down"
    // and then reaches the bridge tells the trader it is back.
    const { changed, previous } = await setServiceHealth(lane.scope.isDefault ? 'bridge' : `bridge:${lane.scope.id}`, ok, { error })
    lane.state.bridgeUp = ok
    if (!changed) return
    if (ok && previous === null) return // first sight and healthy: nothing to tell
    const at = Date.now()
    const tag = lane.scope.isDefault ? '' : `a${lane.scope.id}:`
    const reason = lane.scope.isDefault ? (error ?? '—') : `${lane.row.name}: ${error ?? '—'}`
    const marketAt = this.marketNow()
    await writeTx(getDb(), async (tx) => {
      for (const u of await accountRecipients(tx, lane.scope.id)) {
        const locale = asLocale(u.locale)
        const n = ok
          ? await notify(tx, { userId: u.id, locale, at: marketAt, type: 'BRIDGE_UP', dedupeKey: `bridge-up:${tag}${at}:u${u.id}` })
          : await notify(tx, { userId: u.id, locale, at: marketAt, type: 'BRIDGE_DOWN', params: { reason }, dedupeKey: `bridge-down:${tag}${at}:u${u.id}` })
        if (n) await tx.notification.update({ where: { id: n.id }, data: { brokerAccountId: lane.scope.id } })
      }
    })
    this.o.log[ok ? 'info' : 'error']({ error, brokerAccountId: lane.scope.id }, ok ? 'bridge is back' : 'bridge down')
  }

  private async dailyJobs(now: Date, _settings: RuntimeSettings): Promise<void> {
    const day = shanghaiDate(now)
    if (!isTradingDay(day)) return
    const sec = shanghaiSecondOfDay(now)
    if (sec >= PRE_OPEN_SEC && sec < POST_CLOSE_SEC && this.preOpenDay !== day) {
      this.preOpenDay = day
      for (const lane of this.liveLanes()) {
        const broker = lane.broker!
        const res = await broker.connect().catch((e) => ({ success: false, message: (e as Error).message }))
        this.o.log.info({ day, brokerAccountId: lane.scope.id, connected: res.success, message: res.message }, 'pre-open: broker connect, account and positions refresh')
        if (res.success) {
          await refreshAccount(broker, lane.scope).catch((e) => this.o.log.warn({ err: e }, 'pre-open refresh failed'))
          await this.setBridge(lane, true)
        } else await this.setBridge(lane, false, res.message)
      }
      this.dirty = true
      if (this.lease?.held) {
        await pruneHeartbeats(new Date(Date.now() - 3 * 86_400_000))
        await pruneBars(new Date(now.getTime() - 10 * 86_400_000))
      }
    }
    if (sec >= POST_CLOSE_SEC && this.postCloseDay !== day) {
      this.postCloseDay = day
      for (const lane of this.lanes) {
        if (!lane.broker) continue
        await trackOpenOrders(this.sendDeps(_settings, lane), now, new Map()).catch(() => undefined)
        if (!lane.row.disabledAt) await refreshAccount(lane.broker, lane.scope).catch(() => undefined)
      }
      if (this.lease?.held) {
        await storeCloses(this.o.quotes, now, this.o.log).catch((e) => this.o.log.warn({ err: e }, 'post-close: closing quotes not stored'))
        await dailySummary(day, _settings.fees, now)
      }
      this.o.log.info({ day }, 'post-close: orders reconciled, daily summary written')
    }
  }

  private async beat(started: Date, phase: string, marketTime: Date, s: Partial<CycleStats>): Promise<void> {
    if (this.stopping) return
    await writeHeartbeat({
      workerId: this.o.workerId,
      cycleStartedAt: started,
      cycleEndedAt: new Date(),
      durationMs: Date.now() - started.getTime(),
      marketPhase: phase,
      clockMode: this.o.clock.mode,
      marketTime,
      monitors: s.monitors ?? 0,
      quotesFetched: s.quotes ?? 0,
      signals: s.signals ?? 0,
      ordersSent: s.sent ?? 0,
      errors: s.errors?.length ?? 0,
      errorText: s.errors?.length ? s.errors.join(' | ').slice(0, 1000) : null,
    }).catch((e) => this.o.log.error({ err: e }, 'heartbeat write failed'))
  }
}

function toMilliOrNull(v: number | null): number | null {
  return v == null ? null : toMilli(v)
}

type QuietUpdate = Parameters<typeof writeQuietStates>[0][number]

interface Evaluated {
  m: MonitorRow
  r: EvaluateResult
  q: Quote
}

/** What the order path of one cycle works with, passed from stage to stage. */
interface OrderPath {
  now: Date
  settings: RuntimeSettings
  quotes: Map<string, Quote>
  /** Per account id: its read, snapshot and sends this cycle. */
  lanes: Map<number, LaneCycle>
  /** False on a provisional calendar day the quotes have not confirmed open yet. */
  canSend: boolean
}

interface LaneState {
  bridgeUp: boolean | null
  lastBridgeProbe: number
  lastConnectAttempt: number
  lastViewKey: string
  /** Why the account's broker could not be built, while it cannot. */
  configError: string | null
}

/** One broker account as the worker drives it this tick. */
interface Lane {
  scope: AccountScope
  row: WorkerAccountRow
  /** Null: none configured (or it could not be built): the account's intents wait. */
  broker: WorkerBroker | null
  timeoutMs?: number
  state: LaneState
}

/** One account's part of a cycle. */
interface LaneCycle {
  lane: Lane
  account: AccountRead
  /** The last stored account snapshot (evaluation uses it until the fresh read is in). */
  snapshot: MarketView
  sent: SendTally
}

function bridgeLabel(lane: Lane): string {
  return lane.scope.isDefault ? 'bridge' : `bridge ${lane.row.name}`
}

/** The broker of an account that has none: never asked (a disabled account's intents are withdrawn before any request). */
const NO_BROKER: BrokerPort = new Proxy({} as BrokerPort, {
  get(_t, prop) {
    if (prop === 'then') return undefined
    return () => {
      throw new Error('no broker configured for this account')
    }
  },
})

/** The cycle's stopwatch and counters: handed to each stage, never captured by one. */
class CycleRun {
  readonly startedAt = Date.now()
  readonly stats: CycleStats = { monitors: 0, quotes: 0, stale: 0, signals: 0, intents: 0, sent: 0, unknown: 0, fills: 0, errors: [], durationMs: 0, timings: {} }
  private mark = this.startedAt

  lap(name: string): void {
    const t = Date.now()
    this.stats.timings[name] = (this.stats.timings[name] ?? 0) + t - this.mark
    this.mark = t
  }
}

/**
 * The broker account read started beside the quotes. Evaluation uses it once it has arrived (else
 * the stored snapshot); sizing an order waits for it.
 */
class AccountRead {
  private result: { view: MarketView | null; error: string | null } | null = null

  constructor(private readonly pending: Promise<{ view: MarketView | null; error: string | null }> | null) {
    void pending?.then((r) => {
      this.result = r
    })
  }

  /** The fresh read if it has arrived and succeeded, else null (never waits). */
  settled(): MarketView | null {
    return this.result?.view ?? null
  }

  /** What evaluation sees now: the fresh read if in, else `fallback`. */
  now(fallback: MarketView): MarketView {
    return this.settled() ?? fallback
  }

  /** Waits for the read (null when none was made or it failed). */
  async fresh(): Promise<MarketView | null> {
    if (this.pending && !this.result) this.result = await this.pending
    return this.result?.view ?? null
  }

  /** Whether the bridge answered the read, failed it, or was not asked; waits for it. */
  async outcome(): Promise<{ called: boolean; error: string | null }> {
    if (!this.pending) return { called: false, error: null }
    await this.fresh()
    return { called: true, error: this.result!.error }
  }
}

/** Orders sent over the cycle (the inline sends and the send stage). */
class SendTally {
  sent = 0
  unknown = 0
  bridgeUnreachable = false

  add(r: SendOutcome): void {
    this.sent += r.sent
    this.unknown += r.unknown
    this.bridgeUnreachable ||= r.bridgeUnreachable
  }
}
