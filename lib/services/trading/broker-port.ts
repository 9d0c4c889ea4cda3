/**
 * The broker as the worker sees it: lib/broker's `Broker` (MiniQMTInterface over the QKA bridge, or
 * the in-process paper broker), whose placeOrder `outcome` tells apart "sent", "refused before
 * sending", "never left this machine" and "may be live".
 */
export type {
  Broker as BrokerPort,
  AccountInfo as BrokerAccount,
  BrokerPosition,
  BrokerOrder as BrokerOrderRecord,
  BrokerTrade as BrokerTradeRecord,
  PlaceOrderOutcome as PlaceOutcome,
} from '@/lib/broker/types'
