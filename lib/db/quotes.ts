/**
 * Stored quotes: the newest snapshot per code (not a row per tick) and one-minute bars of the
 * session for the intraday chart.
 */
import { toMilli, type Quote } from '@/lib/market'
import { dbProvider, getDb } from './client'

export interface Bar {
  code: string
  minute: Date
  openMilli: number
  highMilli: number
  lowMilli: number
  closeMilli: number
}

// Columns of the batched upserts below, with their PostgreSQL types (jsonb_to_recordset).
const SNAPSHOT_COLUMNS = [
  ['code', 'text'], ['name', 'text'], ['lastMilli', 'integer'], ['prevCloseMilli', 'integer'], ['openMilli', 'integer'],
  ['highMilli', 'integer'], ['lowMilli', 'integer'], ['volume', 'bigint'], ['amountMilli', 'bigint'], ['bids', 'jsonb'],
  ['asks', 'jsonb'], ['limitUpMilli', 'integer'], ['limitDownMilli', 'integer'], ['suspended', 'boolean'], ['source', 'text'],
  ['quoteTime', 'timestamp(3)'], ['fetchedAt', 'timestamp(3)'],
] as const
const BAR_COLUMNS = [['code', 'text'], ['minute', 'timestamp(3)'], ['openMilli', 'integer'], ['highMilli', 'integer'], ['lowMilli', 'integer'], ['closeMilli', 'integer']] as const
const CHUNK = 1000

/** DateTime as each provider stores it through Prisma (SQLite: ISO text; PostgreSQL: timestamp(3), UTC). */
export function dbTime(d: Date, pg: boolean): string {
  const iso = d.toISOString()
  return pg ? iso.replace('T', ' ').replace('Z', '') : iso.replace('Z', '+00:00')
}

/**
 * One upsert of many rows passed as ONE JSON parameter (json_each on SQLite, jsonb_to_recordset on
 * PostgreSQL): a short statement that is cheap to prepare, instead of a VALUES list with 17
 * parameters per row (at 5,000 quotes the driver spent more time preparing and binding 85,000
 * parameters than SQLite spent writing).
 */
function upsertSql(table: string, columns: ReadonlyArray<readonly [string, string]>, conflict: string[], update: readonly string[], pg: boolean): string {
  const q = (c: string) => `"${c}"`
  const names = columns.map(([c]) => q(c)).join(', ')
  const source = pg
    ? `SELECT ${names} FROM jsonb_to_recordset($1::jsonb) AS x(${columns.map(([c, t]) => `${q(c)} ${t}`).join(', ')})`
    : // WHERE true: SQLite needs it to parse ON CONFLICT after a SELECT
      `SELECT ${columns.map(([c]) => `json_extract(value, '$.${c}')`).join(', ')} FROM json_each(?) WHERE true`
  return `INSERT INTO ${q(table)} (${names}) ${source} ON CONFLICT (${conflict.map(q).join(', ')}) DO UPDATE SET ${update.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}`
}

/**
 * Upserts snapshots and bars with a few statements in one transaction: 5,000 quotes per cycle cost
 * one write lock and ~10 statements, not 5,000 round trips.
 */
export async function saveQuotes(quotes: Quote[], bars: Bar[], fetchedAt: Date): Promise<void> {
  if (quotes.length === 0 && bars.length === 0) return
  const pg = dbProvider() === 'postgresql'
  const fetched = dbTime(fetchedAt, pg)
  const statements: Array<{ sql: string; json: string }> = []
  const snapshotSql = upsertSql('QuoteSnapshot', SNAPSHOT_COLUMNS, ['code'], SNAPSHOT_COLUMNS.slice(1).map(([c]) => c), pg)
  for (let i = 0; i < quotes.length; i += CHUNK) {
    const rows = quotes.slice(i, i + CHUNK).map((q) => ({
      code: q.code,
      name: q.name,
      lastMilli: toMilli(q.last),
      prevCloseMilli: toMilli(q.prevClose),
      openMilli: toMilli(q.open),
      highMilli: toMilli(q.high),
      lowMilli: toMilli(q.low),
      // whole numbers well below 2^53 (amount in yuan × 1000)
      volume: Math.round(q.volume),
      amountMilli: Math.round(q.amount * 1000),
      bids: q.bids.map((b) => ({ price: b.price, volume: b.volume })),
      asks: q.asks.map((a) => ({ price: a.price, volume: a.volume })),
      limitUpMilli: q.limitUp == null ? null : toMilli(q.limitUp),
      limitDownMilli: q.limitDown == null ? null : toMilli(q.limitDown),
      suspended: q.suspended,
      source: q.source,
      quoteTime: dbTime(q.time, pg),
      fetchedAt: fetched,
    }))
    statements.push({ sql: snapshotSql, json: JSON.stringify(rows) })
  }
  const barSql = upsertSql('QuoteBar', BAR_COLUMNS, ['code', 'minute'], BAR_COLUMNS.slice(2).map(([c]) => c), pg)
  for (let i = 0; i < bars.length; i += CHUNK) {
    const rows = bars.slice(i, i + CHUNK).map((b) => ({ code: b.code, minute: dbTime(b.minute, pg), openMilli: b.openMilli, highMilli: b.highMilli, lowMilli: b.lowMilli, closeMilli: b.closeMilli }))
    statements.push({ sql: barSql, json: JSON.stringify(rows) })
  }
  await getDb().$transaction(
    async (tx) => {
      for (const st of statements) await tx.$executeRawUnsafe(st.sql, st.json)
    },
    { maxWait: 15_000, timeout: 60_000 },
  )
}

export function getSnapshots(codes: string[]) {
  return getDb().quoteSnapshot.findMany({ where: { code: { in: codes } } })
}

export function getBars(code: string, from: Date, to: Date) {
  return getDb().quoteBar.findMany({ where: { code, minute: { gte: from, lt: to } }, orderBy: { minute: 'asc' } })
}

/** The stored 1-minute bars of a code in [from, to), oldest first (replay's 'stored' source). */
export async function getStoredBars(code: string, from: Date, to: Date): Promise<Bar[]> {
  const rows = await getDb().quoteBar.findMany({
    where: { code, minute: { gte: from, lt: to } },
    orderBy: { minute: 'asc' },
    select: { code: true, minute: true, openMilli: true, highMilli: true, lowMilli: true, closeMilli: true },
  })
  return rows
}

export async function pruneBars(before: Date): Promise<number> {
  return (await getDb().quoteBar.deleteMany({ where: { minute: { lt: before } } })).count
}
