import { priceOrder, type PriceMode } from './pricing'
import type { Quote } from './quote'
import { toMilli } from './money'

/**
 * What an order's unfilled timeout does, decided on the quote of the moment:
 *   - a buy resting at limit-up, or a sell resting at limit-down, keeps its place in the queue
 *     ('queued_at_limit'): no price can be better, and cancelling and re-sending it at the same
 *     price would only put it at the back of the queue of a locked board;
 *   - an exit (sell) is never given up for resting: it is cancelled (to be re-priced) only when a
 *     fresh price would improve its chance to fill — a lower limit, or a market order — otherwise
 *     it keeps resting ('keep');
 *   - any other buy is cancelled ('cancel'; the caller's re-price or re-arm rules follow).
 */
export type TimeoutAction =
  | { action: 'cancel'; reprice?: { priceMilli: number } }
  | { action: 'queued_at_limit'; limit: 'up' | 'down'; priceMilli: number }
  | { action: 'keep'; why: 'no_better_price' | 'no_quote' }

export interface TimeoutInput {
  code: string
  side: 'buy' | 'sell'
  /** The resting limit price (null: a market order's remainder, which never rests at a limit). */
  limitPriceMilli: number | null
  quote: Quote | null
  now: Date
  /** How an exit would be priced now (the monitor's pricing for its trigger kind). */
  mode: PriceMode
  offsetTicks: number
  st?: boolean
}

export function onUnfilledTimeout(i: TimeoutInput): TimeoutAction {
  if (!i.quote || i.limitPriceMilli == null) return i.side === 'sell' ? { action: 'keep', why: 'no_quote' } : { action: 'cancel' }
  const priced = priceOrder({ code: i.code, side: i.side, quote: i.quote, now: i.now, mode: i.mode, offsetTicks: i.offsetTicks, triggerPrice: i.quote.last, st: i.st })
  const limits =
    priced.ok && priced.limits
      ? { up: toMilli(priced.limits.up), down: toMilli(priced.limits.down) }
      : i.quote.limitUp && i.quote.limitUp > 0 && i.quote.limitDown && i.quote.limitDown > 0
        ? { up: toMilli(i.quote.limitUp), down: toMilli(i.quote.limitDown) }
        : null
  if (limits && i.side === 'buy' && i.limitPriceMilli >= limits.up) return { action: 'queued_at_limit', limit: 'up', priceMilli: i.limitPriceMilli }
  if (limits && i.side === 'sell' && i.limitPriceMilli <= limits.down) return { action: 'queued_at_limit', limit: 'down', priceMilli: i.limitPriceMilli }
  if (i.side === 'buy') return { action: 'cancel' }
  if (!priced.ok) return { action: 'keep', why: 'no_quote' }
  if (priced.priceType === 'market' || priced.priceMilli < i.limitPriceMilli) return { action: 'cancel', reprice: { priceMilli: priced.priceMilli } }
  return { action: 'keep', why: 'no_better_price' }
}
