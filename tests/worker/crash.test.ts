// The worker process is killed with SIGKILL at each point of the trigger → order path and
// restarted: at most one order reaches the bridge per trigger, and every trigger ends in a final,
// told outcome. Real processes, real paper exchange, real database.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { startPaperExchange, type PaperExchangeHandle } from '@/lib/paper'
import { createUser } from '@/lib/db/users'
import { createStock } from '@/lib/db/stocks'
import { stockInputSchema } from '@/lib/schemas/stock'
import { startWorker, waitFor, type Proc } from '../../scripts/stack'
import { createTestDb, type TestDb } from '../helpers/db'
import type { CrashPoint } from '@/lib/services/trading/crash-points'
import { at, MONDAY } from './helpers'

let cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined)
  cleanup = []
})

async function setup(): Promise<{ db: TestDb; sim: PaperExchangeHandle; env: Record<string, string> }> {
  const db = await createTestDb('sqlite')
  process.env.DATABASE_URL = db.url
  const sim = await startPaperExchange({ stateFile: null, scenario: 'none', start: at(MONDAY, '09:30:00'), paused: true, cash: 1_000_000, seed: 3 })
  cleanup.push(async () => {
    await sim.close()
    await getDb().$disconnect()
    await db.drop()
  })
  await fetch(`${sim.url}/control/price`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-token': sim.controlToken },
    body: JSON.stringify({ code: '600000.SH', last: 9.05, asks: [{ price: 9.05, volume: 1_000_000 }] }),
  })
  const user = await createUser('crash@example.com', 'x', 'ADMIN')
  await createStock(user.id, stockInputSchema.parse({ code: '600000.SH', name: '浦发银行', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.50', stopLoss: '8.80', quant: { autoTrade: true, maxPositionPct: 10 } }))
  const bridge = new URL(sim.bridgeUrl)
  const env = {
    DATABASE_URL: db.url,
    BROKER: 'qmt',
    MINIQMT_HOST: bridge.hostname,
    MINIQMT_PORT: bridge.port,
    MINIQMT_TOKEN: sim.token,
    MINIQMT_TIMEOUT_MS: '1500',
    QUOTE_PROVIDERS: 'tencent',
    QUOTE_TENCENT_URL: sim.url,
    MARKET_CLOCK: 'sim',
    SIM_URL: sim.url,
    MONITOR_INTERVAL_SECONDS: '1',
    ORDER_ABSENT_GRACE_SECONDS: '2',
    LOG_LEVEL: 'warn',
  }
  return { db, sim, env }
}

async function simState(sim: PaperExchangeHandle) {
  const res = await fetch(`${sim.url}/control/state`, { headers: { 'x-token': sim.controlToken } })
  return (await res.json()) as { orders: unknown[]; requests: Record<string, number> }
}

function track(p: Proc): Proc {
  cleanup.push(() => p.stop('SIGKILL', 1_000))
  return p
}

const POINTS: Array<[CrashPoint, 'FILLED' | 'FAILED']> = [
  ['in-signal-tx', 'FILLED'], // never committed: the restarted worker fires the signal again
  ['after-commit', 'FILLED'], // intent committed, never sent: sent once after restart
  ['after-claim', 'FAILED'], // SENDING but never sent: reconciled, proven absent, failed — not resent
  ['after-send', 'FILLED'], // live at the bridge, unrecorded: found by clientOrderId and adopted
  ['after-record', 'FILLED'], // recorded: tracking simply continues
]

describe('crash recovery (SIGKILL) on the trigger → order path', () => {
  it.each(POINTS)('killed at %s → at most one order, final outcome %s', async (point, final) => {
    const { sim, env } = await setup()
    const crashing = track(startWorker({ ...env, DINGPAN_CRASH_POINT: point }))
    const code = await Promise.race([crashing.exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 30_000))])
    expect(code, `worker should have been killed at ${point}\n${crashing.output()}`).not.toBe('alive')
    expect(crashing.child.signalCode).toBe('SIGKILL')

    const restarted = track(startWorker(env))
    await waitFor(
      'a final order outcome',
      async () => {
        const o = await getDb().order.findFirst()
        return !!o && ['FILLED', 'FAILED', 'CANCELLED', 'REJECTED'].includes(o.status)
      },
      60_000,
      250,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\n--- restarted worker ---\n${restarted.output()}`)
    })
    const orders = await getDb().order.findMany()
    const triggers = await getDb().triggerEvent.findMany()
    const state = await simState(sim)
    expect(triggers).toHaveLength(1)
    expect(orders).toHaveLength(1)
    expect(orders[0]!.status).toBe(final)
    expect(state.requests.order_stock ?? 0).toBe(final === 'FAILED' ? 0 : 1)
    expect(state.orders).toHaveLength(final === 'FAILED' ? 0 : 1)
    expect(['FILLED', 'FAILED']).toContain(triggers[0]!.outcome)
    const told = await getDb().notification.findMany({ where: { orderId: orders[0]!.id } })
    expect(told.some((n) => ['ORDER_FILLED', 'ORDER_FAILED', 'ORDER_RECONCILED'].includes(n.type))).toBe(true)
  })
})
