/**
 * The in-process paper broker (BROKER=paper): the same engine fed by live-style quotes, its state in
 * a JSON file shared by processes under a lock. The cross-process test runs two real child processes.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { estimateFees } from '@/lib/market'
import { createBroker } from '@/lib/broker'
import { PaperBroker } from '@/lib/broker/paper-broker'
import { at, NEXT_DAY, q } from './helpers'

const dirs: string[] = []
function tmpFile() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dingpan-paper-'))
  dirs.push(d)
  return path.join(d, 'paper.json')
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

function broker(stateFile: string, clockAt: { now: Date }, over: Partial<ConstructorParameters<typeof PaperBroker>[0]> = {}) {
  return new PaperBroker({ stateFile, initialCash: 100_000, clock: () => clockAt.now, ...over })
}

describe('PaperBroker', () => {
  it('createBroker defaults to the paper broker', () => {
    const b = createBroker({ stateFile: tmpFile() })
    expect(b).toBeInstanceOf(PaperBroker)
    expect(b.kind).toBe('paper')
    expect(createBroker({ broker: 'paper', stateFile: tmpFile() })).toBeInstanceOf(PaperBroker)
  })

  it('connect creates the account file; orders need a connection', async () => {
    const file = tmpFile()
    const clock = { now: at('10:00') }
    const b = broker(file, clock)
    expect(await b.placeOrder({ code: '600000.SH', side: 'buy', quantity: 100, orderType: 'limit', price: 10, clientOrderId: 'c0' })).toMatchObject({ outcome: 'not_sent', code: 'NOT_CONNECTED' })
    expect(b.isConnected()).toBe(false)
    expect(await b.connect()).toMatchObject({ success: true })
    expect(b.isConnected()).toBe(true)
    expect(fs.existsSync(file)).toBe(true)
    expect(await b.getAccountInfo()).toEqual({ totalAsset: 100_000, cash: 100_000, frozenCash: 0, marketValue: 0, accountId: 'PAPER' })
  })

  it('refuses without a quote or with a stale one (nothing recorded); accepts with a fresh one', async () => {
    const clock = { now: at('10:00') }
    const b = broker(tmpFile(), clock)
    await b.connect()
    const order = { code: '600000.SH', side: 'buy' as const, quantity: 100, orderType: 'limit' as const, price: 10, clientOrderId: 'n1' }
    expect(await b.placeOrder(order)).toMatchObject({ success: false, outcome: 'rejected', code: 'QUOTE_MISSING' })
    await b.onQuotes([q({ time: at('09:59') })], at('09:59'))
    expect(await b.placeOrder(order)).toMatchObject({ success: false, outcome: 'rejected', code: 'QUOTE_STALE' })
    expect(await b.getOrders()).toEqual([])
    clock.now = at('09:59:10')
    const r = await b.placeOrder(order)
    expect(r).toMatchObject({ success: true, outcome: 'sent' })
    expect(await b.getOrder(r.orderId!)).toMatchObject({ status: 56, tradedVolume: 100, tradedPrice: 10, remark: 'n1', strategyName: 'dingpan' })
    // a bare code finds the stored quote of its canonical form
    expect(await b.placeOrder({ ...order, code: '600000', clientOrderId: 'n1b' })).toMatchObject({ outcome: 'sent' })
    // the quote passed with the order is used when it is newer than the stored one
    clock.now = at('10:30')
    expect(await b.placeOrder({ ...order, clientOrderId: 'n2', quote: q({ time: at('10:29:58') }) })).toMatchObject({ outcome: 'sent' })
  })

  it('the same pre-trade refusals as MiniQMTInterface (lots, limits, cage, T+1)', async () => {
    const clock = { now: at('10:00') }
    const b = broker(tmpFile(), clock)
    await b.connect()
    await b.onQuotes([q()], at('10:00'))
    const base = { code: '600000.SH', side: 'buy' as const, quantity: 100, orderType: 'limit' as const, price: 10, clientOrderId: 'p1' }
    expect(await b.placeOrder({ ...base, quantity: 150 })).toMatchObject({ outcome: 'rejected', code: 'QTY_NOT_WHOLE_LOTS' })
    expect(await b.placeOrder({ ...base, price: 11.5 })).toMatchObject({ outcome: 'rejected', code: 'PRICE_OUTSIDE_LIMITS' })
    expect(await b.placeOrder({ ...base, price: 10.3 })).toMatchObject({ outcome: 'rejected', code: 'PRICE_OUTSIDE_CAGE' })
    expect(await b.placeOrder({ ...base, side: 'sell' })).toMatchObject({ outcome: 'rejected', code: 'QTY_EXCEEDS_SELLABLE' })
    expect(await b.getOrders()).toEqual([])
  })

  it('a resting order fills when later quotes cross it; T+1 makes the shares sellable the next day', async () => {
    const file = tmpFile()
    const clock = { now: at('10:00') }
    const b = broker(file, clock)
    await b.connect()
    await b.onQuotes([q()], at('10:00'))
    const r = await b.placeOrder({ code: '600000.SH', side: 'buy', quantity: 1000, orderType: 'limit', price: 9.95, clientOrderId: 'rest' })
    expect(await b.getOrder(r.orderId!)).toMatchObject({ status: 50 })
    clock.now = at('10:01')
    await b.onQuotes([q({ last: 9.94, ask1: 9.94, levelVolume: 400, time: at('10:01') })], at('10:01'))
    expect(await b.getOrder(r.orderId!)).toMatchObject({ status: 55, tradedVolume: 1000 > 2000 ? 0 : expect.any(Number) })
    const partly = (await b.getOrder(r.orderId!))!.tradedVolume
    expect(partly).toBeGreaterThan(0)
    expect(partly).toBeLessThan(1000)
    clock.now = at('10:02')
    await b.onQuotes([q({ last: 9.93, ask1: 9.93, time: at('10:02') })], at('10:02'))
    expect(await b.getOrder(r.orderId!)).toMatchObject({ status: 56, tradedVolume: 1000, tradedPrice: 9.95 })
    expect((await b.getPositions())[0]).toMatchObject({ volume: 1000, canUseVolume: 0 })
    // next trading day: sellable
    clock.now = at('09:31', NEXT_DAY)
    await b.onQuotes([q({ last: 10.2, bid1: 10.2, ask1: 10.21, prevClose: 10, time: at('09:31', NEXT_DAY) })], clock.now)
    expect((await b.getPositions())[0]).toMatchObject({ volume: 1000, canUseVolume: 1000 })
    const s = await b.placeOrder({ code: '600000.SH', side: 'sell', quantity: 1000, orderType: 'limit', price: 10.2, clientOrderId: 'sell' })
    expect(await b.getOrder(s.orderId!)).toMatchObject({ status: 56, side: 'sell' })
    const fees = estimateFees({ code: '600000.SH', side: 'buy', price: 9.95, quantity: 1000 }).total + estimateFees({ code: '600000.SH', side: 'sell', price: 10.2, quantity: 1000 }).total
    expect((await b.getAccountInfo()).cash).toBeCloseTo(100_000 + 250 - fees, 3)
  })

  it('cancels, and a second instance on the same file sees the same account', async () => {
    const file = tmpFile()
    const clock = { now: at('10:00') }
    const a = broker(file, clock)
    const b2 = broker(file, clock)
    await a.connect()
    await b2.connect()
    await a.onQuotes([q()], at('10:00'))
    const r = await a.placeOrder({ code: '600000.SH', side: 'buy', quantity: 100, orderType: 'limit', price: 9.9, clientOrderId: 'shared' })
    expect(await b2.findOrderByClientId('shared')).toMatchObject({ orderId: r.orderId, status: 50 })
    expect(await b2.cancelOrder(r.orderId!)).toMatchObject({ success: true, outcome: 'requested' })
    expect(await a.getOrder(r.orderId!)).toMatchObject({ status: 54 })
    expect(await a.cancelOrder(r.orderId!)).toMatchObject({ success: false, outcome: 'refused' })
    // a placeOrder from b2 uses the quote a stored in the file
    expect(await b2.placeOrder({ code: '600000.SH', side: 'buy', quantity: 100, orderType: 'limit', price: 10, clientOrderId: 'viafile' })).toMatchObject({ outcome: 'sent' })
  })

  it('refuses a file that is not a paper account (not_sent, nothing overwritten)', async () => {
    const file = tmpFile()
    fs.writeFileSync(file, JSON.stringify({ kind: 'dingpan-paper-exchange', version: 1 }))
    const b = broker(file, { now: at('10:00') })
    expect((await b.connect()).success).toBe(false)
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).kind).toBe('dingpan-paper-exchange')
  })

  it('two processes placing orders at the same time: every order recorded once, ids unique (file lock)', async () => {
    const file = tmpFile()
    const clock = { now: at('10:00') }
    const b = broker(file, clock, { initialCash: 10_000_000 })
    await b.connect()
    await b.onQuotes([q({ levelVolume: 10_000_000 })], at('10:00'))
    const script = path.join(path.dirname(file), 'child.mts')
    const brokerModule = path.resolve('lib/broker/paper-broker.ts')
    fs.writeFileSync(
      script,
      `import { PaperBroker } from ${JSON.stringify(brokerModule)}
const [file, tag] = process.argv.slice(2)
const now = new Date(${at('10:00').getTime()})
const b = new PaperBroker({ stateFile: file, clock: () => now, maxQuoteAgeMs: 60_000 })
await b.connect()
const out = []
for (let i = 0; i < 15; i++) out.push((await b.placeOrder({ code: '600000.SH', side: 'buy', quantity: 100, orderType: 'limit', price: 10, clientOrderId: tag + i })).outcome)
console.log(JSON.stringify(out))
`,
    )
    const tsx = path.resolve('node_modules/tsx/dist/cli.mjs')
    const run = (tag: string) =>
      new Promise<string[]>((resolve, reject) => {
        const p = spawn(process.execPath, [tsx, script, file, tag], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] })
        let out = ''
        let err = ''
        p.stdout.on('data', (c) => (out += c))
        p.stderr.on('data', (c) => (err += c))
        p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`child ${tag} exited ${code}: ${err}`))))
      })
    const [x, y] = await Promise.all([run('x'), run('y')])
    expect([...x, ...y]).toEqual(new Array(30).fill('sent'))
    const orders = await b.getOrders()
    expect(orders).toHaveLength(30)
    expect(new Set(orders.map((o) => o.orderId)).size).toBe(30)
    expect(new Set(orders.map((o) => o.remark)).size).toBe(30)
    expect(orders.every((o) => o.status === 56)).toBe(true)
    const a = await b.getAccountInfo()
    const fee = estimateFees({ code: '600000.SH', side: 'buy', price: 10, quantity: 100 }).total
    expect(a.cash).toBeCloseTo(10_000_000 - 30 * (1000 + fee), 3)
  }, 60_000)
})
