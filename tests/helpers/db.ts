/**
 * Throwaway databases for integration tests: a fresh SQLite file or a fresh PostgreSQL database,
 * migrated with the real migrations through the Prisma CLI (exactly what `npm run db:deploy` does).
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export const ROOT = path.resolve(import.meta.dirname, '../..')
const PRISMA_CLI = path.join(ROOT, 'node_modules', 'prisma', 'build', 'index.js')

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test'

/** PostgreSQL suites run when the server answers, and must run when DINGPAN_REQUIRE_PG=1 (CI). */
export function pgEnabled(): boolean {
  return process.env.DINGPAN_TEST_PG === '1'
}

export interface TestDb {
  url: string
  provider: 'sqlite' | 'postgresql'
  drop(): Promise<void>
}

function migrate(url: string, config: string) {
  execFileSync(process.execPath, [PRISMA_CLI, 'migrate', 'deploy', '--config', config], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    stdio: 'pipe',
  })
}

export async function createSqliteDb(): Promise<TestDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dingpan-test-'))
  const url = `file:${path.join(dir, 'test.db')}`
  migrate(url, 'prisma.config.ts')
  return {
    url,
    provider: 'sqlite',
    async drop() {
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

export async function createPgDb(): Promise<TestDb> {
  const name = `dingpan_t_${Date.now()}_${randomBytes(3).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${name}"`)
  await admin.end()
  const u = new URL(PG_ADMIN_URL)
  u.pathname = `/${name}`
  const url = u.toString()
  migrate(url, 'prisma.config.pg.ts')
  return {
    url,
    provider: 'postgresql',
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await c.end()
    },
  }
}

export function createTestDb(provider: 'sqlite' | 'postgresql'): Promise<TestDb> {
  return provider === 'sqlite' ? createSqliteDb() : createPgDb()
}

/** The providers to run a database suite against: SQLite always, PostgreSQL when enabled. */
export function providers(): Array<'sqlite' | 'postgresql'> {
  return pgEnabled() ? ['sqlite', 'postgresql'] : ['sqlite']
}
