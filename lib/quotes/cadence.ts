/**
 * Phase-locked polling, the pure part: learns from our own polls when a quote source publishes its
 * snapshots, and says when to poll next. No I/O, no clock: every time is passed in (wall ms).
 *
 * Each poll is an observation: between `startMs` (request sent) and `endMs` (answer read) the source
 * served the snapshot stamped `snapshotMs` (its timestamp field; Tencent's moves about every 3 s).
 * - The period is the common step of the stamps: the median of the positive steps between distinct
 *   stamps, each divided by its whole number of periods (a poll that missed a snapshot sees 2 steps).
 * - The publication offset (wall − stamp) is at most `endMs − snapshotMs` for every observation
 *   (the snapshot was out when the answer came back): the smallest over the window is `highMs`.
 *   A poll sent at `startMs` that still saw `snapshotMs` says the next one was not out yet: the
 *   offset exceeds `startMs − snapshotMs − period`; the largest over the window is `lowMs`.
 * - While the bounds are far apart the next poll probes between them (halving the gap each time);
 *   once they meet (or cross, with jitter) it goes out `guardMs` after next stamp + `highMs`. If the snapshot is late (the poll sees the old one),
 *   up to `maxLatePolls` extra polls follow `lateRetryMs` apart, then the planner waits for the one
 *   after. No consistent cadence (too few stamps, irregular steps, a paused source): the caller's
 *   fixed interval.
 */
export interface CadenceObservation {
  startMs: number
  endMs: number
  snapshotMs: number
}

export interface CadenceOptions {
  /** Observations kept (default 40, about 2 minutes at 3 s). */
  window: number
  /** Distinct-stamp steps needed before the cadence is trusted (default 4). */
  minSteps: number
  /** Share of steps that must be whole multiples of the period (default 0.8). */
  minAgreement: number
  minPeriodMs: number
  maxPeriodMs: number
  /** Poll this long after the expected publication (default 30 ms). */
  guardMs: number
  /** A late snapshot is polled again after this long (default 120 ms)… */
  lateRetryMs: number
  /** …at most this many times (default 4). */
  maxLatePolls: number
}

export const DEFAULT_CADENCE: CadenceOptions = { window: 40, minSteps: 4, minAgreement: 0.8, minPeriodMs: 500, maxPeriodMs: 60_000, guardMs: 30, lateRetryMs: 120, maxLatePolls: 4 }

export interface Cadence {
  periodMs: number
  /** Upper bound of the publication lag (wall − stamp): smallest (answer time − stamp) observed. */
  highMs: number
  /** Lower bound: largest (send time − stamp − period) observed. */
  lowMs: number
  lastSnapshotMs: number
}

export interface PollPlan {
  delayMs: number
  mode: 'fixed' | 'phase' | 'late'
  /** Expected wall time of the next snapshot's publication (phase and late modes). */
  expectedMs?: number
}

export function estimateCadence(obs: readonly CadenceObservation[], o: CadenceOptions = DEFAULT_CADENCE): Cadence | null {
  if (obs.length < 2) return null
  const stamps = [...new Set(obs.map((x) => x.snapshotMs))].sort((a, b) => a - b)
  const steps: number[] = []
  for (let i = 1; i < stamps.length; i++) steps.push(stamps[i]! - stamps[i - 1]!)
  if (steps.length < o.minSteps) return null
  const base = Math.min(...steps)
  if (!(base >= o.minPeriodMs) || base > o.maxPeriodMs) return null
  const units = steps.map((s) => s / Math.max(1, Math.round(s / base)))
  units.sort((a, b) => a - b)
  const periodMs = units[Math.floor(units.length / 2)]!
  const agree = steps.filter((s) => {
    const n = Math.round(s / periodMs)
    return n >= 1 && Math.abs(s - n * periodMs) <= 0.1 * periodMs
  }).length
  if (agree / steps.length < o.minAgreement) return null
  let highMs = Infinity
  let lowMs = -Infinity
  for (const x of obs) {
    highMs = Math.min(highMs, x.endMs - x.snapshotMs)
    lowMs = Math.max(lowMs, x.startMs - x.snapshotMs - periodMs)
  }
  return { periodMs, highMs, lowMs, lastSnapshotMs: stamps[stamps.length - 1]! }
}

