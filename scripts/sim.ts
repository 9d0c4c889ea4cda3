/**
 * `npm run sim` — the paper exchange: a QKA-compatible bridge, Tencent-format quotes and a control
 * API over a simulated A-share market (lib/paper). Prints ONE JSON line on stdout when ready:
 *
 *   {"ready":true,"url":"http://127.0.0.1:18080","quoteUrl":"http://127.0.0.1:18080",
 *    "bridgeUrl":"http://127.0.0.1:18000","token":"…","controlToken":"…","stateFile":"…",
 *    "scenario":"demo","clock":{…},"pid":1234}
 *
 * and `{"stopped":true}` after a clean shutdown (SIGINT, SIGTERM, SIGBREAK, or the IPC message
 * "shutdown" when spawned with an IPC channel — the portable way to stop it on Windows). Logs go to
 * stderr. Point the app at it with MINIQMT_HOST/MINIQMT_PORT (bridge), QUOTE_TENCENT_URL (quotes)
 * and MARKET_CLOCK=sim SIM_URL=<url> (clock).
 *
 * Flags (environment variable in brackets):
 *   --host <h>             listen address [SIM_HOST] (127.0.0.1)
 *   --port <n>             quotes + control port, 0 = any [SIM_PORT] (18080)
 *   --bridge-port <n>      QKA bridge port, 0 = any [SIM_BRIDGE_PORT] (18000)
 *   --token <t>            bridge X-Token [SIM_TOKEN] (default: a generated 64-hex token)
 *   --control-token <t>    control API token [SIM_CONTROL_TOKEN] (default: the bridge token)
 *   --state-file <p>       state file [SIM_STATE_FILE] (./data/sim-state.json); --no-state keeps it in memory
 *   --fresh                ignore the existing state (order ids still continue)
 *   --speed <x>            market seconds per wall second [SIM_SPEED] (12)
 *   --start <t>            ISO time, 'now' or 'next-open' [SIM_START] (next-open: 09:14 of the next trading day)
 *   --wall                 real time: speed 1, no skipping
 *   --paused               start paused
 *   --no-skip              do not skip lunch, nights and holidays
 *   --scenario <s>         demo | none [SIM_SCENARIO] (demo)
 *   --cash <yuan>          initial cash of a new account [SIM_CASH] (1000000; 900000 with --scenario demo)
 *   --seed <n>             price model seed [SIM_SEED] (42)
 *   --account-id <id>      account id [SIM_ACCOUNT_ID] (SIM0001)
 *   --no-m-keys            do not add m_* duplicate keys to returned objects
 */
import { parseArgs } from 'node:util'
import pino from 'pino'
import { startPaperExchange } from '../lib/paper'

const HELP = `usage: npm run sim -- [--port 18080] [--bridge-port 18000] [--token T] [--control-token T]
  [--state-file ./data/sim-state.json | --no-state] [--fresh] [--speed 12] [--start ISO|now|next-open]
  [--wall] [--paused] [--no-skip] [--scenario demo|none] [--cash 900000] [--seed 42] [--account-id ID] [--no-m-keys]`

function fail(msg: string): never {
  process.stderr.write(`sim: ${msg}\n${HELP}\n`)
  process.exit(2)
}

function num(v: string | undefined, what: string, def: number): number {
  if (v === undefined || v === '') return def
  const n = Number(v)
  if (!Number.isFinite(n)) fail(`${what} must be a number, got ${JSON.stringify(v)}`)
  return n
}

