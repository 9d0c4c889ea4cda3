/**
 * `npm test`: does its own setup and runs every suite.
 *  1. generates both Prisma clients;
 *  2. finds PostgreSQL (TEST_PG_URL, default the local `test` database); DINGPAN_REQUIRE_PG=1 makes
 *     a missing server an error (CI), otherwise its suites are left out with a warning;
 *  3. unit and integration tests (vitest; each integration suite migrates its own throwaway
 *     SQLite file and PostgreSQL database);
 *  4. the market rules again under TZ=UTC and TZ=America/New_York (time-zone independence);
 *  5. `next build`, then the browser tests (playwright-core + Debian Chromium) against the built app.
 * Extra arguments are passed to the unit/integration vitest run (e.g. `npm test -- tests/market`),
 * which then skips the build and browser steps.
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

type Env = Record<string, string | undefined>

function run(label: string, args: string[], env: Env = {}): void {
  const started = Date.now()
  console.log(`\n▶ ${label}`)
  const res = spawnSync(node, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } })
  const secs = ((Date.now() - started) / 1000).toFixed(1)
  if (res.status !== 0) {
    console.error(`✖ ${label} failed after ${secs}s (exit ${res.status ?? res.signal})`)
    process.exit(res.status || 1)
  }
  console.log(`✔ ${label} (${secs}s)`)
}

async function pgReachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return null
  } catch (e) {
    return (e as Error).message
  } finally {
    await client.end().catch(() => undefined)
  }
}

export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[]
  return candidates.find((p) => fs.existsSync(p)) ?? null
}

async function main() {
  const extra = process.argv.slice(2)
  const env: Env = { NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1' }

  run('prisma generate (SQLite client)', [bin.prisma, 'generate', '--config', 'prisma.config.ts'], env)
  run('prisma generate (PostgreSQL client)', [bin.prisma, 'generate', '--config', 'prisma.config.pg.ts'], env)

  const pgUrl = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test'
  const pgError = await pgReachable(pgUrl)
  if (pgError) {
    if (process.env.DINGPAN_REQUIRE_PG === '1') {
      console.error(`✖ PostgreSQL is required (DINGPAN_REQUIRE_PG=1) but ${pgUrl} is unreachable: ${pgError}`)
      process.exit(1)
    }
    console.warn(`⚠ PostgreSQL at ${pgUrl} is unreachable (${pgError}): its suites are left out of this run.`)
  } else {
    env.DINGPAN_TEST_PG = '1'
    env.TEST_PG_URL = pgUrl
    console.log(`PostgreSQL suites on (${pgUrl})`)
  }

  run('unit and integration tests', [bin.vitest, 'run', ...extra], env)
  if (extra.length) return

  for (const tz of ['UTC', 'America/New_York']) {
    run(`market rules under TZ=${tz}`, [bin.vitest, 'run', 'tests/market'], { ...env, TZ: tz })
  }

  const chromium = chromiumPath()
  if (!chromium) {
    console.error('✖ Browser tests need Chromium: `apt-get install -y chromium` (Debian) or set CHROMIUM_PATH.')
    process.exit(1)
  }
  run('next build', [bin.next, 'build'], env)
  run('browser tests', [bin.vitest, 'run', '--config', 'vitest.browser.config.ts'], { ...env, CHROMIUM_PATH: chromium })
  console.log('\nAll suites passed.')
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
