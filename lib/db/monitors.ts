/**
 * The worker's view of monitored stocks: every live (not archived) monitor with its quant config,
 * reloaded only when something changed, and state writes that touch only the machine's columns.
 */
import { dbProvider, getDb } from './client'
import { dbTime } from './quotes'
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

/**
 * Read in pages of LOAD_PAGE by id: one findMany of 5,000 rows made the worker's resident memory
 * peak at start-up (the driver's rows, Prisma's result and our copies all alive at once) ~20 MB
 * above where it runs afterwards.
 */
const LOAD_PAGE = 500

export async function loadLiveMonitors() {
  const out: Array<ReturnType<typeof compact<Awaited<ReturnType<typeof loadPage>>[number]>>> = []
  let after = 0
  for (;;) {
    const page = await loadPage(after)
    for (const r of page) out.push(compact(r))
    if (page.length < LOAD_PAGE) return out
    after = page[page.length - 1]!.id
  }
}

function loadPage(after: number) {
  return getDb().monitoredStock.findMany({ where: { archivedAt: null, id: { gt: after } }, include, orderBy: { id: 'asc' }, take: LOAD_PAGE })
}

export async function loadMonitorsByIds(ids: number[]) {
  const rows = await getDb().monitoredStock.findMany({ where: { id: { in: ids }, archivedAt: null }, include })
  return rows.map(compact)
}

export function loadMonitor(tx: Tx, id: number) {
  return tx.monitoredStock.findUnique({ where: { id }, include })
}

/** loadMonitor for many rows at once, in the caller's transaction (rows that no longer exist are absent). */
export function loadMonitorsIn(tx: Tx, ids: number[]) {
  return tx.monitoredStock.findMany({ where: { id: { in: ids } }, include })
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
 *
 * One UPDATE … FROM over a JSON parameter (json_each / jsonb_to_recordset) with RETURNING, not one
 * Prisma updateMany per row: each Prisma query is compiled anew (about 1–2 ms of CPU), and a cycle
 * can carry hundreds of these writes (every monitor with a confirmation streak running).
 */
export async function writeQuietStates(
  updates: Array<{ id: number; expect: { version: number; state: MachineState['state']; episode: number }; next: MachineState }>,
): Promise<number[]> {
  if (updates.length === 0) return []
  // The same row twice (an enable move and an evaluation): one after the other, as they were made.
  if (new Set(updates.map((u) => u.id)).size !== updates.length) return writeQuietStatesOneByOne(updates)
  const pg = dbProvider() === 'postgresql'
  const now = dbTime(new Date(), pg)
  const json = JSON.stringify(
    updates.map((u) => ({
      id: u.id,
      version: u.expect.version,
      expState: u.expect.state,
      episode: u.expect.episode,
      state: u.next.state,
      highest: u.next.highestSinceEntryMilli,
      // stored exactly as Prisma stores a Json value (its JSON text)
      memo: JSON.stringify(u.next.triggerMemo ?? null),
      changed: u.next.stateChanged,
    })),
  )
  const sql = pg
    ? `UPDATE "MonitoredStock" AS s SET "state" = u."state"::"MonitorState", "highestSinceEntryMilli" = u."highest", "triggerMemo" = u."memo"::jsonb,
         "stateChangedAt" = CASE WHEN u."changed" THEN $2::timestamp(3) ELSE s."stateChangedAt" END, "updatedAt" = $2::timestamp(3)
       FROM jsonb_to_recordset($1::jsonb) AS u("id" integer, "version" integer, "expState" text, "episode" integer, "state" text, "highest" integer, "memo" text, "changed" boolean)
       WHERE s."id" = u."id" AND s."version" = u."version" AND s."state" = u."expState"::"MonitorState" AND s."episode" = u."episode"
       RETURNING s."id"`
    : `UPDATE "MonitoredStock" AS s SET "state" = json_extract(u.value, '$.state'), "highestSinceEntryMilli" = json_extract(u.value, '$.highest'),
         "triggerMemo" = json_extract(u.value, '$.memo'),
         "stateChangedAt" = CASE WHEN json_extract(u.value, '$.changed') THEN ? ELSE s."stateChangedAt" END, "updatedAt" = ?
       FROM json_each(?) AS u
       WHERE s."id" = json_extract(u.value, '$.id') AND s."version" = json_extract(u.value, '$.version') AND s."state" = json_extract(u.value, '$.expState') AND s."episode" = json_extract(u.value, '$.episode')
       RETURNING "id"`
  const params = pg ? [json, now] : [now, now, json]
  const written = await getDb().$transaction((tx) => tx.$queryRawUnsafe<Array<{ id: number | bigint }>>(sql, ...params), { maxWait: 15_000, timeout: 60_000 })
  const done = new Set(written.map((r) => Number(r.id)))
  return updates.filter((u) => !done.has(u.id)).map((u) => u.id)
}

async function writeQuietStatesOneByOne(
  updates: Array<{ id: number; expect: { version: number; state: MachineState['state']; episode: number }; next: MachineState }>,
): Promise<number[]> {
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
