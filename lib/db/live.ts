/**
 * The change feed behind the live stream (/api/stream): LiveEvent rows written by database triggers
 * in the writer's own transaction (prisma/*\/migrations/*_live_feed). The web app reads them with a
 * cheap primary-key range query; on PostgreSQL it also LISTENs, so it reads only when told.
 */
import pg from 'pg'
import { dbProvider, getDb } from './client'

export interface LiveRow {
  id: number
  userId: number | null
  topic: string
}

/** The newest event id (0 when the feed is empty). */
export async function liveHeadId(): Promise<number> {
  const row = await getDb().liveEvent.findFirst({ orderBy: { id: 'desc' }, select: { id: true } })
  return row?.id ?? 0
}

/**
 * Events after `cursor`, plus the listed ids below it (PostgreSQL may commit a lower id after a
 * higher one: the hub asks again for such gaps for a while), oldest first.
 */
export function liveEventsAfter(cursor: number, gaps: number[], limit: number): Promise<LiveRow[]> {
  const where = gaps.length > 0 ? { OR: [{ id: { gt: cursor } }, { id: { in: gaps } }] } : { id: { gt: cursor } }
  return getDb().liveEvent.findMany({ where, orderBy: { id: 'asc' }, take: limit, select: { id: true, userId: true, topic: true } })
}

/**
 * PostgreSQL only: a dedicated LISTEN connection on the feed's channel. `onNotify` runs after each
 * committed change; `onError` when the connection is lost (the caller reconnects). Returns a closer.
 */
export async function listenLive(onNotify: () => void, onError: (e: Error) => void): Promise<(() => Promise<void>) | null> {
  if (dbProvider() !== 'postgresql') return null
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL })
  client.on('notification', () => onNotify())
  client.on('error', (e) => onError(e))
  client.on('end', () => onError(new Error('LISTEN connection ended')))
  await client.connect()
  await client.query('LISTEN dingpan_live')
  return async () => {
    client.removeAllListeners('end')
    client.removeAllListeners('error')
    client.on('error', () => {})
    await client.end().catch(() => {})
  }
}
