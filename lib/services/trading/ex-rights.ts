/**
 * Ex-rights / ex-dividend days (除权除息) in the worker, before any evaluation of the day:
 *  - the stored close: at the end of each trading day the worker stores the closing quote of every
 *    watched code (QuoteSnapshot, stamped 15:00 or later: `storeCloses`, called post-close);
 *  - `holdExRights` (a cycle stage, before evaluation): for each code whose stored snapshot is the
 *    previous trading day's close while today's quote is in, lib/market's detectExRights compares
 *    the quote's previous close and published limits with it. On an ex-day every live monitor of
 *    the code gets an ExRightsAdjustment (factor, old and proposed levels, PENDING) and its trader a
 *    notification, in one transaction; the positions are re-read from the broker;
 *  - a monitor with a PENDING adjustment is not evaluated (no order, no level notification) until
 *    the trader accepts (levels scaled by the factor) or dismisses (levels kept) it.
 * A stage error is thrown: the cycle stops before evaluating or storing today's quotes, so the
 * stored close stays and detection runs again next cycle.
 */
import {
  adjustLevels,
  adjustedManagedQty,
  detectExRights,
  formatFactorPpm,
  isStName,
  isTradingDay,
  previousTradingDay,
  shanghaiDate,
  shanghaiSecondOfDay,
  toMilli,
  type Quote,
} from '@/lib/market'
import type { Logger } from 'pino'
import type { QuoteService } from '@/lib/quotes'
import { saveQuotes } from '@/lib/db/quotes'
import { getDb } from '@/lib/db/client'
import { decideExRights, exRightsDecidedFor, pendingExRightsStockIds, recordExRights, storedSnapshots, type ExRightsRow } from '@/lib/db/ex-rights'
import type { MonitorRow } from '@/lib/db/monitors'
import { asLocale } from '@/lib/i18n/config'
import { formatPrice } from '@/lib/format'
import { notify } from '../notifications'

const CLOSE_SEC = 15 * 3600

function span(code: string, lowMilli: number, highMilli: number): string {
  if (!(lowMilli > 0) && !(highMilli > 0)) return '—'
  return `${formatPrice(code, lowMilli / 1000)}–${formatPrice(code, highMilli / 1000)}`
}

function one(code: string, milli: number | null): string {
  return milli != null && milli > 0 ? formatPrice(code, milli / 1000) : '—'
}

/**
 * Post-close: fetches the watched codes' quotes once more and stores those stamped at or after
 * 15:00 of `day` (the close, after the closing auction) as the codes' snapshots.
 */
export async function storeCloses(quotes: QuoteService, now: Date, log: Logger): Promise<number> {
  const day = shanghaiDate(now)
  const rows = await getDb().monitoredStock.findMany({ where: { archivedAt: null }, select: { code: true }, distinct: ['code'] })
  const codes = rows.map((r) => r.code)
  if (codes.length === 0) return 0
  const res = await quotes.getQuotes(codes, now)
  const closes = [...res.quotes.values()].filter((q) => shanghaiDate(q.time) === day && shanghaiSecondOfDay(q.time) >= CLOSE_SEC && q.last > 0)
  await saveQuotes(closes, [], now)
  log.info({ day, codes: codes.length, closes: closes.length }, 'post-close: closing quotes stored (the reference for ex-rights detection)')
  return closes.length
}

export interface ExRightsDeps {
  /** Who checks (the worker's memory of codes checked today is kept per key). */
  key: object
  log: Logger
  /** Re-reads and stores the positions of every account (shares change after 送转). */
  refresh: () => Promise<unknown>
}

/**
 * The cycle stage: detects today's ex-rights codes (once, while the stored snapshot is still the
 * previous close) and returns the monitors that may be evaluated (those without a pending adjustment).
 */
export async function holdExRights(deps: ExRightsDeps, active: MonitorRow[], quotes: Map<string, Quote>, now: Date): Promise<MonitorRow[]> {
  const day = shanghaiDate(now)
  if (isTradingDay(day)) await detectToday(deps, quotes, day)
  const pending = await pendingExRightsStockIds()
  if (pending.size === 0) return active
  return active.filter((m) => !pending.has(m.id))
}

/** Codes this worker (keyed by `key`) has checked today: the snapshot query runs once per code and day. */
const checked = new WeakMap<object, { day: string; codes: Set<string> }>()

async function detectToday(deps: ExRightsDeps, quotes: Map<string, Quote>, day: string): Promise<void> {
  let seen = checked.get(deps.key)
  if (!seen || seen.day !== day) checked.set(deps.key, (seen = { day, codes: new Set() }))
  const today = [...quotes.values()].filter((q) => shanghaiDate(q.time) === day && q.prevClose > 0 && !seen.codes.has(q.code))
  if (today.length === 0) return
  await detectCodes(deps, quotes, today, day)
  // Only after the pass succeeded (an error leaves them to the next cycle, before today's quotes are stored).
  for (const q of today) seen.codes.add(q.code)
}

