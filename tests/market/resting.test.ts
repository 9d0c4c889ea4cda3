import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { onUnfilledTimeout } from '@/lib/market'
import { at, quote } from './helpers'

const base = { code: '600000.SH', now: at('10:00'), mode: 'BEST_OPPOSITE' as const, offsetTicks: 0 }

describe('onUnfilledTimeout: an order at the limit keeps its place; an exit is only cancelled to improve it', () => {
  it('a buy at limit-up (no asks) rests in the queue', () => {
    const q = quote({ last: 11, prevClose: 10, asks: [], bids: [{ price: 11, volume: 500_000 }] })
    expect(onUnfilledTimeout({ ...base, side: 'buy', limitPriceMilli: 11_000, quote: q })).toEqual({ action: 'queued_at_limit', limit: 'up', priceMilli: 11_000 })
  })

  it('a sell at limit-down rests in the queue, whatever the quote', () => {
    const q = quote({ last: 9, prevClose: 10, bids: [], asks: [{ price: 9, volume: 500_000 }] })
    expect(onUnfilledTimeout({ ...base, side: 'sell', limitPriceMilli: 9_000, quote: q, offsetTicks: 3 })).toMatchObject({ action: 'queued_at_limit', limit: 'down' })
  })

  it('an ordinary buy below the limit is cancelled (the entry rules re-price or re-arm it)', () => {
    expect(onUnfilledTimeout({ ...base, side: 'buy', limitPriceMilli: 9_900, quote: quote({ last: 10 }) })).toEqual({ action: 'cancel' })
  })

  it('an exit is cancelled only when the fresh price is lower; at the same or a higher price it keeps resting', () => {
    // bids at 9.79 → a fresh sell at 9.79 − 3 ticks = 9.76
    expect(onUnfilledTimeout({ ...base, side: 'sell', limitPriceMilli: 9_900, quote: quote({ last: 9.8 }), offsetTicks: 3 })).toEqual({ action: 'cancel', reprice: { priceMilli: 9_760 } })
    expect(onUnfilledTimeout({ ...base, side: 'sell', limitPriceMilli: 9_760, quote: quote({ last: 9.8 }), offsetTicks: 3 })).toEqual({ action: 'keep', why: 'no_better_price' })
    expect(onUnfilledTimeout({ ...base, side: 'sell', limitPriceMilli: 9_500, quote: quote({ last: 9.8 }), offsetTicks: 3 })).toEqual({ action: 'keep', why: 'no_better_price' })
    expect(onUnfilledTimeout({ ...base, side: 'sell', limitPriceMilli: 9_500, quote: null })).toEqual({ action: 'keep', why: 'no_quote' })
  })

  it('property: an exit is never cancelled to be re-sent at the same or a worse price', () => {
    fc.assert(
      fc.property(fc.integer({ min: 9_100, max: 10_900 }), fc.integer({ min: 9_000, max: 11_000 }), fc.integer({ min: 0, max: 5 }), (lastMilli, restMilli, ticks) => {
        const q = quote({ last: lastMilli / 1000, prevClose: 10 })
        const d = onUnfilledTimeout({ ...base, side: 'sell', limitPriceMilli: restMilli, quote: q, offsetTicks: ticks })
        if (d.action === 'cancel') expect(d.reprice!.priceMilli).toBeLessThan(restMilli)
      }),
      { numRuns: 300 },
    )
  })
})
