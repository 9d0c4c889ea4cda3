// Cash and exposure promised to buys an account read does not show (commitCash), and how sizeOrder
// and checkRisk use it: unit cases plus properties — entries sized one after another against what
// the earlier ones left never spend more than the read's cash, and never push the exposure past its cap.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { checkRisk, commitCash, estimateFees, sizeOrder, type CommittedBuy, type Quote } from '@/lib/market'
import { at, quote } from './helpers'

const NOW = at('10:00')
const buy = (over: Partial<CommittedBuy> = {}): CommittedBuy => ({ price: 10, quantity: 1000, filled: 0, fees: 5, open: true, seen: false, ...over })

describe('commitCash', () => {
  it('no buys of ours: the read as it is; the broker\'s frozen cash still counts as working exposure', () => {
    expect(commitCash({ cash: 100_000, frozenCash: 0 }, [])).toEqual({ available: 100_000, reserved: 0, workingValue: 0 })
    expect(commitCash({ cash: 100_000, frozenCash: 20_000 }, [])).toEqual({ available: 100_000, reserved: 0, workingValue: 20_000 })
  })

  it('an intent not sent yet, or an order accepted after the read, reserves its whole cost', () => {
    expect(commitCash({ cash: 100_000, frozenCash: 0 }, [buy()])).toEqual({ available: 89_995, reserved: 10_005, workingValue: 10_000 })
    // partly filled since the read: those fills were paid from the same cash the read still counts
    expect(commitCash({ cash: 100_000, frozenCash: 0 }, [buy({ filled: 600 })]).available).toBe(89_995)
  })

  it('an order finished after the read reserves what it bought, nothing for the cancelled rest', () => {
    expect(commitCash({ cash: 100_000, frozenCash: 0 }, [buy({ open: false, filled: 400, filledValue: 3_996 })])).toEqual({ available: 95_999, reserved: 4_001, workingValue: 3_996 })
    expect(commitCash({ cash: 100_000, frozenCash: 0 }, [buy({ open: false, filled: 0 })])).toEqual({ available: 100_000, reserved: 0, workingValue: 0 })
  })

  it('an order the read already shows is covered by the broker\'s frozen cash, never counted twice', () => {
    expect(commitCash({ cash: 89_995, frozenCash: 10_005 }, [buy({ seen: true })])).toEqual({ available: 89_995, reserved: 0, workingValue: 10_005 })
    // a broker that reports no frozen cash (or has not frozen it yet): reserved from the cash
    expect(commitCash({ cash: 100_000, frozenCash: 0 }, [buy({ seen: true })]).available).toBe(89_995)
    // finished before the read: nothing
    expect(commitCash({ cash: 100_000, frozenCash: 0 }, [buy({ seen: true, open: false, filled: 1000 })]).available).toBe(100_000)
  })

  it('never below zero', () => {
    expect(commitCash({ cash: 5_000, frozenCash: 0 }, [buy(), buy()]).available).toBe(0)
  })
})

describe('checkRisk: buys still working count toward the exposure cap', () => {
  const input = (workingBuys?: number) => ({
    order: { code: '600000', side: 'buy' as const, quantity: 10_000, price: 10 },
    account: { totalAsset: 1_000_000, cash: 1_000_000, marketValue: 650_000, ...(workingBuys === undefined ? {} : { workingBuys }) },
    activity: { ordersLastMinute: 0, activeOrdersForStock: { buy: 0, sell: 0 }, recentOrders: [], realizedLossToday: 0 },
    killSwitch: false,
    quoteAgeSec: 1,
    now: NOW,
  })

  it('650,000 held + 100,000 buy passes; with 100,000 more working it exceeds 80 %', () => {
    expect(checkRisk(input())).toMatchObject({ ok: true })
    expect(checkRisk(input(0))).toMatchObject({ ok: true })
    const r = checkRisk(input(100_000))
    expect(r.violations.map((v) => v.code)).toEqual(['EXPOSURE_CAP'])
    expect(r.violations[0]!.message).toContain('在途买单 100000.00')
    expect(r.violations[0]!.messageEn).toContain('100000.00 in buys still working')
  })

  it('never blocks a sell', () => {
    const sell = { ...input(900_000), order: { code: '600000', side: 'sell' as const, quantity: 1000, price: 10, sellable: 1000 } }
    expect(checkRisk(sell)).toMatchObject({ ok: true })
  })
})

const CODES = ['600000.SH', '000001.SZ', '300750.SZ', '688111.SH', '920118.BJ'] as const

const entryArb = fc.record({
  code: fc.constantFrom(...CODES),
  cents: fc.integer({ min: 100, max: 30_000 }),
  pct: fc.integer({ min: 5, max: 100 }).map((n) => n / 100),
  /** Whether the broker had accepted it before the read (then its cost is in the frozen cash). */
  seen: fc.boolean(),
})

