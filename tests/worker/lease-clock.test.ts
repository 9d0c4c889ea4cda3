// The lease is decided by the database's clock, not the workers': two workers whose process clocks
// disagree by 30 s (hosts without NTP, a VM resumed from suspend) still never both hold the lease,
// a standby whose clock runs fast does not depose a live worker, and a real lapse is still taken over.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { getDb } from '@/lib/db/client'
import { LEASE_NAME, type MonitorWorker } from '@/lib/services/trading/worker'
import { providers } from '../helpers/db'
import { startWorkerHarness, type WorkerHarness } from './helpers'

const SKEW_MS = 30_000
const TTL_MS = 1_500

let h: WorkerHarness | null = null
afterEach(async () => {
  vi.useRealTimers()
  await h?.close()
  h = null
})

/** Runs one lease renewal as a host whose wall clock is off by `skewMs` (only Date is faked). */
async function renewAs(w: MonitorWorker, skewMs: number): Promise<boolean> {
  const real = Date.now()
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(real + skewMs)
  try {
    return await w.renewLease()
  } finally {
    vi.useRealTimers()
  }
}

async function lease() {
  return getDb().workerLease.findUniqueOrThrow({ where: { name: LEASE_NAME } })
}

describe.each(providers())('worker lease on the database clock (%s)', (provider) => {
  it('a fast standby does not take over a live worker; skewed clocks never give two holders', async () => {
    h = await startWorkerHarness(provider)
    const a = h.newWorker('worker-a', { leaseTtlMs: TTL_MS })
    const b = h.newWorker('worker-b', { leaseTtlMs: TTL_MS })
    const oneHolder = () => expect([a.holdsLease, b.holdsLease].filter(Boolean)).toHaveLength(1)

    // A acquires with its clock 30 s slow: the expiry written is the database's now + TTL, not A's.
    expect(await renewAs(a, -SKEW_MS)).toBe(true)
    const written = await lease()
    expect(Math.abs(written.expiresAt.getTime() - (Date.now() + TTL_MS))).toBeLessThan(1_000)

    // B's clock runs 30 s fast and A renews on time: B stays standby, round after round.
    for (let i = 0; i < 4; i++) {
      expect(await renewAs(b, SKEW_MS)).toBe(false)
      oneHolder()
      expect(await renewAs(a, -SKEW_MS)).toBe(true)
      oneHolder()
      await new Promise((res) => setTimeout(res, TTL_MS / 3))
    }
    // …and B with a slow clock, A with a fast one: still one holder.
    expect(await renewAs(b, -SKEW_MS)).toBe(false)
    expect(await renewAs(a, SKEW_MS)).toBe(true)
    oneHolder()
    const live = await lease()
    expect([live.holderId, live.fencingToken]).toEqual(['worker-a', 1])

    // A stops renewing. B (still 30 s fast) takes over only once the TTL has really passed.
    const stoppedAt = Date.now()
    let tookOverAfter = -1
    while (Date.now() - stoppedAt < 10_000) {
      if (await renewAs(b, SKEW_MS)) {
        tookOverAfter = Date.now() - stoppedAt
        break
      }
      await new Promise((res) => setTimeout(res, 100))
    }
    expect(tookOverAfter).toBeGreaterThanOrEqual(TTL_MS - 600)
    expect(tookOverAfter).toBeLessThan(TTL_MS + 3_000)
    const taken = await lease()
    expect([taken.holderId, taken.fencingToken]).toEqual(['worker-b', 2])

    // A wakes up with its clock 30 s slow: it is fenced out, not handed the lease back.
    expect(await renewAs(a, -SKEW_MS)).toBe(false)
    expect(await renewAs(a, SKEW_MS)).toBe(false)
    oneHolder()
    expect(b.holdsLease).toBe(true)
    expect((await lease()).holderId).toBe('worker-b')
  })
})