async function main() {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'bridge-port': { type: 'string' },
        token: { type: 'string' },
        'control-token': { type: 'string' },
        'state-file': { type: 'string' },
        'no-state': { type: 'boolean' },
        fresh: { type: 'boolean' },
        speed: { type: 'string' },
        start: { type: 'string' },
        wall: { type: 'boolean' },
        paused: { type: 'boolean' },
        'no-skip': { type: 'boolean' },
        scenario: { type: 'string' },
        cash: { type: 'string' },
        seed: { type: 'string' },
        'account-id': { type: 'string' },
        'no-m-keys': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>
  } catch (e) {
    fail((e as Error).message)
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`)
    return
  }
  const env = process.env
  const s = (k: string, e: string) => (values[k] as string | undefined) ?? env[e]
  const scenario = s('scenario', 'SIM_SCENARIO') ?? 'demo'
  if (scenario !== 'demo' && scenario !== 'none') fail(`--scenario must be demo or none, got ${JSON.stringify(scenario)}`)
  const log = pino({ name: 'sim', level: env.LOG_LEVEL ?? 'info' }, pino.destination(2))

  let handle: Awaited<ReturnType<typeof startPaperExchange>>
  try {
    handle = await startPaperExchange({
      host: s('host', 'SIM_HOST') ?? '127.0.0.1',
      port: num(s('port', 'SIM_PORT'), '--port', 18080),
      bridgePort: num(s('bridge-port', 'SIM_BRIDGE_PORT'), '--bridge-port', 18000),
      token: s('token', 'SIM_TOKEN') || undefined,
      controlToken: s('control-token', 'SIM_CONTROL_TOKEN') || undefined,
      stateFile: values['no-state'] ? null : (s('state-file', 'SIM_STATE_FILE') ?? './data/sim-state.json'),
      fresh: Boolean(values.fresh),
      speed: values.wall ? undefined : num(s('speed', 'SIM_SPEED'), '--speed', 12),
      start: s('start', 'SIM_START'),
      wall: Boolean(values.wall),
      paused: values.paused ? true : undefined,
      skipClosed: values['no-skip'] ? false : undefined,
      scenario,
      cash: s('cash', 'SIM_CASH') ? num(s('cash', 'SIM_CASH'), '--cash', 0) : undefined,
      seed: num(s('seed', 'SIM_SEED'), '--seed', 42),
      accountId: s('account-id', 'SIM_ACCOUNT_ID') || undefined,
      mKeys: !values['no-m-keys'],
      logger: log,
      // SIM_SNAPSHOT_MS: Tencent quotes as snapshots on that cadence (SIM_SNAPSHOT_PHASE_MS, SIM_SNAPSHOT_JITTER_MS)
      snapshots: env.SIM_SNAPSHOT_MS ? { cadenceMs: Number(env.SIM_SNAPSHOT_MS), phaseMs: Number(env.SIM_SNAPSHOT_PHASE_MS ?? 0), jitterMs: Number(env.SIM_SNAPSHOT_JITTER_MS ?? 0) } : undefined,
    })
  } catch (e) {
    process.stderr.write(`sim: cannot start: ${(e as Error).message}\n`)
    process.exit(1)
  }

  process.stdout.write(
    JSON.stringify({
      ready: true,
      url: handle.url,
      quoteUrl: handle.url,
      bridgeUrl: handle.bridgeUrl,
      token: handle.token,
      controlToken: handle.controlToken,
      stateFile: handle.stateFile,
      scenario,
      clock: handle.exchange.clock.snapshot(),
      pid: process.pid,
    }) + '\n',
  )
  log.info({ url: handle.url, bridgeUrl: handle.bridgeUrl }, 'paper exchange ready')

  let stopping = false
  const stop = async (why: string) => {
    if (stopping) return
    stopping = true
    log.info({ why }, 'paper exchange stopping')
    const force = setTimeout(() => process.exit(1), 5000)
    force.unref()
    try {
      await handle.close()
      process.stdout.write('{"stopped":true}\n')
    } finally {
      clearTimeout(force)
      process.disconnect?.()
      process.exit(0)
    }
  }
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGBREAK'] as const) process.on(sig, () => void stop(sig))
  process.on('message', (m) => {
    if (m === 'shutdown' || (m && typeof m === 'object' && (m as { type?: string }).type === 'shutdown')) void stop('ipc')
  })
  process.on('disconnect', () => void stop('ipc-disconnect'))
}

void main()
