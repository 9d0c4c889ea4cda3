/**
 * executeStrategySignal — the integration guide's one-call entry point, kept thin and honest:
 * size (lib/market sizeOrder) → risk (checkRisk) → placeOrder, and report exactly what happened.
 * It does not dedupe: the caller claims the signal's dedupe key in the database before calling, and
 * supplies the risk activity (recent orders, working orders) from there.
 */
import { checkRisk, sizeOrder, type Reason, type Signal } from '@/lib/market'
import type { AccountInfo, Broker, BrokerPosition, StrategyContext, StrategyExecution } from './types'

const reason = (code: string, message: string, messageEn: string): Reason => ({ code, message, messageEn })

type BrokerReads = Pick<Broker, 'getAccountInfo' | 'getPositions' | 'placeOrder'>

function failure(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

export async function executeStrategySignal(broker: BrokerReads, signal: Signal, ctx: StrategyContext): Promise<StrategyExecution> {
  if (signal.action !== 'order') {
    return {
      status: 'refused',
      stage: 'sizing',
      reasons: [reason('SIGNAL_NOT_ORDER', `信号动作为 ${signal.action}, 不是下单信号`, `signal action is ${signal.action}, not an order`)],
      message: `signal action ${signal.action} does not place orders`,
    }
  }
  const sell = signal.side === 'sell'

  let account = ctx.account
  let position = ctx.position
  let heldValue = ctx.heldValue
  let positions: BrokerPosition[] | null = null
  try {
    if (!account) {
      const a: AccountInfo = await broker.getAccountInfo()
      account = { totalAsset: a.totalAsset, cash: a.cash, marketValue: a.marketValue }
    }
    if ((sell && position === undefined) || (!sell && heldValue === undefined)) {
      positions = await broker.getPositions()
      const p = positions.find((x) => x.code === signal.code) ?? null
      if (sell && position === undefined) position = p ? { volume: p.volume, canUseVolume: p.canUseVolume } : null
      if (!sell && heldValue === undefined) heldValue = p ? p.marketValue : 0
    }
  } catch (e) {
    const msg = `读取账户/持仓失败, 未下单: ${failure(e)}`
    return { status: 'not_sent', message: msg, reasons: [reason('BROKER_READ_FAILED', msg, `reading the account/positions failed; nothing sent: ${failure(e)}`)] }
  }

  const sized = sizeOrder({
    code: signal.code,
    kind: signal.kind,
    quote: ctx.quote,
    now: ctx.now,
    pricing: ctx.pricing,
    triggerPrice: signal.price,
    st: ctx.st,
    noLimit: ctx.noLimit,
    account: { totalAsset: account.totalAsset, cash: account.cash },
    heldValue,
    position: position ?? null,
    sizing: ctx.sizing,
    fees: ctx.fees,
  })
  if (!sized.ok) {
    const reasons: Reason[] = [{ code: sized.code, message: sized.message, messageEn: sized.messageEn }, ...(sized.notes ?? [])]
    return { status: 'refused', stage: 'sizing', reasons, message: sized.message }
  }

  const ageSec = (ctx.now.getTime() - ctx.quote.time.getTime()) / 1000
  const risk = checkRisk({
    order: {
      code: signal.code,
      side: sized.side,
      quantity: sized.quantity,
      price: sized.price,
      limitOrder: sized.priceType === 'limit',
      sellable: sell ? (position?.canUseVolume ?? 0) : undefined,
      st: ctx.st,
    },
    account,
    limits: ctx.risk.limits,
    activity: ctx.risk.activity,
    killSwitch: ctx.risk.killSwitch,
    quoteAgeSec: Number.isFinite(ageSec) ? ageSec : null,
    now: ctx.now,
    fees: ctx.fees,
  })
  if (!risk.ok) {
    return { status: 'refused', stage: 'risk', reasons: risk.violations, message: risk.violations.map((v) => v.message).join('; ') }
  }

  const placed = await broker.placeOrder({
    code: signal.code,
    side: sized.side,
    quantity: sized.quantity,
    orderType: sized.priceType,
    price: sized.price,
    clientOrderId: ctx.clientOrderId,
    quote: ctx.quote,
    sellable: sell ? (position?.canUseVolume ?? 0) : undefined,
    cash: sell ? undefined : account.cash,
    st: ctx.st,
  })
  const sizing = { quantity: sized.quantity, price: sized.price, priceType: sized.priceType, notes: sized.notes }
  switch (placed.outcome) {
    case 'sent':
      return { status: 'placed', orderId: placed.orderId!, order: placed.request!, sizing, message: placed.message }
    case 'rejected':
      return {
        status: 'refused',
        stage: placed.code === 'BRIDGE_RETURNED_MINUS_ONE' || placed.code?.startsWith('BRIDGE_') ? 'bridge' : 'pre_trade',
        reasons: [reason(placed.code ?? 'REJECTED', placed.message, placed.messageEn ?? placed.message)],
        message: placed.message,
      }
    case 'not_sent':
      return { status: 'not_sent', message: placed.message, reasons: [reason(placed.code ?? 'NOT_SENT', placed.message, placed.messageEn ?? placed.message)] }
    default:
      return { status: 'unknown', clientOrderId: ctx.clientOrderId, message: placed.message, order: placed.request }
  }
}
