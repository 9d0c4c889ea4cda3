/**
 * The web side notices a worker that stopped beating (the worker cannot report its own death):
 * one WORKER_STALLED notification per stall, keyed by the last heartbeat it saw.
 */
import { latestHeartbeat } from '@/lib/db/health'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { formatTime } from '@/lib/format'
import { logger } from '@/lib/log'
import { notifyAllUsers } from '../notifications'

export async function checkWorkerStalled(now = new Date(), staleAfterSec = Number(process.env.WORKER_STALE_SECONDS ?? 30)): Promise<boolean> {
  const beat = await latestHeartbeat()
  if (!beat) return false // never ran: nothing stopped
  const last = beat.cycleEndedAt ?? beat.cycleStartedAt
  const age = (now.getTime() - last.getTime()) / 1000
  if (age <= staleAfterSec) return false
  try {
    await writeTx(getDb(), (tx) =>
      notifyAllUsers(tx, {
        type: 'WORKER_STALLED',
        params: { seconds: Math.round(age), last: formatTime(last, 'zh') },
        dedupeKey: `worker-stalled:${last.toISOString()}`,
      }),
    )
  } catch (e) {
    // Another web process recorded the same stall first (same dedupe key).
    if ((e as { code?: string }).code !== 'P2002') throw e
  }
  return true
}

let timer: NodeJS.Timeout | null = null

export function startWorkerWatch(everyMs = 15_000): void {
  if (timer) return
  timer = setInterval(() => {
    checkWorkerStalled().catch((e) => logger.warn({ err: (e as Error).message }, 'worker watch failed'))
  }, everyMs)
  timer.unref()
}
