/**
 * lib/broker — the broker layer: the QKA bridge client, MiniQMTInterface (real MiniQMT) and the
 * in-process paper broker. The paper exchange it talks to in demos and tests is lib/paper.
 * Imports lib/market, lib/quotes and npm packages only (paper-broker.ts also lib/paper's engine);
 * never reads process.env.
 */
import { MiniQMTInterface } from './miniqmt'
import { PaperBroker } from './paper-broker'
import type { Broker, BrokerConfig } from './types'

export * from './types'
export * from './errors'
export { QkaClient, DEFAULT_BRIDGE_TIMEOUT_MS, type QkaClientOptions, type CallOptions, type RetryPolicy, type QkaStats } from './qka-client'
export { MiniQMTInterface, type MiniQMTOptions } from './miniqmt'
export { probeSimulatedBridge, PAPER_BRIDGE_HEADER } from './simulated'
export { PaperBroker, type PaperBrokerOptions } from './paper-broker'
export { preTradeCheck, isValidClientOrderId, MAX_CLIENT_ORDER_ID_LENGTH, STRATEGY_NAME } from './validate'
export { executeStrategySignal } from './strategy'
export { toAccountInfo, toOrder, toPosition, toTrade } from './records'
export * from './xt-schemas'

/**
 * BROKER=paper (default) → the in-process paper broker; BROKER=qmt → MiniQMTInterface.
 * The configuration is a plain object: the caller reads the environment.
 */
export function createBroker(config: BrokerConfig): Broker {
  if (config.broker === 'qmt') {
    return new MiniQMTInterface({ baseUrl: config.baseUrl, token: config.token, accountId: config.accountId, timeoutMs: config.timeoutMs, clock: config.clock, logger: config.logger })
  }
  return new PaperBroker({
    stateFile: config.stateFile,
    initialCash: config.initialCash,
    accountId: config.accountId,
    clock: config.clock,
    maxQuoteAgeMs: config.maxQuoteAgeMs,
    feeRates: config.feeRates,
    logger: config.logger,
  })
}
