/**
 * Stored quotes: the newest snapshot per code (not a row per tick) and one-minute bars of the
 * session for the intraday chart.
 */
import Database from 'better-sqlite3'
import { toMilli, type Quote } from '@/lib/market'
import { dbProvider, getDb, sqlitePath } from './client'

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
function upsertSql(table: string, columns: ReadonlyArray<readonly [string, string]>, conflict: string[], update: readonly string[], source: 'pg-json' | 'sqlite-json' | 'values'): string {
  const q = (c: string) => `"${c}"`
  const names = columns.map(([c]) => q(c)).join(', ')
  const rows = {
    'pg-json': `SELECT ${names} FROM jsonb_to_recordset($1::jsonb) AS x(${columns.map(([c, t]) => `${q(c)} ${t}`).join(', ')})`,
    // WHERE true: SQLite needs it to parse ON CONFLICT after a SELECT
    'sqlite-json': `SELECT ${columns.map(([c]) => `json_extract(value, '$.${c}')`).join(', ')} FROM json_each(?) WHERE true`,
    // one row per run (the direct SQLite writer's prepared statement)
    values: `VALUES (${columns.map(() => '?').join(', ')})`,
  }[source]
  return `INSERT INTO ${q(table)} (${names}) ${rows} ON CONFLICT (${conflict.map(q).join(', ')}) DO UPDATE SET ${update.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}`
}

const snapshotUpsert = (source: Parameters<typeof upsertSql>[4]) => upsertSql('QuoteSnapshot', SNAPSHOT_COLUMNS, ['code'], SNAPSHOT_COLUMNS.slice(1).map(([c]) => c), source)
const barUpsert = (source: Parameters<typeof upsertSql>[4]) => upsertSql('QuoteBar', BAR_COLUMNS, ['code', 'minute'], BAR_COLUMNS.slice(2).map(([c]) => c), source)

type SnapshotRow = Record<(typeof SNAPSHOT_COLUMNS)[number][0], string | number | boolean | null | object>
type BarRow = Record<(typeof BAR_COLUMNS)[number][0], string | number>

function snapshotRows(quotes: Quote[], fetchedAt: Date, pg: boolean): SnapshotRow[] {
  const fetched = dbTime(fetchedAt, pg)
  return quotes.map((q) => ({
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
}

function barRows(bars: Bar[], pg: boolean): BarRow[] {
  return bars.map((b) => ({ code: b.code, minute: dbTime(b.minute, pg), openMilli: b.openMilli, highMilli: b.highMilli, lowMilli: b.lowMilli, closeMilli: b.closeMilli }))
}

/**
 * Upserts snapshots and bars in one transaction. On SQLite they go through a connection of our own
 * with two prepared statements (below); on PostgreSQL, or when that connection cannot take the
 * write lock at once, through Prisma with a few JSON-parameter statements.
 */
export async function saveQuotes(quotes: Quote[], bars: Bar[], fetchedAt: Date, opts: { direct?: boolean } = {}): Promise<void> {
  if (quotes.length === 0 && bars.length === 0) return
  if (opts.direct !== false && saveQuotesDirect(quotes, bars, fetchedAt)) return
  const pg = dbProvider() === 'postgresql'
  const statements: Array<{ sql: string; json: string }> = []
  const snapshotSql = snapshotUpsert(pg ? 'pg-json' : 'sqlite-json')
  for (let i = 0; i < quotes.length; i += CHUNK) statements.push({ sql: snapshotSql, json: JSON.stringify(snapshotRows(quotes.slice(i, i + CHUNK), fetchedAt, pg)) })
  const barSql = barUpsert(pg ? 'pg-json' : 'sqlite-json')
  for (let i = 0; i < bars.length; i += CHUNK) statements.push({ sql: barSql, json: JSON.stringify(barRows(bars.slice(i, i + CHUNK), pg)) })
  await getDb().$transaction(
    async (tx) => {
      for (const st of statements) await tx.$executeRawUnsafe(st.sql, st.json)
    },
    { maxWait: 15_000, timeout: 60_000 },
  )
}

/**
 * SQLite: the cycle's 5,000 snapshots and bars written through a better-sqlite3 connection of our
 * own, one prepared statement run per row, in one IMMEDIATE transaction. Through Prisma's adapter
 * the same rows cost ~4× as long (~290 ms against ~65 ms a cycle at 5,000 quotes, measured in
 * `npm run bench -- cycle-trading`): the adapter copies and decodes every argument and result.
 *
 * The connection never waits for the write lock (busy timeout 0): a synchronous wait here would
 * block the event loop while a Prisma transaction of this same process (which needs the event loop
 * to finish) holds the lock. Busy, it answers false and the caller writes through Prisma, which
 * queues behind that transaction as every other write does.
 */
function saveQuotesDirect(quotes: Quote[], bars: Bar[], fetchedAt: Date): boolean {
  const w = directWriter()
  if (!w) return false
  try {
    w.write(snapshotRows(quotes, fetchedAt, false), barRows(bars, false))
    return true
  } catch (e) {
    if (String((e as { code?: string }).code).startsWith('SQLITE_BUSY')) return false
    throw e
  }
}

interface DirectWriter {
  url: string
  db: Database.Database
  write: (snapshots: SnapshotRow[], bars: BarRow[]) => void
}
let direct: DirectWriter | null = null

function directWriter(): DirectWriter | null {
  if (dbProvider() !== 'sqlite') return null
  const url = process.env.DATABASE_URL ?? 'file:./data/dingpan.db'
  if (direct?.url === url && direct.db.open) return direct
  direct?.db.close()
  direct = null
  const file = sqlitePath(url)
  if (file === ':memory:') return null
  // getDb() first: it creates the file and puts it in WAL mode.
  getDb()
  const db = new Database(file, { timeout: 0 })
  const snap = db.prepare(snapshotUpsert('values'))
  const bar = db.prepare(barUpsert('values'))
  // As Prisma stores them on SQLite: booleans 0/1, Json as its text.
  const bind = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : v !== null && typeof v === 'object' ? JSON.stringify(v) : v)
  const tx = db.transaction((snapshots: SnapshotRow[], bars: BarRow[]) => {
    for (const r of snapshots) snap.run(SNAPSHOT_COLUMNS.map(([c]) => bind(r[c])))
    for (const r of bars) bar.run(BAR_COLUMNS.map(([c]) => bind(r[c])))
  })
  direct = { url, db, write: (snapshots, bars) => tx.immediate(snapshots, bars) }
  return direct
}

/** How long the direct SQLite connection waits for the write lock (it must never: see saveQuotesDirect). */
export function quoteWriterBusyTimeoutMs(): number | null {
  return directWriter()?.db.pragma('busy_timeout', { simple: true }) as number | null ?? null
}

/** Closes the direct SQLite connection (tests that drop their database file). */
export function closeQuoteWriter(): void {
  direct?.db.close()
  direct = null
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
