/** The signed-in user for server components and route handlers (defence in depth behind proxy.ts). */
import { getServerSession } from 'next-auth'
import { getToken } from 'next-auth/jwt'
import type { NextRequest } from 'next/server'
import { redirect } from 'next/navigation'
import { UnauthorizedError, ForbiddenError } from '@/lib/errors'
import { getUser } from '@/lib/db/users'
import { authOptions } from './options'
import { authSecret } from '@/lib/secrets'
import { cachedDecode } from './token-cache'

export interface SessionUser {
  id: number
  email: string
  role: 'ADMIN' | 'USER'
  locale: string
}

// The account behind a session token is re-read from the database (it may have changed since the
// token was issued), but at most every few seconds per user: every API call needs it.
const USER_TTL_MS = 5_000
const users = new Map<number, { user: SessionUser | null; at: number }>()

async function loadUser(id: number): Promise<SessionUser | null> {
  const hit = users.get(id)
  if (hit && Date.now() - hit.at < USER_TTL_MS) return hit.user
  const row = await getUser(id)
  const user: SessionUser | null = row ? { id: row.id, email: row.email, role: row.role, locale: row.locale } : null
  if (users.size > 10_000) users.clear()
  users.set(id, { user, at: Date.now() })
  return user
}

/** After a change to a user's own row (e.g. the language), the next request must see it. */
export function forgetSessionUser(id: number): void {
  users.delete(id)
}

export async function currentUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions)
  const id = (session?.user as { id?: number } | undefined)?.id
  if (!id) return null
  return loadUser(id)
}

/**
 * For route handlers: the session token decoded straight from the request (signature and expiry
 * checked by next-auth's own decoder). getServerSession would also re-encrypt and re-set the cookie
 * on every call — about half the cost of a polled API request; pages still roll the session.
 */
export async function requireUser(req: NextRequest): Promise<SessionUser> {
  const token = await getToken({ req, secret: authSecret(), decode: cachedDecode })
  const id = typeof token?.uid === 'number' ? token.uid : null
  const user = id ? await loadUser(id) : null
  if (!user) throw new UnauthorizedError()
  return user
}

export async function requireAdmin(req: NextRequest): Promise<SessionUser> {
  const user = await requireUser(req)
  if (user.role !== 'ADMIN') throw new ForbiddenError()
  return user
}

/** For pages: redirects to sign-in. */
export async function pageUser(): Promise<SessionUser> {
  const user = await currentUser()
  if (!user) redirect('/signin')
  return user
}
