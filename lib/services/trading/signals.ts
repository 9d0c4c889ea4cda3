/**
 * Step 4 of a cycle: for one evaluated monitor, in ONE database transaction, record the trigger
 * (unique stock+kind+episode), the order intent (when auto-trade is on and sizing and risk pass),
 * the notifications and the machine's new state. The kill switch is read inside that transaction
 * (not the tick's earlier read), and so are the buys of ours the account read does not show yet: a
 * buy is sized against the cash they leave and the exposure cap counts them, so several entries in
 * one cycle never share the same yuan. Nothing is sent here: intents are committed first and sent
 * afterwards, so a crash at any point leaves either nothing or a committed intent that is sent
 * exactly once.
 */
import { randomBytes } from 'node:crypto'
import {
  applyOrderOutcome,
  checkRisk,
  commitCash,
  fromMilli,
  shanghaiDate,
  shanghaiTime,
  sizeOrder,
  toMilli,
  type CommittedBuy,
  type EvaluateResult,
  type MonitorInput,
  type PositionInfo,
  type PricingSpec,
  type Quote,
  type RecentOrder,
  type Signal,
  type TriggerKind,
  isStName,
} from '@/lib/market'
import { writeTx } from '@/lib/db/tx'
import { assertLease } from '@/lib/db/lease'
import { loadMonitor, writeMachineState, type MonitorRow } from '@/lib/db/monitors'
import { claimTriggerForOrder, recordTrigger, setTriggerOutcome, type TriggerData } from '@/lib/db/triggers'
import { committedBuys, createOrderIntent, OPEN_STATUSES, riskActivity } from '@/lib/db/orders'
import { getDb } from '@/lib/db/client'
import { asLocale } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'
import { formatPrice } from '@/lib/format'
import type { BrokerAccount, BrokerPosition } from './broker-port'
import { readKillSwitch, type RuntimeSettings } from '../runtime/runtime-settings'
import { notify, type EventType } from '../notifications'
import { managedPosition, toMonitorInput, type TriggerEnv } from './monitor-input'
import { crashPoint } from './crash-points'

export interface LeaseIdentity {
  leaseName: string
  holderId: string
  fencingToken: number
}

export interface MarketView {
  /** Fresh from the broker this cycle, or the last snapshot; null when never known. */
  account: Pick<BrokerAccount, 'totalAsset' | 'cash' | 'frozenCash' | 'marketValue'> | null
  positions: Map<string, Pick<BrokerPosition, 'code' | 'volume' | 'canUseVolume' | 'avgPrice' | 'openPrice' | 'marketValue'>>
  /**
   * Wall time the broker read began (a snapshot: the read it stores). An order the bridge accepted
   * before it is in the read's cash and frozen cash; anything later is not. Unknown: none is.
   */
  readAt?: Date | null
}

/** The monitor changed under us (edited in the web app, or moved by another step): reload first. */
export class StaleMonitorError extends Error {
  constructor(readonly stockId: number) {
    super(`monitor ${stockId} changed since it was evaluated`)
  }
}

export const TRIGGER_EVENT: Record<TriggerKind, EventType> = {
  ENTRY: 'TRIGGER_ENTRY',
  TAKE_PROFIT: 'TRIGGER_TAKE_PROFIT',
  STOP_LOSS: 'TRIGGER_STOP_LOSS',
  TRAILING_STOP: 'TRIGGER_TRAILING_STOP',
}

export function newClientOrderId(): string {
  // Short and alphanumeric: it travels as the order remark (length limits of counters unverified).
  return `dp${randomBytes(8).toString('hex')}`
}

export function pricingFor(row: MonitorRow, kind: TriggerKind): PricingSpec {
  const q = row.quantConfig
  if (!q) return kind === 'ENTRY' ? { mode: 'BEST_OPPOSITE', offsetTicks: 0 } : { mode: 'BEST_OPPOSITE', offsetTicks: 3 }
  if (kind === 'ENTRY') return { mode: q.entryPriceMode, offsetTicks: q.entryOffsetTicks }
  if (kind === 'TAKE_PROFIT') return { mode: q.exitPriceMode, offsetTicks: q.exitOffsetTicks }
  return { mode: q.stopLossPriceMode, offsetTicks: q.stopLossOffsetTicks }
}

