/**
 * `npm run bench`: DingPan measured against the 3-second Level-1 snapshot cadence, on loopback only
 * (the paper exchange's Tencent endpoint and QKA bridge). Prints one JSON object as its last line
 * and writes it to bench/results.json. Figures, not assertions: machines are noisy.
 *
 *   evalPerSec        lib/market evaluate() calls per second, one core
 *   cycleMs1000/5000  median full worker cycle (worker process, SQLite) for 1,000 / 5,000 monitors
 *   quoteToOrderP50/P99Ms  from the worker holding a fresh quote that crosses a level to the bridge
 *                     receiving that order_stock request, over 200 crossings
 *   apiP99Ms, apiErrors    GET /api/stocks with 1,000 stocks, 50 connections, 20 s (autocannon)
 *   cycleMs5000Trading median cycle of the production worker process over 5,000 monitors, 500 auto-trade,
 *                     ~1 % crossing a level each cycle (cycleMs5000TradingN cycles)
 *   workerRssMb5000   peak resident memory (VmHWM) of that worker under the trading load
 *                     (workerRssMb5000Quiet: RSS after the quiet 5,000-monitor cycles)
 *   pushP99Ms         worker commit → live-stream (/api/stream) event at each of 50 clients (scripts/bench-push.ts)
 *   snapshotToOrderP50Ms/P99Ms/N  exchange publishes the crossing snapshot → order_stock at the bridge, production
 *                     worker process, 3 s snapshots with jitter; ...BaselineP50Ms/P99Ms with QUOTE_PHASE_LOCK=false
 *                     (scripts/bench-snapshot.ts)
 *   replayMs250d      lib/market replay of 60,000 one-minute bars (250 trading days): median of 7 runs
 *                     after 3 (replayColdMs250d: the first run in the process, JIT not warm)
 */
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'
import pino from 'pino'
import { evaluate, emptyMemo, nextTradingDay, replay, shanghaiTime, type MonitorInput, type Quote, type ReplayBar } from '../lib/market'
import { deploy } from './db-deploy'
import { buildWeb, freePort, ROOT, simEnv, spawnNode, startSim, startWeb, startWorker, waitFor, WORKER_NODE_FLAGS, type Proc, type SimReady } from './stack'

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`)
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN
}
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d

/** Valid, distinct A-share codes (SH and SZ main boards). */
export function benchCodes(n: number): string[] {
  const out: string[] = []
  const ranges: Array<[number, number, string]> = [
    [600000, 601999, 'SH'],
    [603000, 603999, 'SH'],
    [1, 2999, 'SZ'],
    [605000, 605999, 'SH'],
  ]
  for (const [from, to, ex] of ranges) for (let c = from; c <= to && out.length < n; c++) out.push(`${String(c).padStart(6, '0')}.${ex}`)
  return out
}

function benchEval(): number {
  const now = new Date('2026-11-23T02:00:00Z')
  const quotes: Quote[] = []
  const monitors: MonitorInput[] = []
  for (let i = 0; i < 1000; i++) {
    const last = 10 + (i % 50) / 10
    quotes.push({
      code: '600000.SH', name: 'x', last, prevClose: 10, open: 10, high: last + 0.1, low: last - 0.1, volume: 1e6, amount: 1e7,
      bids: [{ price: last - 0.01, volume: 1000 }], asks: [{ price: last, volume: 1000 }], limitUp: 11, limitDown: 9,
      time: new Date(now.getTime() - 1000), suspended: false, source: 'bench',
    })
    monitors.push({
      code: '600000.SH', enabled: true, state: 'WATCHING', episode: 1, entryLow: 9.2, entryHigh: 9.3, takeProfit: 16, stopLoss: 9.1, trailingStopPct: null,
      autoTrade: true, autoStopLoss: true, autoTakeProfit: true, highestSinceEntry: null, position: null, memo: emptyMemo(), options: { maxQuoteAgeSec: 15 },
    })
  }
  let n = 0
  const until = performance.now() + 3000
  while (performance.now() < until) {
    for (let i = 0; i < 1000; i++) evaluate(monitors[i]!, quotes[i]!, now)
    n += 1000
  }
  return Math.round(n / 3)
}

export async function seedMonitors(dbUrl: string, count: number, opts: { crossable?: boolean; autoTradeFirst?: number } = {}): Promise<number> {
  process.env.DATABASE_URL = dbUrl
  const { createUser } = await import('../lib/db/users')
  const { createStocksBulk } = await import('../lib/db/stocks')
  const { stockInputSchema } = await import('../lib/schemas/stock')
  const { hashPassword } = await import('../lib/auth/password')
  const user = await createUser(`bench${count}@example.com`, await hashPassword('bench-password'), 'ADMIN')
  const inputs = benchCodes(count).map((code, i) =>
    stockInputSchema.parse({
      code,
      name: 'BENCH',
      // Synthetic prices sit around 5–50; this zone is never reached unless the bench moves a price there.
      entryLow: '1.00',
      entryHigh: '1.05',
      takeProfit: '900.00',
      stopLoss: '0.50',
      quant: { autoTrade: !!opts.crossable || i < (opts.autoTradeFirst ?? 0), maxPositionPct: 0.1, minTradeAmount: 100 },
    }),
  )
  for (let i = 0; i < inputs.length; i += 1000) await createStocksBulk(user.id, inputs.slice(i, i + 1000))
  return user.id
}

export async function freshDb(name: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dingpan-bench-${name}-`))
  const url = `file:${path.join(dir, 'bench.db')}`
  await deploy(url, { quiet: true })
  return url
}

