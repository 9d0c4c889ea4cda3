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
  type EntryQuantityMode,
  type EvaluateResult,
  type ExitQuantityMode,
  trancheSharesWanted,
  type MonitorInput,
  type PositionInfo,
  type PricingSpec,
  type Quote,
  type RecentOrder,
  type Signal,
  type TriggerKind,
  isStName,
  normalizeMemo,
} from '@/lib/market'
import { writeTx, type Tx } from '@/lib/db/tx'
import { assertLease } from '@/lib/db/lease'
import { loadMonitor, loadMonitorsIn, writeMachineState, type MonitorRow } from '@/lib/db/monitors'
import { claimTriggerForOrder, recordTrigger, setTriggerOutcome, type TriggerData } from '@/lib/db/triggers'
import { committedBuys, createOrderIntent, OPEN_STATUSES, riskActivity, type AccountScope } from '@/lib/db/orders'
import { defaultBrokerAccountId } from '@/lib/db/broker-accounts'
import { getDb } from '@/lib/db/client'
import { asLocale } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'
import { formatPrice } from '@/lib/format'
import type { BrokerAccount, BrokerPosition } from './broker-port'
import { accountTradingHalted } from '@/lib/db/worker-accounts'
import { readKillSwitch, type RuntimeSettings } from '../runtime/runtime-settings'
import { notify as notifyIn, notifyCache, type EventType, type NotifyCache } from '../notifications'
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

/** The entry quantity mode of a monitor (issue 14): % of assets unless a fixed amount or shares is set. */
export function entryModeOf(q: Pick<NonNullable<MonitorRow['quantConfig']>, 'entryQtyMode' | 'entryQty'> | null | undefined): EntryQuantityMode {
  if (q?.entryQtyMode === 'AMOUNT' && q.entryQty > 0) return { kind: 'AMOUNT', yuan: q.entryQty }
  if (q?.entryQtyMode === 'SHARES' && q.entryQty > 0) return { kind: 'SHARES', shares: q.entryQty }
  return { kind: 'PCT_ASSETS' }
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
  return writeTx(getDb(), (tx) => persistIn(tx, deps, row, result, quote, now, market))
}

/** An evaluation to persist in a batch: it places no order (its signals notify, re-notify or defer). */
export interface QuietEvaluation {
  row: MonitorRow
  result: EvaluateResult
  quote: Quote
  market: MarketView
}

/**
 * Evaluations that place no order, in one transaction: all or none. A stale monitor (or any error)
 * fails the whole batch and writes nothing; the caller then writes them one by one, each with its
 * own outcome. An order signal never comes here: it goes out on its own, at once.
 */
export async function persistQuietEvaluations(deps: PersistDeps, items: QuietEvaluation[], now: Date): Promise<void> {
  if (items.some((e) => e.result.signals.some((s) => s.action === 'order'))) throw new Error('persistQuietEvaluations: an order signal is persisted on its own')
  await writeTx(getDb(), async (tx) => {
    // Shared by the batch, all inside its one transaction: the lease is proved before the first
    // write and again just before the commit; the monitors are read in one query, and each user's
    // notification channels once.
    await assertLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
    const ids = items.map((e) => e.row.id)
    const loaded = new Set(ids).size === ids.length ? new Map((await loadMonitorsIn(tx, ids)).map((r) => [r.id, r])) : null
    const shared = { leased: true, cache: notifyCache() }
    for (const e of items) await persistIn(tx, deps, e.row, e.result, e.quote, now, e.market, loaded ? { ...shared, current: loaded.get(e.row.id) ?? null } : shared)
    await assertLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
  })
}

/** What a batch already holds for persistIn (see persistQuietEvaluations). */
interface Preloaded {
  /** The lease was proved in this transaction. */
  leased?: boolean
  /** The monitor as read in this transaction (null: gone); undefined: read it here. */
  current?: Awaited<ReturnType<typeof loadMonitor>>
  cache?: NotifyCache
}