/**
 * The worker's wait from a plan: polls never more often than the configured interval `fixedMs`
 * (late retries aside): a phase poll that would start less than `fixedMs` − half a period after the
 * previous poll started waits whole periods (an interval of 6 s on a 3 s source: every other
 * snapshot). `sinceLastPollMs`: now − the previous poll's start. Measured from now instead, a
 * snapshot caught late by a retry made the next one look too soon, and it was skipped.
 */
export function phaseDelay(plan: PollPlan, periodMs: number | undefined, fixedMs: number, sinceLastPollMs = 0): number {
  let delayMs = plan.delayMs
  if (plan.mode === 'phase' && periodMs) while (sinceLastPollMs + delayMs < fixedMs - periodMs / 2) delayMs += periodMs
  return delayMs
}

/** One source's learned cadence and the state of its late-snapshot retries. */
export class CadenceTracker {
  private obs: CadenceObservation[] = []
  private latePolls = 0
  private lastStartMs = -Infinity
  private lowSeen: { lowMs: number; periodMs: number } | null = null
  constructor(private readonly o: CadenceOptions = DEFAULT_CADENCE) {}

  /** Records a poll; 'new' when it brought a newer snapshot than any before. */
  observe(x: CadenceObservation): 'new' | 'same' {
    const prev = this.obs.length ? Math.max(...this.obs.map((y) => y.snapshotMs)) : -Infinity
    this.obs.push(x)
    this.lastStartMs = Math.max(this.lastStartMs, x.startMs)
    if (this.obs.length > this.o.window) this.obs.splice(0, this.obs.length - this.o.window)
    if (x.snapshotMs > prev) {
      this.latePolls = 0
      return 'new'
    }
    return 'same'
  }

  /**
   * The window's estimate, with the lower bound remembered beyond the window. Once locked, every
   * poll comes after the publication, so the polls that proved "not out yet" leave the window and
   * the window's own lower bound falls back by a whole period; the planner then took the bounds for
   * unknown again and probed ~1 s early, and with short cycles its bounded late retries ran out
   * before the publication: a snapshot seen 3 s late. A bound proved once stays proved while the
   * period holds; a faster publication later shows as bounds that cross, and the planner then
   * follows the upper bound.
   */
  cadence(): Cadence | null {
    const c = estimateCadence(this.obs, this.o)
    if (!c) {
      this.lowSeen = null
      return null
    }
    if (this.lowSeen && Math.abs(this.lowSeen.periodMs - c.periodMs) > 0.1 * c.periodMs) this.lowSeen = null
    const lowMs = Math.max(c.lowMs, this.lowSeen?.lowMs ?? -Infinity)
    this.lowSeen = { lowMs, periodMs: c.periodMs }
    return { ...c, lowMs }
  }

  /**
   * When to poll next, at wall time `nowMs`; `fixedDelayMs` is what the fixed interval would wait
   * (used when no cadence is known).
   */
  plan(nowMs: number, fixedDelayMs: number): PollPlan {
    const c = this.cadence()
    if (!c) return { delayMs: fixedDelayMs, mode: 'fixed' }
    const guard = this.o.guardMs
    // Probe inside the bounds while they are far apart; else just after the earliest publication.
    const offset = c.highMs - c.lowMs > 2 * guard ? (c.lowMs + c.highMs) / 2 - guard : c.highMs
    let expected = c.lastSnapshotMs + c.periodMs + offset
    if (expected + guard <= nowMs) {
      // Not polled since it was due (a long cycle): it is out by now, poll at once.
      if (this.lastStartMs < expected + guard) return { delayMs: 0, mode: 'late', expectedMs: expected }
      // Polled after it was due and it was not there: a bounded number of quick extra polls, then
      // wait for the one after.
      if (this.latePolls < this.o.maxLatePolls && nowMs - (expected + guard) < c.periodMs) {
        this.latePolls++
        return { delayMs: this.o.lateRetryMs, mode: 'late', expectedMs: expected }
      }
      const skipped = Math.floor((nowMs - (expected + guard)) / c.periodMs) + 1
      expected += skipped * c.periodMs
      this.latePolls = 0
    }
    const delayMs = Math.max(0, Math.round(expected + guard - nowMs))
    // A plan beyond two periods means the estimate has gone astray: the fixed interval is safer.
    if (delayMs > 2 * c.periodMs) return { delayMs: fixedDelayMs, mode: 'fixed' }
    return { delayMs, mode: 'phase', expectedMs: expected }
  }
}