function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1])
    return Number.isFinite(kb) ? round(kb / 1024) : null
  } catch {
    return null
  }
}

async function benchCycles(count: number): Promise<{ cycleMs: number; rssMb: number | null; samples: number }> {
  const dbUrl = await freshDb(`cycle${count}`)
  await seedMonitors(dbUrl, count)
  const sim = await startSim({ stateFile: null, scenario: 'none', start: '2026-11-23T02:00:00.000Z', speed: 1, cash: 1e9 })
  const procs: Proc[] = [sim.proc]
  try {
    const worker = startWorker({ DATABASE_URL: dbUrl, ...simEnv(sim.ready), MONITOR_INTERVAL_SECONDS: '1', LOG_LEVEL: 'warn' })
    procs.push(worker)
    const { getDb } = await import('../lib/db/client')
    process.env.DATABASE_URL = dbUrl
    // Warm-up (first load, first snapshot inserts), then 20 measured cycles.
    await waitFor(`${count}-monitor cycles`, async () => (await getDb().workerHeartbeat.count({ where: { monitors: count } })) >= 23, 600_000, 500)
    const beats = await getDb().workerHeartbeat.findMany({ where: { monitors: count }, orderBy: { id: 'asc' } })
    const durations = beats.slice(3).map((b) => b.durationMs ?? 0)
    const rss = rssMb(worker.child.pid!)
    await getDb().$disconnect()
    return { cycleMs: median(durations), rssMb: rss, samples: durations.length }
  } finally {
    for (const p of procs.reverse()) await p.stop()
  }
}

/** A loopback proxy in front of the bridge that notes when each order_stock request arrives. */
/**
 * cycleMs5000Trading: the production worker process (`npm run worker`'s entry and flags) over 5,000
 * monitors, 500 of them with auto-trade on, while about 1 % of the monitors cross their entry zone
 * each cycle: after each heartbeat the bench moves the price of 50 fresh codes (5 auto-trade, 45
 * alert-only) into their zone, so the next cycle persists ~50 signals and places ~5 orders through
 * the one-transaction intent path and the bridge. Median cycle (heartbeat durationMs) over the
 * measured cycles; peak RSS = VmHWM of the worker at the end (VmRSS also polled every 100 ms).
 */
