/**
 * The trader's own moves on a monitor, through lib/market's transitions:
 * - re-arm: a CLOSED monitor (after its episode ended, or an entry order that was rejected /
 *   cancelled) watches again with a new episode and a clean memo;
 * - mark existing position as managed: shares the trader already holds (per the broker's position
 *   snapshot) are put under the monitor's stops: positionQty / sellable / cost from the snapshot.
 * Both bump `version` (the worker reloads the monitor within one cycle) and are audit-logged.
 */
import { fromMilli, markPositionManaged, normalizeMemo, rearm, toMilli, type MonitorCore, type TransitionRefusal, type TransitionResult } from '@/lib/market'
import { writeUserTransition, type MonitorWrite } from '@/lib/db/monitor-actions'
import type { StockRow } from '@/lib/db/stocks'
import { ConflictError } from '@/lib/errors'
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

export async function markStockManaged(userId: number, id: number, locale: Locale): Promise<StockRow> {
  return writeUserTransition(userId, id, 'stock.markManaged', (row, pos) => {
    if (!pos || pos.volume <= 0) throw new ConflictError('stock.noBrokerPosition', { code: row.code })
    const r = markPositionManaged(coreOf(row), { avgPrice: pos.avgPriceMilli > 0 ? fromMilli(pos.avgPriceMilli) : null })
    if (refused(r)) throw new ConflictError('stock.transitionRefused', { message: locale === 'zh' ? r.message : r.messageEn })
    return written(r, {
      position: { qty: pos.volume, sellable: pos.canUseVolume, costMilli: pos.avgPriceMilli > 0 ? pos.avgPriceMilli : null },
      note: { reason: r.reason.code, snapshotTakenAt: pos.takenAt.toISOString() },
    })
  })
}
