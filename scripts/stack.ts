/**
 * Starting DingPan's processes — the paper exchange, the worker and the web app — shared by
 * `npm run demo` and the browser/chaos tests, so the tests run exactly what the demo runs.
 * Node is spawned directly (no shell), so this works the same on Windows.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'
import readline from 'node:readline'
import { pathToFileURL } from 'node:url'

export const ROOT = path.resolve(import.meta.dirname, '..')
// tsx as a loader in the same process (not its CLI, which adds a parent process): signals, exit
// codes and SIGKILL in the crash tests then reach the real program, on every platform.
const TSX_LOADER = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href
const TS = (file: string) => ['--import', TSX_LOADER, file]
const NEXT = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next')

export type Env = Record<string, string | undefined>

export interface Proc {
  name: string
  child: ChildProcess
  output(): string
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>
  exited: Promise<number | null>
}

export function spawnNode(name: string, args: string[], env: Env, opts: { echo?: (line: string) => void; ipc?: boolean } = {}): Proc {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: opts.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  })
  let out = ''
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue
    readline.createInterface({ input: stream }).on('line', (line) => {
      out += line + '\n'
      if (out.length > 400_000) out = out.slice(-200_000)
      opts.echo?.(line)
    })
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return {
    name,
    child,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM', graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      // On Windows signals are not delivered to a child: ask over IPC when there is a channel.
      if (process.platform === 'win32' && child.connected) child.send('shutdown')
      else child.kill(signal)
      await exited
      clearTimeout(timer)
    },
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      if (await check()) return
    } catch (e) {
      last = e
    }
    await new Promise((r) => setTimeout(r, everyMs))
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`)
}

export interface SimReady {
  ready: true
  url: string
  bridgeUrl: string
  token: string
  controlToken: string
  stateFile: string | null
  clock: { now: string; speed: number }
}

export interface SimOptions {
  port?: number
  bridgePort?: number
  token?: string
  stateFile?: string | null
  fresh?: boolean
  speed?: number
  start?: string
  paused?: boolean
  scenario?: 'demo' | 'none'
  seed?: number
  cash?: number
  echo?: (line: string) => void
}

/** Starts `scripts/sim.ts` and waits for its one-line JSON ready message. */
export async function startSim(o: SimOptions = {}): Promise<{ proc: Proc; ready: SimReady }> {
  const args = [...TS(path.join(ROOT, 'scripts', 'sim.ts')), '--port', String(o.port ?? 0), '--bridge-port', String(o.bridgePort ?? 0)]
  if (o.token) args.push('--token', o.token)
  if (o.stateFile === null) args.push('--no-state')
  else if (o.stateFile) args.push('--state-file', o.stateFile)
  if (o.fresh) args.push('--fresh')
  if (o.speed !== undefined) args.push('--speed', String(o.speed))
  if (o.start) args.push('--start', o.start)
  if (o.paused) args.push('--paused')
  if (o.scenario) args.push('--scenario', o.scenario)
  if (o.seed !== undefined) args.push('--seed', String(o.seed))
  if (o.cash !== undefined) args.push('--cash', String(o.cash))
  let ready: SimReady | null = null
  const proc = spawnNode('sim', args, { LOG_LEVEL: process.env.SIM_LOG_LEVEL ?? 'warn' }, {
    ipc: true,
    echo: (line) => {
      if (!ready && line.startsWith('{') && line.includes('"ready":true')) ready = JSON.parse(line) as SimReady
      o.echo?.(line)
    },
  })
  await waitFor('the paper exchange', async () => {
    if (proc.child.exitCode !== null) throw new Error(`exited with ${proc.child.exitCode}:\n${proc.output()}`)
    return ready !== null
  }, 60_000, 100)
  return { proc, ready: ready! }
}

/** Environment that points the worker and the web app at a running paper exchange. */
export function simEnv(ready: SimReady): Env {
  const bridge = new URL(ready.bridgeUrl)
  return {
    BROKER: 'qmt',
    MINIQMT_HOST: bridge.hostname,
    MINIQMT_PORT: bridge.port,
    MINIQMT_TOKEN: ready.token,
    QUOTE_PROVIDERS: 'tencent',
    QUOTE_TENCENT_URL: ready.url,
    // replays read K-lines from the paper exchange too (lib/paper/kline.ts)
    HISTORY_TENCENT_URL: ready.url,
    HISTORY_TENCENT_MINUTE_URL: ready.url,
    HISTORY_EASTMONEY_URL: ready.url,
    MARKET_CLOCK: 'sim',
    SIM_URL: ready.url,
    // the paper exchange serves the exchange-calendar format too: nothing leaves the machine
    CALENDAR_FEED_URL: ready.url,
    DINGPAN_DEMO: '1',
  }
}

/**
 * The worker keeps a small live set (about 15 MB per 1,000 monitors) but allocates a lot per
 * cycle; without a cap V8 lets the old generation grow to several hundred MB before collecting.
 * Same flags as `npm run worker`.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=4']

/** `extraFlags`: more Node flags after the production ones (the bench's --cpu-prof runs). */
export function startWorker(env: Env, echo?: (line: string) => void, extraFlags: string[] = []): Proc {
  return spawnNode('worker', [...WORKER_NODE_FLAGS, ...extraFlags, path.join(ROOT, 'scripts', 'worker.mjs')], env, { echo, ipc: true })
}

/**
 * A larger young generation for the web server: each API answer allocates a few hundred KB of
 * short-lived objects, and with Node's default the scavenger ran so often that, under 50 concurrent
 * polling clients, throughput was ~20% lower and the p99 latency ~25% higher (`npm run bench`).
 * Kept in step with the `start` script in package.json.
 */
export const WEB_NODE_FLAGS = ['--max-semi-space-size=64']

/** `host` undefined: Next's default (all interfaces), reached as localhost. */
export async function startWeb(env: Env, port: number, opts: { host?: string; echo?: (line: string) => void } = {}): Promise<{ proc: Proc; url: string }> {
  const url = `http://${opts.host ?? 'localhost'}:${port}`
  const args = [...WEB_NODE_FLAGS, NEXT, 'start', '-p', String(port), ...(opts.host ? ['-H', opts.host] : [])]
  const proc = spawnNode('web', args, { ...env, NEXTAUTH_URL: env.NEXTAUTH_URL ?? url, PORT: String(port) }, { echo: opts.echo })
  await waitFor('the web app', async () => {
    if (proc.child.exitCode !== null) throw new Error(`exited with ${proc.child.exitCode}:\n${proc.output()}`)
    return (await fetch(`${url}/api/health`)).status < 500
  }, 120_000)
  return { proc, url }
}

export function buildWeb(env: Env, echo?: (line: string) => void): Promise<number | null> {
  return spawnNode('build', [NEXT, 'build'], { ...env, NEXT_TELEMETRY_DISABLED: '1' }, { echo }).exited
}
