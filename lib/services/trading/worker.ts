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
import { acquireLease, releaseLease, type LeaseState } from '@/lib/db/lease'
import { loadLiveMonitors, loadMonitorsByIds, monitorsStamp, writeQuietStates, type MachineState, type MonitorRow } from '@/lib/db/monitors'
import { saveQuotes, pruneBars, type Bar } from '@/lib/db/quotes'
import { pruneHeartbeats, setServiceHealth, writeHeartbeat } from '@/lib/db/worker-status'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import type { BrokerPort } from './broker-port'
import type { MarketClock } from '../runtime/clock'
import { loadRuntimeSettings, type RuntimeDefaults, type RuntimeSettings } from '../runtime/runtime-settings'
import { managedPosition, toMonitorInput, type TriggerEnv } from './monitor-input'
import { persistEvaluation, StaleMonitorError, type MarketView } from './signals'
import { sendPendingOrders, type SendResult } from './order-send'
import { trackOpenOrders, type TrackResult } from './order-track'
import { marketViewFromSnapshot, readAccount, refreshAccount, saveAccountView } from './account-sync'
import { dailySummary, notify, notifyAllUsers } from '../notifications'
import { asLocale } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'
import { formatPrice } from '@/lib/format'
import { crashPoint } from './crash-points'
import { CalendarWatch } from '../runtime/calendar-watch'
import type { CalendarFeedOptions } from '@/lib/quotes'

export const LEASE_NAME = 'monitor'

export interface WorkerOptions {
  workerId: string
  clock: MarketClock
  broker: BrokerPort & { onQuotes?: (quotes: Quote[], now: Date) => Promise<void> }
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
  private bridgeUp: boolean | null = null
  private lastBridgeProbe = 0
  private lastStaleNotice = 0
  private quotesDown = false
  private preOpenDay: string | null = null
  private postCloseDay: string | null = null
  private lastIdleBeat = 0
  private lastConnectAttempt = 0
  private stopping = false
  readonly calendar: CalendarWatch

