/**
 * Per-channel-instance sliding-window rate limiter. It never drops: it answers "wait N ms", and the
 * outbox schedules the delivery for then. In memory, per process (the only state in lib/notify).
 *
 * Defaults (per robot / per bot):
 *   DINGTALK 20 per minute (more gets "send too fast", then a ~10-minute block);
 *   WECOM 20 per minute; FEISHU 100 per minute and 5 per second;
 *   SERVERCHAN, BARK, EMAIL, WEBHOOK, WEBPUSH: no limit unless configured (setLimits / constructor;
 *   a push service's 429 blocks that subscription for its Retry-After).
 * Send times are kept only as long as the longest window in force for that instance, so an
 * unlimited instance keeps no history (a limit set on it later starts counting from then).
 */
import type { ChannelType } from './types'

export interface RateWindow {
  /** At most `max` sends within any `windowMs`. */
  max: number
  windowMs: number
}

export const DEFAULT_RATE_LIMITS: Readonly<Record<ChannelType, readonly RateWindow[]>> = {
  DINGTALK: [{ max: 20, windowMs: 60_000 }],
  WECOM: [{ max: 20, windowMs: 60_000 }],
  FEISHU: [
    { max: 100, windowMs: 60_000 },
    { max: 5, windowMs: 1_000 },
  ],
  SERVERCHAN: [],
  BARK: [],
  EMAIL: [],
  WEBHOOK: [],
  WEBPUSH: [],
}

export type AcquireResult = { ok: true } | { ok: false; waitMs: number }

interface Slot {
  stamps: number[]
  blockedUntil: number
}

export class SlidingWindowRateLimiter {
  private readonly now: () => number
  private readonly typeLimits: Record<ChannelType, readonly RateWindow[]>
  private readonly instanceLimits = new Map<string, readonly RateWindow[]>()
  private readonly slots = new Map<string, Slot>()

  constructor(opts: { now?: () => number; limits?: Partial<Record<ChannelType, readonly RateWindow[]>> } = {}) {
    this.now = opts.now ?? Date.now
    this.typeLimits = { ...DEFAULT_RATE_LIMITS, ...opts.limits }
  }

  private key(type: ChannelType, instanceId: string): string {
    return `${type}\u0000${instanceId}`
  }

  /** Overrides the windows of one channel instance (e.g. a user-configured email quota). */
  setLimits(type: ChannelType, instanceId: string, windows: readonly RateWindow[]): void {
    for (const w of windows) {
      if (!(Number.isInteger(w.max) && w.max > 0 && w.windowMs > 0)) throw new RangeError('rate window needs max ≥ 1 and windowMs > 0')
    }
    this.instanceLimits.set(this.key(type, instanceId), [...windows])
  }

  limitsFor(type: ChannelType, instanceId: string): readonly RateWindow[] {
    return this.instanceLimits.get(this.key(type, instanceId)) ?? this.typeLimits[type]
  }

  private slot(key: string, windows: readonly RateWindow[], now: number): Slot {
    let s = this.slots.get(key)
    if (!s) {
      s = { stamps: [], blockedUntil: 0 }
      this.slots.set(key, s)
    }
    const longest = windows.reduce((m, w) => Math.max(m, w.windowMs), 0)
    while (s.stamps.length > 0 && now - s.stamps[0] >= longest) s.stamps.shift()
    return s
  }

  private waitFor(s: Slot, windows: readonly RateWindow[], now: number): number {
    let wait = Math.max(0, s.blockedUntil - now)
    for (const w of windows) {
      const inWindow = s.stamps.filter((t) => now - t < w.windowMs)
      if (inWindow.length >= w.max) {
        // The oldest (count - max + 1) sends must leave the window first.
        const freeAt = inWindow[inWindow.length - w.max] + w.windowMs
        wait = Math.max(wait, freeAt - now)
      }
    }
    return wait
  }

  /** Milliseconds until one more message may be sent to this instance (0 = now). Records nothing. */
  check(type: ChannelType, instanceId: string): number {
    const now = this.now()
    const windows = this.limitsFor(type, instanceId)
    return this.waitFor(this.slot(this.key(type, instanceId), windows, now), windows, now)
  }

  /** Takes a slot and records the send if one is free now; otherwise says how long to wait. */
  tryAcquire(type: ChannelType, instanceId: string): AcquireResult {
    const now = this.now()
    const windows = this.limitsFor(type, instanceId)
    const s = this.slot(this.key(type, instanceId), windows, now)
    const waitMs = this.waitFor(s, windows, now)
    if (waitMs > 0) return { ok: false, waitMs }
    s.stamps.push(now)
    return { ok: true }
  }

  /** The platform said slow down (e.g. DeliveryFailure.retryAfterMs): nothing is free before now + ms. */
  blockFor(type: ChannelType, instanceId: string, ms: number): void {
    const now = this.now()
    const windows = this.limitsFor(type, instanceId)
    const s = this.slot(this.key(type, instanceId), windows, now)
    s.blockedUntil = Math.max(s.blockedUntil, now + Math.max(0, ms))
  }

  /** Forgets one instance (channel deleted or reconfigured) or everything. */
  reset(type?: ChannelType, instanceId?: string): void {
    if (type !== undefined && instanceId !== undefined) this.slots.delete(this.key(type, instanceId))
    else this.slots.clear()
  }
}
