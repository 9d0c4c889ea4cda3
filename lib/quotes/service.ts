/**
 * Quote service: batching, bounded concurrency, failover across providers, per-provider health with a
 * circuit breaker, and a staleness stamp on every quote.
 *
 * Failover policy
 * - Providers are tried in the configured order. Each provider only receives the codes that earlier
 *   providers did not deliver.
 * - A transport failure (QuoteSourceError) fails the whole request: all codes of that request move on
 *   to the next provider, and it counts against the provider's health.
 * - Per-code problems (unknown_code, empty, malformed) do NOT count against health, but those codes
 *   are also asked of the next provider: sources differ in coverage and a single source's "unknown"
 *   can be a glitch. The cost is that a truly unknown code is asked of every provider on every poll;
 *   codes reach us normalised, so this should be rare.
 * - A code no provider delivered gets a final reason: `unknown_code` when every provider that answered
 *   said so; otherwise the most serious per-code problem seen (malformed > empty > unknown_code);
 *   `unavailable` when no provider answered for it at all (all failed or were skipped).
 * - The first provider that delivers a code wins; sources are not cross-checked here.
 *
 * Circuit breaker (per provider, on the real wall clock `clock`, never the caller's simulated `now`)
 * - After `failureThreshold` consecutive failed requests the provider is skipped for `cooldownMs`.
 * - Then one request is let through as a probe (half-open). Success closes the circuit; failure
 *   re-opens it with the cooldown doubled, up to `maxCooldownMs`.
 *
 * Staleness: `ageMs = now − quote.time` with the caller's `now` (a simulated clock in demo mode);
 * `stale = ageMs > maxAgeMs`. The service does not drop stale quotes: outside trading hours every
 * quote is legitimately old, and only the caller knows the session calendar.
 */
import type { Quote } from '../market/quote'
import { parseCanonical } from './codes'
import { createEastmoneyProvider } from './eastmoney'
import { chunk } from './provider-common'
import { createSinaProvider } from './sina'
import { createTencentProvider } from './tencent'
import { QuoteSourceError, type CodeOutcome, type CodeProblem, type QuoteProvider, type QuoteSourceErrorKind } from './types'

export type BuiltinProviderId = 'tencent' | 'sina' | 'eastmoney'

