/**
 * Historical K-line (candle) sources: shared shapes and errors.
 *
 * A bar is normalised at parse time (history-sources.md §0): `time` is the bar END as an instant
 * (daily bars: 15:00 Asia/Shanghai of the trading day; minute bars: the source's bar-end label),
 * prices in yuan, volume in shares, amount in yuan or null when the source has none.
 */
export type HistoryPeriod = 'day' | 'm1' | 'm5' | 'm15' | 'm30' | 'm60'
export type HistoryAdjust = 'none' | 'qfq' | 'hfq'

export const HISTORY_PERIODS: readonly HistoryPeriod[] = ['day', 'm1', 'm5', 'm15', 'm30', 'm60']

export interface HistoryBar {
  /** Bar end (instant). */
  time: Date
  /** Asia/Shanghai trading day `YYYY-MM-DD`. */
  day: string
  period: HistoryPeriod
  open: number
  high: number
  low: number
  close: number
  volumeShares: number
  amountYuan: number | null
  adjust: HistoryAdjust
  source: string
  /** The latest bar of a series may still be forming (marked by the caller's clock; parsers set false). */
  partial: boolean
}

export interface HistoryRequest {
  /** Canonical code, `600000.SH`. */
  code: string
  period: HistoryPeriod
  adjust: HistoryAdjust
  /** Inclusive `YYYY-MM-DD` bounds; null = open. */
  start: string | null
  end: string | null
  /** Maximum bars (the newest ones ending at `end`). */
  count: number
}

export interface HistorySeries {
  code: string
  period: HistoryPeriod
  /** The adjustment actually applied (a source can return unadjusted data for an index). */
  adjust: HistoryAdjust
  source: string
  bars: HistoryBar[]
  /** Close before the first bar when the source reports it. */
  prevClose: number | null
}

/**
 * - no_data: the source answered and knows the code, but there are no bars in the range;
 * - unknown_code: the source does not know the code (or rejects its form);
 * - unsupported: this source cannot serve the period/adjust asked (e.g. Tencent minute bars with qfq);
 * - source_down: transport failure (timeout, refused, HTTP error, blocked page);
 * - malformed: an answer that is not the expected format.
 */
export type HistoryErrorKind = 'no_data' | 'unknown_code' | 'unsupported' | 'source_down' | 'malformed'

export class HistorySourceError extends Error {
  override readonly name = 'HistorySourceError'
  readonly kind: HistoryErrorKind
  readonly source: string

  constructor(kind: HistoryErrorKind, source: string, message: string, opts: { cause?: unknown } = {}) {
    super(`${source}: ${kind}: ${message}`, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.kind = kind
    this.source = source
  }
}

export function isHistorySourceError(e: unknown): e is HistorySourceError {
  return e instanceof HistorySourceError
}

export interface HistoryProvider {
  readonly id: string
  /** Whether this provider can serve the request's period and adjustment at all. */
  supports(req: Pick<HistoryRequest, 'period' | 'adjust'>): boolean
  fetch(req: HistoryRequest, signal?: AbortSignal): Promise<HistorySeries>
}
