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

function snapshotData(q: Quote, fetchedAt: Date) {
  return {
    name: q.name,
    lastMilli: toMilli(q.last),
    prevCloseMilli: toMilli(q.prevClose),
    openMilli: toMilli(q.open),
    highMilli: toMilli(q.high),
    lowMilli: toMilli(q.low),
    volume: BigInt(Math.round(q.volume)),
    amountMilli: BigInt(Math.round(q.amount * 1000)),
    bids: q.bids.map((b) => ({ price: b.price, volume: b.volume })),
    asks: q.asks.map((a) => ({ price: a.price, volume: a.volume })),
    limitUpMilli: q.limitUp == null ? null : toMilli(q.limitUp),
    limitDownMilli: q.limitDown == null ? null : toMilli(q.limitDown),
    suspended: q.suspended,
    source: q.source,
    quoteTime: q.time,
    fetchedAt,
  }
}

// Column order of the batched upserts below.
const SNAPSHOT_COLUMNS = [
  'code', 'name', 'lastMilli', 'prevCloseMilli', 'openMilli', 'highMilli', 'lowMilli', 'volume', 'amountMilli',
  'bids', 'asks', 'limitUpMilli', 'limitDownMilli', 'suspended', 'source', 'quoteTime', 'fetchedAt',
] as const
const BAR_COLUMNS = ['code', 'minute', 'openMilli', 'highMilli', 'lowMilli', 'closeMilli'] as const
const CHUNK = 400

/** DateTime as each provider stores it through Prisma (SQLite: ISO text; PostgreSQL: timestamp(3), UTC). */
function dbTime(d: Date, pg: boolean): string {
  const iso = d.toISOString()
  return pg ? iso.replace('T', ' ').replace('Z', '') : iso.replace('Z', '+00:00')
}

function upsertSql(table: string, columns: readonly string[], conflict: string[], update: readonly string[], rows: number, pg: boolean): string {
  const q = (c: string) => `"${c}"`
  let n = 0
  const tuple = () => `(${columns.map(() => (pg ? `$${++n}` : '?')).join(', ')})`
  const values = Array.from({ length: rows }, tuple).join(', ')
  return `INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES ${values} ON CONFLICT (${conflict.map(q).join(', ')}) DO UPDATE SET ${update.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}`
}

/**
 * Upserts snapshots and bars with a few multi-row statements in one transaction: 5,000 quotes
 * per cycle cost one write lock and ~13 statements on SQLite, not 5,000 round trips.
 */
export async function saveQuotes(quotes: Quote[], bars: Bar[], fetchedAt: Date): Promise<void> {
  if (quotes.length === 0 && bars.length === 0) return
  const pg = dbProvider() === 'postgresql'
  const statements: Array<{ sql: string; params: unknown[] }> = []
  for (let i = 0; i < quotes.length; i += CHUNK) {
    const chunk = quotes.slice(i, i + CHUNK)
    const params: unknown[] = []
    for (const q of chunk) {
      const d = snapshotData(q, fetchedAt)
      params.push(
        q.code, d.name, d.lastMilli, d.prevCloseMilli, d.openMilli, d.highMilli, d.lowMilli, d.volume, d.amountMilli,
        JSON.stringify(d.bids), JSON.stringify(d.asks), d.limitUpMilli, d.limitDownMilli, d.suspended, d.source,
        dbTime(d.quoteTime, pg), dbTime(d.fetchedAt, pg),
      )
    }
    statements.push({ sql: upsertSql('QuoteSnapshot', SNAPSHOT_COLUMNS, ['code'], SNAPSHOT_COLUMNS.slice(1), chunk.length, pg), params })
  }
  for (let i = 0; i < bars.length; i += CHUNK) {
    const chunk = bars.slice(i, i + CHUNK)
    const params: unknown[] = []
    for (const b of chunk) params.push(b.code, dbTime(b.minute, pg), b.openMilli, b.highMilli, b.lowMilli, b.closeMilli)
    statements.push({ sql: upsertSql('QuoteBar', BAR_COLUMNS, ['code', 'minute'], BAR_COLUMNS.slice(2), chunk.length, pg), params })
  }
  await getDb().$transaction(
    async (tx) => {
      for (const st of statements) await tx.$executeRawUnsafe(st.sql, ...st.params)
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

export async function pruneBars(before: Date): Promise<number> {
  return (await getDb().quoteBar.deleteMany({ where: { minute: { lt: before } } })).count
}
