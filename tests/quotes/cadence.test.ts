// Phase-locked polling (lib/quotes/cadence.ts) against a simulated source publishing snapshots on a
// cadence with jitter (the paper exchange's lib/paper/snapshots.ts), stamps at Tencent's one-second
// resolution: once the cadence is learnt, every snapshot is seen soon after its publication, with a
// bounded number of polls; a source without a cadence keeps the fixed interval.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CadenceTracker, estimateCadence, phaseDelay, type CadenceObservation } from '@/lib/quotes/cadence'
import { publicationMs, publishedSnapshotMs, type SnapshotCadence } from '@/lib/paper/snapshots'

interface Run {
  /** Per snapshot seen after warm-up: wall ms from its publication to the answer that carried it. */
  lags: number[]
  polls: number
  snapshots: number
  missed: number
  modes: Record<string, number>
}

/** Polls `src` for `durationMs` of simulated wall time, from a fixed 3 s interval at phase `startMs`. */
/**
 * `cycleMs`: the worker's own work after each answer (evaluate, write, send), before it plans the
 * next poll, which then waits as the worker does (`phaseDelay`: never more often than the interval).
 */
function simulate(src: SnapshotCadence, o: { startMs: number; latencyMs: number; durationMs: number; warmupMs: number; fixedMs?: number; stampResolutionMs?: number; lock?: boolean; cycleMs?: (i: number) => number }): Run {
  const t = new CadenceTracker()
  const res = o.stampResolutionMs ?? 1000
  let now = o.startMs
  const run: Run = { lags: [], polls: 0, snapshots: 0, missed: 0, modes: {} }
  let lastSeen = -Infinity
  while (now < o.startMs + o.durationMs) {
    const start = now
    const served = publishedSnapshotMs(src, start + o.latencyMs / 2)
    const end = start + o.latencyMs
    const stamp = Math.floor(served / res) * res
    const kind = t.observe({ startMs: start, endMs: end, snapshotMs: stamp })
    if (start > o.startMs + o.warmupMs) {
      run.polls++
      if (kind === 'new') {
        run.snapshots++
        run.lags.push(end - publicationMs(src, served))
        if (lastSeen > -Infinity) run.missed += Math.round((served - lastSeen) / src.cadenceMs) - 1
      }
    }
    if (kind === 'new') lastSeen = served
    if (o.cycleMs) {
      const after = end + o.cycleMs(run.polls)
      const plan = t.plan(after, o.fixedMs ?? 3000)
      run.modes[plan.mode] = (run.modes[plan.mode] ?? 0) + 1
      now = after + Math.max(25, phaseDelay(plan, t.cadence()?.periodMs, o.fixedMs ?? 3000, after - start))
      continue
    }
    const plan = o.lock === false ? { delayMs: (o.fixedMs ?? 3000) - o.latencyMs, mode: 'fixed' } : t.plan(end, o.fixedMs ?? 3000)
    run.modes[plan.mode] = (run.modes[plan.mode] ?? 0) + 1
    now = end + Math.max(1, plan.delayMs)
  }
  return run
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

describe('cadence estimate', () => {
  it('finds a 3 s period and the publication offset from stamps at one-second resolution', () => {
    const obs: CadenceObservation[] = []
    for (let k = 0; k < 10; k++) obs.push({ startMs: k * 3000 + 1400, endMs: k * 3000 + 1420, snapshotMs: k * 3000 })
    const c = estimateCadence(obs)!
    expect(c.periodMs).toBe(3000)
    expect(c.highMs).toBe(1420)
    expect(c.lowMs).toBe(1400 - 3000)
    expect(c.lastSnapshotMs).toBe(27_000)
  })

  it('trusts no cadence from a paused source, too few stamps or irregular steps', () => {
    const paused = Array.from({ length: 20 }, (_, k) => ({ startMs: k * 3000, endMs: k * 3000 + 10, snapshotMs: 5000 }))
    expect(estimateCadence(paused)).toBeNull()
    expect(estimateCadence(paused.slice(0, 3).map((x, k) => ({ ...x, snapshotMs: k * 3000 })))).toBeNull()
    const irregular = [0, 3000, 4100, 9000, 10_300, 17_700, 19_000].map((s, k) => ({ startMs: s + 500 + k, endMs: s + 510 + k, snapshotMs: s }))
    expect(estimateCadence(irregular)).toBeNull()
    const t = new CadenceTracker()
    for (const x of paused) t.observe(x)
    expect(t.plan(61_000, 2_345)).toEqual({ delayMs: 2_345, mode: 'fixed' })
  })
})

describe('phase-locked polling against a simulated source', () => {
  it('locks onto a 3 s source at a 400 ms phase: each snapshot seen within about 120 ms of publication', () => {
    const r = simulate({ cadenceMs: 3000, phaseMs: 400, jitterMs: 0 }, { startMs: 1_000_000_123, latencyMs: 8, durationMs: 600_000, warmupMs: 60_000 })
    expect(r.missed).toBe(0)
    expect(Math.max(...r.lags)).toBeLessThanOrEqual(120)
    expect(r.polls / r.snapshots).toBeLessThan(1.2)
    // The fixed 3 s poll at an arbitrary phase sees them 1.5 s late on average (over phases).
    const fixedMeans = Array.from({ length: 30 }, (_, i) => {
      const f = simulate({ cadenceMs: 3000, phaseMs: 400, jitterMs: 0 }, { startMs: 1_000_000_000 + i * 100, latencyMs: 8, durationMs: 120_000, warmupMs: 0, fixedMs: 3000, lock: false })
      expect(f.missed).toBe(0)
      return mean(f.lags)
    })
    expect(mean(fixedMeans)).toBeGreaterThan(1_400)
    expect(mean(r.lags)).toBeLessThan(mean(fixedMeans) / 10)
  })

  it('property: any cadence 1–6 s, phase, jitter up to 300 ms, latency up to 40 ms → no snapshot missed, mean lag ≤ 250 ms, at most 1 + 4 polls per snapshot', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 6000 }),
        fc.integer({ min: 0, max: 5999 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (cadenceMs, phaseMs, jitterMs, latencyMs, startMs, seed) => {
          const src = { cadenceMs: Math.round(cadenceMs / 1000) * 1000 || 1000, phaseMs, jitterMs, seed }
          // The configured interval is the cadence (a slower cadence than the interval is never seen as one).
          const r = simulate(src, { startMs: 1_700_000_000_000 + startMs, latencyMs, durationMs: 80 * src.cadenceMs, warmupMs: 30 * src.cadenceMs, fixedMs: src.cadenceMs })
          expect(r.snapshots).toBeGreaterThan(40)
          expect(r.missed).toBe(0)
          expect(mean(r.lags)).toBeLessThanOrEqual(250)
          expect(r.polls).toBeLessThanOrEqual(r.snapshots * 5)
        },
      ),
      { numRuns: 60, seed: 20_261_207 },
    )
  })

  it('property: with the worker’s own cycle time and its never-faster-than-the-interval rule, no snapshot is missed once locked, for ten minutes', () => {
    // Two causes of a snapshot seen 3 s late (2–5 % of them; npm run bench -- s2o: 4 of 200
    // crossings), each failing this property alone: the interval rule measured from the end of the
    // cycle, not from the previous poll's start (a snapshot caught late by a retry made the next
    // poll look too soon, and it was pushed a whole period on); and the lower bound forgotten once
    // its polls left the window (the planner probed ~1 s early and its retries ran out).
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2999 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 20, max: 150 }),
        fc.integer({ min: 50, max: 900 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (phaseMs, jitterMs, latencyMs, cycleMs, seed) => {
          const src = { cadenceMs: 3000, phaseMs, jitterMs, seed }
          const r = simulate(src, { startMs: 1_700_000_000_123, latencyMs, durationMs: 600_000, warmupMs: 60_000, fixedMs: 3000, cycleMs: (i) => cycleMs * (0.7 + 0.6 * ((i * 7919) % 100) / 100) })
          expect(r.snapshots).toBeGreaterThan(170)
          expect(r.missed).toBe(0)
          expect(Math.max(...r.lags)).toBeLessThan(1_500)
        },
      ),
      { numRuns: 40, seed: 20_261_207 },
    )
  })

  it('after a cycle that overran the next snapshot it polls at once, not a period later', () => {
    const t = new CadenceTracker()
    for (let k = 0; k < 12; k++) t.observe({ startMs: k * 3000 + 430, endMs: k * 3000 + 440, snapshotMs: k * 3000 })
    // Last poll at 33,430 saw 33,000; the cycle ran until 40,000: 36,000 and 39,000 are out.
    expect(t.plan(40_000, 3000)).toMatchObject({ delayMs: 0, mode: 'late' })
    // A poll after the expected time that still saw the old snapshot: quick bounded retries.
    t.observe({ startMs: 36_480, endMs: 36_490, snapshotMs: 33_000 })
    expect(t.plan(36_490, 3000)).toMatchObject({ delayMs: 120, mode: 'late' })
  })

  it('a source that stops moving (market closed, paused clock) falls back to the fixed interval', () => {
    const t = new CadenceTracker()
    for (let k = 0; k < 12; k++) t.observe({ startMs: k * 3000 + 300, endMs: k * 3000 + 310, snapshotMs: k * 3000 })
    expect(t.plan(36_000, 3000).mode).not.toBe('fixed')
    // 40 polls of the same stamp later the window holds no step: fixed.
    for (let k = 12; k < 52; k++) t.observe({ startMs: k * 3000 + 300, endMs: k * 3000 + 310, snapshotMs: 33_000 })
    expect(t.plan(160_000, 3000)).toEqual({ delayMs: 3000, mode: 'fixed' })
  })
})
