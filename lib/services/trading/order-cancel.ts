/**
 * A trader's cancel: ask the bridge (MiniQMTInterface / paper broker `cancelOrder`) and report
 * exactly what it answered. Only an accepted request ('requested') is recorded on the order
 * (cancelRequestedAt, cancelledBy = 'user'), guarded on the order still being open; the order is
 * never marked cancelled here — the worker's tracking reads the final state (已撤 / 部撤, or 已成 if
 * it filled first) from the bridge. Every attempt is audit-logged with the answer.
 */
import type { Broker, CancelResult } from '@/lib/broker/types'
import { auditOrdersAction, getOrderForUser, listWorkingOrders, recordUserCancel, USER_CANCELLABLE } from '@/lib/db/orders-view'
import { ConflictError, NotFoundError } from '@/lib/errors'
import { defaultBrokerAccountId } from '@/lib/db/broker-accounts'
import { brokerForAccountRequest } from '../runtime/account-broker'
import { toOrderView, type OrderView } from './shapes'

/**
 * The broker of an account other than the default (issue 13). `makeBroker` (the callers' factory)
 * serves the default account; an order of another account is cancelled only through its own
 * account's broker — bridge order ids are per bridge, the same number elsewhere is another order.
 */
export type AccountBrokerFactory = (brokerAccountId: number) => Promise<Broker>

/** The account an order is cancelled through: null for the default account (and rows from before accounts). */
async function otherAccountOf(brokerAccountId: number | null): Promise<number | null> {
  if (brokerAccountId == null) return null
  return brokerAccountId === (await defaultBrokerAccountId()) ? null : brokerAccountId
}

export interface CancelReport {
  bridge: CancelResult
  /** True when the request was recorded on the order (accepted, and the order still open). */
  recorded: boolean
  order: OrderView
}

export async function cancelOrderForUser(userId: number, orderId: number, makeBroker: () => Promise<Broker>, accountBroker: AccountBrokerFactory = brokerForAccountRequest): Promise<CancelReport> {
  const order = await getOrderForUser(userId, orderId)
  if (!order) throw new NotFoundError('order.notFound')
  if (!USER_CANCELLABLE.includes(order.status)) throw new ConflictError('order.notCancellable', { status: order.status })
  if (!order.bridgeOrderId) throw new ConflictError('order.noBridgeId')

  let answer: CancelResult
  let broker: Broker | null = null
  try {
    const other = await otherAccountOf(order.brokerAccountId)
    broker = other === null ? await makeBroker() : await accountBroker(other)
    const conn = await broker.connect()
    answer = conn.success ? await broker.cancelOrder(Number(order.bridgeOrderId)) : { success: false, outcome: 'not_sent', code: 'CONNECT_FAILED', message: conn.message }
  } catch (e) {
    // The request may or may not have reached the bridge: say so, never guess.
    answer = { success: false, outcome: 'unknown', code: 'CANCEL_ERROR', message: (e as Error).message }
  } finally {
    try {
      broker?.disconnect()
    } catch {
      // a failing disconnect does not change the answer
    }
  }
  const recorded = await recordUserCancel(userId, orderId, answer)
  const fresh = await getOrderForUser(userId, orderId)
  return { bridge: answer, recorded, order: toOrderView(fresh ?? order) }
}

/** One order in an admin's cancel-all: what the bridge answered, or why it was not asked. */
export interface CancelAllLine {
  orderId: number
  userId: number
  code: string
  name: string
  side: 'BUY' | 'SELL'
  status: string
  bridgeOrderId: string | null
  /** The bridge's exact answer; null when it was not asked (see `skipped`). */
  bridge: CancelResult | null
  /** True when the accepted request was recorded on the order (still open at that moment). */
  recorded: boolean
  /**
   * Not sent to the bridge: 'not_sent_yet' (an intent or an order on the wire: switch trading off
   * to drop intents, the worker reconciles the rest), 'no_bridge_id' (fate unknown, being reconciled
   * by its clientOrderId), 'cancel_pending' (a cancel was already accepted; the final state follows).
   */
  skipped: 'not_sent_yet' | 'no_bridge_id' | 'cancel_pending' | null
}

