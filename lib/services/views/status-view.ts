/**
 * The status page: which market clock is in use and what it reads, the worker's heartbeat history
 * (time, phase, duration, monitors, quotes, signals, orders, errors), the last errors, the health of
 * the bridge and each quote provider (ServiceHealth rows written by the worker) and the worker lease.
 */
import { heartbeats, heartbeatsWithErrors, serviceHealthRows, workerLeases } from '@/lib/db/status'
import { accountScope } from './account-filter'
import { workerStatus } from '../runtime/health'
import { phaseAt, type MarketClockReading } from '../runtime/market-clock-view'
import { syncCalendar } from '../runtime/calendar'

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null

function beatView(b: Awaited<ReturnType<typeof heartbeats>>[number]) {
  return {
    id: b.id,
    workerId: b.workerId,
    startedAt: b.cycleStartedAt.toISOString(),
    endedAt: iso(b.cycleEndedAt),
    durationMs: b.durationMs,
    phase: b.marketPhase,
    clockMode: b.clockMode,
    marketTime: b.marketTime.toISOString(),
    monitors: b.monitors,
    quotes: b.quotesFetched,
    signals: b.signals,
    orders: b.ordersSent,
    errors: b.errors,
    errorText: b.errorText,
  }
}

/** The account a bridge health row belongs to: 'bridge' is the default account's, 'bridge:<id>' any other's. */
function bridgeAccountId(name: string, defaultId: number): number | null {
  if (name === 'bridge') return defaultId
  const m = /^bridge:(\d+)$/.exec(name)
  return m ? Number(m[1]) : null
}

/**
 * `userId`: the reader; a bridge row of an account they do not see is left out (another user's
 * bridge, its address and errors are none of their business), and each bridge row names its
 * account, paper (模拟盘) or live (实盘).
 */
export async function statusView(o: { clock: MarketClockReading; staleAfterSec: number; limit?: number; wallNow?: Date; userId?: number }) {
  const wallNow = o.wallNow ?? new Date()
  const [beats, errorBeats, allServices, leases, scope] = await Promise.all([
    heartbeats(o.limit ?? 60),
    heartbeatsWithErrors(20),
    serviceHealthRows(),
    workerLeases(),
    o.userId === undefined ? Promise.resolve(null) : accountScope(o.userId),
  ])
  const accountOf = (name: string) => {
    if (!scope) return null
    const id = bridgeAccountId(name, scope.defaultId)
    return id === null ? null : (scope.accounts.find((a) => a.id === id) ?? null)
  }
  const services = allServices.filter((s) => !scope || bridgeAccountId(s.name, scope.defaultId) === null || accountOf(s.name) !== null)
  const last = beats[0]
  const lastAt = last ? (last.cycleEndedAt ?? last.cycleStartedAt) : null
  await syncCalendar()
  const phase = phaseAt(o.clock.now)
  return {
    generatedAt: wallNow.toISOString(),
    clock: { mode: o.clock.mode, now: iso(o.clock.now), estimated: o.clock.estimated, error: o.clock.error, phase: phase.phase, next: phase.next ? { phase: phase.next.phase, at: phase.next.at.toISOString() } : null, calendarError: phase.error, calendar: phase.calendar },
    worker: {
      status: workerStatus(lastAt, wallNow, o.staleAfterSec),
      lastBeatAt: iso(lastAt),
      ageSec: lastAt ? Math.max(0, Math.round((wallNow.getTime() - lastAt.getTime()) / 1000)) : null,
      staleAfterSec: o.staleAfterSec,
      workerId: last?.workerId ?? null,
    },
    leases: leases.map((l) => ({ name: l.name, holderId: l.holderId, fencingToken: l.fencingToken, renewedAt: l.renewedAt.toISOString(), expiresAt: l.expiresAt.toISOString(), held: l.expiresAt.getTime() > wallNow.getTime() })),
    services: services.map((s) => ({ name: s.name, account: accountOf(s.name), status: s.status, lastOkAt: iso(s.lastOkAt), lastErrorAt: iso(s.lastErrorAt), lastError: s.lastError, updatedAt: s.updatedAt.toISOString(), details: s.details ?? null })),
    heartbeats: beats.map(beatView),
    lastErrors: errorBeats.map(beatView),
  }
}

export type StatusView = Awaited<ReturnType<typeof statusView>>
