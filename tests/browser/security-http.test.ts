// Security headers (next.config.js) on pages, API answers, proxy refusals and static files; session
// cookie flags (and Secure with an https NEXTAUTH_URL); the sign-in rate limit over real HTTP and in
// the sign-in form; the sign-in redirect staying on this site; pages with bad ids and queries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signIn, startWebStack, type Stack } from './harness'
import { HttpClient, rateLimitSeconds, signInCookie, signInHttp } from '../helpers/http'
import { pageRoutes } from '../helpers/routes'

let stack: Stack
let admin: HttpClient
const ADMIN = { email: 'admin@example.com', password: 'correct horse battery' }
const LIMITED = { email: 'limited@example.com', password: 'limited horse battery' }
const BURST = { email: 'burst@example.com', password: 'burst horse battery' }

beforeAll(async () => {
  stack = await startWebStack()
  process.env.DATABASE_URL = stack.db.url
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  await createUser(ADMIN.email, await hashPassword(ADMIN.password), 'ADMIN')
  await createUser(LIMITED.email, await hashPassword(LIMITED.password), 'USER')
  await createUser(BURST.email, await hashPassword(BURST.password), 'USER')
  admin = new HttpClient(stack.webUrl, await signInCookie(stack.webUrl, ADMIN.email, ADMIN.password))
})

afterAll(async () => {
  await stack?.stop()
})

