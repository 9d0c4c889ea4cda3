/**
 * What the web app's pages and routes need from the environment, in one place: the runtime
 * defaults (the same the worker uses), the market clock in use, and the broker for a live call.
 */
import { env, type Env } from '@/lib/env'
import { createBroker } from '@/lib/broker'
import type { Broker } from '@/lib/broker/types'
import { resolveBrokerConfig } from './broker-config'
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
