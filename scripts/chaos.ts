/**
 * `npm run test:chaos`: the reliability proof (run by .ci/run after `npm test`).
 *   - crash consistency: 200 SIGKILLs of the worker along the trigger → order path (entries and
 *     exits: stop-loss, take-profit, trailing, a stop superseding a resting take-profit), restarted;
 *   - a stalled worker (SIGSTOP past its lease, SIGCONT) sends nothing after it wakes;
 *   - the condition matrix (one row per market / bridge condition, printed as a table);
 *   - two workers on one PostgreSQL database over 1,000 triggers, the active one killed half-way;
 *   - two workers splitting three broker accounts, the one holding most SIGKILLed mid-flight;
 *   - the bridge fault matrix and quote faults;
 *   - the API fuzz suite (10,000 generated payloads), when present.
 * Every suite asserts its invariants (0 duplicate orders, 0 triggers without a final outcome…);
 * the figures are collected into test-results/chaos/report.json and printed at the end.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'

const ROOT = path.resolve(import.meta.dirname, '..')
const node = process.execPath
const bin = {
  prisma: path.join(ROOT, 'node_modules/prisma/build/index.js'),
  vitest: path.join(ROOT, 'node_modules/vitest/vitest.mjs'),
  next: path.join(ROOT, 'node_modules/next/dist/bin/next'),
}
const CHAOS_DIR = path.join(ROOT, 'test-results', 'chaos')

function run(label: string, args: string[], env: Record<string, string | undefined> = {}): void {
  const t0 = Date.now()
  console.log(`\n▶ ${label}`)
  const res = spawnSync(node, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } })
  const secs = ((Date.now() - t0) / 1000).toFixed(0)
  if (res.status !== 0) {
    console.error(`✖ ${label} failed after ${secs}s`)
    process.exit(res.status || 1)
  }
  console.log(`✔ ${label} (${secs}s)`)
}

async function main() {
  const env = { NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1', DINGPAN_TEST_PG: '1', TEST_PG_URL: process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test' }
  const client = new pg.Client({ connectionString: env.TEST_PG_URL, connectionTimeoutMillis: 3_000 })
  try {
    await client.connect()
  } catch (e) {
    console.error(`✖ the chaos suite needs PostgreSQL at ${env.TEST_PG_URL}: ${(e as Error).message}`)
    process.exit(1)
  } finally {
    await client.end().catch(() => undefined)
  }
  fs.rmSync(CHAOS_DIR, { recursive: true, force: true })
  run('prisma generate', [bin.prisma, 'generate', '--config', 'prisma.config.ts'], env)
  run('prisma generate (PostgreSQL)', [bin.prisma, 'generate', '--config', 'prisma.config.pg.ts'], env)
  run('chaos suites (crash consistency, two workers, account split, stalled worker, condition matrix, bridge and quote faults)', [bin.vitest, 'run', '--config', 'vitest.chaos.config.ts'], env)
  if (fs.existsSync(path.join(ROOT, 'vitest.fuzz.config.ts'))) {
    if (!fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) run('next build (for the API fuzz)', [bin.next, 'build'], env)
    run('API fuzz (10,000 payloads)', [bin.vitest, 'run', '--config', 'vitest.fuzz.config.ts'], env)
  }
  const report: Record<string, unknown> = {}
  for (const f of fs.existsSync(CHAOS_DIR) ? fs.readdirSync(CHAOS_DIR) : []) {
    if (f.endsWith('.json') && f !== 'report.json') report[f.replace(/\.json$/, '')] = JSON.parse(fs.readFileSync(path.join(CHAOS_DIR, f), 'utf8'))
  }
  fs.mkdirSync(CHAOS_DIR, { recursive: true })
  fs.writeFileSync(path.join(CHAOS_DIR, 'report.json'), JSON.stringify(report, null, 2) + '\n')
  console.log('\nChaos report (test-results/chaos/report.json):')
  console.log(JSON.stringify(report, null, 2))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
