/**
 * The trader's own moves on a monitor, through lib/market's transitions:
 * - re-arm: a CLOSED monitor (after its episode ended, or an entry order that was rejected /
 *   cancelled) watches again with a new episode and a clean memo;
 * - mark existing position as managed: shares the trader already holds (per the broker's position
 *   snapshot) are put under the monitor's stops: positionQty / sellable / cost from the snapshot.
 * - resume automatic exits: after the trader's own cancel of an exit paused them (order-finalize.ts);
 *   the machine state is unchanged, so an exit whose condition still holds is placed on the next quote.
 * All bump `version` (the worker reloads the monitor within one cycle) and are audit-logged.
 */
import { fromMilli, markPositionManaged, normalizeMemo, rearm, toMilli, type MonitorCore, type TransitionRefusal, type TransitionResult } from '@/lib/market'
import { writeUserTransition, type MonitorWrite } from '@/lib/db/monitor-actions'
import type { StockRow } from '@/lib/db/stocks'
import { ConflictError, ValidationError } from '@/lib/errors'
import { manageQuantityFor, type ManageQuantityInput } from '@/lib/schemas/stock'
import { issuesToFieldErrors } from '@/lib/schemas/issues'
import { translator } from '@/lib/i18n/translator'
import type { Locale } from '@/lib/i18n/config'
import { effectiveState } from './shapes'

function coreOf(row: StockRow): MonitorCore {
  return { state: row.state, episode: row.episode, highestSinceEntry: row.highestSinceEntryMilli == null ? null : fromMilli(row.highestSinceEntryMilli), memo: normalizeMemo(row.triggerMemo) }
}

function refused(r: TransitionResult | TransitionRefusal): r is TransitionRefusal {
  return 'ok' in r && r.ok === false
}

function written(r: TransitionResult, extra: Partial<MonitorWrite> = {}): MonitorWrite {
  return {
    state: r.state,
    episode: r.episode,
    highestSinceEntryMilli: r.highestSinceEntry == null ? null : toMilli(r.highestSinceEntry),
    triggerMemo: r.memo,
    note: { reason: r.reason.code },
    ...extra,
  }
}

export async function rearmStock(userId: number, id: number, locale: Locale): Promise<StockRow> {
  return writeUserTransition(userId, id, 'stock.rearm', (row) => {
    const state = effectiveState(row)
    if (state !== 'CLOSED') throw new ConflictError('stock.rearmNotClosed', { state })
    const r = rearm(coreOf(row))
    if (refused(r)) throw new ConflictError('stock.transitionRefused', { message: locale === 'zh' ? r.message : r.messageEn })
    return written(r)
  })
}

/**
 * Puts `quantity` of the shares the broker holds (default: the whole position) under the monitor's
 * stops: at most what is held, whole lots unless it is the whole position (manageQuantityFor, the
 * form's schema) — field-level errors otherwise.
 */
export async function markStockManaged(userId: number, id: number, locale: Locale, input: ManageQuantityInput = {}): Promise<StockRow> {
  return writeUserTransition(userId, id, 'stock.markManaged', (row, pos) => {
    if (!pos || pos.volume <= 0) throw new ConflictError('stock.noBrokerPosition', { code: row.code })
    const checked = manageQuantityFor(row.code, pos.volume).safeParse(input)
    if (!checked.success) throw new ValidationError(issuesToFieldErrors(checked.error.issues, (k, p) => translator(locale)(`errors.${k}` as never, p as never)), 'validation.failed', true)
    const qty = checked.data.quantity ?? pos.volume
    const r = markPositionManaged(coreOf(row), { avgPrice: pos.avgPriceMilli > 0 ? fromMilli(pos.avgPriceMilli) : null })
    if (refused(r)) throw new ConflictError('stock.transitionRefused', { message: locale === 'zh' ? r.message : r.messageEn })
    return written(r, {
      position: { qty, sellable: Math.min(qty, pos.canUseVolume), costMilli: pos.avgPriceMilli > 0 ? pos.avgPriceMilli : null },
      note: { reason: r.reason.code, quantity: qty, held: pos.volume, snapshotTakenAt: pos.takenAt.toISOString() },
    })
  })
}

export async function resumeStockExits(userId: number, id: number): Promise<StockRow> {
  return writeUserTransition(userId, id, 'stock.resumeExits', (row) => {
    if (!row.exitsPausedAt) throw new ConflictError('stock.exitsNotPaused')
    return {
      state: row.state,
      episode: row.episode,
      highestSinceEntryMilli: row.highestSinceEntryMilli,
      triggerMemo: row.triggerMemo,
      resumeExits: true,
      note: { reason: 'EXITS_RESUMED', pausedAt: row.exitsPausedAt.toISOString(), why: row.exitsPausedWhy },
    }
  })
}
