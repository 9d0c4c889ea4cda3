/**
 * One active worker: a lease row renewed every cycle. A second worker stands by and takes the lease
 * when it expires; every takeover increments the fencing token, and every write that acts on the
 * market (triggers, order intents, sends) checks in its own transaction that the token is still
 * ours, so a deposed worker that wakes up late cannot act.
 */
import { dbProvider, getDb, type Db, type DbProvider } from './client'
import type { Tx } from './tx'

export class LeaseLostError extends Error {
  constructor(readonly name: string) {
    super(`worker lease "${name}" is no longer held by this process`)
  }
}

export interface LeaseState {
  held: boolean
  fencingToken: number
  holderId: string
  expiresAt: Date
  tookOver: boolean
}

/**
 * Acquires, renews or takes over an expired lease. Every time in the row (acquired, renewed,
 * expires) is written from the database's clock and expiry is judged against that same clock, in
 * the statement that takes over: workers on hosts whose clocks disagree can neither both hold the
 * lease nor depose a live holder early. No process clock is read here.
 */
export async function acquireLease(name: string, holderId: string, ttlMs: number): Promise<LeaseState> {
  const db = getDb()
  const sql = leaseSql(dbProvider())
  const ttl = Math.max(0, Math.round(ttlMs))
  const current = await db.workerLease.findUnique({ where: { name } })
  if (!current) {
    if ((await sql.insert(db, name, holderId, ttl)) === 1) return stateAfterWrite(name, holderId, 1, true)
    // Another worker created it first.
    return acquireLease(name, holderId, ttlMs)
  }
  if (current.holderId === holderId) {
    if ((await sql.renew(db, name, holderId, current.fencingToken, ttl)) === 1) return stateAfterWrite(name, holderId, current.fencingToken, false)
    return notHeld(await db.workerLease.findUnique({ where: { name } }), current)
  }
  // Conditional on the row we read and on its expiry by the database clock: of two standbys,
  // exactly one wins, and none while the holder keeps renewing.
  const token = current.fencingToken + 1
  if ((await sql.takeOver(db, name, current.holderId, current.fencingToken, holderId, token, ttl)) === 1) return stateAfterWrite(name, holderId, token, true)
  return notHeld(null, current)
}

type LeaseRow = { holderId: string; fencingToken: number; expiresAt: Date }

function notHeld(row: LeaseRow | null, fallback: LeaseRow): LeaseState {
  const r = row ?? fallback
  return { held: false, fencingToken: r.fencingToken, holderId: r.holderId, expiresAt: r.expiresAt, tookOver: false }
}

/** The row as the database wrote it (its expiry is the database's, not ours). */
async function stateAfterWrite(name: string, holderId: string, fencingToken: number, tookOver: boolean): Promise<LeaseState> {
  const row = await getDb().workerLease.findUnique({ where: { name } })
  if (!row || row.holderId !== holderId || row.fencingToken !== fencingToken) return notHeld(row, { holderId, fencingToken, expiresAt: new Date(0) })
  return { held: true, fencingToken, holderId, expiresAt: row.expiresAt, tookOver }
}

interface LeaseSql {
  insert(db: Db, name: string, holderId: string, ttlMs: number): Promise<number>
  renew(db: Db, name: string, holderId: string, fencingToken: number, ttlMs: number): Promise<number>
  takeOver(db: Db, name: string, fromHolder: string, fromToken: number, holderId: string, token: number, ttlMs: number): Promise<number>
}

/**
 * SQLite: Prisma's better-sqlite3 adapter stores DateTime as ISO text with a "+00:00" offset
 * ("2026-12-07T04:43:38.167+00:00"); the same format is written here so Prisma reads it back, and
 * expiry is compared through julianday() rather than as text. 'now' is fixed within a statement.
 */
const SQLITE_NOW = `strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')`
const sqliteLater = (param: string) => `strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', ${param})`
const sqliteSeconds = (ttlMs: number) => `+${(ttlMs / 1000).toFixed(3)} seconds`

/**
 * PostgreSQL: the columns are TIMESTAMP(3) without time zone holding UTC (as Prisma writes them),
 * so the server clock is taken in UTC whatever the session's TimeZone. statement_timestamp() is
 * fixed within the statement and, unlike now(), not frozen at the start of a surrounding transaction.
 */
const PG_NOW = `(statement_timestamp() AT TIME ZONE 'UTC')`

