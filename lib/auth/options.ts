/** next-auth (v4) with email + password credentials and JWT sessions. */
import type { NextAuthOptions } from 'next-auth'
import CredentialsProvider from 'next-auth/providers/credentials'
import { findUserByEmail } from '@/lib/db/users'
import { authSecret } from '@/lib/secrets'
import { logger } from '@/lib/log'
import { verifyPassword } from './password'
import { signInLimiter } from './rate-limit'

export const SESSION_MAX_AGE_SEC = 7 * 24 * 3600

// Best effort, for the per-address limit only: a client can send any X-Forwarded-For (Next fills it
// in from the socket only when absent), so the per-account limit never depends on it.
function clientIp(headers: Record<string, unknown> | undefined): string {
  const fwd = headers?.['x-forwarded-for']
  const first = typeof fwd === 'string' ? fwd.split(',')[0]?.trim() : undefined
  return first || (typeof headers?.['x-real-ip'] === 'string' ? (headers['x-real-ip'] as string) : 'local')
}

export const authOptions: NextAuthOptions = {
  secret: authSecret(),
  session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SEC },
  pages: { signIn: '/signin' },
  providers: [
    CredentialsProvider({
      name: 'credentials',
      credentials: { email: { type: 'email' }, password: { type: 'password' } },
      async authorize(credentials, req) {
        const email = String(credentials?.email ?? '').trim().toLowerCase()
        const password = String(credentials?.password ?? '')
        const ip = clientIp(req?.headers as Record<string, unknown> | undefined)
        const attempt = signInLimiter.begin(email, ip)
        if (attempt.retryAfterMs > 0) {
          logger.warn({ email, ip, waitSec: Math.ceil(attempt.retryAfterMs / 1000) }, 'sign-in rate limited')
          throw new Error(`RATE_LIMITED:${Math.ceil(attempt.retryAfterMs / 1000)}`)
        }
        const user = email && password ? await findUserByEmail(email) : null
        const ok = user ? await verifyPassword(password, user.passwordHash) : false
        attempt.finish(Boolean(user && ok))
        if (!user || !ok) {
          logger.info({ email, ip }, 'sign-in failed')
          return null
        }
        logger.info({ userId: user.id, ip }, 'signed in')
        return { id: String(user.id), email: user.email, role: user.role, locale: user.locale }
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        const u = user as unknown as { id: string; role: string; locale: string }
        token.uid = Number(u.id)
        token.role = u.role
        token.locale = u.locale
      }
      return token
    },
    async session({ session, token }) {
      session.user = { ...session.user, id: token.uid as number, role: token.role as string, locale: token.locale as string | undefined } as typeof session.user
      return session
    },
  },
}
