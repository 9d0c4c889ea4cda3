/** What /api/health and the status strip report: database, worker heartbeat, outside services. */
import { latestHeartbeat, listServiceHealth, pingDb } from '@/lib/db/health'

export type WorkerStatus = 'ok' | 'stale' | 'never'

export function workerStatus(lastBeat: Date | null, now: Date, staleAfterSec: number): WorkerStatus {
  if (!lastBeat) return 'never'
  return now.getTime() - lastBeat.getTime() > staleAfterSec * 1000 ? 'stale' : 'ok'
}

export async function healthReport(now = new Date(), staleAfterSec = Number(process.env.WORKER_STALE_SECONDS ?? 30)) {
  let db: 'ok' | 'down' = 'ok'
  try {
    await pingDb()
  } catch {
    db = 'down'
  }
  if (db === 'down') return { ok: false, db, worker: null, services: [] }
  const [beat, services] = await Promise.all([latestHeartbeat(), listServiceHealth()])
  const last = beat ? (beat.cycleEndedAt ?? beat.cycleStartedAt) : null
  const status = workerStatus(last, now, staleAfterSec)
  return {
    ok: status === 'ok',
    db,
    worker: { status, lastBeatAt: last?.toISOString() ?? null, ageSec: last ? Math.round((now.getTime() - last.getTime()) / 1000) : null },
    services: services.map((s) => ({ name: s.name, status: s.status, lastOkAt: s.lastOkAt?.toISOString() ?? null, lastErrorAt: s.lastErrorAt?.toISOString() ?? null })),
  }
}
