/**
 * The Prisma client for the configured database: SQLite (better-sqlite3, WAL, busy timeout) by
 * default, PostgreSQL (pg) when DATABASE_URL is a postgres URL. Both generated clients have the
 * same models (tests/db/schema-parity.test.ts), so the SQLite client's type serves both.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient as SqliteClient } from './generated/sqlite/client'
import { PrismaClient as PgClient } from './generated/pg/client'

export type Db = SqliteClient
export type DbProvider = 'sqlite' | 'postgresql'

export const SQLITE_BUSY_TIMEOUT_MS = 10_000

export function providerOf(url: string): DbProvider {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgresql' : 'sqlite'
}

export function sqlitePath(url: string): string {
  return url.replace(/^file:/, '')
}

/** WAL lets the web process read while the worker writes; the mode is stored in the file. */
export function prepareSqliteFile(url: string): void {
  const file = sqlitePath(url)
  if (file === ':memory:') return
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const handle = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS })
  try {
    handle.pragma('journal_mode = WAL')
  } finally {
    handle.close()
  }
}

export function createDb(url: string): Db {
  if (providerOf(url) === 'postgresql') {
    const adapter = new PrismaPg({ connectionString: url, max: 10 })
    return new PgClient({ adapter }) as unknown as Db
  }
  prepareSqliteFile(url)
  const adapter = new PrismaBetterSQLite3({ url, timeout: SQLITE_BUSY_TIMEOUT_MS })
  return new SqliteClient({ adapter })
}

const globalForDb = globalThis as unknown as { __dingpanDb?: { url: string; db: Db } }

/** One client per process (and per dev-server reload), for the configured DATABASE_URL. */
export function getDb(): Db {
  const url = process.env.DATABASE_URL ?? 'file:./data/dingpan.db'
  const cached = globalForDb.__dingpanDb
  if (cached && cached.url === url) return cached.db
  const db = createDb(url)
  globalForDb.__dingpanDb = { url, db }
  return db
}

export function dbProvider(): DbProvider {
  return providerOf(process.env.DATABASE_URL ?? 'file:./data/dingpan.db')
}