async function detectCodes(deps: ExRightsDeps, quotes: Map<string, Quote>, today: Quote[], day: string): Promise<void> {
  const prevDay = previousTradingDay(day)
  const snaps = await storedSnapshots(today.map((q) => q.code))
  const detected: Array<{ q: Quote; d: ReturnType<typeof detectExRights> }> = []
  for (const s of snaps) {
    const closeDay = shanghaiDate(s.quoteTime)
    // Only a snapshot of the previous session's close is a stored close (today's means done).
    if (closeDay !== prevDay || shanghaiSecondOfDay(s.quoteTime) < CLOSE_SEC || s.suspended || !(s.lastMilli > 0)) continue
    const q = quotes.get(s.code)!
    const d = detectExRights({
      code: q.code,
      storedCloseMilli: s.lastMilli,
      prevCloseMilli: toMilli(q.prevClose),
      limitUpMilli: q.limitUp == null ? null : toMilli(q.limitUp),
      limitDownMilli: q.limitDown == null ? null : toMilli(q.limitDown),
      day,
      st: isStName(q.name || s.name),
    })
    if (d.exRights) detected.push({ q, d })
    else if (d.limitsMismatch) deps.log.warn({ code: q.code, storedCloseMilli: s.lastMilli, limitUp: q.limitUp, limitDown: q.limitDown }, 'published limits differ from those computed from the stored close, and no reference price explains them')
  }
  if (detected.length === 0) return
  const monitors = await getDb().monitoredStock.findMany({ where: { code: { in: detected.map((x) => x.q.code) }, archivedAt: null }, include: { user: { select: { locale: true } } } })
  const done = await exRightsDecidedFor(monitors.map((m) => m.id), day)
  let created = 0
  for (const m of monitors) {
    if (done.has(m.id)) continue
    const { q, d } = detected.find((x) => x.q.code === m.code)!
    const old = { entryLowMilli: m.entryLowMilli, entryHighMilli: m.entryHighMilli, takeProfitMilli: m.takeProfitMilli, stopLossMilli: m.stopLossMilli, highestSinceEntryMilli: m.trailingStopBp ? m.highestSinceEntryMilli : null }
    const adj = adjustLevels(m.code, old, d.referenceMilli, d.storedCloseMilli)
    const locale = asLocale(m.user.locale)
    const ok = await recordExRights(
      {
        stockId: m.id,
        code: m.code,
        day,
        source: d.source!,
        storedCloseMilli: d.storedCloseMilli,
        referenceMilli: d.referenceMilli,
        factorPpm: d.factorPpm,
        limitUpMilli: q.limitUp == null ? null : toMilli(q.limitUp),
        limitDownMilli: q.limitDown == null ? null : toMilli(q.limitDown),
        oldEntryLowMilli: old.entryLowMilli,
        oldEntryHighMilli: old.entryHighMilli,
        oldTakeProfitMilli: old.takeProfitMilli,
        oldStopLossMilli: old.stopLossMilli,
        oldHighestMilli: old.highestSinceEntryMilli,
        newEntryLowMilli: adj.entryLowMilli,
        newEntryHighMilli: adj.entryHighMilli,
        newTakeProfitMilli: adj.takeProfitMilli,
        newStopLossMilli: adj.stopLossMilli,
        newHighestMilli: adj.highestSinceEntryMilli,
        positionQtyBefore: m.positionQty,
      },
      (tx) =>
        notify(tx, {
          userId: m.userId,
          locale,
          type: 'EX_RIGHTS_DETECTED',
          params: {
            code: m.code,
            name: m.name,
            factor: formatFactorPpm(d.factorPpm),
            storedClose: one(m.code, d.storedCloseMilli),
            reference: one(m.code, d.referenceMilli),
            entry: `${span(m.code, old.entryLowMilli, old.entryHighMilli)} → ${span(m.code, adj.entryLowMilli, adj.entryHighMilli)}`,
            takeProfit: `${one(m.code, old.takeProfitMilli)} → ${one(m.code, adj.takeProfitMilli)}`,
            stopLoss: `${one(m.code, old.stopLossMilli)} → ${one(m.code, adj.stopLossMilli)}`,
          },
          stockId: m.id,
          dedupeKey: `ex-rights:${m.id}:${day}`,
        }).then(() => undefined),
    )
    if (ok) created++
  }
  deps.log.warn({ day, codes: detected.map((x) => ({ code: x.q.code, factorPpm: x.d.factorPpm, source: x.d.source })), monitors: created }, 'ex-rights day detected: monitors held until the trader decides')
  // Shares change after 送转: re-read the positions now (the snapshot the decision reads).
  if (created) await deps.refresh().catch((e) => deps.log.warn({ err: (e as Error).message }, 'ex-rights: position re-read failed; the next account read updates it'))
}

/** The trader's decision: accept (levels scaled, managed quantity follows the broker after 送转) or dismiss. */
export function decideExRightsAdjustment(userId: number, stockId: number, adjustmentId: number, decision: 'accept' | 'dismiss'): Promise<ExRightsRow> {
  return decideExRights(userId, stockId, adjustmentId, decision === 'accept', (qty, broker, a) => adjustedManagedQty(qty, broker, a.referenceMilli, a.storedCloseMilli))
}
