/**
 * The market clock. Real mode: wall time (every rule converts to Asia/Shanghai itself). Demo mode:
 * the paper exchange's simulated clock (a compressed trading day), fetched from its control API and
 * extrapolated between syncs, so the worker and the exchange agree on what time it is.
 */
export interface MarketClock {
  readonly mode: 'wall' | 'sim'
  now(): Date
  /** Refreshes a remote clock; a no-op for the wall clock. Throws when the source is unreachable. */
  sync(): Promise<void>
  /** Wall milliseconds until the market clock reads `at` (capped for a simulated clock, which may jump). */
  wallMsUntil(at: Date): number
}

export class WallClock implements MarketClock {
  readonly mode = 'wall' as const
  now(): Date {
    return new Date()
  }
  async sync(): Promise<void> {}
  wallMsUntil(at: Date): number {
    return Math.max(0, at.getTime() - Date.now())
  }
}

interface SimClockAnswer {
  now: string
  speed: number
  paused?: boolean
}

export class SimClock implements MarketClock {
  readonly mode = 'sim' as const
  private marketAtSync = 0
  private wallAtSync = 0
  private speed = 1
  private synced = false

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string> = {},
    private readonly maxSleepMs = 2_000,
  ) {}

  async sync(): Promise<void> {
    const res = await fetch(`${this.url.replace(/\/$/, '')}/control/clock`, { headers: this.headers, signal: AbortSignal.timeout(3_000) })
    if (!res.ok) throw new Error(`simulated clock answered HTTP ${res.status}`)
    const body = (await res.json()) as SimClockAnswer
    const t = Date.parse(body.now)
    if (!Number.isFinite(t)) throw new Error('simulated clock sent no valid time')
    this.marketAtSync = t
    this.wallAtSync = Date.now()
    this.speed = body.paused ? 0 : Math.max(0, Number(body.speed) || 0)
    this.synced = true
  }

  /** Market milliseconds per wall millisecond at the last sync (0 while paused). */
  get rate(): number {
    return this.speed
  }

  now(): Date {
    if (!this.synced) throw new Error('simulated clock not synced yet')
    return new Date(this.marketAtSync + (Date.now() - this.wallAtSync) * this.speed)
  }

  wallMsUntil(at: Date): number {
    const marketMs = at.getTime() - this.now().getTime()
    if (marketMs <= 0) return 0
    if (this.speed === 0) return this.maxSleepMs
    // The exchange may jump over the lunch break or the night: never sleep long, re-sync instead.
    return Math.min(this.maxSleepMs, marketMs / this.speed)
  }
}