function headerProblems(h: Headers): string[] {
  const p: string[] = []
  const csp = h.get('content-security-policy') ?? ''
  for (const d of ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"]) if (!csp.includes(d)) p.push(`CSP lacks ${d}`)
  if (csp.includes('unsafe-eval')) p.push("CSP allows 'unsafe-eval' in production")
  if (h.get('x-frame-options') !== 'DENY') p.push(`X-Frame-Options ${h.get('x-frame-options')}`)
  if (h.get('x-content-type-options') !== 'nosniff') p.push(`X-Content-Type-Options ${h.get('x-content-type-options')}`)
  if (h.get('referrer-policy') !== 'same-origin') p.push(`Referrer-Policy ${h.get('referrer-policy')}`)
  const pp = h.get('permissions-policy') ?? ''
  for (const f of ['camera=()', 'microphone=()', 'geolocation=()', 'payment=()']) if (!pp.includes(f)) p.push(`Permissions-Policy lacks ${f}`)
  if (h.get('cross-origin-opener-policy') !== 'same-origin') p.push(`COOP ${h.get('cross-origin-opener-policy')}`)
  if (h.has('x-powered-by')) p.push(`X-Powered-By: ${h.get('x-powered-by')}`)
  return p
}

describe('security headers', () => {
  it('on pages, API answers, refusals, next-auth and static files', async () => {
    const anon = new HttpClient(stack.webUrl, null)
    const html = await (await admin.get('/')).text
    const asset = /\/_next\/static\/[^"']+\.js/.exec(html)?.[0]
    expect(asset, 'a script of the dashboard page').toBeTruthy()
    const checks: Array<[string, HttpClient, string, number]> = [
      ['dashboard page (signed in)', admin, '/', 200],
      ['sign-in page', anon, '/signin', 200],
      ['setup page (done: redirect)', anon, '/setup', 307],
      ['page → sign-in redirect', anon, '/orders', 307],
      ['unknown page', admin, '/no-such-page', 404],
      ['static script', anon, asset!, 200],
      ['health', anon, '/api/health', 200],
      ['API 200', admin, '/api/stocks', 200],
      ['API 400 (route)', admin, '/api/stocks/abc', 400],
      ['API 401 (proxy)', anon, '/api/stocks', 401],
      ['API 400 (proxy: malformed URL)', admin, '/api/stocks/%E0%A4%A', 400],
      ['next-auth csrf', anon, '/api/auth/csrf', 200],
      ['next-auth 404 (guard)', anon, '/api/auth/nope', 404],
    ]
    const failures: string[] = []
    for (const [label, client, path, status] of checks) {
      const res = await client.get(path)
      if (res.status !== status) failures.push(`${label}: HTTP ${res.status}, expected ${status}`)
      for (const p of headerProblems(res.headers)) failures.push(`${label} (${path}): ${p}`)
    }
    expect(failures).toEqual([])
  })

  it('the browser refuses to frame the app', async () => {
    const page = await stack.browser.newPage()
    await page.goto('about:blank')
    await page.setContent(`<iframe id="f" src="${stack.webUrl}/signin"></iframe>`)
    const frame = () => page.frames().find((f) => f !== page.mainFrame())
    // Chromium replaces a refused frame with its error page instead of the sign-in form.
    await expect.poll(() => frame()?.url() ?? '', { timeout: 15_000 }).toMatch(/^chrome-error:/)
    expect(await frame()!.locator('input[name="password"]').count()).toBe(0)
    await page.close()
  })
})

describe('session cookie', () => {
  const attrs = (setCookie: string) => setCookie.split(';').slice(1).map((s) => s.trim().toLowerCase())

  it('is HttpOnly, SameSite=Lax, Path=/ (not Secure over http), and so are the CSRF and callback cookies', async () => {
    const a = await signInHttp(stack.webUrl, ADMIN.email, ADMIN.password)
    const session = a.setCookies.find((c) => c.startsWith('next-auth.session-token='))
    expect(session, a.setCookies.join('\n')).toBeTruthy()
    expect(attrs(session!)).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']))
    expect(attrs(session!)).not.toContain('secure')
    const csrf = (await fetch(`${stack.webUrl}/api/auth/csrf`)).headers.getSetCookie()
    for (const name of ['next-auth.csrf-token', 'next-auth.callback-url']) {
      const c = csrf.find((x) => x.startsWith(`${name}=`))
      expect(c, `${name} in ${csrf.join(' | ')}`).toBeTruthy()
      expect(attrs(c!)).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']))
    }
  })

  it('is invisible to page scripts', async () => {
    const ctx = await stack.browser.newContext()
    const page = await ctx.newPage()
    await signIn(page, stack.webUrl, ADMIN.email, ADMIN.password)
    expect((await ctx.cookies()).some((c) => c.name === 'next-auth.session-token' && c.httpOnly && c.sameSite === 'Lax')).toBe(true)
    expect(await page.evaluate(() => document.cookie)).not.toContain('session-token')
    await ctx.close()
  })

  it('is Secure and __Secure- prefixed when NEXTAUTH_URL is https, and still signs requests in', async () => {
    const https = await startWebStack({ NEXTAUTH_URL: 'https://dingpan.example' })
    try {
      process.env.DATABASE_URL = https.db.url
      const { createUser } = await import('@/lib/db/users')
      const { hashPassword } = await import('@/lib/auth/password')
      await createUser(ADMIN.email, await hashPassword(ADMIN.password), 'ADMIN')
      const a = await signInHttp(https.webUrl, ADMIN.email, ADMIN.password)
      const session = a.setCookies.find((c) => c.startsWith('__Secure-next-auth.session-token='))
      expect(session, a.setCookies.join('\n')).toBeTruthy()
      expect(attrs(session!)).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/', 'secure']))
      expect(a.setCookies.some((c) => c.startsWith('next-auth.session-token='))).toBe(false)
      expect((await new HttpClient(https.webUrl, a.cookie).get('/api/stocks')).status).toBe(200)
    } finally {
      process.env.DATABASE_URL = stack.db.url
      await https.stop()
    }
  })
})

describe('sign-in rate limit (5 failures per account in 15 minutes)', () => {
  it('refuses the 6th attempt, then even the right password, whatever X-Forwarded-For says', async () => {
    for (let i = 1; i <= 5; i++) {
      const a = await signInHttp(stack.webUrl, LIMITED.email, `wrong password ${i}`)
      expect(a.cookie).toBeNull()
      expect(a.body.url).toContain('error=CredentialsSignin')
      expect(rateLimitSeconds(a)).toBeNull()
    }
    const sixth = await signInHttp(stack.webUrl, LIMITED.email, 'wrong password 6')
    expect(sixth.cookie).toBeNull()
    const wait = rateLimitSeconds(sixth)
    expect(wait).toBeGreaterThan(800)
    expect(wait).toBeLessThanOrEqual(900)

    const right = await signInHttp(stack.webUrl, LIMITED.email, LIMITED.password)
    expect(right.cookie).toBeNull()
    expect(rateLimitSeconds(right)).toBeGreaterThan(0)
    // A new address per guess used to reset the count (the key included the client-set header).
    for (const ip of ['10.1.2.3', '203.0.113.9, 10.0.0.1']) {
      const spoofed = await signInHttp(stack.webUrl, LIMITED.email, LIMITED.password, { 'x-forwarded-for': ip })
      expect(spoofed.cookie).toBeNull()
      expect(rateLimitSeconds(spoofed)).toBeGreaterThan(0)
    }
    // Other accounts still sign in from the same client.
    expect((await signInHttp(stack.webUrl, ADMIN.email, ADMIN.password)).cookie).not.toBeNull()
  })

  it('counts parallel guesses: 20 at once, exactly 5 are checked', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => signInHttp(stack.webUrl, BURST.email, `guess ${i}`, { 'x-forwarded-for': `198.51.100.${i}` })))
    expect(answers.every((a) => a.cookie === null)).toBe(true)
    expect(answers.filter((a) => rateLimitSeconds(a) === null)).toHaveLength(5)
    expect(answers.filter((a) => rateLimitSeconds(a) !== null)).toHaveLength(15)
  })

  it('the sign-in form shows the rate-limit message', async () => {
    const page = await stack.browser.newPage()
    await page.goto(`${stack.webUrl}/signin`)
    await page.fill('input[name="email"]', LIMITED.email)
    await page.fill('input[name="password"]', LIMITED.password)
    await page.click('button[type="submit"]')
    await expect.poll(() => page.locator('[data-testid="form-error"]').textContent()).toMatch(/^尝试次数过多，请 \d+ 秒后再试$/)
    expect(new URL(page.url()).pathname).toBe('/signin')
    await page.close()
  })
})

