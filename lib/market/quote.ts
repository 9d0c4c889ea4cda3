/**
 * The one normalised quote shape every provider produces and every rule consumes.
 * Prices are yuan with at most 3 decimals (exact when converted to integer mills with toMilli);
 * volumes are shares; amounts are yuan. Units are normalised by the parser, never downstream.
 */
export interface BookLevel {
  /** Price in yuan; levels with no price are omitted, never reported as 0. */
  price: number
  /** Volume in shares. */
  volume: number
}

export interface Quote {
  /** Canonical code, e.g. `600000.SH`. */
  code: string
  name: string
  /** Last traded price; 0 means "no valid price" and never fires a trigger. */
  last: number
  prevClose: number
  open: number
  high: number
  low: number
  /** Cumulative volume today, in shares. */
  volume: number
  /** Cumulative turnover today, in yuan. */
  amount: number
  /** Best first; up to 5 levels; empty levels left out. */
  bids: BookLevel[]
  asks: BookLevel[]
  /** Exchange-published limit prices when the source has them; null when unknown or no limit applies. */
  limitUp: number | null
  limitDown: number | null
  /** Exchange time of the quote (the source's timestamp, Asia/Shanghai converted to an instant). */
  time: Date
  /** Not tradable now: suspended, delisted, not yet listed, or no valid price. */
  suspended: boolean
  /** Provider id, e.g. `tencent`, `sina`, `eastmoney`, `paper`. */
  source: string
}
