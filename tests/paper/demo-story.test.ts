/**
 * The demo story, verified end to end: the paper exchange with the demo scenarios, lib/market's
 * real trigger machine (evaluate / applyOrderOutcome) fed with the exchange's quotes every 3 market
 * seconds, orders sized and risk-checked by executeStrategySignal and sent through MiniQMTInterface
 * over HTTP, with the demo seed's sizing (20 %) and the default risk limits. The suggested monitor levels of DEMO_SCENARIOS must produce: an entry fill in the first
 * hour, a take-profit on a held stock, a gap through a stop at the open, a limit-up lock where the
 * entry cannot fill, T+1 exits on the next day, and nothing at all on the quiet and suspended codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyOrderOutcome, emptyMemo, evaluate, shanghaiDate, type MonitorInput, type MonitorState, type TriggerKind, type TriggerMemo } from '@/lib/market'
import { MiniQMTInterface } from '@/lib/broker/miniqmt'
import { DEMO_SCENARIOS } from '@/lib/paper/scenarios'
import { isWorking } from '@/lib/paper/engine'
import { at, DAY, NEXT_DAY, startSim, type Sim } from './helpers'

interface Mon {
  code: string
  state: MonitorState
  episode: number
  memo: TriggerMemo
  highest: number | null
  levels: (typeof DEMO_SCENARIOS)[number]['monitor']
}
interface Placed {
  code: string
  kind: TriggerKind
  orderId: number
  at: Date
  done: boolean
  status?: number
  filled?: number
}

let sim: Sim
const placed: Placed[] = []
const signals: Array<{ code: string; kind: TriggerKind; action: string; at: Date }> = []

beforeAll(async () => {
  sim = await startSim({ scenario: 'demo', start: at('09:14'), paused: true })
  const ex = sim.exchange
  const b = new MiniQMTInterface({ baseUrl: sim.bridgeUrl, token: sim.token, clock: () => ex.now(), retry: { retries: 0 } })
  expect((await b.connect()).success).toBe(true)
  const mons: Mon[] = DEMO_SCENARIOS.map((s) => ({ code: s.code, state: s.monitor.holding ? 'HOLDING' : 'WATCHING', episode: 1, memo: emptyMemo(), highest: null, levels: s.monitor }))
  let n = 0
  const end = at('11:00', NEXT_DAY).getTime()
  while (ex.now().getTime() < end) {
    ex.tick(3)
    const now = ex.now()
    // finished orders → the state machine
    for (const p of placed.filter((x) => !x.done)) {
      const o = ex.engine.state.orders.find((x) => x.orderId === p.orderId) ?? ex.engine.state.history.orders.find((x) => x.orderId === p.orderId)
      if (!o || isWorking(o)) continue
      p.done = true
      p.status = o.status
      p.filled = o.tradedVolume
      const m = mons.find((x) => x.code === p.code)!
      const outcome = o.status === 56 ? 'filled' : o.status === 53 ? 'partially_cancelled' : o.status === 54 ? 'cancelled' : 'rejected'
      const t = applyOrderOutcome(
        { state: m.state, episode: m.episode, highestSinceEntry: m.highest, memo: m.memo },
        { side: o.side, kind: p.kind, filledQuantity: o.tradedVolume, avgPrice: o.tradedVolume ? o.tradedValueMilli / o.tradedVolume / 1000 : null, outcome, remainingVolume: ex.engine.state.positions[p.code]?.volume ?? 0, cancelledBy: 'system', now },
      )
      Object.assign(m, { state: t.state, episode: t.episode, highest: t.highestSinceEntry, memo: t.memo })
    }
    for (const m of mons) {
      const quote = ex.quote(m.code, now)
      const pos = ex.engine.state.positions[m.code]
      const input: MonitorInput = {
        code: m.code,
        enabled: true,
        state: m.state,
        episode: m.episode,
        ...m.levels,
        autoTrade: true,
        autoStopLoss: true,
        autoTakeProfit: true,
        highestSinceEntry: m.highest,
        position: pos ? { volume: pos.volume, canUseVolume: pos.canUseVolume } : m.state === 'HOLDING' ? { volume: 0, canUseVolume: 0 } : null,
        memo: m.memo,
        options: { allowAuctions: false, antiSpikeCount: 1, maxQuoteAgeSec: 30 },
      }
      const r = evaluate(input, quote, now)
      Object.assign(m, { state: r.state, highest: r.highestSinceEntry, memo: r.memo })
      for (const s of r.signals) {
        signals.push({ code: s.code, kind: s.kind, action: s.action, at: now })
        if (s.action !== 'order') continue
        const working = ex.engine.state.orders.filter((o) => o.code === m.code && isWorking(o))
        const res = await b.executeStrategySignal(s, {
          quote,
          now,
          clientOrderId: `demo${n++}`,
          // the demo seed's quant settings; risk limits are lib/market's defaults (200,000 per order)
          sizing: { maxPositionPct: 0.2, minTradeAmount: 5000 },
          risk: {
            killSwitch: false,
            activity: {
              ordersLastMinute: 0,
              activeOrdersForStock: { buy: working.filter((o) => o.side === 'buy').length, sell: working.filter((o) => o.side === 'sell').length },
              recentOrders: [],
              realizedLossToday: 0,
            },
          },
        })
        expect(res.status, `${s.code} ${s.kind}: ${JSON.stringify(res)}`).toBe('placed')
        if (res.status === 'placed') placed.push({ code: s.code, kind: s.kind, orderId: res.orderId, at: now, done: false })
      }
    }
  }
}, 120_000)

afterAll(async () => {
  await sim.close()
})

const orderOf = (code: string, kind: TriggerKind) => placed.filter((p) => p.code === code && p.kind === kind)
const minutesAfterOpen = (t: Date, day: string) => (t.getTime() - at('09:30', day).getTime()) / 60_000

describe('DEMO_SCENARIOS drive the real trigger machine through a compressed trading day', () => {
  it('600000.SH: the entry fills within the first hour; the take-profit sells at the next day’s open (T+1)', () => {
    const [entry] = orderOf('600000.SH', 'ENTRY')
    expect(entry).toBeDefined()
    expect(shanghaiDate(entry!.at)).toBe(DAY)
    expect(minutesAfterOpen(entry!.at, DAY)).toBeLessThan(60)
    expect(entry).toMatchObject({ status: 56 })
    const tp = orderOf('600000.SH', 'TAKE_PROFIT')
    expect(tp).toHaveLength(1)
    expect(shanghaiDate(tp[0]!.at)).toBe(NEXT_DAY)
    expect(minutesAfterOpen(tp[0]!.at, NEXT_DAY)).toBeLessThan(5)
    expect(tp[0]).toMatchObject({ status: 56, filled: entry!.filled })
  })

  it('000001.SZ (held): the take-profit sells during the first morning', () => {
    const tp = orderOf('000001.SZ', 'TAKE_PROFIT')
    expect(tp).toHaveLength(1)
    expect(shanghaiDate(tp[0]!.at)).toBe(DAY)
    expect(minutesAfterOpen(tp[0]!.at, DAY)).toBeGreaterThan(30)
    expect(minutesAfterOpen(tp[0]!.at, DAY)).toBeLessThan(120)
    expect(tp[0]).toMatchObject({ status: 56, filled: 2000 })
  })

  it('601398.SH (held): gaps through the stop-loss and sells at 09:30', () => {
    const sl = orderOf('601398.SH', 'STOP_LOSS')
    expect(sl).toHaveLength(1)
    expect(shanghaiDate(sl[0]!.at)).toBe(DAY)
    expect(minutesAfterOpen(sl[0]!.at, DAY)).toBeLessThan(1)
    expect(sl[0]).toMatchObject({ status: 56, filled: 5000 })
  })

  it('300750.SZ: the entry fills within the first hour; the next day it gaps through the stop and sells at the open', () => {
    const [entry] = orderOf('300750.SZ', 'ENTRY')
    expect(entry).toBeDefined()
    expect(minutesAfterOpen(entry!.at, DAY)).toBeLessThan(60)
    expect(entry).toMatchObject({ status: 56 })
    const sl = orderOf('300750.SZ', 'STOP_LOSS')
    expect(sl).toHaveLength(1)
    expect(shanghaiDate(sl[0]!.at)).toBe(NEXT_DAY)
    expect(minutesAfterOpen(sl[0]!.at, NEXT_DAY)).toBeLessThan(1)
    expect(sl[0]).toMatchObject({ status: 56, filled: entry!.filled })
  })

  it('688111.SH: locked at limit-up with no asks — the entry order never fills and expires at the close', () => {
    const [entry] = orderOf('688111.SH', 'ENTRY')
    expect(entry).toBeDefined()
    expect(entry).toMatchObject({ status: 54, filled: 0 })
  })

  it('510300.SH (quiet) and 600300.SH (suspended): no signal at all', () => {
    expect(signals.filter((s) => s.code === '510300.SH' || s.code === '600300.SH')).toEqual([])
  })

  it('no order was ever refused or duplicated', () => {
    const keys = placed.map((p) => `${p.code}:${p.kind}:${shanghaiDate(p.at)}`)
    expect(new Set(keys).size).toBe(keys.length)
    expect(placed.length).toBe(7)
  })
})