/** The subset of a pino logger the service uses; a pino logger can be passed as is. */
export interface QuoteLogger {
  warn(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  debug(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface BreakerOptions {
  /** Consecutive failed requests that open the circuit. Default 3. */
  failureThreshold?: number
  /** First skip period. Default 30 s. */
  cooldownMs?: number
  /** Upper bound for the doubling cooldown. Default 5 min. */
  maxCooldownMs?: number
}

export interface QuoteServiceOptions {
  /** Provider order, e.g. `['tencent', 'sina', 'eastmoney']`; custom providers may be passed as objects. */
  providers: Array<BuiltinProviderId | QuoteProvider>
  /** Defaults: `http://qt.gtimg.cn`, `https://hq.sinajs.cn`, `https://push2.eastmoney.com`. */
  baseUrls?: Partial<Record<BuiltinProviderId, string>>
  /** Per-request timeout (headers and body). */
  timeoutMs: number
  /** Maximum requests in flight per provider (shared by concurrent getQuotes calls). */
  concurrency: number
  /** Override codes per request (capped at each provider's documented limit for Tencent and Sina). */
  batchSizes?: Partial<Record<BuiltinProviderId, number>>
  /** Quotes older than this (relative to the caller's `now`) are stamped `stale`. Default 60 s. */
  maxAgeMs?: number
  breaker?: BreakerOptions
  /** Wall clock in ms for health timestamps and the breaker. Default `Date.now`. */
  clock?: () => number
  logger?: QuoteLogger
  /**
   * A poll that straddled a snapshot publication: requests answered before it carry the previous
   * snapshot, the others the new one. A request whose newest quote is at least this much older than
   * the poll's newest is asked once more, at once, so a crossing in it is not seen a whole snapshot
   * (3 s) late. Default 1,000 ms (Tencent's stamps step by ~3 s); 0 turns it off.
   */
  straddleRetryMs?: number
}

export interface ServedQuote extends Quote {
  /** now − time in ms (negative if the quote is stamped after the caller's `now`). */
  ageMs: number
  stale: boolean
}

export type ProviderVerdict =
  | { problem: CodeProblem; detail?: string }
  | { error: QuoteSourceErrorKind; message: string }
  | { skipped: 'circuit_open' }

export interface QuoteProblemReport {
  reason: CodeProblem | 'unavailable'
  /** What each provider that was consulted said about this code, in order. */
  byProvider: Array<{ provider: string } & ProviderVerdict>
}

export interface ProviderAttempt {
  provider: string
  /** Codes handed to this provider. */
  requested: number
  delivered: number
  requests: number
  failedRequests: number
  skipped?: 'circuit_open'
}

export interface GetQuotesResult {
  quotes: Map<string, ServedQuote>
  problems: Map<string, QuoteProblemReport>
  /** code → provider id that delivered it (same as `quote.source`). */
  providerUsed: Map<string, string>
  attempts: ProviderAttempt[]
}

export type CircuitState = 'closed' | 'open' | 'half_open'

export interface ProviderHealth {
  id: string
  state: CircuitState
  consecutiveFailures: number
  totalRequests: number
  totalFailures: number
  lastOkAt: Date | null
  /** Latency of the last completed request (ok or failed). */
  lastLatencyMs: number | null
  lastError: { kind: QuoteSourceErrorKind; message: string; at: Date } | null
  /** While open: when the next probe is allowed. */
  openUntil: Date | null
}

export interface QuoteService {
  getQuotes(codes: string[], now: Date, opts?: { signal?: AbortSignal }): Promise<GetQuotesResult>
  health(): ProviderHealth[]
}

/** Tiny FIFO semaphore. */
class Semaphore {
  private active = 0
  private readonly waiting: Array<() => void> = []
  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.active++
    try {
      return await fn()
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.active--
    }
  }
}

class ProviderState {
  consecutiveFailures = 0
  totalRequests = 0
  totalFailures = 0
  lastOkAt: number | null = null
  lastLatencyMs: number | null = null
  lastError: { kind: QuoteSourceErrorKind; message: string; at: number } | null = null
  openUntil: number | null = null
  /** How many times in a row the circuit opened without a success in between. */
  opens = 0
  probeInFlight = false
  readonly sem: Semaphore

  constructor(
    readonly provider: QuoteProvider,
    concurrency: number,
  ) {
    this.sem = new Semaphore(concurrency)
  }

  state(now: number): CircuitState {
    if (this.openUntil === null) return 'closed'
    return now < this.openUntil ? 'open' : 'half_open'
  }
}

const DEFAULT_MAX_AGE_MS = 60_000

function toSourceError(providerId: string, e: unknown): QuoteSourceError {
  if (e instanceof QuoteSourceError) return e
  // A provider bug (e.g. a TypeError in a parser) must not crash the service: count it as a failure.
  return new QuoteSourceError('malformed', providerId, `unexpected error: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
}

const SEVERITY: Record<CodeProblem, number> = { unknown_code: 0, empty: 1, malformed: 2 }

/**
 * The batches of one poll whose newest quote (suspended codes aside: their stamps stand still) is
 * at least `lagMs` older than the newest of the whole poll; batches that delivered nothing are not
 * lagging (they failed, and move on to the next provider).
 */
export function laggingBatches(batches: string[][], quotes: ReadonlyMap<string, Quote>, lagMs: number): string[][] {
  const newestOf = (b: string[]) => {
    let m = -Infinity
    for (const c of b) {
      const q = quotes.get(c)
      if (q && !q.suspended) m = Math.max(m, q.time.getTime())
    }
    return m
  }
  const newest = batches.map(newestOf)
  const top = Math.max(...newest)
  return batches.filter((_, i) => Number.isFinite(newest[i]!) && newest[i]! <= top - lagMs)
}

export function createQuoteService(opts: QuoteServiceOptions): QuoteService {
  if (!(opts.concurrency >= 1)) throw new RangeError('concurrency must be ≥ 1')
  if (!(opts.timeoutMs > 0)) throw new RangeError('timeoutMs must be > 0')
  if (opts.providers.length === 0) throw new RangeError('at least one provider is required')
  const clock = opts.clock ?? Date.now
  const log = opts.logger
  const maxAgeMs = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS
  const failureThreshold = opts.breaker?.failureThreshold ?? 3
  const cooldownMs = opts.breaker?.cooldownMs ?? 30_000
  const maxCooldownMs = opts.breaker?.maxCooldownMs ?? 300_000
  const straddleMs = opts.straddleRetryMs ?? 1_000

  const states: ProviderState[] = opts.providers.map((p) => {
    const provider = typeof p === 'string' ? builtin(p, opts) : p
    return new ProviderState(provider, opts.concurrency)
  })
  const ids = new Set<string>()
  for (const s of states) {
    if (ids.has(s.provider.id)) throw new RangeError(`provider ${s.provider.id} listed twice`)
    ids.add(s.provider.id)
  }

  function recordOk(s: ProviderState, latency: number) {
    s.totalRequests++
    s.consecutiveFailures = 0
    s.lastOkAt = clock()
    s.lastLatencyMs = latency
    if (s.openUntil !== null) log?.info({ provider: s.provider.id }, 'quote provider recovered; circuit closed')
    s.openUntil = null
    s.opens = 0
  }

  function recordFailure(s: ProviderState, err: QuoteSourceError, latency: number, wasProbe: boolean) {
    s.totalRequests++
    s.totalFailures++
    s.consecutiveFailures++
    s.lastLatencyMs = latency
    s.lastError = { kind: err.kind, message: err.message, at: clock() }
    const open = s.state(clock()) === 'open'
    if (!open && (wasProbe || s.consecutiveFailures >= failureThreshold)) {
      s.opens++
      const cd = Math.min(cooldownMs * 2 ** (s.opens - 1), maxCooldownMs)
      s.openUntil = clock() + cd
      log?.warn({ provider: s.provider.id, consecutiveFailures: s.consecutiveFailures, cooldownMs: cd, kind: err.kind }, 'quote provider circuit opened')
    }
  }

  async function request(s: ProviderState, codes: string[], wasProbe: boolean, signal?: AbortSignal) {
    return s.sem.run(async () => {
      // Skip if the circuit opened while this request was queued.
      if (!wasProbe && s.state(clock()) === 'open') return { skipped: true as const }
      const t0 = clock()
      try {
        const r = await s.provider.fetch(codes, signal)
        recordOk(s, clock() - t0)
        for (const w of r.warnings) log?.warn({ provider: s.provider.id }, w)
        return { ok: true as const, byCode: r.byCode }
      } catch (e) {
        if (signal?.aborted) throw e
        const err = toSourceError(s.provider.id, e)
        if (!(e instanceof QuoteSourceError)) log?.error({ provider: s.provider.id, err: e }, 'quote provider threw an unexpected error')
        recordFailure(s, err, clock() - t0, wasProbe)
        log?.warn({ provider: s.provider.id, kind: err.kind, status: err.status, codes: codes.length, msg: err.message }, 'quote request failed')
        return { ok: false as const, error: err }
      }
    })
  }

  async function getQuotes(codes: string[], now: Date, callOpts: { signal?: AbortSignal } = {}): Promise<GetQuotesResult> {
    const { signal } = callOpts
    const quotes = new Map<string, ServedQuote>()
    const providerUsed = new Map<string, string>()
    const verdicts = new Map<string, QuoteProblemReport['byProvider']>()
    const attempts: ProviderAttempt[] = []
    const problems = new Map<string, QuoteProblemReport>()

    let remaining: string[] = []
    for (const c of new Set(codes)) {
      if (parseCanonical(c)) {
        remaining.push(c)
        verdicts.set(c, [])
      } else {
        problems.set(c, { reason: 'unknown_code', byProvider: [] })
      }
    }

    const verdict = (code: string, v: { provider: string } & ProviderVerdict) => verdicts.get(code)!.push(v)

    for (const s of states) {
      if (remaining.length === 0) break
      if (signal?.aborted) throw signal.reason
      const id = s.provider.id
      const attempt: ProviderAttempt = { provider: id, requested: remaining.length, delivered: 0, requests: 0, failedRequests: 0 }
      attempts.push(attempt)

      const st = s.state(clock())
      if (st === 'open' || (st === 'half_open' && s.probeInFlight)) {
        attempt.skipped = 'circuit_open'
        for (const c of remaining) verdict(c, { provider: id, skipped: 'circuit_open' })
        log?.debug({ provider: id, codes: remaining.length }, 'quote provider skipped: circuit open')
        continue
      }

      const batches = chunk(remaining, Math.max(1, s.provider.maxBatch))
      const serve = (c: string, quote: Quote) => {
        const ageMs = now.getTime() - quote.time.getTime()
        quotes.set(c, { ...quote, ageMs, stale: ageMs > maxAgeMs })
      }
      const handle = (batch: string[], r: Awaited<ReturnType<typeof request>>) => {
        if ('skipped' in r) {
          for (const c of batch) verdict(c, { provider: id, skipped: 'circuit_open' })
          return
        }
        attempt.requests++
        if (!r.ok) {
          attempt.failedRequests++
          for (const c of batch) verdict(c, { provider: id, error: r.error.kind, message: r.error.message })
          return
        }
        for (const c of batch) {
          const o: CodeOutcome = r.byCode.get(c) ?? { ok: false, problem: 'malformed', detail: 'provider returned no outcome' }
          if (o.ok) {
            serve(c, o.quote)
            providerUsed.set(c, id)
            attempt.delivered++
          } else {
            verdict(c, { provider: id, problem: o.problem, ...(o.detail === undefined ? {} : { detail: o.detail }) })
          }
        }
      }

      let rest = batches
      if (st === 'half_open') {
        // One probe request; the rest only if it succeeds.
        s.probeInFlight = true
        const first = batches[0]!
        let r: Awaited<ReturnType<typeof request>>
        try {
          r = await request(s, first, true, signal)
        } finally {
          s.probeInFlight = false
        }
        handle(first, r)
        rest = batches.slice(1)
        if (!('skipped' in r) && !r.ok) {
          for (const b of rest) for (const c of b) verdict(c, { provider: id, skipped: 'circuit_open' })
          rest = []
        }
      }
      const results = await Promise.all(rest.map((b) => request(s, b, false, signal)))
      rest.forEach((b, i) => handle(b, results[i]!))
      const lagging = straddleMs > 0 && batches.length > 1 ? laggingBatches(batches, quotes, straddleMs) : []
      if (lagging.length) {
        // Asked again once: a newer answer replaces the quotes; a failed one leaves them as they were.
        const again = await Promise.all(lagging.map((b) => request(s, b, false, signal)))
        lagging.forEach((b, i) => {
          const r = again[i]!
          if ('skipped' in r) return
          attempt.requests++
          if (!r.ok) {
            attempt.failedRequests++
            return
          }
          for (const c of b) {
            const o = r.byCode.get(c)
            const had = quotes.get(c)
            if (o?.ok && (!had || o.quote.time.getTime() > had.time.getTime())) serve(c, o.quote)
          }
        })
        log?.debug({ provider: id, requests: lagging.length }, 'a poll straddled a snapshot: lagging requests asked again')
      }

      remaining = remaining.filter((c) => !quotes.has(c))
      if (remaining.length > 0) log?.debug({ provider: id, undelivered: remaining.length }, 'undelivered codes move on to the next provider')
    }

    for (const c of remaining) {
      const byProvider = verdicts.get(c)!
      const answered = byProvider.filter((v): v is { provider: string } & { problem: CodeProblem; detail?: string } => 'problem' in v)
      let reason: QuoteProblemReport['reason'] = 'unavailable'
      for (const v of answered) if (reason === 'unavailable' || SEVERITY[v.problem] > SEVERITY[reason]) reason = v.problem
      problems.set(c, { reason, byProvider })
    }
    if (remaining.length > 0) log?.warn({ codes: remaining.slice(0, 20), count: remaining.length }, 'codes without a quote from any provider')

    return { quotes, problems, providerUsed, attempts }
  }

  function health(): ProviderHealth[] {
    const now = clock()
    return states.map((s) => ({
      id: s.provider.id,
      state: s.state(now),
      consecutiveFailures: s.consecutiveFailures,
      totalRequests: s.totalRequests,
      totalFailures: s.totalFailures,
      lastOkAt: s.lastOkAt === null ? null : new Date(s.lastOkAt),
      lastLatencyMs: s.lastLatencyMs,
      lastError: s.lastError === null ? null : { ...s.lastError, at: new Date(s.lastError.at) },
      openUntil: s.openUntil !== null && s.openUntil > now ? new Date(s.openUntil) : null,
    }))
  }

  return { getQuotes, health }
}

function builtin(id: BuiltinProviderId, opts: QuoteServiceOptions): QuoteProvider {
  const common = { baseUrl: opts.baseUrls?.[id], timeoutMs: opts.timeoutMs, maxBatch: opts.batchSizes?.[id] }
  switch (id) {
    case 'tencent':
      return createTencentProvider(common)
    case 'sina':
      return createSinaProvider(common)
    case 'eastmoney':
      return createEastmoneyProvider(common)
    default:
      throw new RangeError(`unknown quote provider ${String(id)}`)
  }
}
