/**
 * The worker's view of monitored stocks: every live (not archived) monitor with its quant config,
 * reloaded only when something changed, and state writes that touch only the machine's columns.
 */
import { getDb } from './client'
import type { Tx } from './tx'

const include = { quantConfig: true, user: { select: { id: true, locale: true } } } as const

export type MonitorRow = Awaited<ReturnType<typeof loadLiveMonitors>>[number]

/**
 * The worker holds every live row for hours. Prisma builds result objects key by key, which leaves
 * them (and their nested quant config) in V8's slow dictionary mode at ~1 KB each; a spread copy is
 * a compact fixed-shape object — about 10 MB less heap with 5,000 stocks.
 */
function compact<R extends { quantConfig: object | null; user: object }>(row: R): R {
  return { ...row, quantConfig: row.quantConfig && { ...row.quantConfig }, user: { ...row.user } }
}

export async function loadLiveMonitors() {
  const rows = await getDb().monitoredStock.findMany({ where: { archivedAt: null }, include, orderBy: { id: 'asc' } })
  return rows.map(compact)
}

export async function loadMonitorsByIds(ids: number[]) {
  const rows = await getDb().monitoredStock.findMany({ where: { id: { in: ids }, archivedAt: null }, include })
  return rows.map(compact)
}

export function loadMonitor(tx: Tx, id: number) {
  return tx.monitoredStock.findUnique({ where: { id }, include })
}

/**
 * A cheap fingerprint of what users changed: every user write (create, edit, toggle, archive,
 * re-arm) bumps `version`, while the worker's own state writes do not, so the worker reloads only
 * after a change made in the web app.
 */
export async function monitorsStamp(): Promise<string> {
  const agg = await getDb().monitoredStock.aggregate({ _sum: { version: true }, _count: { _all: true }, _max: { id: true } })
  return `${agg._count._all}|${agg._sum.version ?? 0}|${agg._max.id ?? 0}`
}

export interface MachineState {
  state: 'WATCHING' | 'ENTRY_PENDING' | 'HOLDING' | 'EXIT_PENDING' | 'CLOSED' | 'PAUSED'
  episode: number
  highestSinceEntryMilli: number | null
  triggerMemo: unknown
  stateChanged: boolean
}

export async function writeMachineState(tx: Tx | ReturnType<typeof getDb>, id: number, m: MachineState, extra: Record<string, unknown> = {}) {
  await tx.monitoredStock.update({
    where: { id },
    data: {
      state: m.state,
      episode: m.episode,
      highestSinceEntryMilli: m.highestSinceEntryMilli,
      triggerMemo: m.triggerMemo as object,
      ...(m.stateChanged ? { stateChangedAt: new Date() } : {}),
      ...extra,
    },
  })
}

/**
 * Machine-state writes for evaluations that produced no signal, in one transaction. Each row is
 * written only if it is still as the worker loaded it (same version, state, episode); the ids of
 * rows that changed meanwhile are returned so the worker reloads them.
 */
export async function writeQuietStates(
  updates: Array<{ id: number; expect: { version: number; state: MachineState['state']; episode: number }; next: MachineState }>,
): Promise<number[]> {
  if (updates.length === 0) return []
  const stale: number[] = []
  await getDb().$transaction(
    async (tx) => {
      for (const u of updates) {
        const res = await tx.monitoredStock.updateMany({
          where: { id: u.id, version: u.expect.version, state: u.expect.state, episode: u.expect.episode },
          data: {
            state: u.next.state,
            highestSinceEntryMilli: u.next.highestSinceEntryMilli,
            triggerMemo: u.next.triggerMemo as object,
            ...(u.next.stateChanged ? { stateChangedAt: new Date() } : {}),
          },
        })
        if (res.count === 0) stale.push(u.id)
      }
    },
    { maxWait: 15_000, timeout: 60_000 },
  )
  return stale
}
