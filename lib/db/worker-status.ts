/** Heartbeats and outside-service health, written by the worker and read by the web app. */
import { getDb } from './client'

export interface HeartbeatRow {
  workerId: string
  cycleStartedAt: Date
  cycleEndedAt: Date | null
  durationMs: number | null
  marketPhase: string
  clockMode: string
  marketTime: Date
  monitors: number
  quotesFetched: number
  signals: number
  ordersSent: number
  errors: number
  errorText: string | null
}

export async function writeHeartbeat(row: HeartbeatRow): Promise<void> {
  await getDb().workerHeartbeat.create({ data: row })
}

export async function pruneHeartbeats(before: Date): Promise<number> {
  return (await getDb().workerHeartbeat.deleteMany({ where: { cycleStartedAt: { lt: before } } })).count
}

export function recentHeartbeats(limit: number) {
  return getDb().workerHeartbeat.findMany({ orderBy: { cycleStartedAt: 'desc' }, take: limit })
}

export async function setServiceHealth(name: string, ok: boolean, detail: { error?: string; details?: unknown } = {}): Promise<{ changed: boolean; previous: string | null }> {
  const db = getDb()
  const prev = await db.serviceHealth.findUnique({ where: { name } })
  const now = new Date()
  const status = ok ? 'up' : 'down'
  const data = {
    status,
    ...(ok ? { lastOkAt: now } : { lastErrorAt: now, lastError: detail.error?.slice(0, 500) ?? null }),
    ...(detail.details !== undefined ? { details: detail.details as object } : {}),
  }
  await db.serviceHealth.upsert({ where: { name }, create: { name, ...data }, update: data })
  return { changed: prev?.status !== status, previous: prev?.status ?? null }
}

export function getServiceHealth(name: string) {
  return getDb().serviceHealth.findUnique({ where: { name } })
}
