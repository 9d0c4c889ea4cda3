/**
 * Contracts shared by every live quote provider (Tencent, Sina, Eastmoney, ...).
 *
 * A provider turns a batch of canonical codes (`600000.SH`) into one outcome per requested code.
 * Per-code trouble (unknown code, empty record, unparsable record) is reported per code so one bad
 * code never fails the batch. Anything that makes the whole response unusable (HTTP error, timeout,
 * refused connection, an anti-scraping page, a body that is not the expected format at all) rejects
 * with a {@link QuoteSourceError}.
 */
import type { Quote } from '../market/quote'

/** Why a requested code got no quote although the provider answered. */
export type CodeProblem =
  /** The source says it does not know the code (Tencent `v_pv_none_match`, missing row, invalid code). */
  | 'unknown_code'
  /** The source answered with an empty record for the code (Tencent `v_sh999999="";`). */
  | 'empty'
  /** A record for the code was present but could not be parsed into a trustworthy quote. */
  | 'malformed'

export type CodeOutcome =
  | { ok: true; quote: Quote }
  | { ok: false; problem: CodeProblem; detail?: string }

export interface ProviderResult {
  /** Exactly one entry per distinct requested code. */
  byCode: Map<string, CodeOutcome>
  /** Non-fatal oddities worth logging (unit cross-check disagreements, duplicate records...). */
  warnings: string[]
}

export interface QuoteProvider {
  /** Stable provider id; also the `source` of every quote it produces. */
  readonly id: string
  /** Largest number of codes the provider sends in one request. */
  readonly maxBatch: number
  /**
   * Fetch quotes for canonical codes. Codes beyond `maxBatch` are split into sequential requests.
   * Rejects with {@link QuoteSourceError} on transport failure; rejects with the signal's reason
   * when `signal` aborts.
   */
  fetch(codes: string[], signal?: AbortSignal): Promise<ProviderResult>
}

export type QuoteSourceErrorKind = 'timeout' | 'http' | 'network' | 'blocked' | 'malformed'

/** A whole request to a quote source failed; none of its codes were delivered. */
export class QuoteSourceError extends Error {
  override readonly name = 'QuoteSourceError'
  readonly kind: QuoteSourceErrorKind
  readonly provider: string
  /** HTTP status when kind is `http`. */
  readonly status?: number

  constructor(
    kind: QuoteSourceErrorKind,
    provider: string,
    message: string,
    opts: { status?: number; cause?: unknown } = {},
  ) {
    super(`${provider}: ${kind}: ${message}`, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.kind = kind
    this.provider = provider
    if (opts.status !== undefined) this.status = opts.status
  }
}

export function isQuoteSourceError(e: unknown): e is QuoteSourceError {
  return e instanceof QuoteSourceError
}