function quoteAgeSec(quote: Quote, now: Date): number {
  return Math.max(0, (now.getTime() - quote.time.getTime()) / 1000)
}

type Machine = Pick<MonitorInput, 'state' | 'episode' | 'highestSinceEntry' | 'memo' | 'options'>

export interface PersistDeps extends LeaseIdentity {
  settings: RuntimeSettings
  triggerEnv: TriggerEnv
}

/**
 * Persists one evaluation. Returns the number of order intents created. Throws StaleMonitorError
 * when the row changed since it was loaded (the caller reloads and evaluates again next cycle;
 * nothing was written, so the signal fires again then).
 */
export async function persistEvaluation(
  deps: PersistDeps,
  row: MonitorRow,
  result: EvaluateResult,
  quote: Quote,
  now: Date,
  market: MarketView,
): Promise<{ orders: number }> {
  const locale = asLocale(row.user.locale)
  const t = translator(locale)
  return writeTx(getDb(), async (tx) => {
    await assertLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
    const current = await loadMonitor(tx, row.id)
    if (!current || current.archivedAt || current.version !== row.version || current.state !== row.state || current.episode !== row.episode) {
      throw new StaleMonitorError(row.id)
    }
    const input = toMonitorInput(current, null, deps.triggerEnv)
    let machine: Machine = { state: result.state, episode: current.episode, highestSinceEntry: result.highestSinceEntry, memo: result.memo, options: input.options }
    let orders = 0
    let lastSignal: Signal | null = null
    let killSwitch: boolean | null = null

    for (const signal of result.signals) {
      lastSignal = signal
      const data: TriggerData = {
        stockId: current.id,
        kind: signal.kind,
        episode: signal.episode,
        priceMilli: toMilli(signal.price),
        levelMilli: toMilli(signal.level),
        quoteTime: signal.quoteTime,
        autoTrade: input.autoTrade,
        fencingToken: deps.fencingToken,
      }
      const base = {
        code: current.code,
        name: current.name,
        price: formatPrice(current.code, signal.price),
        level: formatPrice(current.code, signal.level),
        low: formatPrice(current.code, fromMilli(current.entryLowMilli)),
        high: signal.kind === 'TRAILING_STOP' ? formatPrice(current.code, machine.highestSinceEntry) : formatPrice(current.code, fromMilli(current.entryHighMilli)),
        kind: t(`events.kinds.${signal.kind}` as never),
      }
      const key = `s${current.id}:${signal.dedupeKey}`

      if (signal.action === 'notify' || signal.action === 'renotify') {
        const trigger = signal.action === 'notify' ? await recordTrigger(tx, data, 'NOTIFIED') : null
        await notify(tx, {
          userId: current.userId,
          locale,
          type: signal.action === 'notify' ? TRIGGER_EVENT[signal.kind] : 'TRIGGER_RENOTIFY',
          params: { ...base, action: t('events.actions.notifyOnly' as never) },
          stockId: current.id,
          triggerEventId: trigger?.id ?? null,
          dedupeKey: key,
        })
        continue
      }

      if (signal.action === 'deferred') {
        const trigger = await recordTrigger(tx, data, 'DEFERRED', signal.reason.message)
        await notify(tx, { userId: current.userId, locale, type: 'T1_DEFERRED', params: base, stockId: current.id, triggerEventId: trigger.id, dedupeKey: key })
        continue
      }

      // action === 'order'
      const trigger = await claimTriggerForOrder(tx, data)
      if (!trigger) continue // already acted on under this (stock, kind, episode): never a second order
      // An exit refused by the kill switch fires again in the same episode on every quote while
      // trading is off: its notices keep their keys (told once); the order after it gets its own.
      const triggerKey = trigger.claimedFrom === 'KILL_SWITCH' ? `${key}:trigger:after-kill` : `${key}:trigger`
      const refuse = async (outcome: 'KILL_SWITCH' | 'NOT_SIZED' | 'RISK_REJECTED', event: EventType, reasonText: string) => {
        await setTriggerOutcome(tx, trigger.id, outcome, reasonText)
        await notify(tx, {
          userId: current.userId,
          locale,
          type: TRIGGER_EVENT[signal.kind],
          params: { ...base, action: t('events.actions.blocked' as never, { reason: reasonText } as never) },
          stockId: current.id,
          triggerEventId: trigger.id,
          dedupeKey: `${key}:trigger`,
        })
        await notify(tx, { userId: current.userId, locale, type: event, params: { ...base, reason: reasonText }, stockId: current.id, triggerEventId: trigger.id, dedupeKey: `${key}:refused` })
        // The kill switch tried nothing at the market: an exit waits in the same episode, and no
        // retry of the day is used up (see applyOrderOutcome).
        const blocked = outcome === 'KILL_SWITCH' ? ('kill_switch' as const) : undefined
        const next = applyOrderOutcome(machine, { side: signal.side, kind: signal.kind, filledQuantity: 0, outcome: 'failed', blocked, now })
        machine = { ...machine, state: next.state, episode: next.episode, highestSinceEntry: next.highestSinceEntry, memo: next.memo }
      }

      killSwitch ??= await readKillSwitch(tx)
      if (killSwitch) {
        await refuse('KILL_SWITCH', 'KILL_SWITCH_BLOCKED', locale === 'zh' ? '总开关已关闭交易' : 'kill switch on')
        continue
      }

      const brokerPos = market.positions.get(current.code)
      const position: PositionInfo | null = managedPosition(current, brokerPos)
      const account = market.account ?? { totalAsset: 0, cash: 0, frozenCash: 0, marketValue: 0 }
      const st = isStName(current.name) || isStName(quote.name)
      // Buys of ours the account read does not show as spent: the cash they promised, their value
      // for the exposure cap, and this stock's share of it for the position cap.
      const committed = signal.side === 'buy' ? await buysAgainst(tx, market.readAt ?? null) : []
      const cash = commitCash(account, committed.map((b) => b.buy))
      const workingHere = commitCash({ cash: 0, frozenCash: 0 }, committed.filter((b) => b.code === current.code).map((b) => b.buy)).workingValue
      const sized = sizeOrder({
        code: current.code,
        kind: signal.kind,
        quote,
        now,
        pricing: pricingFor(current, signal.kind),
        triggerPrice: signal.price,
        st,
        account: { totalAsset: account.totalAsset, cash: cash.available },
        heldValue: (brokerPos ? brokerPos.volume * quote.last : 0) + workingHere,
        position,
        sizing: { maxPositionPct: (current.quantConfig?.maxPositionBp ?? 2000) / 10_000, minTradeAmount: current.quantConfig?.minTradeAmountYuan ?? 5000 },
        fees: deps.settings.fees,
      })
      if (!sized.ok) {
        const text = locale === 'zh' ? sized.message : sized.messageEn
        await refuse('NOT_SIZED', 'NOT_SIZED', market.account || signal.side === 'sell' ? text : locale === 'zh' ? `账户资金未知（桥接不可用）：${text}` : `account unknown (bridge down): ${text}`)
        continue
      }

      // Rate and duplicate windows are wall time (row creation times); the trading day is market time.
      const wallNow = Date.now()
      const act = await riskActivity(tx, current.id, current.code, {
        minuteAgo: new Date(wallNow - 60_000),
        windowStart: new Date(wallNow - deps.settings.risk.duplicateWindowSec * 1000),
        dayStart: shanghaiTime(shanghaiDate(now), '00:00'),
      })
      const activeBy = (side: 'BUY' | 'SELL') => act.active.find((a) => a.side === side)?._count._all ?? 0
      const recent: RecentOrder[] = act.recent
        .filter((o) => o.limitPriceMilli != null)
        .map((o) => ({
          code: o.code,
          side: o.side === 'BUY' ? 'buy' : 'sell',
          price: fromMilli(o.limitPriceMilli!),
          // Same age, expressed on the market clock checkRisk compares against.
          at: new Date(now.getTime() - (wallNow - o.createdAt.getTime())),
          status: recentStatus(o.status),
        }))
      const risk = checkRisk({
        order: { code: current.code, side: sized.side, quantity: sized.quantity, price: sized.price, limitOrder: sized.priceType === 'limit', sellable: position?.canUseVolume, st },
        account: { totalAsset: account.totalAsset, cash: cash.available, marketValue: account.marketValue, workingBuys: cash.workingValue },
        limits: deps.settings.risk,
        activity: {
          ordersLastMinute: act.lastMinute,
          activeOrdersForStock: { buy: activeBy('BUY'), sell: activeBy('SELL') },
          recentOrders: recent,
          realizedLossToday: -Number(act.lossMilli) / 1000,
          sharesBoughtToday: act.boughtToday,
        },
        killSwitch: false,
        quoteAgeSec: quoteAgeSec(quote, now),
        now,
        fees: deps.settings.fees,
      })
      if (!risk.ok) {
        const text = risk.violations.map((v) => (locale === 'zh' ? v.message : v.messageEn)).join('；')
        await refuse('RISK_REJECTED', 'RISK_REJECTED', text)
        continue
      }

      const order = await createOrderIntent(tx, {
        clientOrderId: newClientOrderId(),
        triggerEventId: trigger.id,
        attempt: 1,
        stockId: current.id,
        userId: current.userId,
        code: current.code,
        side: sized.side === 'buy' ? 'BUY' : 'SELL',
        quantity: sized.quantity,
        priceType: sized.priceType === 'limit' ? 'LIMIT' : 'MARKET',
        xtPriceType: sized.xtPriceType,
        limitPriceMilli: toMilli(sized.price),
        estFeesMilli: BigInt(sized.estFees.milli.total),
      })
      orders++
      await setTriggerOutcome(tx, trigger.id, 'ORDERED')
      const priceText =
        sized.priceType === 'limit'
          ? t('events.actions.limitPrice' as never, { price: formatPrice(current.code, sized.price) } as never)
          : t('events.actions.marketPrice' as never, { price: formatPrice(current.code, sized.price) } as never)
      await notify(tx, {
        userId: current.userId,
        locale,
        type: TRIGGER_EVENT[signal.kind],
        params: { ...base, action: t('events.actions.ordered' as never, { side: t(`events.sides.${sized.side}` as never), quantity: sized.quantity, priceText } as never) },
        stockId: current.id,
        orderId: order.id,
        triggerEventId: trigger.id,
        dedupeKey: triggerKey,
      })
    }

    await writeMachineState(
      tx,
      current.id,
      {
        state: machine.state,
        episode: machine.episode,
        highestSinceEntryMilli: machine.highestSinceEntry == null ? null : toMilli(machine.highestSinceEntry),
        triggerMemo: machine.memo,
        stateChanged: machine.state !== current.state,
      },
      lastSignal ? { lastSignalKind: lastSignal.kind, lastSignalAt: lastSignal.quoteTime } : {},
    )
    if (orders) crashPoint('in-signal-tx')
    return { orders }
  })
}

