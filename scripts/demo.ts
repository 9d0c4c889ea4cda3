/**
 * `npm run demo`: DingPan on the embedded default (SQLite), against its own paper exchange, with a
 * demo account and monitors whose levels the exchange's scripted prices walk into. Starts the
 * paper exchange, the worker and the web app (http://localhost:3000) and prints the credentials.
 * The market runs on the paper exchange's simulated clock (a compressed trading day), so the story
 * plays at any hour, weekends included. Ctrl+C stops everything.
 */
import fs from 'node:fs'
import path from 'node:path'
import { loadDotEnv } from '../lib/load-env'
import { deploy } from './db-deploy'
import { buildWeb, ROOT, simEnv, startSim, startWeb, startWorker, type Proc } from './stack'

loadDotEnv()
process.env.DATABASE_URL ??= 'file:./data/dingpan.db'
const dbUrl = process.env.DATABASE_URL
const webPort = Number(process.env.PORT ?? 3000)
const speed = Number(process.env.DEMO_SPEED ?? 12)
const procs: Proc[] = []
const t0 = Date.now()
const step = (msg: string) => console.log(`[demo ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${msg}`)

function newestSource(dir: string): number {
  let newest = 0
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'generated' || e.name.startsWith('.')) continue
    const p = path.join(dir, e.name)
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs)
  }
  return newest
}

function buildIsCurrent(): boolean {
  const id = path.join(ROOT, '.next', 'BUILD_ID')
  if (!fs.existsSync(id)) return false
  const built = fs.statSync(id).mtimeMs
  return ['app', 'lib', 'proxy.ts', 'next.config.js', 'instrumentation.ts'].every((p) => {
    const full = path.join(ROOT, p)
    if (!fs.existsSync(full)) return true
    return (fs.statSync(full).isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs) < built
  })
}

function workerLine(line: string) {
  try {
    const j = JSON.parse(line) as { level: number; msg: string; [k: string]: unknown }
    if (j.msg === 'cycle') return
    if (j.level >= 40 || /order|bridge|lease|market not trading|pre-open|post-close|broker/.test(j.msg)) {
      const extra = ['code', 'side', 'quantity', 'outcome', 'phase', 'nextAt', 'error'].filter((k) => j[k] !== undefined).map((k) => `${k}=${String(j[k])}`)
      console.log(`  [worker] ${j.msg}${extra.length ? ' ' + extra.join(' ') : ''}`)
    }
  } catch {
    if (line.trim()) console.log(`  [worker] ${line}`)
  }
}

async function stopAll(code = 0) {
  step('stopping…')
  for (const p of [...procs].reverse()) await p.stop().catch(() => undefined)
  process.exit(code)
}

async function main() {
  step(`database ${dbUrl}: applying migrations`)
  await deploy(dbUrl, { quiet: true })

  step('seeding the demo account and monitors')
  const { seedDemo, DEMO_EMAIL, DEMO_PASSWORD } = await import('../lib/services/runtime/demo-seed')
  const seeded = await seedDemo()
  if (seeded.created.length) step(`monitors added: ${seeded.created.join(', ')}`)

  step(`starting the paper exchange (simulated clock, ${speed}× speed)`)
  const sim = await startSim({ port: Number(process.env.SIM_PORT ?? 18080), bridgePort: Number(process.env.SIM_BRIDGE_PORT ?? 18000), stateFile: './data/sim-state.json', speed, start: 'next-open' })
  procs.push(sim.proc)
  const env = { DATABASE_URL: dbUrl, ...simEnv(sim.ready) }

  if (buildIsCurrent()) step('web app build is up to date')
  else {
    step('building the web app (next build, about a minute the first time)…')
    const code = await buildWeb(env, (l) => (/✓|Compiled|Error|error/.test(l) ? console.log(`  [build] ${l.trim()}`) : undefined))
    if (code !== 0) throw new Error(`next build failed with exit code ${code}`)
  }

  step('starting the worker')
  procs.push(startWorker(env, workerLine))

  step(`starting the web app on port ${webPort}`)
  const web = await startWeb(env, webPort)
  procs.push(web.proc)

  console.log(`
  盯盘 DingPan is running (demo, paper exchange, simulated market clock)

    Open     ${web.url}
    Sign in  ${DEMO_EMAIL}
    Password ${DEMO_PASSWORD}

  The paper exchange runs a compressed trading day (${speed}× real time, skipping the lunch break
  and the night) starting at the next open; its prices walk into the demo monitors' levels, so
  entries, take-profits and stop-losses fire and orders flow within minutes.
  Paper exchange ${sim.ready.url} (bridge ${sim.ready.bridgeUrl}); data in ./data.
  Press Ctrl+C to stop.
`)
}

process.on('SIGINT', () => void stopAll(0))
process.on('SIGTERM', () => void stopAll(0))
main().catch(async (e) => {
  console.error(`demo failed: ${(e as Error).message}`)
  await stopAll(1)
})
