/**
 * Write transactions that never fail on a concurrent writer.
 *
 * SQLite starts Prisma transactions as deferred; when a transaction reads first and another
 * process commits before it writes, SQLite answers SQLITE_BUSY_SNAPSHOT at once, without waiting.
 * Starting with a write that touches no row takes the write lock up front (waiting the busy
 * timeout if needed), so the transaction reads a snapshot nobody can change under it.
 * PostgreSQL needs no such step: uniqueness constraints and row locks do the work.
 */
import type { Db } from './client'
import { dbProvider } from './client'

export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0]

export async function writeTx<T>(db: Db, fn: (tx: Tx) => Promise<T>, opts: { timeoutMs?: number } = {}): Promise<T> {
  const sqlite = dbProvider() === 'sqlite'
  return db.$transaction(
    async (tx) => {
      if (sqlite) await tx.$executeRawUnsafe('UPDATE "Setting" SET "key" = "key" WHERE 0')
      return fn(tx)
    },
    { maxWait: 15_000, timeout: opts.timeoutMs ?? 20_000 },
  )
}

/** True when the error is a unique-constraint violation (Prisma P2002). */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === 'P2002'
}