  constructor(private readonly o: WorkerOptions) {
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
    return { maxQuoteAgeSec: settings.risk.maxQuoteAgeSec, auctions: this.o.auctions }
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

  async release(): Promise<void> {
    this.stopping = true
    if (this.lease?.held) await releaseLease(LEASE_NAME, this.o.workerId)
  }

  async tick(): Promise<TickResult> {
    const started = Date.now()
    let settings: RuntimeSettings
    try {
      settings = await loadRuntimeSettings(this.o.defaults)
      if (!(await this.renewLease())) return { kind: 'standby', nextDelayMs: Math.min(2_000, this.leaseTtlMs(settings) / 3) }
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
      if (Date.now() - this.lastBridgeProbe > BRIDGE_PROBE_MS / 3) await this.probeBridge().catch(() => undefined)
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
    // Orders may still be working (lunch break) or need reconciling: keep tracking, cheaply.
    const tracked = await trackOpenOrders(this.sendDeps(settings), now, new Map()).catch((e) => ({ bridgeOk: false, error: (e as Error).message }))
    if (!tracked.bridgeOk) errors.push(`bridge: ${tracked.error}`)
    if (Date.now() - this.lastBridgeProbe > BRIDGE_PROBE_MS) await this.probeBridge()
    const next = nextPhaseChange(now)
    if (Date.now() - this.lastIdleBeat >= IDLE_BEAT_MS) {
      this.lastIdleBeat = Date.now()
      this.o.log.info({ phase, marketTime: now.toISOString(), nextPhase: next.phase, nextAt: next.at.toISOString(), clock: this.o.clock.mode }, 'market not trading; sleeping until the next phase')
      await this.beat(new Date(started), phase, now, { errors })
    }
    const untilNext = this.o.clock.wallMsUntil(next.at)
    return { kind: 'idle', phase, marketTime: now, nextDelayMs: Math.max(200, Math.min(IDLE_BEAT_MS / 2, untilNext)) }
  }

  private sendDeps(settings: RuntimeSettings) {
    return {
      ...this.leaseIdentity(),
      broker: this.o.broker,
      log: this.o.log,
      triggerEnv: this.triggerEnv(settings),
      sendTimeoutMs: this.o.bridgeTimeoutMs,
      absentAfterMs: this.o.absentAfterMs,
    }
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
      const fetched = await this.fetchStage(run, loaded.active, now, phase, settings)
      const session = await this.calendar.confirmSession(now, fetched.quotes, fetched.requested)
      if (session === 'closed') {
        run.stats.errors.push('calendar: provisional day recorded closed (no trade of the day by 09:35)')
        this.dirty = true
        return await this.finish(run, 'closed', now)
      }
      const ctx: OrderPath = { now, settings, quotes: fetched.quotes, account: fetched.account, snapshot: fetched.snapshot, canSend: session !== 'unconfirmed', sent: new SendTally() }
      const evaluated = await this.evaluateStage(run, loaded.active, ctx)
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
    run.stats.monitors = this.monitors.length
    const env = this.triggerEnv(settings)
    // Enable/disable changes move monitors in and out of PAUSED without needing a quote.
    const quiet: QuietUpdate[] = []
    for (const m of this.monitors) {
      if (m.enabled === (m.state !== 'PAUSED')) continue
      const r = setEnabled(toMonitorInput(m, null, env), m.enabled)
      quiet.push({ id: m.id, expect: { version: m.version, state: m.state, episode: m.episode }, next: this.machine(r.state, r.highestSinceEntry, r.memo, m) })
    }
    run.lap('load')
    return { active: this.monitors.filter((m) => m.enabled), quiet }
  }

  /**
   * fetch: quotes for the watched codes. The account is read from the broker alongside (another
   * server), only when some monitor may trade, so an order signal never waits for it here.
   */
  private async fetchStage(run: CycleRun, active: MonitorRow[], now: Date, phase: MarketPhase, settings: RuntimeSettings) {
    const codes = [...new Set(active.map((m) => m.code))]
    const account = new AccountRead(active.some((m) => m.quantConfig?.autoTrade) ? this.freshMarketView() : null)
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
    await this.o.broker.onQuotes?.([...quotes.values()], now)
    return { quotes, account, requested: codes.length, snapshot: await marketViewFromSnapshot() }
  }

  /** evaluate: every active monitor against its quote; order signals go out at once. */
  private async evaluateStage(run: CycleRun, active: MonitorRow[], ctx: OrderPath): Promise<{ later: Evaluated[]; quiet: QuietUpdate[] }> {
    const env = this.triggerEnv(ctx.settings)
    const later: Evaluated[] = []
    const quiet: QuietUpdate[] = []
    for (const m of active) {
      const q = ctx.quotes.get(m.code)
      if (!q) continue
      const input = toMonitorInput(m, managedPosition(m, ctx.account.now(ctx.snapshot).positions.get(m.code)), env)
      const r = evaluate(input, q, ctx.now)
      if (r.signals.some((sig) => sig.action === 'order')) {
        run.lap('evaluate')
        await this.persistOne(run, { m, r, q }, ctx)
        await this.sendStage(run, ctx)
      } else if (r.signals.length) later.push({ m, r, q })
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

  /** persist: the signals that place no order (notifications, deferrals), one transaction each. */
  private async persistStage(run: CycleRun, later: Evaluated[], ctx: OrderPath): Promise<void> {
    for (const e of later) await this.persistOne(run, e, ctx)
  }

  /** One evaluation's signals in one transaction; an order intent waits for the fresh account read. */
  private async persistOne(run: CycleRun, { m, r, q }: Evaluated, ctx: OrderPath): Promise<void> {
    run.stats.signals += r.signals.length
    try {
      const order = r.signals.find((sig) => sig.action === 'order')
      const view = order ? await ctx.account.fresh() : ctx.account.settled()
      run.lap('account')
      // Sizing against an account nobody has read would refuse the order and close the monitor:
      // wait instead (nothing written, so the signal fires again next cycle and is sized then).
      if (order && !view && !ctx.snapshot.account) return await this.waitForAccount(run, m, order, q)
      const res = await persistEvaluation({ ...this.leaseIdentity(), settings: ctx.settings, triggerEnv: this.triggerEnv(ctx.settings) }, m, r, q, ctx.now, view ?? ctx.snapshot)
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

  /** An order signal that cannot be sized yet: told once per monitor, episode and kind. */
  private async waitForAccount(run: CycleRun, m: MonitorRow, signal: Signal, q: Quote): Promise<void> {
    run.stats.errors.push(`sizing ${m.code}: waits for the account (bridge unavailable)`)
    const locale = asLocale(m.user.locale)
    const t = translator(locale)
    await writeTx(getDb(), (tx) =>
      notify(tx, {
        userId: m.userId,
        locale,
        type: 'SIZING_WAITS',
        params: { code: m.code, name: m.name, kind: t(`events.kinds.${signal.kind}` as never), price: formatPrice(m.code, q.last) },
        stockId: m.id,
        dedupeKey: `sizing-wait:${m.id}:${m.episode}:${signal.kind}`,
      }),
    )
    run.lap('signals')
  }

  /** send: every unsent intent (this cycle's, and any left from earlier: bridge down, lunch break). */
  private async sendStage(run: CycleRun, ctx: OrderPath): Promise<void> {
    // On a provisional calendar day nothing goes out until the quotes show the market open.
    if (!ctx.canSend) return
    const r = await sendPendingOrders(this.sendDeps(ctx.settings), ctx.now, ctx.quotes, { killSwitch: ctx.settings.killSwitch.on, market: ctx.account.settled() })
    ctx.sent.add(r)
    run.stats.sent = ctx.sent.sent
    run.stats.unknown = ctx.sent.unknown
    run.lap('send')
  }

  /** store: the account view (when it changed), quotes and 1-minute bars, quiet state changes. */
  private async storeStage(run: CycleRun, ctx: OrderPath, quiet: QuietUpdate[]): Promise<void> {
    const view = await ctx.account.fresh()
    if (view) await this.saveView(view)
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

  /** track: open orders at the bridge — fills, cancels, timeouts. */
  private async trackStage(run: CycleRun, ctx: OrderPath): Promise<TrackResult> {
    const tracked = await trackOpenOrders(this.sendDeps(ctx.settings), ctx.now, ctx.quotes)
    run.stats.fills = tracked.fills
    if (tracked.terminal || tracked.fills) this.dirty = true
    run.lap('track')
    return tracked
  }

  /**
   * health: the bridge is up only on evidence — a call it answered this cycle — and every failed
   * call counts (the account read, a send, the tracking query). A cycle that asked it nothing
   * probes it every BRIDGE_PROBE_MS instead of assuming.
   */
  private async healthStage(run: CycleRun, ctx: OrderPath, tracked: TrackResult): Promise<void> {
    const read = await ctx.account.outcome()
    const failure = read.error ?? (ctx.sent.bridgeUnreachable ? 'connection refused' : null) ?? (tracked.bridgeCalled && !tracked.bridgeOk ? (tracked.error ?? 'unreachable') : null)
    const answered = (read.called && !read.error) || ctx.sent.sent > 0 || (tracked.bridgeCalled && tracked.bridgeOk)
    const probeDue = Date.now() - this.lastBridgeProbe > BRIDGE_PROBE_MS
    if (failure) {
      run.stats.errors.push(`bridge: ${failure}`)
      await this.setBridge(false, failure)
    } else if (answered) {
      if (tracked.fills || ctx.sent.sent) await refreshAccount(this.o.broker).catch(() => undefined)
      if (this.bridgeUp !== true || tracked.fills || ctx.sent.sent || probeDue) await this.setBridge(true)
      if (probeDue) this.lastBridgeProbe = Date.now()
    } else if (probeDue) await this.probeBridge()
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

  private lastViewKey = ''

  /** Stores the account view only when it changed since the last one stored. */
  private async saveView(view: MarketView): Promise<void> {
    const key = JSON.stringify([view.account, [...view.positions.values()]])
    if (key === this.lastViewKey) return
    try {
      await saveAccountView(view)
      this.lastViewKey = key
    } catch (e) {
      this.o.log.warn({ err: e }, 'account snapshot not saved')
    }
  }

  /** The account read from the broker this cycle (saved after the orders went out); its error counts against the bridge's health. */
  private async freshMarketView(): Promise<{ view: MarketView | null; error: string | null }> {
    try {
      return { view: await readAccount(this.o.broker), error: null }
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
    if (requested > 0 && delivered === 0) {
      if (!this.quotesDown) {
        this.quotesDown = true
        const reason = health.map((h) => `${h.id}: ${h.lastError?.message ?? h.state}`).join('; ')
        await writeTx(getDb(), (tx) => notifyAllUsers(tx, { type: 'QUOTES_DOWN', params: { reason }, dedupeKey: `quotes-down:${Date.now()}` }))
      }
      return
    }
    this.quotesDown = false
    if (phase === 'continuous' && stale > 0 && Date.now() - this.lastStaleNotice > STALE_NOTICE_EVERY_MS) {
      this.lastStaleNotice = Date.now()
      await writeTx(getDb(), (tx) =>
        notifyAllUsers(tx, { type: 'QUOTES_STALE', params: { count: stale, seconds: settings.risk.maxQuoteAgeSec, codes: staleCodes.slice(0, 5).join(', ') }, dedupeKey: `quotes-stale:${this.lastStaleNotice}` }),
      )
    }
    void problems
  }

  /**
   * The bridge client refuses to send orders until connect() proved the bridge answers; after a
   * refused connection or a timeout it counts as disconnected. Reconnect, at most every 5 s.
   */
  private async ensureConnected(): Promise<void> {
    if (this.o.broker.isConnected() || Date.now() - this.lastConnectAttempt < 5_000) return
    this.lastConnectAttempt = Date.now()
    const res = await this.o.broker.connect().catch((e) => ({ success: false, message: (e as Error).message }))
    await this.setBridge(res.success, res.success ? undefined : res.message)
    if (res.success) this.o.log.info({ message: res.message }, 'broker connected')
  }

  private async probeBridge(): Promise<void> {
    this.lastBridgeProbe = Date.now()
    try {
      await this.o.broker.getAccountInfo()
      await this.setBridge(true)
    } catch (e) {
      await this.setBridge(false, (e as Error).message)
    }
  }

  private async setBridge(ok: boolean, error?: string): Promise<void> {
    // The stored state is the memory across restarts: a worker that starts while it says "down"
    // and then reaches the bridge tells the trader it is back.
    const { changed, previous } = await setServiceHealth('bridge', ok, { error })
    this.bridgeUp = ok
    if (!changed) return
    if (ok && previous === null) return // first sight and healthy: nothing to tell
    const at = Date.now()
    await writeTx(getDb(), (tx) =>
      notifyAllUsers(tx, ok ? { type: 'BRIDGE_UP', dedupeKey: `bridge-up:${at}` } : { type: 'BRIDGE_DOWN', params: { reason: error ?? '—' }, dedupeKey: `bridge-down:${at}` }),
    )
    this.o.log[ok ? 'info' : 'error']({ error }, ok ? 'bridge is back' : 'bridge down')
  }

  private async dailyJobs(now: Date, _settings: RuntimeSettings): Promise<void> {
    const day = shanghaiDate(now)
    if (!isTradingDay(day)) return
    const sec = shanghaiSecondOfDay(now)
    if (sec >= PRE_OPEN_SEC && sec < POST_CLOSE_SEC && this.preOpenDay !== day) {
      this.preOpenDay = day
      const res = await this.o.broker.connect().catch((e) => ({ success: false, message: (e as Error).message }))
      this.o.log.info({ day, connected: res.success, message: res.message }, 'pre-open: broker connect, account and positions refresh')
      if (res.success) {
        await refreshAccount(this.o.broker).catch((e) => this.o.log.warn({ err: e }, 'pre-open refresh failed'))
        await this.setBridge(true)
      } else await this.setBridge(false, res.message)
      this.dirty = true
      await pruneHeartbeats(new Date(Date.now() - 3 * 86_400_000))
      await pruneBars(new Date(now.getTime() - 10 * 86_400_000))
    }
    if (sec >= POST_CLOSE_SEC && this.postCloseDay !== day) {
      this.postCloseDay = day
      await trackOpenOrders(this.sendDeps(_settings), now, new Map()).catch(() => undefined)
      await refreshAccount(this.o.broker).catch(() => undefined)
      await dailySummary(day)
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
  account: AccountRead
  /** The last stored account snapshot (evaluation uses it until the fresh read is in). */
  snapshot: MarketView
  /** False on a provisional calendar day the quotes have not confirmed open yet. */
  canSend: boolean
  sent: SendTally
}

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

  add(r: SendResult): void {
    this.sent += r.sent
    this.unknown += r.unknown
    this.bridgeUnreachable ||= r.bridgeUnreachable
  }
}