function leaseSql(provider: DbProvider): LeaseSql {
  if (provider === 'sqlite') {
    return {
      insert: (db, name, holderId, ttlMs) =>
        db.$executeRawUnsafe(
          `INSERT INTO "WorkerLease" ("name", "holderId", "fencingToken", "acquiredAt", "renewedAt", "expiresAt")
           VALUES (?, ?, 1, ${SQLITE_NOW}, ${SQLITE_NOW}, ${sqliteLater('?')}) ON CONFLICT ("name") DO NOTHING`,
          name, holderId, sqliteSeconds(ttlMs),
        ),
      renew: (db, name, holderId, fencingToken, ttlMs) =>
        db.$executeRawUnsafe(
          `UPDATE "WorkerLease" SET "renewedAt" = ${SQLITE_NOW}, "expiresAt" = ${sqliteLater('?')}
           WHERE "name" = ? AND "holderId" = ? AND "fencingToken" = ?`,
          sqliteSeconds(ttlMs), name, holderId, fencingToken,
        ),
      takeOver: (db, name, fromHolder, fromToken, holderId, token, ttlMs) =>
        db.$executeRawUnsafe(
          `UPDATE "WorkerLease" SET "holderId" = ?, "fencingToken" = ?, "acquiredAt" = ${SQLITE_NOW}, "renewedAt" = ${SQLITE_NOW}, "expiresAt" = ${sqliteLater('?')}
           WHERE "name" = ? AND "holderId" = ? AND "fencingToken" = ? AND julianday("expiresAt") <= julianday('now')`,
          holderId, token, sqliteSeconds(ttlMs), name, fromHolder, fromToken,
        ),
    }
  }
  return {
    insert: (db, name, holderId, ttlMs) =>
      db.$executeRawUnsafe(
        `INSERT INTO "WorkerLease" ("name", "holderId", "fencingToken", "acquiredAt", "renewedAt", "expiresAt")
         VALUES ($1, $2, 1, ${PG_NOW}, ${PG_NOW}, ${PG_NOW} + make_interval(secs => $3::int / 1000.0)) ON CONFLICT ("name") DO NOTHING`,
        name, holderId, ttlMs,
      ),
    renew: (db, name, holderId, fencingToken, ttlMs) =>
      db.$executeRawUnsafe(
        `UPDATE "WorkerLease" SET "renewedAt" = ${PG_NOW}, "expiresAt" = ${PG_NOW} + make_interval(secs => $1::int / 1000.0)
         WHERE "name" = $2 AND "holderId" = $3 AND "fencingToken" = $4`,
        ttlMs, name, holderId, fencingToken,
      ),
    takeOver: (db, name, fromHolder, fromToken, holderId, token, ttlMs) =>
      db.$executeRawUnsafe(
        `UPDATE "WorkerLease" SET "holderId" = $1, "fencingToken" = $2, "acquiredAt" = ${PG_NOW}, "renewedAt" = ${PG_NOW}, "expiresAt" = ${PG_NOW} + make_interval(secs => $3::int / 1000.0)
         WHERE "name" = $4 AND "holderId" = $5 AND "fencingToken" = $6 AND "expiresAt" <= ${PG_NOW}`,
        holderId, token, ttlMs, name, fromHolder, fromToken,
      ),
  }
}

/** How many unexpired leases carry this name prefix (by the database's clock): the live workers' presences. */
export async function livePresence(prefix: string): Promise<number> {
  const sql =
    dbProvider() === 'sqlite'
      ? `SELECT COUNT(*) AS n FROM "WorkerLease" WHERE "name" LIKE ? AND julianday("expiresAt") > julianday('now')`
      : `SELECT COUNT(*)::int AS n FROM "WorkerLease" WHERE "name" LIKE $1 AND "expiresAt" > ${PG_NOW}`
  const rows = await getDb().$queryRawUnsafe<Array<{ n: number | bigint }>>(sql, `${prefix}%`)
  return Number(rows[0]?.n ?? 0)
}

/** Forgets presences expired for an hour (workers long gone). */
export async function prunePresence(prefix: string): Promise<void> {
  await getDb().workerLease.deleteMany({ where: { name: { startsWith: prefix }, expiresAt: { lt: new Date(Date.now() - 3_600_000) } } })
}

export async function releaseLease(name: string, holderId: string): Promise<void> {
  await getDb().workerLease.updateMany({ where: { name, holderId }, data: { expiresAt: new Date(0) } })
}

/** Inside a transaction: proves this worker still holds the lease with this token. */
export async function assertLease(tx: Tx, name: string, holderId: string, fencingToken: number): Promise<void> {
  const row = await tx.workerLease.findUnique({ where: { name } })
  if (!row || row.holderId !== holderId || row.fencingToken !== fencingToken) throw new LeaseLostError(name)
}

/**
 * Inside a transaction: proves the lease like assertLease and also pins it until the transaction
 * ends (a no-op write takes the lease row: PostgreSQL makes a takeover wait for this transaction;
 * SQLite's writeTx holds the database write lock already). So a deposed worker cannot commit a
 * write that a takeover has already overtaken.
 */
export async function holdLease(tx: Tx, name: string, holderId: string, fencingToken: number): Promise<void> {
  const res = await tx.workerLease.updateMany({ where: { name, holderId, fencingToken }, data: { holderId } })
  if (res.count !== 1) throw new LeaseLostError(name)
}

export function getLease(name: string) {
  return getDb().workerLease.findUnique({ where: { name } })
}
