/** Orders with fills written as the tracker writes them (a FILLED order, its trigger, its fills). */
import { getDb } from '@/lib/db/client'

let seq = 0
export async function seedOrderWithFills(userId: number, stockId: number, code: string, side: 'BUY' | 'SELL', fills: Array<{ priceMilli: number; quantity: number; at: Date; recordedPnlMilli?: number }>) {
  const db = getDb()
  const n = ++seq
  const trig = await db.triggerEvent.create({ data: { stockId, kind: side === 'BUY' ? 'ENTRY' : 'TAKE_PROFIT', episode: 1000 + n, priceMilli: fills[0].priceMilli, levelMilli: fills[0].priceMilli, quoteTime: fills[0].at, autoTrade: true } })
  const qty = fills.reduce((s, f) => s + f.quantity, 0)
  const amount = fills.reduce((s, f) => s + BigInt(f.priceMilli * f.quantity), 0n)
  const order = await db.order.create({
    data: { clientOrderId: `pnl-${n}-${Math.random().toString(36).slice(2)}`, triggerEventId: trig.id, stockId, userId, code, side, quantity: qty, priceType: 'LIMIT', xtPriceType: 11, limitPriceMilli: fills[0].priceMilli, status: 'FILLED', filledQuantity: qty, filledAmountMilli: amount, createdAt: fills[0].at },
  })
  for (const [i, f] of fills.entries()) {
    await db.fill.create({ data: { orderId: order.id, tradedId: `t${n}-${i}`, priceMilli: f.priceMilli, quantity: f.quantity, amountMilli: BigInt(f.priceMilli * f.quantity), tradedAt: f.at, realizedPnlMilli: f.recordedPnlMilli == null ? null : BigInt(f.recordedPnlMilli) } })
  }
  return order
}

