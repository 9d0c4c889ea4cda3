/**
 * Driver-adapter factories for the Prisma CLI only (prisma.config*.ts), working around four
 * gaps of Prisma 6.19.3's wasm schema engine when it runs through driver adapters offline.
 * The runtime client (lib/db) uses the stock adapters. See README "Database".
 */
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import fs from 'node:fs'
import path from 'node:path'

type Adapter = Awaited<ReturnType<PrismaBetterSQLite3['connect']>>

// Exact DDL the native engine uses for SQLite (prisma-engines sql-schema-connector, sqlite flavour).
const SQLITE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`

export function sqliteMigrateAdapter(url: string) {
  // SQLite creates the database file but not its folder: a fresh checkout has no ./data yet.
  const file = url.replace(/^file:/, '')
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const base = new PrismaBetterSQLite3({ url })
  return {
    provider: base.provider as typeof base.provider,
    adapterName: base.adapterName,
    // 1. The wasm connector maps "no such table" to "table missing" only for the native driver
    //    (P1014 on migrate dev/status): create the empty history table the engine expects.
    async connect() {
      const adapter = await base.connect()
      await adapter.executeScript(SQLITE_MIGRATIONS_TABLE)
      return adapter
    },
    // 2. The shadow database replays each migration file through an argument-less executeRaw,
    //    which better-sqlite3's prepare() rejects when the file holds several statements.
    async connectToShadowDb() {
      const adapter: Adapter = await base.connectToShadowDb()
      const executeRaw = adapter.executeRaw.bind(adapter)
      adapter.executeRaw = async (query) => {
        if (query.args.length === 0) {
          await adapter.executeScript(query.sql)
          return 0
        }
        return executeRaw(query)
      }
      return adapter
    },
  }
}

// 3. adapter-pg cannot deserialise pg_catalog columns of type `name` (19) and `"char"` (18)
//    (prisma/orm#27403). pg already parses both as strings; report them as text (25).
function rewriteFields<T>(result: T): T {
  const results = Array.isArray(result) ? result : [result]
  for (const r of results as Array<{ fields?: Array<{ dataTypeID: number }> }>) {
    for (const f of r?.fields ?? []) {
      if (f.dataTypeID === 19 || f.dataTypeID === 18) f.dataTypeID = 25
    }
  }
  return result
}

class TextNameClient extends pg.Client {
  // pg's query has many overloads; forward everything and patch the result on both paths.
  override query(...args: unknown[]): never {
    const last = args[args.length - 1]
    if (typeof last === 'function') {
      const cb = last as (err: Error | null, res: unknown) => void
      args[args.length - 1] = (err: Error | null, res: unknown) => cb(err, err ? res : rewriteFields(res))
      return (super.query as (...a: unknown[]) => never)(...args)
    }
    const maybe = (super.query as (...a: unknown[]) => unknown)(...args)
    if (maybe && typeof (maybe as Promise<unknown>).then === 'function') {
      return (maybe as Promise<unknown>).then(rewriteFields) as never
    }
    return maybe as never
  }
}

function pgPoolConfig(url: string): pg.PoolConfig {
  const u = new URL(url)
  return {
    host: decodeURIComponent(u.hostname),
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
    Client: TextNameClient as unknown as typeof pg.Client,
  }
}

export function pgMigrateAdapter(url: string) {
  const config = pgPoolConfig(url)
  const base = new PrismaPg(config)
  return {
    provider: base.provider as typeof base.provider,
    adapterName: base.adapterName,
    connect: () => base.connect(),
    // 4. The stock shadow database is dropped before its pool is closed ("being accessed by
    //    other users"): close the shadow pool first, then drop it, then the admin connection.
    async connectToShadowDb() {
      const admin = await base.connect()
      const database = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`
      await admin.executeScript(`CREATE DATABASE "${database}"`)
      const shadow = await new PrismaPg({ ...config, database }).connect()
      const disposeShadow = shadow.dispose.bind(shadow)
      shadow.dispose = async () => {
        await disposeShadow()
        await admin.executeScript(`DROP DATABASE IF EXISTS "${database}"`)
        await admin.dispose()
      }
      return shadow
    },
  }
}