async function benchTradingCycles(count = 5000, autoTrade = 500, crossPerCycle = 50, measured = Number(process.env.BENCH_TRADING_CYCLES ?? 20)) {
  const dbUrl = await freshDb(`trading${count}`)
  await seedMonitors(dbUrl, count, { autoTradeFirst: autoTrade })
  process.env.DATABASE_URL = dbUrl
  const { putSetting } = await import('../lib/db/settings')
  const { SETTING_KEYS } = await import('../lib/services/runtime/runtime-settings')
  const { getDb } = await import('../lib/db/client')
  // 100 M yuan of cash: an entry sized at 0.1 % is ~100,000 yuan, under the account's per-order cap.
  await putSetting(SETTING_KEYS.risk, { maxOrdersPerMinute: 600, maxOrderValue: null, maxActiveOrdersPerStock: 5, duplicateWindowSec: 0 }, { id: null, label: 'bench' })
  const sim = await startSim({ stateFile: null, scenario: 'none', start: '2026-11-23T02:00:00.000Z', speed: 1, cash: 1e8 })
  const procs: Proc[] = [sim.proc]
  try {
    // LOG_LEVEL info (the production default): each cycle's log line carries its per-step laps.
    const laps: Array<Record<string, number>> = []
    const prof = process.env.BENCH_WORKER_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_WORKER_CPU_PROF}`] : []
    const worker = startWorker({ DATABASE_URL: dbUrl, ...simEnv(sim.ready), MONITOR_INTERVAL_SECONDS: '1', LOG_LEVEL: 'info' }, (line) => {
      if (!line.includes('"msg":"cycle"')) return
      try {
        const j = JSON.parse(line) as { monitors?: number; timings?: Record<string, number> }
        if (j.monitors === count && j.timings) laps.push(j.timings)
      } catch {
        // not a log line of ours
      }
    }, prof)
    procs.push(worker)
    const pid = worker.child.pid!
    const headers = { 'content-type': 'application/json', 'x-token': sim.ready.controlToken }
    const codes = benchCodes(count)
    const autoCodes = codes.slice(0, autoTrade)
    const alertCodes = codes.slice(autoTrade)
    const perAuto = Math.max(1, Math.round((crossPerCycle * autoTrade) / count))
    let ai = 0
    let li = 0
    const cross = async () => {
      const batch = [...autoCodes.slice(ai, (ai += perAuto)), ...alertCodes.slice(li, (li += crossPerCycle - perAuto))]
      await Promise.all(batch.map((code) => fetch(`${sim.ready.url}/control/price`, { method: 'POST', headers, body: JSON.stringify({ code, last: 1.02, prevClose: 1.03, asks: [{ price: 1.02, volume: 1e7 }] }) })))
    }
    const beats = () => getDb().workerHeartbeat.findMany({ where: { monitors: count }, orderBy: { id: 'asc' }, select: { id: true, durationMs: true, signals: true, ordersSent: true, errors: true, errorText: true } })
    // Warm-up: first load and first snapshot inserts (3 quiet cycles).
    await waitFor(`${count}-monitor cycles`, async () => (await getDb().workerHeartbeat.count({ where: { monitors: count } })) >= 3, 600_000, 500)
    let seen = (await beats()).length
    let peakPolled = 0
    const rssTimer = setInterval(() => (peakPolled = Math.max(peakPolled, rssMb(pid) ?? 0)), 100)
    const firstMeasured = seen + 1 // the cycle after the first move is the first to see crossings
    try {
      await cross()
      await waitFor(`${measured} trading cycles`, async () => {
        const n = await getDb().workerHeartbeat.count({ where: { monitors: count } })
        if (n > seen) {
          seen = n
          if (n < firstMeasured + measured) await cross()
        }
        return n >= firstMeasured + measured
      }, 900_000, 50)
    } finally {
      clearInterval(rssTimer)
    }
    const hwm = rssMb(pid, 'VmHWM')
    const rows = (await beats()).slice(firstMeasured, firstMeasured + measured)
    const stepLaps = laps.slice(firstMeasured, firstMeasured + measured)
    const steps = [...new Set(stepLaps.flatMap((t) => Object.keys(t)))]
    log(`  trading cycles, median ms per step (${stepLaps.length} cycles): ${steps.map((k) => `${k} ${round(median(stepLaps.map((t) => t[k] ?? 0)))}`).join(', ')}`)
    const orders = await getDb().order.count()
    const triggers = await getDb().triggerEvent.count()
    const outcomes = await getDb().triggerEvent.groupBy({ by: ['outcome', 'reason'], _count: { _all: true } })
    log(`  trigger outcomes: ${JSON.stringify(outcomes.map((o) => [o.outcome, o.reason, o._count._all]))}`)
    await getDb().$disconnect()
    const durations = rows.map((b) => b.durationMs ?? 0)
    const errs = rows.filter((b) => b.errors).map((b) => b.errorText)
    if (errs.length) log(`  cycle errors: ${errs.slice(0, 3).join(' || ')}`)
    return {
      cycleMs: median(durations),
      p90: pct(durations, 90),
      samples: durations.length,
      signalsMedian: median(rows.map((b) => b.signals)),
      ordersSent: rows.reduce((n, b) => n + b.ordersSent, 0),
      orders,
      triggers,
      peakRssMb: hwm,
      peakPolledRssMb: round(peakPolled),
    }
  } finally {
    for (const p of procs.reverse()) await p.stop()
  }
}

export function timestampingProxy(target: string): Promise<{ url: string; arrivals: Map<string, number>; close: () => Promise<void> }> {
  const arrivals = new Map<string, number>()
  const t = new URL(target)
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      if (req.url === '/api/order_stock') {
        try {
          const remark = (JSON.parse(body.toString()) as { order_remark?: string }).order_remark
          if (remark) arrivals.set(remark, performance.now())
        } catch {
          /* forwarded as is */
        }
      }
      const fwd = http.request({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      })
      fwd.on('error', () => res.destroy())
      fwd.end(body)
    })
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, arrivals, close: () => new Promise((r) => server.close(() => r())) }),
    ),
  )
}

async function benchQuoteToOrder(): Promise<{ p50: number; p99: number; n: number }> {
  const dbUrl = await freshDb('q2o')
  const userId = await seedMonitors(dbUrl, 1000, { crossable: true })
  void userId
  process.env.DATABASE_URL = dbUrl
  // A paused market clock that the bench steps 3 s per crossing: every crossing is a fresh quote.
  const sim = await startSim({ stateFile: null, scenario: 'none', start: '2026-11-23T02:00:00.000Z', paused: true, cash: 1e9 })
  const proxy = await timestampingProxy(sim.ready.bridgeUrl)
  try {
    const { createBroker } = await import('../lib/broker')
    const { createQuoteService } = await import('../lib/quotes')
    const { MonitorWorker } = await import('../lib/services/trading/worker')
    const { SimClock } = await import('../lib/services/runtime/clock')
    const { putSetting } = await import('../lib/db/settings')
    const { SETTING_KEYS } = await import('../lib/services/runtime/runtime-settings')
    const { getDb } = await import('../lib/db/client')
    await putSetting(SETTING_KEYS.risk, { maxOrdersPerMinute: 600, maxOrderValue: null, maxActiveOrdersPerStock: 5, duplicateWindowSec: 0 }, { id: null, label: 'bench' })
    const clock = new SimClock(sim.ready.url)
    const fetchedAt = new Map<string, number>()
    const inner = createQuoteService({ providers: ['tencent'], baseUrls: { tencent: sim.ready.url }, timeoutMs: 5_000, concurrency: 4 })
    const quotes = {
      health: () => inner.health(),
      getQuotes: async (codes: string[], now: Date) => {
        const r = await inner.getQuotes(codes, now)
        const t = performance.now()
        for (const c of r.quotes.keys()) fetchedAt.set(c, t)
        return r
      },
    }
    const worker = new MonitorWorker({
      workerId: 'bench',
      clock,
      broker: createBroker({ broker: 'qmt', baseUrl: proxy.url, token: sim.ready.token, timeoutMs: 5_000, clock: () => clock.now() }),
      quotes,
      log: pino({ level: 'silent' }),
      defaults: { intervalSeconds: 1, quoteProviders: ['tencent'], maxQuoteAgeSec: 15 },
      auctions: false,
      bridgeTimeoutMs: 5_000,
    })
    const control = (p: string, body: unknown) =>
      fetch(`${sim.ready.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-token': sim.ready.controlToken }, body: JSON.stringify(body) })
    await worker.tick() // warm-up: loads monitors, first snapshots
    await worker.tick()
    const codes = benchCodes(1000)
    const latencies: number[] = []
    const laps: Record<string, number[]> = {}
    for (let i = 0; i < 200; i++) {
      const code = codes[i]!
      await control('/control/price', { code, last: 1.02, prevClose: 1.03, asks: [{ price: 1.02, volume: 1e7 }] })
      // The next 3-second quote step: the crossing quote is newer than the last one evaluated.
      await control('/control/tick', { seconds: 3 })
      const before = await getDb().order.count()
      for (let k = 0; k < 3 && (await getDb().order.count()) === before; k++) {
        const r = await worker.tick()
        for (const [name, ms] of Object.entries(r.stats?.timings ?? {})) (laps[name] ??= []).push(ms)
      }
      const order = await getDb().order.findFirst({ where: { code }, orderBy: { id: 'desc' } })
      const arrived = order ? proxy.arrivals.get(order.clientOrderId) : undefined
      const fetched = fetchedAt.get(code)
      if (arrived !== undefined && fetched !== undefined && arrived >= fetched) latencies.push(arrived - fetched)
      // The price stays where it crossed: a position valued at a synthetic price far away would trip
      // the total-exposure cap and stop later crossings from buying.
    }
    const outcomes = await getDb().triggerEvent.groupBy({ by: ['outcome', 'reason'], _count: { _all: true } })
    log(`  trigger outcomes: ${JSON.stringify(outcomes.map((o) => [o.outcome, o.reason, o._count._all]))}`)
    log(`  crossing cycles, median ms per step: ${Object.entries(laps).map(([k, v]) => `${k} ${median(v)}`).join(', ')}`)
    await getDb().$disconnect()
    return { p50: round(pct(latencies, 50)), p99: round(pct(latencies, 99)), n: latencies.length }
  } finally {
    await proxy.close()
    await sim.proc.stop()
  }
}

