/**
 * Retry delays for the outbox: exponential growth, random jitter, a cap, and the platform's own
 * Retry-After honoured as a floor.
 *
 * delay(attempt) = min(maxMs, baseMs · factor^(attempt − 1)) · (1 − jitter · r), r ∈ [0, 1)
 * then at least `retryAfterMs` (clamped to maxRetryAfterMs).
 * With the defaults (5 s, ×2, cap 10 min, jitter 0.5) the nominal delays are
 * 5 s, 10 s, 20 s, 40 s, 80 s, 160 s, 320 s: DEFAULT_MAX_ATTEMPTS = 8 attempts in total span
 * roughly 5–10 minutes, long enough to ride out a platform blip, short enough that a stop-loss
 * alert is not delivered hours late.
 */

/** Total attempts (the first send plus 7 retries). */
export const DEFAULT_MAX_ATTEMPTS = 8

export interface BackoffOptions {
  baseMs?: number
  factor?: number
  maxMs?: number
  /** 0 = no jitter; 0.5 = delay drawn from [50 %, 100 %] of the nominal value. */
  jitter?: number
  /** Platform's Retry-After / throttle hint: the delay is never shorter. */
  retryAfterMs?: number
  /** Upper bound for retryAfterMs (a hostile or broken server cannot park a delivery forever). */
  maxRetryAfterMs?: number
  /** Uniform [0, 1) source; injectable for tests. */
  random?: () => number
}

export const DEFAULT_BACKOFF = {
  baseMs: 5_000,
  factor: 2,
  maxMs: 10 * 60_000,
  jitter: 0.5,
  maxRetryAfterMs: 60 * 60_000,
} as const

/** Delay before retry number `attempt` (1 = the first retry, after the first failed send). */
export function nextDelayMs(attempt: number, opts: BackoffOptions = {}): number {
  const baseMs = opts.baseMs ?? DEFAULT_BACKOFF.baseMs
  const factor = opts.factor ?? DEFAULT_BACKOFF.factor
  const maxMs = opts.maxMs ?? DEFAULT_BACKOFF.maxMs
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? DEFAULT_BACKOFF.jitter))
  const random = opts.random ?? Math.random
  const n = Math.max(1, Math.floor(Number.isFinite(attempt) ? attempt : 1))
  // Exponent bounded so factor^(n-1) cannot overflow to Infinity before the cap applies.
  const nominal = Math.min(maxMs, baseMs * Math.pow(factor, Math.min(n - 1, 64)))
  const r = Math.min(Math.max(random(), 0), 1)
  const jittered = Math.round(nominal * (1 - jitter * r))
  const floor = Math.min(Math.max(0, opts.retryAfterMs ?? 0), opts.maxRetryAfterMs ?? DEFAULT_BACKOFF.maxRetryAfterMs)
  return Math.max(jittered, Math.round(floor))
}

/** Whether the outbox should try again after `attemptsMade` attempts ended in `result`. */
export function shouldRetry(result: { ok: boolean; retryable?: boolean }, attemptsMade: number, maxAttempts = DEFAULT_MAX_ATTEMPTS): boolean {
  return !result.ok && result.retryable === true && attemptsMade < maxAttempts
}
