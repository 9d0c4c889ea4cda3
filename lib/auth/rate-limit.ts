/**
 * Sign-in attempt limiter: attempts are counted per account (the e-mail address alone) and per
 * client address in a sliding window; over the limit, sign-in is refused — even with the right
 * password — until the window has room again. In memory: sign-in runs only in the web process.
 *
 * Two rules make it hold against a scripted attacker:
 * - the account key does not include the address: the address comes from X-Forwarded-For, which a
 *   client can set to anything (Next fills it in only when absent), so an account+address key was
 *   reset by sending a new header value with every guess;
 * - an attempt is counted when it starts (`begin`), before the password is checked, so guesses sent
 *   in parallel cannot all pass the check while the first ones are still hashing.
 */
export interface LimitRule {
  max: number
  windowMs: number
}

/** Keys kept before idle ones are swept (bounded memory under a flood of distinct e-mails). */
const SWEEP_AT = 10_000

export class SlidingWindowLimiter {
  private hits = new Map<string, number[]>()
  constructor(private readonly rule: LimitRule) {}

  /** Milliseconds until another attempt is allowed (0 = allowed now). */
  retryAfter(key: string, now: number): number {
    const list = this.prune(key, now)
    if (list.length < this.rule.max) return 0
    return list[0]! + this.rule.windowMs - now
  }

  hit(key: string, now: number): void {
    const list = this.prune(key, now)
    list.push(now)
    this.hits.set(key, list)
    if (this.hits.size > SWEEP_AT) for (const k of [...this.hits.keys()]) this.prune(k, now)
  }

  /** Takes back one hit recorded at `at` (an attempt that turned out to be legitimate). */
  undo(key: string, at: number): void {
    const list = this.hits.get(key)
    const i = list?.lastIndexOf(at) ?? -1
    if (!list || i < 0) return
    list.splice(i, 1)
    if (list.length === 0) this.hits.delete(key)
  }

  reset(key: string): void {
    this.hits.delete(key)
  }

  private prune(key: string, now: number): number[] {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.rule.windowMs)
    if (list.length) this.hits.set(key, list)
    else this.hits.delete(key)
    return list
  }
}

export const SIGN_IN_MAX_PER_ACCOUNT = 5
export const SIGN_IN_MAX_PER_ADDRESS = 20
export const SIGN_IN_WINDOW_MS = 15 * 60_000

export interface SignInAttempt {
  /** Milliseconds to wait; 0 when the attempt may proceed (it is then counted). */
  retryAfterMs: number
  /** Call with true after a correct password: clears the account's count and gives back this attempt. */
  finish(ok: boolean): void
}

export function createSignInLimiter(rule = { perAccount: SIGN_IN_MAX_PER_ACCOUNT, perAddress: SIGN_IN_MAX_PER_ADDRESS, windowMs: SIGN_IN_WINDOW_MS }) {
  const perAccount = new SlidingWindowLimiter({ max: rule.perAccount, windowMs: rule.windowMs })
  const perAddress = new SlidingWindowLimiter({ max: rule.perAddress, windowMs: rule.windowMs })
  return {
    /** Checks and, when allowed, counts the attempt in the same synchronous step. */
    begin(email: string, ip: string, now = Date.now()): SignInAttempt {
      const wait = Math.max(perAccount.retryAfter(email, now), perAddress.retryAfter(ip, now))
      if (wait > 0) return { retryAfterMs: wait, finish: () => undefined }
      perAccount.hit(email, now)
      perAddress.hit(ip, now)
      return {
        retryAfterMs: 0,
        finish(ok: boolean) {
          if (!ok) return
          perAccount.reset(email)
          perAddress.undo(ip, now)
        },
      }
    },
  }
}

export const signInLimiter = createSignInLimiter()