async function signInCookie(base: string, email: string, password: string): Promise<string> {
  const csrfRes = await fetch(`${base}/api/auth/csrf`)
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string }
  const csrfCookie = csrfRes.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, email, password, json: 'true' }),
  })
  const session = res.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c!.includes('session-token'))
  if (!session) throw new Error(`sign-in failed: HTTP ${res.status}`)
  return session
}

async function benchApi(sim: SimReady | null): Promise<{ p99: number; errors: number; requests: number; rps: number }> {
  const dbUrl = await freshDb('api')
  await seedMonitors(dbUrl, 1000)
  if (!fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    log('no production build: running next build')
    if ((await buildWeb({})) !== 0) throw new Error('next build failed')
  }
  const port = await freePort()
  const web = await startWeb({ DATABASE_URL: dbUrl, LOG_LEVEL: 'warn', ...(sim ? simEnv(sim) : {}) }, port, { host: '127.0.0.1' })
  try {
    const cookie = await signInCookie(web.url, 'bench1000@example.com', 'bench-password')
    const check = await fetch(`${web.url}/api/stocks`, { headers: { cookie } })
    const body = (await check.json()) as { items?: unknown[] }
    if (check.status !== 200 || body.items?.length !== 1000) throw new Error(`GET /api/stocks answered ${check.status} with ${body.items?.length} items`)
    const result = await autocannon({ url: `${web.url}/api/stocks`, connections: 50, duration: 20, headers: { cookie } })
    return { p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx, requests: result.requests.total, rps: Math.round(result.requests.average) }
  } finally {
    await web.proc.stop()
  }
}

