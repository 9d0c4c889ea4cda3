/**
 * next-auth's JWT decode derives the key with HKDF and decrypts (AES-GCM) on every call — twice per
 * API request (proxy, then the route). A session token is immutable, so its decoded payload is kept,
 * keyed by the exact token text, and re-checked for expiry on every hit with the same 15-second
 * tolerance next-auth's decoder allows. A token that fails to decode is never cached.
 */
import { decode, type JWT, type JWTDecodeParams } from 'next-auth/jwt'

const MAX_ENTRIES = 5_000
const CLOCK_TOLERANCE_MS = 15_000
const cache = new Map<string, JWT>()

export async function cachedDecode(params: JWTDecodeParams): Promise<JWT | null> {
  if (!params.token) return null
  const key = `${params.salt ?? ''}\u0000${params.token}`
  const hit = cache.get(key)
  if (hit) {
    if (typeof hit.exp === 'number' && hit.exp * 1000 + CLOCK_TOLERANCE_MS > Date.now()) return hit
    cache.delete(key)
    return null
  }
  const payload = await decode(params)
  if (payload && typeof payload.exp === 'number') {
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!)
    cache.set(key, Object.freeze(payload))
  }
  return payload
}
