/**
 * What next-auth (v4) would answer with a 500 although the request is simply bad: an action or
 * provider it does not serve (GET /api/auth/callback/credentials), a callbackUrl (query, cookie or
 * form field) that is not an http(s) URL or a path (next-auth treats it as a server configuration
 * error), and a JSON body that does not parse or carries an unpaired surrogate (Prisma fails on it). The route in app/api/auth/[...nextauth] answers these
 * with a 4xx before next-auth sees them; everything else goes to next-auth unchanged.
 */

import { unpairedSurrogatePath } from '@/lib/http/surrogates'

/** The actions of next-auth this app serves (credentials provider only), per method. */
const ACTIONS = new Map<string, Map<string, ReadonlyArray<string | undefined>>>([
  ['GET', new Map([['csrf', [undefined]], ['session', [undefined]], ['providers', [undefined]], ['signin', [undefined, 'credentials']], ['signout', [undefined]], ['error', [undefined]]])],
  ['POST', new Map([['signin', ['credentials']], ['signout', [undefined]], ['callback', ['credentials']], ['session', [undefined]], ['_log', [undefined]]])],
])

export const CALLBACK_URL_COOKIES = ['next-auth.callback-url', '__Secure-next-auth.callback-url']

/** Same rule as next-auth's own check (lib/assert isValidHttpUrl), as a predicate. */
export function isValidCallbackUrl(value: unknown, base: string): boolean {
  if (typeof value !== 'string') return false
  try {
    return /^https?:/.test(new URL(value, value.startsWith('/') ? base : undefined).protocol)
  } catch {
    return false
  }
}

export type AuthRequestProblem =
  | { status: 404; kind: 'action' }
  | { status: 400; kind: 'callbackUrl'; source: 'query' | 'cookie' | 'body' }
  | { status: 400; kind: 'body' }

export interface AuthRequestParts {
  method: string
  segments: string[]
  query: URLSearchParams
  cookies: Record<string, string | undefined>
  contentType: string | null
  /** The raw body (POST only). */
  body: string | null
  base: string
}

export function authRequestProblem(r: AuthRequestParts): AuthRequestProblem | null {
  const [action, provider, ...rest] = r.segments
  // A Map, not an object literal: `constructor` or `__proto__` in the path must not find a prototype member.
  const allowed = action !== undefined ? ACTIONS.get(r.method)?.get(action) : undefined
  if (!allowed || rest.length > 0 || !allowed.includes(provider)) return { status: 404, kind: 'action' }
  for (const v of r.query.getAll('callbackUrl')) if (!isValidCallbackUrl(v, r.base)) return { status: 400, kind: 'callbackUrl', source: 'query' }
  for (const name of CALLBACK_URL_COOKIES) {
    const v = r.cookies[name]
    if (v !== undefined && !isValidCallbackUrl(v, r.base)) return { status: 400, kind: 'callbackUrl', source: 'cookie' }
  }
  if (r.method === 'POST' && r.body !== null && r.contentType) {
    let fields: Record<string, unknown> | null = null
    if (r.contentType.includes('application/json')) {
      try {
        const parsed: unknown = JSON.parse(r.body)
        if (unpairedSurrogatePath(parsed) !== null) return { status: 400, kind: 'body' }
        fields = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {}
      } catch {
        return { status: 400, kind: 'body' }
      }
    } else if (r.contentType.includes('application/x-www-form-urlencoded')) {
      fields = Object.fromEntries(new URLSearchParams(r.body))
    }
    if (fields && Object.hasOwn(fields, 'callbackUrl') && !isValidCallbackUrl(fields.callbackUrl, r.base)) return { status: 400, kind: 'callbackUrl', source: 'body' }
  }
  return null
}

/**
 * Where the sign-in page may send the user afterwards: a path of this site, else '/'. A plain
 * startsWith("/") check lets `/\evil.example` through, which browsers read as `//evil.example`
 * (another origin); resolving against a placeholder origin catches that and tabs/newlines alike.
 */
export function safeCallbackPath(raw: string | undefined | null): string {
  if (!raw || !raw.startsWith('/')) return '/'
  const self = 'http://self.invalid'
  try {
    const u = new URL(raw, self)
    return u.origin === self ? `${u.pathname}${u.search}${u.hash}` : '/'
  } catch {
    return '/'
  }
}