/**
 * The crossing bench drives a MonitorWorker in-process; it runs in a child started with the
 * production worker's Node flags (`npm run worker`), so the latency is the one that worker shows.
 */
async function quoteToOrderWithWorkerFlags(): Promise<{ p50: number; p99: number; n: number }> {
  if (process.env.DINGPAN_BENCH_CHILD === '1') return benchQuoteToOrder()
  const child = spawnNode('bench-q2o', [...WORKER_NODE_FLAGS, '--import', 'tsx', path.join(ROOT, 'scripts', 'bench.ts'), 'q2o-child'], { DINGPAN_BENCH_CHILD: '1' }, { echo: (line) => line.startsWith('[bench]') && console.log(line) })
  if ((await child.exited) !== 0) throw new Error(`the quote → order bench failed:\n${child.output()}`)
  const last = child.output().trim().split('\n').at(-1)!
  return JSON.parse(last) as { p50: number; p99: number; n: number }
}

/**
 * 60,000 one-minute bars (250 trading days × 240) of a deterministic walk swinging between about 9
 * and 11, with an entry zone, stop, take-profit and trailing stop it crosses many times, re-armed
 * after every exit: the replay does real work (entries, exits, T+1 deferrals) all the way through.
 */
export function replayBenchBars(): ReplayBar[] {
  const bars: ReplayBar[] = []
  let seed = 20_261_207
  const rnd = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 4_294_967_296
  let day = '2025-11-03'
  let p = 10_000
  for (let d = 0; d < 250; d++) {
    const open = shanghaiTime(day, '09:30').getTime()
    for (let i = 0; i < 240; i++) {
      const t = open + (i < 120 ? (i + 1) * 60_000 : 5.5 * 3_600_000 + (i - 119) * 60_000)
      const target = 10_000 + 1_000 * Math.sin((d * 240 + i) / 900)
      const o = p
      const c = Math.round((o + (target - o) * 0.05 + (rnd() - 0.5) * 40) / 10) * 10
      const h = Math.max(o, c) + Math.round(rnd() * 2) * 10
      const l = Math.min(o, c) - Math.round(rnd() * 2) * 10
      p = c
      bars.push({ time: new Date(t), day, open: o / 1000, high: h / 1000, low: l / 1000, close: c / 1000 })
    }
    day = nextTradingDay(day)
  }
  return bars
}

