/**
 * The paper exchange's state file: survives a restart (account, orders, clock, scenarios), order ids
 * are never reused (not after a restart, a reset or --fresh), writes are atomic.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MiniQMTInterface } from '@/lib/broker/miniqmt'
import { writeJsonAtomic } from '@/lib/paper/persist'
import { at, startSim, type Sim } from './helpers'

const dirs: string[] = []
const sims: Sim[] = []
function tmpFile(name = 'sim-state.json') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dingpan-sim-'))
  dirs.push(d)
  return path.join(d, 'nested', name)
}
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close()
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

async function open(stateFile: string, extra: Parameters<typeof startSim>[0] = {}) {
  const s = await startSim({ stateFile, ...extra })
  sims.push(s)
  const b = new MiniQMTInterface({ baseUrl: s.bridgeUrl, token: s.token, clock: () => s.exchange.now(), retry: { retries: 0 } })
  expect((await b.connect()).success).toBe(true)
  return { s, b }
}

describe('state file', () => {
  it('account, positions, orders, scenarios and the clock survive a restart; order ids continue', async () => {
    const file = tmpFile()
    const first = await open(file)
    await first.s.ctl('price', { code: '600000.SH', last: 10, prevClose: 10 })
    await first.s.ctl('scenario', { code: '601398.SH', name: 'gapDownStop' })
    const filled = await first.b.placeOrder({ code: '600000.SH', side: 'buy', quantity: 500, orderType: 'limit', price: 10, clientOrderId: 'keep1' })
    const resting = await first.b.placeOrder({ code: '600000.SH', side: 'buy', quantity: 100, orderType: 'limit', price: 9.9, clientOrderId: 'keep2' })
    await first.s.ctl('clock', { now: at('10:05').toISOString() })
    const before = { account: await first.b.getAccountInfo(), orders: await first.b.getOrders(), positions: await first.b.getPositions(), trades: await first.b.getTrades() }
    await first.s.close()
    sims.length = 0
    // the file is complete JSON and no temp file is left behind
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).kind).toBe('dingpan-paper-exchange')
    expect(fs.readdirSync(path.dirname(file))).toEqual(['sim-state.json'])

    // restart without an explicit start: the saved clock is resumed
    const second = await open(file, { start: undefined })
    expect(second.s.exchange.now()).toEqual(at('10:05'))
    expect(await second.b.getAccountInfo()).toEqual(before.account)
    expect(await second.b.getOrders()).toEqual(before.orders)
    expect(await second.b.getPositions()).toEqual(before.positions)
    expect(await second.b.getTrades()).toEqual(before.trades)
    expect(await second.b.findOrderByClientId('keep2')).toMatchObject({ orderId: resting.orderId, status: 50 })
    expect((await second.s.get<{ model: { scenarios: Record<string, { name: string }> } }>('state')).model.scenarios['601398.SH']).toMatchObject({ name: 'gapDownStop' })
    const next = await second.b.placeOrder({ code: '600000.SH', side: 'buy', quantity: 100, orderType: 'limit', price: 9.9, clientOrderId: 'after' })
    expect(next.orderId).toBe(resting.orderId! + 1)
    expect(filled.orderId).toBe(resting.orderId! - 1)
    // the resting order still works after the restart and can be cancelled
    expect(await second.b.cancelOrder(resting.orderId!)).toMatchObject({ success: true })
  })

  it('order ids are never reused: not after /control/reset, not with fresh: true', async () => {
    const file = tmpFile()
    const a = await open(file)
    await a.s.ctl('price', { code: '600000.SH', last: 10, prevClose: 10 })
    const first = await a.b.placeOrder({ code: '600000.SH', side: 'buy', quantity: 100, orderType: 'limit', price: 10, clientOrderId: 'a1' })
    await a.s.ctl('reset', { cash: 500_000 })
    expect(await a.b.getOrders()).toEqual([])
    expect((await a.b.getAccountInfo()).cash).toBe(500_000)
    const second = await a.b.placeOrder({ code: '600000.SH', side: 'buy', quantity: 100, orderType: 'limit', price: 10, clientOrderId: 'a2' })
    expect(second.orderId).toBe(first.orderId! + 1)
    await a.s.close()
    sims.length = 0
    const b = await open(file, { fresh: true })
    expect(await b.b.getOrders()).toEqual([])
    await b.s.ctl('price', { code: '600000.SH', last: 10, prevClose: 10 })
    const third = await b.b.placeOrder({ code: '600000.SH', side: 'buy', quantity: 100, orderType: 'limit', price: 10, clientOrderId: 'a3' })
    expect(third.orderId).toBe(second.orderId! + 1)
  })

  it('refuses to start on a file that is not a paper exchange state', async () => {
    const file = tmpFile()
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, JSON.stringify({ kind: 'something-else', version: 1 }))
    await expect(startSim({ stateFile: file })).rejects.toThrow(/not a paper exchange state file/)
    fs.writeFileSync(file, '{"kind": "dingpan-paper-exch')
    await expect(startSim({ stateFile: file })).rejects.toThrow(/JSON/)
  })

  it('writeJsonAtomic replaces the file in one step and leaves no temp files', () => {
    const file = tmpFile('x.json')
    writeJsonAtomic(file, { a: 1 })
    writeJsonAtomic(file, { a: 2, big: 'x'.repeat(100_000) })
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).a).toBe(2)
    expect(fs.readdirSync(path.dirname(file))).toEqual(['x.json'])
  })
})
