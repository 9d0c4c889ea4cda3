// Input shapes found by the API fuzz (tests/fuzz) that used to end in a 500 or bend an object:
// deeply nested channel fields, `__proto__` keys, and next-auth requests it would answer with a 500.
import { describe, expect, it } from 'vitest'
import { validateChannelInput, type ChannelErrorKey } from '@/lib/schemas/channels'
import { messages } from '@/lib/i18n/messages'
import { authRequestProblem, isValidCallbackUrl, safeCallbackPath, type AuthRequestParts } from '@/lib/auth/request-guard'
import { unpairedSurrogatePath } from '@/lib/http/surrogates'

const t = (k: ChannelErrorKey) => messages.zh.channels.errors[k]
const deep = (n: number) => JSON.parse('{"a":'.repeat(n) + '1' + '}'.repeat(n)) as unknown

describe('channel input', () => {
  const base = { type: 'WEBHOOK', name: 'x', events: ['*'], config: { url: 'https://example.com/hook' }, secrets: { hmacSecret: 'a-valid-hmac-secret-123' } }

  it.each(['config', 'secrets'])('a %s nested 20,000 levels deep is a field error, not a stack overflow', (where) => {
    const raw = where === 'config' ? { ...base, config: { url: deep(20_000) } } : { ...base, secrets: { hmacSecret: deep(20_000) } }
    const res = validateChannelInput(raw, { locale: 'zh', t })
    expect(res.ok).toBe(false)
    if (!res.ok) expect(Object.keys(res.fields)).toEqual([where === 'config' ? 'config.url' : 'secrets.hmacSecret'])
  })

  it('a __proto__ key does not supply a field through the prototype', () => {
    const raw = JSON.parse(JSON.stringify({ ...base, config: {} }).replace('"config":{}', '"config":{"__proto__":{"url":"https://evil.example/"}}')) as unknown
    const res = validateChannelInput(raw, { locale: 'zh', t })
    expect(res.ok).toBe(false)
    if (!res.ok) expect(Object.keys(res.fields)).toEqual(['config.url'])
  })

  it('blank values two levels deep are still dropped (Bark levels)', () => {
    const res = validateChannelInput({ type: 'BARK', name: 'b', events: ['*'], config: { levels: { INFO: '', CRITICAL: 'critical' } }, secrets: { deviceKey: 'abcDEF123' } }, { locale: 'zh', t })
    expect(res.ok && res.value.config).toMatchObject({ levels: { CRITICAL: 'critical' } })
  })
})

describe('next-auth request guard', () => {
  const req = (o: Partial<AuthRequestParts>): AuthRequestParts => ({ method: 'GET', segments: ['session'], query: new URLSearchParams(), cookies: {}, contentType: null, body: null, base: 'http://127.0.0.1:3000', ...o })

  it('lets the requests of the sign-in form through', () => {
    expect(authRequestProblem(req({ segments: ['csrf'] }))).toBeNull()
    expect(authRequestProblem(req({ segments: ['providers'] }))).toBeNull()
    expect(authRequestProblem(req({ segments: ['signin'], query: new URLSearchParams('callbackUrl=/stocks') }))).toBeNull()
    expect(
      authRequestProblem(req({ method: 'POST', segments: ['callback', 'credentials'], contentType: 'application/x-www-form-urlencoded', body: 'csrfToken=x&email=a%40b.c&password=p&callbackUrl=http%3A%2F%2F127.0.0.1%3A3000%2F&json=true' })),
    ).toBeNull()
    expect(authRequestProblem(req({ method: 'POST', segments: ['signout'], contentType: 'application/x-www-form-urlencoded', body: 'csrfToken=x' }))).toBeNull()
  })

  it.each([
    ['GET', ['callback', 'credentials']],
    ['GET', ['nope']],
    ['POST', ['callback', 'github']],
    ['POST', ['csrf']],
    ['GET', ['session', 'x', 'y']],
    ['GET', []],
    ['GET', ['constructor']],
    ['POST', ['__proto__']],
    ['GET', ['toString']],
  ])('%s %j is not served (404)', (method, segments) => {
    expect(authRequestProblem(req({ method, segments }))).toEqual({ status: 404, kind: 'action' })
  })

  it.each(['javascript:alert(1)', '9999', '   ', 'mailto:a@b.c', '\u0000'])('callbackUrl %j is refused (400) from the query, the cookie and the form', (v) => {
    expect(isValidCallbackUrl(v, 'http://x')).toBe(false)
    expect(authRequestProblem(req({ query: new URLSearchParams({ callbackUrl: v }) }))).toMatchObject({ status: 400, source: 'query' })
    expect(authRequestProblem(req({ cookies: { 'next-auth.callback-url': v } }))).toMatchObject({ status: 400, source: 'cookie' })
    expect(authRequestProblem(req({ method: 'POST', segments: ['signout'], contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams({ callbackUrl: v }).toString() }))).toMatchObject({ status: 400, source: 'body' })
  })

  it('refuses a JSON body that does not parse', () => {
    expect(authRequestProblem(req({ method: 'POST', segments: ['signout'], contentType: 'application/json', body: '{a:1}' }))).toEqual({ status: 400, kind: 'body' })
    expect(authRequestProblem(req({ method: 'POST', segments: ['signout'], contentType: 'application/json', body: '[1]' }))).toBeNull()
  })
})

describe('unpaired surrogates (Prisma cannot store them: every JSON body is checked)', () => {
  it('finds them in values and keys, with the field path', () => {
    expect(unpairedSurrogatePath(JSON.parse('{"on":false,"reason":"\\udfff"}'))).toBe('reason')
    expect(unpairedSurrogatePath(JSON.parse('{"quant":{"notes":["ok","x\\ud83d"]}}'))).toBe('quant.notes.1')
    expect(unpairedSurrogatePath(JSON.parse('{"a":{"\\ud800":1}}'))).toBe('a.\ufffd')
    expect(unpairedSurrogatePath(JSON.parse('"\\ud800"'))).toBe('')
  })
  it('accepts paired surrogates and ordinary text, also 20,000 levels deep', () => {
    expect(unpairedSurrogatePath({ name: '🚀📈 浦发银行', notes: 'ℌ𝔢𝔩𝔩𝔬' })).toBeNull()
    expect(unpairedSurrogatePath(deep(20_000))).toBeNull()
  })
  it('next-auth JSON bodies too', () => {
    expect(authRequestProblem({ method: 'POST', segments: ['callback', 'credentials'], query: new URLSearchParams(), cookies: {}, contentType: 'application/json', body: '{"email":"\\ud800"}', base: 'http://x' })).toEqual({ status: 400, kind: 'body' })
  })
})

describe('sign-in page callbackUrl', () => {
  it.each(['/\\evil.example', '/\\/evil.example', '//evil.example', '/\t/evil.example', '/\n/evil.example', 'https://evil.example/', 'javascript:alert(1)', '', undefined])('%j → /', (raw) => {
    expect(safeCallbackPath(raw)).toBe('/')
  })
  it.each([
    ['/stocks/3', '/stocks/3'],
    ['/orders?status=open#x', '/orders?status=open#x'],
    ['/a/../settings', '/settings'],
  ])('%j stays on this site as %j', (raw, want) => {
    expect(safeCallbackPath(raw)).toBe(want)
  })
})