function benchReplay(): { ms: number; coldMs: number; trades: number; points: number } {
  const bars = replayBenchBars()
  const input = { code: '600000.SH', bars, barSeconds: 60, prevClose: 10, levels: { entryLow: 9.4, entryHigh: 9.6, takeProfit: 10.6, stopLoss: 9.1, trailingStopPct: 0.04 }, cash: 100_000, rearmAfterExit: true }
  const t0 = performance.now()
  let last = replay(input) // the first run in this process: JIT still warming up
  const coldMs = round(performance.now() - t0)
  for (let i = 0; i < 2; i++) replay(input)
  const times: number[] = []
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now()
    last = replay(input)
    times.push(performance.now() - t0)
  }
  return { ms: round(median(times)), coldMs, trades: last.trades.length, points: last.points }
}

async function main() {
  if (process.argv[2] === 'q2o-child') {
    console.log(JSON.stringify(await benchQuoteToOrder()))
    process.exit(0)
  }
  const only = process.argv.slice(2)
  const want = (k: string) => only.length === 0 || only.includes(k)
  const results: Record<string, unknown> = {}
  if (want('eval')) {
    log('evaluate() throughput…')
    results.evalPerSec = benchEval()
  }
  if (want('replay')) {
    log('replay of 60,000 one-minute bars…')
    const r = benchReplay()
    results.replayMs250d = r.ms
    results.replayColdMs250d = r.coldMs
    log(`  median ${r.ms} ms, first run ${r.coldMs} ms (${r.trades} trades, ${r.points} points evaluated)`)
  }
  if (want('cycle') && !only.includes('cycle-trading')) {
    for (const n of [1000, 5000]) {
      log(`quiet worker cycles with ${n} monitors…`)
      const r = await benchCycles(n)
      results[`cycleMs${n}`] = r.cycleMs
      results[`cycleMs${n}N`] = r.samples
      if (n === 5000) results.workerRssMb5000Quiet = r.rssMb
      log(`  median ${r.cycleMs} ms over ${r.samples} cycles, RSS ${r.rssMb} MB`)
    }
  }
  // `npm run bench -- cycle-trading`: the trading figures alone (profiling runs)
  if (want('cycle') || only.includes('cycle-trading')) {
    log('trading worker cycles: 5,000 monitors, 500 auto-trade, ~1 % crossing per cycle…')
    const t = await benchTradingCycles()
    results.cycleMs5000Trading = t.cycleMs
    results.cycleMs5000TradingN = t.samples
    results.workerRssMb5000 = t.peakRssMb
    log(`  median ${t.cycleMs} ms, p90 ${t.p90} ms over ${t.samples} cycles; median ${t.signalsMedian} signals per cycle, ${t.ordersSent} orders sent in them (${t.orders} orders, ${t.triggers} trigger events in all); peak RSS ${t.peakRssMb} MB (VmHWM), polled ${t.peakPolledRssMb} MB`)
  }
  if (want('q2o')) {
    log('quote → order latency over 200 crossings…')
    const r = await quoteToOrderWithWorkerFlags()
    results.quoteToOrderP50Ms = r.p50
    results.quoteToOrderP99Ms = r.p99
    log(`  p50 ${r.p50} ms, p99 ${r.p99} ms (n=${r.n})`)
  }
  if (want('api')) {
    log('GET /api/stocks with 1,000 stocks, 50 connections, 20 s…')
    const r = await benchApi(null)
    results.apiP99Ms = r.p99
    results.apiErrors = r.errors
    log(`  p99 ${r.p99} ms, ${r.requests} requests (${r.rps}/s), ${r.errors} errors`)
  }
  if (want('s2o')) {
    const { benchSnapshotToOrder } = await import('./bench-snapshot')
    const deps = { freshDb, seedMonitors, benchCodes, timestampingProxy }
    log('snapshot → order, phase-locked polling…')
    const lock = await benchSnapshotToOrder(deps, true, log)
    log(`  p50 ${lock.p50} ms, p99 ${lock.p99} ms (${lock.n} samples)`)
    // BENCH_S2O_BASELINE=0: the phase-locked run alone (profiling); the figures then lack the baseline.
    log('snapshot → order, fixed interval (baseline)…')
    const fixed = process.env.BENCH_S2O_BASELINE === '0' ? { p50: NaN, p99: NaN, n: 0 } : await benchSnapshotToOrder(deps, false, log)
    log(`  p50 ${fixed.p50} ms, p99 ${fixed.p99} ms (${fixed.n} samples)`)
    results.snapshotToOrderP50Ms = lock.p50
    results.snapshotToOrderP99Ms = lock.p99
    results.snapshotToOrderN = lock.n
    results.snapshotToOrderBaselineP50Ms = fixed.p50
    results.snapshotToOrderBaselineP99Ms = fixed.p99
  }
  if (want('push')) {
    log('live stream: worker commit → event at 50 clients…')
    const { benchPush } = await import('./bench-push')
    const r = await benchPush(await freshDb('push'), log)
    results.pushP50Ms = r.p50
    results.pushP99Ms = r.p99
    results.pushN = r.n
    log(`  p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms over ${r.n} deliveries`)
  }
  results.snapshotIntervalMs = 3000
  fs.mkdirSync(path.join(ROOT, 'bench'), { recursive: true })
  fs.writeFileSync(path.join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n')
  console.log(JSON.stringify(results))
  process.exit(0)
}

if (process.argv[1]?.replace(/\\/g, '/').endsWith('scripts/bench.ts')) {
  main().catch((e) => {
    console.error(e)
    process.exit(1)
  })
}
