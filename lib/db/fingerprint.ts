/**
 * A content fingerprint of every table in the database (read from the catalog, so a table added
 * later is included without a change here): per table its row count, one hash per row and a hash of
 * the whole table. The security suites take one before and after requests that must not write, and
 * compare. Read-only; for tests and diagnostics, never on a hot path.
 */
import { createHash } from 'node:crypto'
import { dbProvider, getDb } from './client'

export interface TableFingerprint {
  rows: number
  /** Sorted sha1 of each row's canonical JSON. */
  rowHashes: string[]
  hash: string
}

export type DbFingerprint = Record<string, TableFingerprint>

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === 'bigint') return `${v}n`
    if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString('hex')}`
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) {
      return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
    }
    return v
  })
}

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex')

export async function tableNames(): Promise<string[]> {
  const db = getDb()
  const rows =
    dbProvider() === 'postgresql'
      ? await db.$queryRawUnsafe<Array<{ name: string }>>(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
        )
      : await db.$queryRawUnsafe<Array<{ name: string }>>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
  return rows.map((r) => r.name).sort()
}

export async function dbFingerprint(): Promise<DbFingerprint> {
  const db = getDb()
  const out: DbFingerprint = {}
  for (const name of await tableNames()) {
    // Names come from the catalog, not from input; quoted as identifiers.
    const rows = await db.$queryRawUnsafe<unknown[]>(`SELECT * FROM "${name.replace(/"/g, '""')}"`)
    const rowHashes = rows.map((r) => sha1(canonical(r))).sort()
    out[name] = { rows: rows.length, rowHashes, hash: sha1(rowHashes.join('\n')) }
  }
  return out
}

export interface FingerprintDiff {
  table: string
  /** Rows present after that were not there before (new or changed). */
  written: number
  /** Rows present before that are gone (deleted or changed). */
  removed: number
}

export function diffFingerprints(before: DbFingerprint, after: DbFingerprint): FingerprintDiff[] {
  const out: FingerprintDiff[] = []
  for (const table of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const a = before[table]
    const b = after[table]
    if (a && b && a.hash === b.hash) continue
    const count = (list: string[]) => list.reduce((m, h) => m.set(h, (m.get(h) ?? 0) + 1), new Map<string, number>())
    const ma = count(a?.rowHashes ?? [])
    const mb = count(b?.rowHashes ?? [])
    let written = 0
    let removed = 0
    for (const [h, n] of mb) written += Math.max(0, n - (ma.get(h) ?? 0))
    for (const [h, n] of ma) removed += Math.max(0, n - (mb.get(h) ?? 0))
    out.push({ table, written, removed })
  }
  return out
}

/** Every row of every table as text (JSON lines per table), for tests that scan the database for secrets stored in clear. */
export async function dumpTables(): Promise<Record<string, string>> {
  const db = getDb()
  const out: Record<string, string> = {}
  for (const name of await tableNames()) {
    const rows = await db.$queryRawUnsafe<unknown[]>(`SELECT * FROM "${name.replace(/"/g, '""')}"`)
    out[name] = rows.map(canonical).join('\n')
  }
  return out
}
