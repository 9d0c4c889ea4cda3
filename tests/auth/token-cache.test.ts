// The decoded-session cache: same answers as next-auth's decoder, expiry still enforced on a hit.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { encode } from 'next-auth/jwt'
import { cachedDecode } from '@/lib/auth/token-cache'

const secret = 'test-secret-0123456789abcdef0123456789abcdef'

afterEach(() => {
  vi.useRealTimers()
})

describe('cachedDecode', () => {
  it('returns the payload, twice, and the same for the same token', async () => {
    const token = await encode({ token: { uid: 7, role: 'USER' }, secret, maxAge: 3600 })
    const a = await cachedDecode({ token, secret })
    const b = await cachedDecode({ token, secret })
    expect(a?.uid).toBe(7)
    expect(b).toEqual(a)
  })

  it('refuses a token signed with another secret or tampered with, and never caches it', async () => {
    const token = await encode({ token: { uid: 8 }, secret: 'another-secret-0123456789abcdef0123456789', maxAge: 3600 })
    await expect(cachedDecode({ token, secret })).rejects.toThrow()
    await expect(cachedDecode({ token, secret })).rejects.toThrow()
    const good = await encode({ token: { uid: 9 }, secret, maxAge: 3600 })
    const bad = good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA')
    await expect(cachedDecode({ token: bad, secret })).rejects.toThrow()
  })

  it('stops answering for a cached token once it has expired (with next-auth’s 15 s tolerance)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-23T02:00:00Z'))
    const token = await encode({ token: { uid: 10 }, secret, maxAge: 60 })
    expect((await cachedDecode({ token, secret }))?.uid).toBe(10)
    vi.setSystemTime(new Date('2026-11-23T02:01:10Z')) // 70 s: expired, inside the tolerance
    expect((await cachedDecode({ token, secret }))?.uid).toBe(10)
    vi.setSystemTime(new Date('2026-11-23T02:01:16Z')) // 76 s: beyond it
    expect(await cachedDecode({ token, secret })).toBeNull()
    expect(await cachedDecode({ token, secret }).catch(() => null)).toBeNull()
  })

  it('answers null for no token', async () => {
    expect(await cachedDecode({ token: undefined, secret })).toBeNull()
  })
})
