/**
 * One active worker: a lease row renewed every cycle. A second worker stands by and takes the lease
 * when it expires; every takeover increments the fencing token, and every write that acts on the
 * market (triggers, order intents, sends) checks in its own transaction that the token is still
 * ours, so a deposed worker that wakes up late cannot act.
 */
import { getDb } from './client'
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

/** Acquires, renews or takes over an expired lease. Times are wall-clock (process liveness). */
export async function acquireLease(name: string, holderId: string, ttlMs: number, now = new Date()): Promise<LeaseState> {
  const db = getDb()
  const expiresAt = new Date(now.getTime() + ttlMs)
  const current = await db.workerLease.findUnique({ where: { name } })
  if (!current) {
    try {
      await db.workerLease.create({ data: { name, holderId, fencingToken: 1, acquiredAt: now, renewedAt: now, expiresAt } })
      return { held: true, fencingToken: 1, holderId, expiresAt, tookOver: true }
    } catch {
      // Another worker created it first.
      return acquireLease(name, holderId, ttlMs, now)
    }
  }
  if (current.holderId === holderId) {
    const res = await db.workerLease.updateMany({
      where: { name, holderId, fencingToken: current.fencingToken },
      data: { renewedAt: now, expiresAt },
    })
    if (res.count === 1) return { held: true, fencingToken: current.fencingToken, holderId, expiresAt, tookOver: false }
    return { held: false, fencingToken: current.fencingToken, holderId: current.holderId, expiresAt: current.expiresAt, tookOver: false }
  }
  if (current.expiresAt.getTime() <= now.getTime()) {
    const token = current.fencingToken + 1
    // Conditional on the row we read: of two standbys, exactly one wins.
    const res = await db.workerLease.updateMany({
      where: { name, holderId: current.holderId, fencingToken: current.fencingToken },
      data: { holderId, fencingToken: token, acquiredAt: now, renewedAt: now, expiresAt },
    })
    if (res.count === 1) return { held: true, fencingToken: token, holderId, expiresAt, tookOver: true }
  }
  return { held: false, fencingToken: current.fencingToken, holderId: current.holderId, expiresAt: current.expiresAt, tookOver: false }
}

export async function releaseLease(name: string, holderId: string): Promise<void> {
  await getDb().workerLease.updateMany({ where: { name, holderId }, data: { expiresAt: new Date(0) } })
}

/** Inside a transaction: proves this worker still holds the lease with this token. */
export async function assertLease(tx: Tx, name: string, holderId: string, fencingToken: number): Promise<void> {
  const row = await tx.workerLease.findUnique({ where: { name } })
  if (!row || row.holderId !== holderId || row.fencingToken !== fencingToken) throw new LeaseLostError(name)
}

export function getLease(name: string) {
  return getDb().workerLease.findUnique({ where: { name } })
}
