/**
 * What the web app's pages and routes need from the environment, in one place: the runtime
 * defaults (the same the worker uses), the market clock in use, and the broker for a live call.
 */
import { env, type Env } from '@/lib/env'
import { createBroker } from '@/lib/broker'
import type { Broker } from '@/lib/broker/types'
import { resolveAccountBrokerConfig, resolveBrokerConfig } from './broker-config'
import { getAccountRow } from '@/lib/db/broker-accounts'
import { readMarketClock, type MarketClockReading } from './market-clock-view'
import type { RuntimeDefaults } from './runtime-settings'

export function runtimeDefaults(e: Env = env()): RuntimeDefaults {
  return {
    intervalSeconds: e.MONITOR_INTERVAL_SECONDS,
    quoteProviders: e.QUOTE_PROVIDERS.split(',').map((s) => s.trim()).filter(Boolean),
    maxQuoteAgeSec: e.QUOTE_MAX_AGE_SECONDS,
  }
}

export function marketClock(e: Env = env()): Promise<MarketClockReading> {
  return readMarketClock({ mode: e.MARKET_CLOCK, simUrl: e.SIM_URL })
}

export function workerStaleSeconds(e: Env = env()): number {
  return e.WORKER_STALE_SECONDS
}

/**
 * A broker client for one request, with the configured (settings or environment) connection and
 * the market clock in use (the bridge checks trading phases against it). Not connected yet.
 */
export async function brokerForRequest(clock: MarketClockReading, e: Env = env()): Promise<Broker> {
  const cfg = await resolveBrokerConfig(e)
  const now = () => (clock.mode === 'sim' && clock.now ? new Date(clock.now.getTime()) : new Date())
  return createBroker({ ...cfg, clock: clock.mode === 'sim' ? now : undefined })
}

export type BrokerFactory = () => Promise<Broker>

/**
 * True when orders go to the paper exchange, not a real account: the in-process paper broker, or
 * the demo (the paper exchange's simulated clock and bridge). The UI says 模拟盘 / Paper then.
 */
export function brokerIsPaper(e: Env = env()): boolean {
  return e.broker === 'paper' || e.MARKET_CLOCK === 'sim'
}

/**
 * A broker client for one request on one account (issue 13): the account's own connection (its
 * bridge and token, or its paper state); the default account while the environment defines it is
 * exactly brokerForRequest. The caller has checked the user sees the account. Not connected yet.
 */
export async function brokerForAccountRequest(accountId: number, clock: MarketClockReading, e: Env = env()): Promise<Broker> {
  const row = await getAccountRow(accountId)
  if (!row) throw new Error(`broker account ${accountId} not found`)
  const cfg = await resolveAccountBrokerConfig(row, e)
  const now = () => (clock.mode === 'sim' && clock.now ? new Date(clock.now.getTime()) : new Date())
  return createBroker({ ...cfg, clock: clock.mode === 'sim' ? now : undefined })
}