const OPEN = new Set<string>(['PENDING', ...OPEN_STATUSES])
const UNSETTLED = new Set<string>(['PENDING', 'SENDING', 'UNKNOWN'])

/**
 * Our buys as commitCash sees them. "Seen" by the read: the bridge had answered with an order id
 * before the read began; an intent, an order on the wire or one whose fate is unknown never is.
 */
async function buysAgainst(tx: Parameters<typeof committedBuys>[0], readAt: Date | null): Promise<Array<{ code: string; buy: CommittedBuy }>> {
  const rows = await committedBuys(tx, readAt)
  return rows.map((o) => ({
    code: o.code,
    buy: {
      price: fromMilli(o.limitPriceMilli ?? 0),
      quantity: o.quantity,
      filled: o.filledQuantity,
      filledValue: Number(o.filledAmountMilli) / 1000,
      fees: Number(o.estFeesMilli) / 1000,
      open: OPEN.has(o.status),
      seen: readAt !== null && !UNSETTLED.has(o.status) && o.submittedAt !== null && o.submittedAt.getTime() < readAt.getTime(),
    },
  }))
}

function recentStatus(s: string): RecentOrder['status'] {
  switch (s) {
    case 'CANCELLED':
      return 'cancelled'
    case 'REJECTED':
    case 'FAILED':
      return 'rejected'
    case 'FILLED':
      return 'filled'
    case 'PARTIALLY_FILLED':
      return 'partially_filled'
    case 'UNKNOWN':
    case 'SENDING':
      return 'unknown'
    default:
      return 'working'
  }
}

