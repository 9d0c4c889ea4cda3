/**
 * A change of a broker account's connection (bridge address, MiniQMT account, token) while DingPan
 * orders are at its bridge: refused unless the trader confirms, naming the orders; once confirmed
 * those orders become UNKNOWN — still reconciled by the worker, never failed by the change — each
 * trader is told and the change is audit-logged with the orders. Shared by the settings page's
 * broker form (the default account) and the account editor.
 */
import { ValidationError } from '@/lib/errors'
import { writeAudit } from '@/lib/db/audit'
import { markOrdersUnknown, type listOrdersAtBridge } from '@/lib/db/broker-switch'
import type { Tx } from '@/lib/db/tx'
import { asLocale, type Locale } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'
import { notify } from '../notifications'

type OrderAtBridge = Awaited<ReturnType<typeof listOrdersAtBridge>>[number]

/** Refuses an unconfirmed change while orders are at the bridge (field `confirmWorkingOrders`, naming up to ten). */
export function refuseUnconfirmedChange(orders: OrderAtBridge[], confirmed: boolean | undefined, locale: Locale): void {
  if (orders.length === 0 || confirmed) return
  const list = orders
    .slice(0, 10)
    .map((o) => `${o.code} ${o.side === 'BUY' ? (locale === 'zh' ? '买' : 'buy') : locale === 'zh' ? '卖' : 'sell'} ${o.quantity} (${o.clientOrderId})`)
    .join(', ')
  const message = translator(locale)('errors.broker.workingOrders' as never, { count: orders.length, list } as never)
  throw new ValidationError({ confirmWorkingOrders: [message] }, 'validation.failed', true)
}

/** The confirmed change: the orders become UNKNOWN, audit-logged, and each trader is told. */
export async function markChangedOrdersUnknown(
  tx: Tx,
  orders: OrderAtBridge[],
  note: string,
  audit: { actorId: number | null; actor: string; action: string; entityId?: number },
): Promise<void> {
  if (orders.length === 0) return
  const changed = new Set(await markOrdersUnknown(tx, orders.map((o) => o.id), note))
  await writeAudit(tx, { ...audit, entity: 'Order', before: orders.map((o) => ({ id: o.id, status: o.status, bridgeOrderId: o.bridgeOrderId })), after: { unknown: [...changed] } })
  for (const o of orders) {
    if (!changed.has(o.id)) continue
    const loc = asLocale(o.stock.user.locale)
    const t = translator(loc)
    await notify(tx, {
      userId: o.userId,
      locale: loc,
      type: 'ORDER_UNKNOWN',
      params: {
        code: o.code,
        name: o.stock.name,
        side: t(`events.sides.${o.side === 'BUY' ? 'buy' : 'sell'}` as never),
        quantity: o.quantity,
        clientOrderId: o.clientOrderId,
        reason: t('events.brokerChanged' as never),
      },
      stockId: o.stockId,
      orderId: o.id,
      triggerEventId: o.triggerEventId,
      dedupeKey: `order:${o.id}:broker-changed:${Date.now()}`,
    })
  }
}
