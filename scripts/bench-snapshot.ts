/**
 * snapshotToOrder: from the exchange publishing the first snapshot whose price crosses a level to
 * the bridge receiving `order_stock`. The production worker process (`npm run worker`'s entry and
 * Node flags) against the paper exchange on loopback, its market clock running at wall speed and its
 * Tencent quotes published as 3 s snapshots at a 400 ms phase with up to 200 ms of jitter
 * (SIM_SNAPSHOT_*). The bridge is reached through a proxy that notes each order_stock's arrival.
 *
 * A crossing is made visible exactly when a snapshot is published: LEAD_MS before snapshot k's
 * publication instant (market ↔ wall offset measured from the exchange's clock) the bench moves the
 * price of fresh codes (CROSSINGS_PER_SNAPSHOT of them) into their entry zone; the exchange keeps
 * the snapshot already out frozen, so the change shows from snapshot k on. Latency = order_stock
 * arrival − snapshot k's publication. Run once with phase lock and once with QUOTE_PHASE_LOCK=false.
 * Fewer than MIN_SAMPLES samples fails the run.
 */
import { performance } from 'node:perf_hooks'
import { publicationMs, type SnapshotCadence } from '../lib/paper/snapshots'
import { simEnv, startSim, startWorker, type Proc } from './stack'

// The jitter seed is the exchange's default (sim.ts has no option for it).
const CADENCE: SnapshotCadence = { cadenceMs: 3000, phaseMs: 400, jitterMs: 200 }
const CROSSINGS_PER_SNAPSHOT = 2
const MIN_SAMPLES = 200
const LEAD_MS = 600

export interface SnapshotRun {
  p50: number
  p99: number
  n: number
}

const pctOf = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))