function entryQuote(code: string, cents: number): Quote {
  const last = cents / 100
  return quote({ code, last, prevClose: last, bids: [{ price: last, volume: 1_000_000 }], asks: [{ price: last, volume: 1_000_000 }], limitUp: null, limitDown: null })
}

describe('commitCash properties', () => {
  it('entries sized one after another against what the earlier ones left never spend more than the cash', () => {
    let sized = 0
    fc.assert(
      fc.property(fc.integer({ min: 10_000, max: 5_000_000 }), fc.array(entryArb, { minLength: 1, maxLength: 8 }), (cash, entries) => {
        const ours: CommittedBuy[] = []
        let spent = 0
        for (const e of entries) {
          const { available } = commitCash({ cash, frozenCash: 0 }, ours)
          expect(available).toBeGreaterThanOrEqual(0)
          expect(available).toBeLessThanOrEqual(cash)
          const r = sizeOrder({ code: e.code, kind: 'ENTRY', quote: entryQuote(e.code, e.cents), now: NOW, account: { totalAsset: cash, cash: available }, sizing: { maxPositionPct: e.pct, minTradeAmount: 0 } })
          if (!r.ok) continue
          sized++
          ours.push({ price: r.price, quantity: r.quantity, filled: 0, fees: r.estFees.total, open: true, seen: false })
          spent += Math.round(r.value * 1000) + Math.round(r.estFees.total * 1000)
        }
        expect(spent).toBeLessThanOrEqual(cash * 1000)
      }),
      { numRuns: 300 },
    )
    expect(sized).toBeGreaterThan(300)
  })

  it('orders the broker already froze for are not counted twice; unseen ones always are', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5_000_000 }), fc.array(entryArb, { maxLength: 6 }), (cash, entries) => {
        const buys = entries.map((e) => {
          const price = e.cents / 100
          const quantity = 100 * Math.max(1, Math.floor(e.pct * 50))
          return { price, quantity, filled: 0, fees: estimateFees({ code: e.code, side: 'buy', price, quantity }).total, open: true, seen: e.seen }
        })
        const cost = (b: CommittedBuy) => Math.round(b.price * 1000) * b.quantity + Math.round(b.fees * 1000)
        const seenCost = buys.filter((b) => b.seen).reduce((s, b) => s + cost(b), 0)
        const unseenCost = buys.filter((b) => !b.seen).reduce((s, b) => s + cost(b), 0)
        // The broker froze exactly what it has seen of ours.
        const r = commitCash({ cash, frozenCash: seenCost / 1000 }, buys)
        expect(Math.round(r.available * 1000)).toBe(Math.max(0, cash * 1000 - unseenCost))
        // Adding any buy never gives more cash.
        const more = commitCash({ cash, frozenCash: seenCost / 1000 }, [...buys, { price: 1, quantity: 100, filled: 0, fees: 5, open: true, seen: false }])
        expect(more.available).toBeLessThanOrEqual(r.available)
      }),
      { numRuns: 300 },
    )
  })

  it('buys accepted one after another with the working ones counted never push the exposure past the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100_000, max: 5_000_000 }),
        fc.integer({ min: 0, max: 90 }).map((n) => n / 100),
        fc.integer({ min: 10, max: 100 }).map((n) => n / 100),
        fc.array(entryArb, { minLength: 1, maxLength: 8 }),
        (asset, heldPct, capPct, entries) => {
          const marketValue = Math.floor(asset * heldPct)
          const cash = asset - marketValue
          const ours: CommittedBuy[] = []
          for (const e of entries) {
            const c = commitCash({ cash, frozenCash: 0 }, ours)
            const r = sizeOrder({ code: e.code, kind: 'ENTRY', quote: entryQuote(e.code, e.cents), now: NOW, account: { totalAsset: asset, cash: c.available }, sizing: { maxPositionPct: e.pct, minTradeAmount: 0 } })
            if (!r.ok) continue
            const risk = checkRisk({
              order: { code: e.code, side: 'buy', quantity: r.quantity, price: r.price },
              account: { totalAsset: asset, cash: c.available, marketValue, workingBuys: c.workingValue },
              limits: { maxExposurePct: capPct, maxOrderValue: null },
              activity: { ordersLastMinute: 0, activeOrdersForStock: { buy: 0, sell: 0 }, recentOrders: [], realizedLossToday: 0 },
              killSwitch: false,
              quoteAgeSec: 1,
              now: NOW,
            })
            if (!risk.ok) continue
            ours.push({ price: r.price, quantity: r.quantity, filled: 0, fees: r.estFees.total, open: true, seen: false })
          }
          const working = ours.reduce((s, b) => s + Math.round(b.price * 1000) * b.quantity, 0)
          if (ours.length) expect(Math.round(marketValue * 1000) + working).toBeLessThanOrEqual(Math.floor(asset * 1000 * capPct) + 1)
        },
      ),
      { numRuns: 300 },
    )
  })
})