async function persistIn(tx: Tx, deps: PersistDeps, row: MonitorRow, result: EvaluateResult, quote: Quote, now: Date, market: MarketView, pre: Preloaded = {}): Promise<{ orders: number }> {
  const locale = asLocale(row.user.locale)
  const t = translator(locale)
  const tEn = translator('en')
  if (!pre.leased) await assertLease(tx, deps.leaseName, deps.holderId, deps.fencingToken)
  const current = pre.current !== undefined ? pre.current : await loadMonitor(tx, row.id)
  const notify = (input: Parameters<typeof notifyIn>[1]) => notifyIn(tx, input, pre.cache)
  if (!current || current.archivedAt || current.version !== row.version || current.state !== row.state || current.episode !== row.episode) {
    throw new StaleMonitorError(row.id)
  }
  const input = toMonitorInput(current, null, deps.triggerEnv)
  const workingExitKind = normalizeMemo(current.triggerMemo as never).exitKind
  let machine: Machine = { state: result.state, episode: current.episode, highestSinceEntry: result.highestSinceEntry, memo: result.memo, options: input.options }
  let orders = 0
  let lastSignal: Signal | null = null
  let killSwitch: boolean | null = null
  let accountHalted: boolean | null = null

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
      // A rebound entry (issue 14): the low it rebounded from.
      lowSeen: formatPrice(current.code, result.memo.reboundLowMilli == null ? null : fromMilli(result.memo.reboundLowMilli)),
    }
    const key = `s${current.id}:${signal.dedupeKey}`
    const triggerEvent: EventType = signal.kind === 'ENTRY' && signal.maxPrice !== undefined ? 'TRIGGER_REBOUND_ENTRY' : TRIGGER_EVENT[signal.kind]

    if (signal.action === 'notify' || signal.action === 'renotify') {
      const trigger = signal.action === 'notify' ? await recordTrigger(tx, data, 'NOTIFIED') : null
      await notify({
        userId: current.userId,
        locale,
        at: now,
        type: signal.action === 'notify' ? triggerEvent : 'TRIGGER_RENOTIFY',
        params: { ...base, action: t((signal.reason.code === 'AUTO_EXIT_PAUSED_BY_USER' ? 'events.actions.exitsPaused' : 'events.actions.notifyOnly') as never) },
        stockId: current.id,
        triggerEventId: trigger?.id ?? null,
        dedupeKey: key,
      })
      continue
    }

    if (signal.action === 'deferred') {
      const trigger = await recordTrigger(tx, data, 'DEFERRED', signal.reason.message)
      await notify({ userId: current.userId, locale, at: now, type: 'T1_DEFERRED', params: base, stockId: current.id, triggerEventId: trigger.id, dedupeKey: key })
      continue
    }

    // action === 'order'
    const trigger = await claimTriggerForOrder(tx, data)
    if (!trigger) continue // already acted on under this (stock, kind, episode): never a second order
    // A higher-priority exit over a working lower one (a stop over a resting take-profit): the
    // working one's unfilled shares are frozen for it and count as this exit's to sell; the send
    // stage cancels it first and sends this one for what remains once the cancel is confirmed.
    const superseding = signal.side === 'sell' && current.state === 'EXIT_PENDING'
    const supersededOrders = superseding ? await workingSells(tx, current.id) : []
    // An exit refused by the kill switch fires again in the same episode on every quote while
    // trading is off: its notices keep their keys (told once); the order after it gets its own.
    const triggerKey = trigger.claimedFrom === 'KILL_SWITCH' ? `${key}:trigger:after-kill` : `${key}:trigger`
    // reasonEn: the English of a Chinese reason, stored beside it so an English reader never sees Chinese.
    const refuse = async (outcome: 'KILL_SWITCH' | 'NOT_SIZED' | 'RISK_REJECTED', event: EventType, reasonText: string, reasonEn: string) => {
      await setTriggerOutcome(tx, trigger.id, outcome, reasonText)
      await notify({
        userId: current.userId,
        locale,
        at: now,
        type: triggerEvent,
        params: { ...base, action: t('events.actions.blocked' as never, { reason: reasonText } as never), ...(locale === 'zh' ? { actionEn: tEn('events.actions.blocked' as never, { reason: reasonEn } as never) } : {}) },
        stockId: current.id,
        triggerEventId: trigger.id,
        dedupeKey: `${key}:trigger`,
      })
      await notify({ userId: current.userId, locale, at: now, type: event, params: { ...base, reason: reasonText, ...(locale === 'zh' ? { reasonEn } : {}) }, stockId: current.id, triggerEventId: trigger.id, dedupeKey: `${key}:refused` })
      // The kill switch tried nothing at the market: an exit waits in the same episode, and no
      // retry of the day is used up (see applyOrderOutcome).
      const blocked = outcome === 'KILL_SWITCH' ? ('kill_switch' as const) : undefined
      if (superseding) {
        // The lower-priority exit still works: the monitor stays EXIT_PENDING on it. A kill-switch
        // refusal leaves this exit armed (it fires again once trading is back on).
        const memo = normalizeMemo(machine.memo)
        memo.exitKind = workingExitKind
        const km = memo.kinds[signal.kind]
        if (blocked && km) memo.kinds[signal.kind] = { ...km, ordered: false }
        machine = { ...machine, state: 'EXIT_PENDING', memo }
        return
      }
      const next = applyOrderOutcome(machine, { side: signal.side, kind: signal.kind, filledQuantity: 0, outcome: 'failed', blocked, now })
      machine = { ...machine, state: next.state, episode: next.episode, highestSinceEntry: next.highestSinceEntry, memo: next.memo }
    }

    killSwitch ??= await readKillSwitch(tx)
    if (killSwitch) {
      await refuse('KILL_SWITCH', 'KILL_SWITCH_BLOCKED', locale === 'zh' ? '总开关已关闭交易' : 'kill switch on', 'kill switch on')
      continue
    }
    // The monitor's account disabled, its own kill switch on, or its user's trading share gone: refused exactly like the global switch.
    accountHalted ??= await accountTradingHalted(tx, current.brokerAccountId, current.userId)
    if (accountHalted) {
      const en = 'the broker account is disabled, its kill switch is on, or you may no longer trade on it'
      await refuse('KILL_SWITCH', 'KILL_SWITCH_BLOCKED', locale === 'zh' ? '该券商账户已停用、已关闭交易，或你已无权在该账户交易' : en, en)
      continue
    }

    const brokerPos = market.positions.get(current.code)
    let position: PositionInfo | null = managedPosition(current, brokerPos)
    if (position && supersededOrders.length) {
      const frozen = supersededOrders.reduce((n, o) => n + Math.max(0, o.quantity - o.filledQuantity), 0)
      position = { ...position, canUseVolume: Math.min(position.volume, position.canUseVolume + frozen) }
    }
    const account = market.account ?? { totalAsset: 0, cash: 0, frozenCash: 0, marketValue: 0 }
    const st = isStName(current.name) || isStName(quote.name)
    // Buys of ours the account read does not show as spent: the cash they promised, their value
    // for the exposure cap, and this stock's share of it for the position cap.
    const committed = signal.side === 'buy' ? await buysAgainst(tx, market.readAt ?? null, await scopeOf(tx, current.brokerAccountId)) : []
    const cash = commitCash(account, committed.map((b) => b.buy))
    const workingHere = commitCash({ cash: 0, frozenCash: 0 }, committed.filter((b) => b.code === current.code).map((b) => b.buy)).workingValue
    const sizeInput: Parameters<typeof sizeOrder>[0] = {
      code: current.code,
      kind: signal.kind,
      quote,
      now,
      pricing: pricingFor(current, signal.kind),
      // A rebound entry never pays more than its cap (Signal.maxPrice: min(trigger level, entryHigh)).
      triggerPrice: signal.maxPrice != null ? Math.min(signal.price, signal.maxPrice) : signal.price,
      st,
      account: { totalAsset: account.totalAsset, cash: cash.available },
      heldValue: (brokerPos ? brokerPos.volume * quote.last : 0) + workingHere,
      position,
      sizing: { maxPositionPct: (current.quantConfig?.maxPositionBp ?? 2000) / 10_000, minTradeAmount: current.quantConfig?.minTradeAmountYuan ?? 5000 },
      entryMode: entryModeOf(current.quantConfig),
      exitMode: signal.kind === 'TAKE_PROFIT' && input.exits ? trancheExitMode(machine.memo, position) : undefined,
      fees: deps.settings.fees,
    }
    let sized = sizeOrder(sizeInput)
    // A price mode that lands above the cap (best ask, latest ± ticks, a market order) becomes a limit at the cap.
    if (sized.ok && signal.maxPrice != null && (sized.priceType !== 'limit' || sized.price > signal.maxPrice)) {
      sized = sizeOrder({ ...sizeInput, pricing: { mode: 'TRIGGER_PRICE', offsetTicks: 0 }, triggerPrice: signal.maxPrice })
    }
    if (!sized.ok) {
      const text = locale === 'zh' ? sized.message : sized.messageEn
      const known = market.account || signal.side === 'sell'
      await refuse('NOT_SIZED', 'NOT_SIZED', known ? text : locale === 'zh' ? `账户资金未知（桥接不可用）：${text}` : `account unknown (bridge down): ${text}`, known ? sized.messageEn : `account unknown (bridge down): ${sized.messageEn}`)
      continue
    }

    // Rate and duplicate windows are wall time (row creation times); the trading day is market time.
    const wallNow = Date.now()
    const act = await riskActivity(tx, current.id, current.code, {
      minuteAgo: new Date(wallNow - 60_000),
      windowStart: new Date(wallNow - deps.settings.risk.duplicateWindowSec * 1000),
      dayStart: shanghaiTime(shanghaiDate(now), '00:00'),
    }, await scopeOf(tx, current.brokerAccountId))
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
      accountLimits: act.accountLimits,
      activity: {
        ordersLastMinute: act.lastMinute,
        accountOrdersLastMinute: act.accountLastMinute ?? undefined,
        activeOrdersForStock: { buy: activeBy('BUY'), sell: Math.max(0, activeBy('SELL') - supersededOrders.length) },
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
      await refuse('RISK_REJECTED', 'RISK_REJECTED', text, risk.violations.map((v) => v.messageEn).join('; '))
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
      marketAt: now,
    })
    orders++
    await setTriggerOutcome(tx, trigger.id, 'ORDERED')
    const priceText =
      sized.priceType === 'limit'
        ? t('events.actions.limitPrice' as never, { price: formatPrice(current.code, sized.price) } as never)
        : t('events.actions.marketPrice' as never, { price: formatPrice(current.code, sized.price) } as never)
    await notify({
      userId: current.userId,
      locale,
      at: now,
      type: triggerEvent,
      params: { ...base, action: t('events.actions.ordered' as never, { side: t(`events.sides.${sized.side}` as never), quantity: sized.quantity, priceText } as never) },
      stockId: current.id,
      orderId: order.id,
      triggerEventId: trigger.id,
      dedupeKey: triggerKey,
    })
  }

  if (result.breakevenActivated) await tellBreakeven(tx, current, locale, now, result)
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
}


