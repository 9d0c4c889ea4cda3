/**
 * `npm run serve`: DingPan for real use, in one command. Applies the migrations of the configured
 * database (`DATABASE_URL`, SQLite `./data/dingpan.db` by default), builds the web app when there
 * is no build or the sources are newer than it, then runs the web app and the monitor worker under
 * one supervisor:
 *  - the worker is restarted whenever it exits (crash, out of memory, killed), after a backoff that
 *    doubles from 1 s up to 60 s and starts over once a worker has run for 5 minutes; every exit and
 *    restart is logged;
 *  - if the web app exits, the supervisor stops the worker and exits non-zero, so a service manager
 *    (systemd, Task Scheduler, NSSM) restarts the whole;
 *  - Ctrl+C / SIGTERM / SIGBREAK stop the worker cleanly (it finishes its cycle and releases its
 *    lease), then the web app.
 * Node is spawned directly, never through a shell, so it runs the same on Linux, macOS and Windows.
 *
 * Options: `--no-build` (use the existing build as it is), `--build` (always build first).
 * Environment: PORT (3000), HOST (all interfaces), SERVE_BACKOFF_MS (1000), SERVE_BACKOFF_MAX_MS (60000).
 */
import fs from 'node:fs'
import path from 'node:path'
import { loadDotEnv } from '../lib/load-env'
import { deploy } from './db-deploy'
import { buildWeb, ROOT, startWeb, startWorker, type Proc } from './stack'

const args = new Set(process.argv.slice(2))
const t0 = Date.now()
function log(msg: string) {
  console.log(`[serve ${new Date().toISOString()}] ${msg}`)
}

function newestSource(dir: string): number {
  let newest = 0
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'generated' || e.name.startsWith('.')) continue
    const p = path.join(dir, e.name)
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs)
  }
  return newest
}

/** Why a build is needed, or null when `.next` is newer than every source the web app is built from. */
export function buildNeeded(root = ROOT): string | null {
  const id = path.join(root, '.next', 'BUILD_ID')
  if (!fs.existsSync(id)) return 'no build yet'
  const built = fs.statSync(id).mtimeMs
  for (const p of ['app', 'lib', 'proxy.ts', 'next.config.js', 'instrumentation.ts', 'package-lock.json', 'postcss.config.mjs']) {
    const full = path.join(root, p)
    if (!fs.existsSync(full)) continue
    const newest = fs.statSync(full).isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs
    if (newest >= built) return `${p} changed since the last build`
  }
  return null
}

function workerLine(line: string) {
  try {
    const j = JSON.parse(line) as { msg?: string }
    if (j.msg === 'cycle') return
  } catch {
    // not JSON: print as it is
  }
  if (line.trim()) console.log(`  [worker] ${line}`)
}

let stopping = false
let web: Proc | null = null
let worker: Proc | null = null
let restartTimer: NodeJS.Timeout | null = null
let failures = 0
const backoffMs = Number(process.env.SERVE_BACKOFF_MS ?? 1_000)
const backoffMaxMs = Number(process.env.SERVE_BACKOFF_MAX_MS ?? 60_000)
const HEALTHY_RUN_MS = 5 * 60_000

function superviseWorker(env: Record<string, string | undefined>) {
  if (stopping) return
  const started = Date.now()
  const w = startWorker(env, workerLine)
  worker = w
  log(`worker started (pid ${w.child.pid})`)
  w.child.once('exit', (code, signal) => {
    if (worker === w) worker = null
    if (stopping) return
    if (Date.now() - started >= HEALTHY_RUN_MS) failures = 0
    failures++
    const delay = Math.min(backoffMs * 2 ** (failures - 1), backoffMaxMs)
    log(`worker exited (${signal ? `signal ${signal}` : `code ${code}`}) after ${((Date.now() - started) / 1000).toFixed(1)} s; restarting in ${(delay / 1000).toFixed(1)} s (restart ${failures})`)
    restartTimer = setTimeout(() => {
      restartTimer = null
      superviseWorker(env)
    }, delay)
  })
}

async function stopAll(code: number, why: string) {
  if (stopping) return
  stopping = true
  log(`stopping (${why})…`)
  if (restartTimer) clearTimeout(restartTimer)
  await worker?.stop('SIGTERM', 30_000).catch(() => undefined)
  await web?.stop('SIGTERM', 15_000).catch(() => undefined)
  log('stopped')
  process.exit(code)
}

async function main() {
  loadDotEnv()
  process.env.DATABASE_URL ??= 'file:./data/dingpan.db'
  const dbUrl = process.env.DATABASE_URL
  const port = Number(process.env.PORT ?? 3000)
  const host = process.env.HOST || undefined
  const env = { DATABASE_URL: dbUrl, NEXT_TELEMETRY_DISABLED: '1' }

  log(`database ${dbUrl.replace(/\/\/[^@/]*@/, '//***@')}: applying migrations`)
  await deploy(dbUrl, { quiet: true })

  const why = args.has('--build') ? 'asked with --build' : buildNeeded()
  if (why && args.has('--no-build')) {
    if (!fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) throw new Error('no web app build and --no-build given: run `npm run build` first')
    log(`using the existing build (${why}; --no-build)`)
  } else if (why) {
    log(`building the web app (${why}; about a minute)…`)
    const code = await buildWeb(env, (l) => (/✓|Compiled|rror/.test(l) ? console.log(`  [build] ${l.trim()}`) : undefined))
    if (code !== 0) throw new Error(`next build failed with exit code ${code}`)
  } else log('web app build is up to date')

  superviseWorker(env)

  log(`starting the web app on ${host ?? 'all interfaces'}, port ${port}`)
  const w = await startWeb(env, port, { host, echo: (l) => (l.trim() ? console.log(`  [web] ${l}`) : undefined) })
  web = w.proc
  w.proc.child.once('exit', (code, signal) => {
    if (!stopping) void stopAll(1, `the web app exited (${signal ? `signal ${signal}` : `code ${code}`})`)
  })
  log(`DingPan is running: ${w.url} (web pid ${w.proc.child.pid}); started in ${((Date.now() - t0) / 1000).toFixed(0)} s. Ctrl+C stops it.`)
}

process.on('SIGINT', () => void stopAll(0, 'SIGINT'))
process.on('SIGTERM', () => void stopAll(0, 'SIGTERM'))
process.on('SIGBREAK', () => void stopAll(0, 'SIGBREAK'))
// Started with an IPC channel (a test, a Node service wrapper on Windows): the portable clean stop.
process.on('message', (m) => {
  if (m === 'shutdown') void stopAll(0, 'ipc')
})

main().catch(async (e) => {
  console.error(`serve failed: ${(e as Error).message}`)
  await stopAll(1, 'start-up failed')
})
