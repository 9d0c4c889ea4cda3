/**
 * A broker client for one web request on a given broker account (issue 13): the account's own
 * connection (its bridge and token, or its paper state file) and the market clock in use. A cancel
 * of an order goes through the broker of the order's account, never another account's bridge
 * (bridge order ids are per bridge: the same number may be another account's order elsewhere).
 */
import { env as readEnv, type Env } from '@/lib/env'
import { createBroker } from '@/lib/broker'
import type { Broker } from '@/lib/broker/types'
import { getWorkerAccount } from '@/lib/db/worker-accounts'
import { resolveAccountBrokerConfig } from './broker-config'
import { readMarketClock } from './market-clock-view'

export async function brokerForAccountRequest(brokerAccountId: number, e: Env = readEnv()): Promise<Broker> {
  const row = await getWorkerAccount(brokerAccountId)
  if (!row) throw new Error(`broker account ${brokerAccountId} not found`)
  const cfg = await resolveAccountBrokerConfig(row, e)
  const clock = await readMarketClock({ mode: e.MARKET_CLOCK, simUrl: e.SIM_URL })
  const now = () => (clock.mode === 'sim' && clock.now ? new Date(clock.now.getTime()) : new Date())
  return createBroker({ ...cfg, clock: clock.mode === 'sim' ? now : undefined })
}
