/**
 * The broker as the worker sees it: lib/broker's `Broker` (MiniQMTInterface over the QKA bridge, or
 * the in-process paper broker), whose placeOrder `outcome` tells apart "sent", "refused before
 * sending", "never left this machine" and "may be live", and whose `listOrders`/`listTrades` tell a
 * `{}` answer (nothing shown — possibly a logged-out MiniQMT) from a real list.
 */
export type {
  Broker as BrokerPort,
  AccountInfo as BrokerAccount,
  BrokerList,
  BrokerPosition,
  BrokerOrder as BrokerOrderRecord,
  BrokerTrade as BrokerTradeRecord,
  PlaceOrderOutcome as PlaceOutcome,
} from '@/lib/broker/types'
/** The strategy_name every DingPan order carries (with its clientOrderId as the remark). */
export { STRATEGY_NAME } from '@/lib/broker/validate'