export interface CancelAllReport {
  lines: CancelAllLine[]
  /** Cancels the bridge accepted (the final state still comes from the worker's tracking). */
  requested: number
  /** Cancels asked but not accepted: refused, not sent, or no clear answer. */
  notConfirmed: number
  skipped: number
}

/**
 * An admin's "cancel all working DingPan orders": every order of every user that is at the bridge
 * and may be working is cancelled through the same path as a trader's single cancel (one broker
 * connection, one request per order, each answer recorded and audit-logged under the admin's
 * name), plus one audit entry for the whole action. Nothing is marked cancelled here, and nothing
 * is counted as cancelled unless the bridge accepted the request.
 */
export async function cancelAllWorking(actor: { id: number; label: string }, makeBroker: () => Promise<Broker>, accountBroker: AccountBrokerFactory = brokerForAccountRequest): Promise<CancelAllReport> {
  const working = await listWorkingOrders()
  const accountOf = new Map<number, number | null>()
  for (const o of working) accountOf.set(o.id, await otherAccountOf(o.brokerAccountId))
  const lines: CancelAllLine[] = working.map((o) => ({
    orderId: o.id,
    userId: o.userId,
    code: o.code,
    name: o.stock.name,
    side: o.side,
    status: o.status,
    bridgeOrderId: o.bridgeOrderId,
    bridge: null,
    recorded: false,
    skipped: o.status === 'PENDING' || o.status === 'SENDING' ? 'not_sent_yet' : o.status === 'CANCELLING' ? 'cancel_pending' : !o.bridgeOrderId ? 'no_bridge_id' : null,
  }))
  const toCancel = lines.filter((l) => !l.skipped && USER_CANCELLABLE.includes(l.status as never))
  // One broker connection per account, each order through its own account's broker.
  const groups = new Map<number | null, CancelAllLine[]>()
  for (const l of toCancel) {
    const key = accountOf.get(l.orderId) ?? null
    groups.set(key, [...(groups.get(key) ?? []), l])
  }
  for (const [account, group] of groups) {
    let broker: Broker | null = null
    let connectFailure: CancelResult | null = null
    try {
      broker = account === null ? await makeBroker() : await accountBroker(account)
      const conn = await broker.connect()
      if (!conn.success) connectFailure = { success: false, outcome: 'not_sent', code: 'CONNECT_FAILED', message: conn.message }
    } catch (e) {
      connectFailure = { success: false, outcome: 'not_sent', code: 'CONNECT_FAILED', message: (e as Error).message }
    }
    try {
      for (const line of group) {
        let answer: CancelResult
        if (connectFailure || !broker) answer = connectFailure ?? { success: false, outcome: 'not_sent', code: 'CONNECT_FAILED', message: 'no broker' }
        else {
          try {
            answer = await broker.cancelOrder(Number(line.bridgeOrderId))
          } catch (e) {
            // The request may or may not have reached the bridge: say so, never guess.
            answer = { success: false, outcome: 'unknown', code: 'CANCEL_ERROR', message: (e as Error).message }
          }
        }
        line.bridge = answer
        line.recorded = await recordUserCancel(line.userId, line.orderId, answer, actor)
      }
    } finally {
      try {
        broker?.disconnect()
      } catch {
        // a failing disconnect does not change the answers
      }
    }
  }
  const report: CancelAllReport = {
    lines,
    requested: lines.filter((l) => l.bridge?.outcome === 'requested').length,
    notConfirmed: lines.filter((l) => l.bridge && l.bridge.outcome !== 'requested').length,
    skipped: lines.filter((l) => l.skipped).length,
  }
  await auditOrdersAction(actor, 'orders.cancelAll', {
    requested: report.requested,
    notConfirmed: report.notConfirmed,
    skipped: report.skipped,
    lines: lines.map((l) => ({ orderId: l.orderId, status: l.status, bridgeOrderId: l.bridgeOrderId, outcome: l.bridge?.outcome ?? null, message: l.bridge?.message ?? null, recorded: l.recorded, skipped: l.skipped })),
  })
  return report
}