/**
 * The take-profit's quantity with staged exits (issue 14): the held volume down to the target of the
 * next tranche not done (a tranche re-fired after a partial fill sells only the rest); undefined
 * without a tranche plan (everything sellable, as before). sizeOrder keeps it within the sellable, in lots.
 */
export function trancheExitMode(memo: Machine['memo'], position: PositionInfo | null): ExitQuantityMode | undefined {
  const ex = normalizeMemo(memo as never).exits
  if (!ex || !position || ex.done >= ex.targets.length) return undefined
  return { kind: 'SHARES', shares: trancheSharesWanted(ex.targets, ex.baseQty, ex.done, position.volume) }
}

/** The breakeven stop activated on this quote: told once, in the transaction that writes the memo holding it. */
async function tellBreakeven(tx: Tx, current: MonitorRow, locale: ReturnType<typeof asLocale>, now: Date, result: EvaluateResult): Promise<void> {
  const ex = result.memo.exits
  const level = result.breakevenActivated!.levelMilli
  const t = translator(locale)
  const cost = current.entryCostMilli ?? current.positionCostMilli
  const tranche = !!ex && ex.done > 0
  const why = tranche ? t('events.breakevenWhy.tranche' as never) : t('events.breakevenWhy.gain' as never, { pct: (current.breakevenGainBp ?? 0) / 100 } as never)
  await notifyIn(tx, {
    userId: current.userId,
    locale,
    at: now,
    type: 'BREAKEVEN_ACTIVE',
    params: { code: current.code, name: current.name, why, level: formatPrice(current.code, fromMilli(level)), cost: cost == null ? '—' : formatPrice(current.code, fromMilli(cost)) },
    stockId: current.id,
    dedupeKey: `s${current.id}:breakeven:${ex?.breakevenAt ?? now.toISOString()}`,
  })
}

