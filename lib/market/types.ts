/** Order side, as every rule in lib/market spells it. */
export type Side = 'buy' | 'sell'

/** Limit or exchange market order. */
export type OrderKind = 'limit' | 'market'
