/**
 * Level-1 snapshots on a cadence, like Tencent's feed: snapshot k carries the nominal time
 * phase + k × cadence (its timestamp field) and is published a little later, by a jitter in
 * [0, jitterMs) that is fixed per snapshot (deterministic from the seed). A quote request at time t
 * is answered with the newest snapshot already published at t. Cadence 0: continuous quotes (the
 * default; every request sees the current price).
 *
 * The price model itself moves in 3 s steps stamped at their start (price-model.ts STEP_SEC): with a
 * 3 s cadence, `phaseMs` is how long after its step a snapshot comes out, plus the jitter.
 */
export interface SnapshotCadence {
  cadenceMs: number
  phaseMs?: number
  jitterMs?: number
  seed?: number
}

function unit(seed: number, k: number): number {
  let h = (Math.imul(k ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(seed | 0, 0xc2b2ae35)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0
  return ((h ^ (h >>> 16)) >>> 0) / 4_294_967_296
}

/** Publication delay of snapshot k after its nominal time. */
export function snapshotJitterMs(c: SnapshotCadence, k: number): number {
  const j = Math.min(c.jitterMs ?? 0, c.cadenceMs * 0.9)
  return j > 0 ? Math.floor(unit(c.seed ?? 1, k) * j) : 0
}

/** Nominal time (ms) of the newest snapshot published at `nowMs`; `nowMs` itself when continuous. */
export function publishedSnapshotMs(c: SnapshotCadence | null | undefined, nowMs: number): number {
  if (!c || !(c.cadenceMs > 0)) return nowMs
  const phase = (((c.phaseMs ?? 0) % c.cadenceMs) + c.cadenceMs) % c.cadenceMs
  let k = Math.floor((nowMs - phase) / c.cadenceMs)
  // Jitter is below one cadence: the newest published one is k or k − 1.
  if (phase + k * c.cadenceMs + snapshotJitterMs(c, k) > nowMs) k -= 1
  return phase + k * c.cadenceMs
}

/** Wall time at which the snapshot with nominal time `snapshotMs` is published. */
export function publicationMs(c: SnapshotCadence, snapshotMs: number): number {
  const phase = (((c.phaseMs ?? 0) % c.cadenceMs) + c.cadenceMs) % c.cadenceMs
  return snapshotMs + snapshotJitterMs(c, Math.round((snapshotMs - phase) / c.cadenceMs))
}
