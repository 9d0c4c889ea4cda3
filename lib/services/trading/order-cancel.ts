/**
 * A trader's cancel: ask the bridge (MiniQMTInterface / paper broker `cancelOrder`) and report
 * exactly what it answered. Only an accepted request ('requested') is recorded on the order
 * (cancelRequestedAt, cancelledBy = 'user'), guarded on the order still being open; the order is
 * never marked cancelled here — the worker's tracking reads the final state (已撤 / 部撤, or 已成 if
 * it filled first) from the bridge. Every attempt is audit-logged with the answer.
 */
import type { Broker, CancelResult } from '@/lib/broker/types'
import { getOrderForUser, recordUserCancel, USER_CANCELLABLE } from '@/lib/db/orders-view'
import { ConflictError, NotFoundError } from '@/lib/errors'
import { toOrderView, type OrderView } from './shapes'

export interface CancelReport {
  bridge: CancelResult
  /** True when the request was recorded on the order (accepted, and the order still open). */
  recorded: boolean
  order: OrderView
}

export async function cancelOrderForUser(userId: number, orderId: number, makeBroker: () => Promise<Broker>): Promise<CancelReport> {
  const order = await getOrderForUser(userId, orderId)
  if (!order) throw new NotFoundError('order.notFound')
  if (!USER_CANCELLABLE.includes(order.status)) throw new ConflictError('order.notCancellable', { status: order.status })
  if (!order.bridgeOrderId) throw new ConflictError('order.noBridgeId')

  let answer: CancelResult
  let broker: Broker | null = null
  try {
    broker = await makeBroker()
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