/** This stock's sell orders that are live or may be (a lower-priority exit a higher one supersedes). */
async function workingSells(tx: Tx, stockId: number) {
  return tx.order.findMany({ where: { stockId, side: 'SELL', status: { in: [...OPEN_STATUSES] } }, select: { id: true, quantity: true, filledQuantity: true } })
}

const OPEN = new Set<string>(['PENDING', ...OPEN_STATUSES])
const UNSETTLED = new Set<string>(['PENDING', 'SENDING', 'UNKNOWN'])

/**
 * Our buys as commitCash sees them. "Seen" by the read: the bridge had answered with an order id
 * before the read began; an intent, an order on the wire or one whose fate is unknown never is.
 */
/** The monitor's account as an order scope (a row from before accounts trades on the default one). */
async function scopeOf(tx: Tx, brokerAccountId: number | null): Promise<AccountScope> {
  const def = await defaultBrokerAccountId(tx)
  const id = brokerAccountId ?? def
  return { id, isDefault: id === def }
}

/** Buys of this account only: another account's cash is not this one's. */
async function buysAgainst(tx: Tx, readAt: Date | null, scope: AccountScope): Promise<Array<{ code: string; buy: CommittedBuy }>> {
  const rows = await committedBuys(tx, readAt, scope)
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

