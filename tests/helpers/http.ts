/**
 * Talking to the built app over plain HTTP, without a browser: next-auth's credentials sign-in
 * (GET /api/auth/csrf, then POST /api/auth/callback/credentials) and a small cookie-carrying client.
 */

export interface SignInAnswer {
  status: number
  /** `next-auth.session-token=…` (name=value only) when sign-in succeeded. */
  cookie: string | null
  /** Every Set-Cookie header of the callback answer, with attributes. */
  setCookies: string[]
  /** next-auth's JSON answer: `{ url }`, with `?error=…` on failure. */
  body: { url?: string }
}

const nameValue = (setCookie: string) => setCookie.split(';')[0]!

export async function signInHttp(base: string, email: string, password: string, headers: Record<string, string> = {}): Promise<SignInAnswer> {
  const csrfRes = await fetch(`${base}/api/auth/csrf`, { headers })
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string }
  const csrfCookie = csrfRes.headers.getSetCookie().map(nameValue).join('; ')
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, email, password, json: 'true' }),
  })
  const setCookies = res.headers.getSetCookie()
  const session = setCookies.find((c) => /^(__Secure-)?next-auth\.session-token=/.test(c))
  const text = await res.text()
  let body: { url?: string } = {}
  try {
    body = JSON.parse(text) as { url?: string }
  } catch {
    body = {}
  }
  return { status: res.status, cookie: session ? nameValue(session) : null, setCookies, body }
}

/** The rate-limit answer of a refused sign-in: seconds to wait, or null when it was not rate limited. */
export function rateLimitSeconds(a: SignInAnswer): number | null {
  const m = /[?&]error=RATE_LIMITED(?:%3A|:)(\d+)/.exec(a.body.url ?? '')
  return m ? Number(m[1]) : null
}

export async function signInCookie(base: string, email: string, password: string): Promise<string> {
  const a = await signInHttp(base, email, password)
  if (!a.cookie) throw new Error(`sign-in of ${email} failed: HTTP ${a.status} ${JSON.stringify(a.body)}`)
  return a.cookie
}

export interface HttpAnswer {
  status: number
  headers: Headers
  text: string
  /** Parsed body, or undefined when it is not JSON. */
  json: unknown
}

export interface RequestOptions {
  /** Serialised with JSON.stringify unless `raw` is given. */
  body?: unknown
  raw?: Buffer | string
  contentType?: string | null
  headers?: Record<string, string>
}

/** A signed-in (or anonymous, cookie null) client of one app. */
export class HttpClient {
  constructor(
    readonly base: string,
    readonly cookie: string | null,
  ) {}

  async request(method: string, path: string, o: RequestOptions = {}): Promise<HttpAnswer> {
    const headers: Record<string, string> = { ...o.headers }
    if (this.cookie) headers.cookie = this.cookie
    let body: Uint8Array | string | undefined
    if (o.raw !== undefined) body = typeof o.raw === 'string' ? o.raw : new Uint8Array(o.raw)
    else if (o.body !== undefined) body = JSON.stringify(o.body)
    const ct = o.contentType === undefined ? (body !== undefined ? 'application/json' : null) : o.contentType
    if (ct) headers['content-type'] = ct
    const res = await fetch(this.base + path, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : (body as BodyInit | undefined), redirect: 'manual' })
    const text = await res.text()
    let json: unknown
    try {
      json = text ? JSON.parse(text) : undefined
    } catch {
      json = undefined
    }
    return { status: res.status, headers: res.headers, text, json }
  }

  get(path: string, o?: RequestOptions) {
    return this.request('GET', path, o)
  }
  post(path: string, body?: unknown, o?: RequestOptions) {
    return this.request('POST', path, { ...o, body })
  }
  put(path: string, body?: unknown, o?: RequestOptions) {
    return this.request('PUT', path, { ...o, body })
  }
  delete(path: string, o?: RequestOptions) {
    return this.request('DELETE', path, o)
  }
}

/**
 * The shape every 4xx of our routes must have: JSON with a human message (not an i18n key) and,
 * for 400, field-level errors keyed by field path. Returns the problems found (empty = fine).
 */
export function errorShapeProblems(a: HttpAnswer): string[] {
  const problems: string[] = []
  const looksLikeKey = (s: string) => /^[a-z_]+(\.[A-Za-z_]+)+$/.test(s)
  const body = a.json as { error?: unknown; message?: unknown; fields?: unknown } | undefined
  if (!String(a.headers.get('content-type') ?? '').includes('application/json')) problems.push(`content-type ${a.headers.get('content-type')}`)
  if (!body || typeof body !== 'object') return [...problems, `body is not a JSON object: ${a.text.slice(0, 120)}`]
  if (typeof body.message !== 'string' || body.message.trim() === '') problems.push('no message')
  else if (looksLikeKey(body.message)) problems.push(`message is an untranslated key: ${body.message}`)
  if (a.status === 400) {
    const fields = body.fields as Record<string, unknown> | undefined
    if (!fields || typeof fields !== 'object' || Array.isArray(fields) || Object.keys(fields).length === 0) problems.push('400 without field errors')
    else
      for (const [path, msgs] of Object.entries(fields)) {
        if (!Array.isArray(msgs) || msgs.length === 0) problems.push(`field ${path}: no messages`)
        else
          for (const m of msgs) {
            if (typeof m !== 'string' || m.trim() === '') problems.push(`field ${path}: empty message`)
            else if (looksLikeKey(m)) problems.push(`field ${path}: untranslated key ${m}`)
          }
      }
  }
  return problems
}