describe('sign-in redirect', () => {
  it('stays on this site (/signin?callbackUrl=/\\evil.example used to leave it) and keeps a local path', async () => {
    for (const [callback, want] of [
      ['/\\evil.example/x', '/'],
      ['//evil.example/x', '/'],
      ['https://evil.example/x', '/'],
      ['/orders?status=open', '/orders'],
    ] as const) {
      const ctx = await stack.browser.newContext()
      await ctx.route('http://evil.example/**', (r) => r.fulfill({ status: 200, body: 'evil' }))
      const page = await ctx.newPage()
      await page.goto(`${stack.webUrl}/signin?callbackUrl=${encodeURIComponent(callback)}`)
      await page.fill('input[name="email"]', ADMIN.email)
      await page.fill('input[name="password"]', ADMIN.password)
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 30_000 }), page.click('button[type="submit"]')])
      const landed = new URL(page.url())
      expect(landed.origin, callback).toBe(stack.webUrl)
      expect(landed.pathname, callback).toBe(want)
      await ctx.close()
    }
  })
})

describe('pages with bad input', () => {
  it('answer without a 5xx (bad ids, malformed encoding, junk queries)', async () => {
    const ids = ['0', '-1', 'abc', '1e3', '99999999999999999999', '2147483648', '%E0%A4%A', '%00', '999999']
    const queries = ['', '?page=%', '?from=0000-01-01&to=2026-02-31', '?status=%3Cscript%3E&stockId=99999999999', '?callbackUrl=%2F%5Cevil.example', '?archived=%00&__proto__[x]=1', '?type=' + 'x'.repeat(3000)]
    const failures: string[] = []
    for (const template of pageRoutes()) {
      const paths = template.includes('[id]') ? ids.map((id) => template.replace('[id]', id)) : [template]
      for (const p of paths)
        for (const q of queries) {
          const res = await admin.get(p + q)
          if (res.status >= 500) failures.push(`${p}${q.slice(0, 60)} → ${res.status}`)
        }
    }
    expect(failures).toEqual([])
  })
})