export async function benchSnapshotToOrder(
  deps: {
    freshDb: (name: string) => Promise<string>
    seedMonitors: (dbUrl: string, count: number, opts: { crossable?: boolean }) => Promise<number>
    benchCodes: (n: number) => string[]
    timestampingProxy: (target: string) => Promise<{ url: string; arrivals: Map<string, number>; close: () => Promise<void> }>
  },
  phaseLock: boolean,
  log: (m: string) => void,
  samples = MIN_SAMPLES,
): Promise<SnapshotRun> {
  const snapshots = Math.ceil(samples / CROSSINGS_PER_SNAPSHOT)
  const dbUrl = await deps.freshDb(`s2o-${phaseLock ? 'lock' : 'fixed'}`)
  await deps.seedMonitors(dbUrl, 1000, { crossable: true })
  process.env.DATABASE_URL = dbUrl
  const { putSetting } = await import('../lib/db/settings')
  const { SETTING_KEYS } = await import('../lib/services/runtime/runtime-settings')
  const { getDb } = await import('../lib/db/client')
  await putSetting(SETTING_KEYS.risk, { maxOrdersPerMinute: 600, maxOrderValue: null, maxActiveOrdersPerStock: 5, duplicateWindowSec: 0 }, { id: null, label: 'bench' })

  process.env.SIM_SNAPSHOT_MS = String(CADENCE.cadenceMs)
  process.env.SIM_SNAPSHOT_PHASE_MS = String(CADENCE.phaseMs)
  process.env.SIM_SNAPSHOT_JITTER_MS = String(CADENCE.jitterMs)
  // 10:00 Shanghai on a trading day, running at wall speed: continuous trading for 90 minutes.
  const sim = await startSim({ stateFile: null, scenario: 'none', start: '2026-11-23T02:00:00.000Z', speed: 1, cash: 1e9 })
  delete process.env.SIM_SNAPSHOT_MS
  const procs: Proc[] = [sim.proc]
  const proxy = await deps.timestampingProxy(sim.ready.bridgeUrl)
  const pu = new URL(proxy.url)
  try {
    const worker = startWorker({ DATABASE_URL: dbUrl, ...simEnv(sim.ready), MINIQMT_HOST: pu.hostname, MINIQMT_PORT: pu.port, MONITOR_INTERVAL_SECONDS: '3', QUOTE_PHASE_LOCK: phaseLock ? 'true' : 'false', LOG_LEVEL: process.env.BENCH_WORKER_LOG ?? 'warn' }, process.env.BENCH_WORKER_LOG ? (line) => log(`  worker: ${line.slice(0, 300)}`) : undefined)
    procs.push(worker)
    const headers = { 'content-type': 'application/json', 'x-token': sim.ready.controlToken }
    // market − wall offset (the clock runs at speed 1)
    const offsets: number[] = []
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now()
      const snap = (await (await fetch(`${sim.ready.url}/control/clock`, { headers })).json()) as { now: string }
      const t1 = Date.now()
      offsets.push(Date.parse(snap.now) - (t0 + t1) / 2)
    }
    offsets.sort((a, b) => a - b)
    const offset = offsets[2]!
    log(`  worker warming up (phase lock ${phaseLock ? 'on' : 'off'}): 45 s…`)
    await sleep(45_000)
    const codes = deps.benchCodes(1000)
    const crossedAt = new Map<string, number>()
    let next = 0
    let marketNow = Date.now() + offset
    let k = Math.floor((marketNow - CADENCE.phaseMs!) / CADENCE.cadenceMs) + 2
    for (let s = 0; s < snapshots; s++, k += 1) {
      const nominal = CADENCE.phaseMs! + k * CADENCE.cadenceMs
      const pubWall = publicationMs(CADENCE, nominal) - offset
      // The change goes in LEAD_MS before the publication: the exchange freezes the snapshot already
      // out, so the crossing becomes visible exactly when snapshot k is published.
      await sleep(pubWall - LEAD_MS - Date.now())
      const batch = codes.slice(next, next + CROSSINGS_PER_SNAPSHOT)
      next += batch.length
      await Promise.all(batch.map((code) => fetch(`${sim.ready.url}/control/price`, { method: 'POST', headers, body: JSON.stringify({ code, last: 1.02, prevClose: 1.03, asks: [{ price: 1.02, volume: 1e7 }] }) })))
      // Measured from the publication (or from the change, if the bench itself was late).
      const t0 = performance.now() + Math.max(0, pubWall - Date.now())
      for (const code of batch) crossedAt.set(code, t0)
      marketNow = Date.now() + offset
      if (marketNow > nominal + CADENCE.cadenceMs) k = Math.floor((marketNow - CADENCE.phaseMs!) / CADENCE.cadenceMs)
    }
    await sleep(8_000)
    const orders = await getDb().order.findMany({ where: { code: { in: [...crossedAt.keys()] } }, orderBy: { id: 'asc' }, select: { code: true, clientOrderId: true } })
    const firstOrder = new Map<string, string>()
    for (const o of orders) if (!firstOrder.has(o.code)) firstOrder.set(o.code, o.clientOrderId)
    const lat: number[] = []
    for (const [code, t0] of crossedAt) {
      const id = firstOrder.get(code)
      const arrived = id ? proxy.arrivals.get(id) : undefined
      if (arrived !== undefined && arrived >= t0) lat.push(arrived - t0)
    }
    log(`  ${crossedAt.size} crossings, ${orders.length} orders, ${lat.length} samples`)
    // The shape of the tail: a crossing first seen one snapshot late costs a whole cadence.
    const late = lat.filter((x) => x > CADENCE.cadenceMs / 2).length
    log(`  p10 ${pctOf(lat, 10)}, p25 ${pctOf(lat, 25)}, p75 ${pctOf(lat, 75)}, p90 ${pctOf(lat, 90)}, p95 ${pctOf(lat, 95)} ms; ${late} of ${lat.length} over half a cadence (${CADENCE.cadenceMs / 2} ms)`)
    await getDb().$disconnect()
    if (lat.length < samples) throw new Error(`snapshotToOrder: only ${lat.length} samples of ${crossedAt.size} crossings (need ${samples})`)
    return { p50: pctOf(lat, 50), p99: pctOf(lat, 99), n: lat.length }
  } finally {
    await proxy.close()
    for (const p of procs.reverse()) await p.stop()
  }
}
