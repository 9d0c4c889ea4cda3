/**
 * Property: whatever the secrets, no error string contains them — even when the platform (here a
 * hostile local server) echoes the whole request (URL, headers, body) back in its error message,
 * when the connection fails, or when the settings are invalid.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { emailConfigSchema, emailAdapter, sendToChannel, type ChannelType, type DeliveryResult } from '@/lib/notify'
import { message } from './helpers/message'
import { closedPortUrl, startReceiver, type Receiver, type Recorded } from './helpers/receiver'
import { smtpError, startSmtp, type SmtpHandle } from './helpers/smtp'

const alnum = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9]{${min},${max}}$`))
const anySecret = fc.oneof(
  // Printable ASCII (what real secrets look like, and what servers echo verbatim)...
  fc.stringMatching(/^[!-~]{16,40}$/),
  // ...and anything else, spaces and non-ASCII included.
  fc.string({ minLength: 16, maxLength: 40, unit: 'grapheme' }).filter((s) => s.trim().length >= 16),
)

interface Case {
  type: ChannelType
  arb: fc.Arbitrary<{ config: unknown; secrets: Record<string, string>; mustNotAppear: string[] }>
  /** The platform's error answer, echoing the request. */
  echo: (req: Recorded, echoed: string) => { status: number; body: unknown }
}

const CASES: Case[] = [
  {
    type: 'DINGTALK',
    arb: fc.tuple(alnum(16, 64), alnum(12, 60)).map(([token, s]) => ({
      config: {},
      secrets: { accessToken: token, signSecret: `SEC${s}` },
      mustNotAppear: [token, `SEC${s}`],
    })),
    echo: (_r, e) => ({ status: 200, body: { errcode: 310000, errmsg: e } }),
  },
  {
    type: 'FEISHU',
    arb: fc.tuple(alnum(12, 40), anySecret).map(([hook, s]) => ({
      config: {},
      secrets: { webhookUrl: `https://open.feishu.cn/open-apis/bot/v2/hook/${hook}`, signSecret: s.replace(/\s/g, 'x') },
      mustNotAppear: [hook, s.replace(/\s/g, 'x')],
    })),
    echo: (_r, e) => ({ status: 200, body: { code: 19021, msg: e } }),
  },
  {
    type: 'WECOM',
    arb: alnum(12, 64).map((key) => ({ config: {}, secrets: { key }, mustNotAppear: [key] })),
    echo: (_r, e) => ({ status: 200, body: { errcode: 93000, errmsg: e } }),
  },
  {
    type: 'SERVERCHAN',
    arb: alnum(12, 40).map((k) => ({ config: {}, secrets: { sendKey: `SCT${k}` }, mustNotAppear: [`SCT${k}`, k] })),
    echo: (_r, e) => ({ status: 200, body: { code: 40001, message: e } }),
  },
  {
    type: 'BARK',
    arb: alnum(12, 40).map((deviceKey) => ({ config: {}, secrets: { deviceKey }, mustNotAppear: [deviceKey] })),
    echo: (_r, e) => ({ status: 400, body: { code: 400, message: `failed to get device token: ${e}` } }),
  },
  {
    type: 'WEBHOOK',
    arb: anySecret.map((hmacSecret) => ({ config: { url: 'https://hooks.example.com/in' }, secrets: { hmacSecret }, mustNotAppear: [hmacSecret] })),
    echo: (_r, e) => ({ status: 400, body: e }),
  },
]

let rx: Receiver
let echoStatus500 = false
beforeAll(async () => {
  rx = await startReceiver(() => ({ status: 500 }))
})
afterAll(async () => {
  await rx.close()
})

function errorOf(r: DeliveryResult): string {
  expect(r.ok).toBe(false)
  return r.ok ? '' : r.error
}

describe.each(CASES)('$type: no secret in any error string', (c) => {
  it('when the platform echoes the request back in its error', async () => {
    await fc.assert(
      fc.asyncProperty(c.arb, fc.boolean(), async ({ config, secrets, mustNotAppear }, asServerError) => {
        echoStatus500 = asServerError
        rx.setHandler((req) => {
          // Most telling first: error details are cut to ~200 characters, so the secret must come early.
          const echoed = `${decodeURIComponent(req.target)} ${req.rawBody} ${req.target} ${JSON.stringify(req.headers)}`
          const a = c.echo(req, echoed)
          return echoStatus500 ? { status: 503, body: a.body } : a
        })
        const res = await sendToChannel(c.type, message(), config, secrets, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
        const error = errorOf(res)
        for (const s of mustNotAppear) {
          expect(error).not.toContain(s)
          expect(error).not.toContain(encodeURIComponent(s))
        }
      }),
      { numRuns: 25 },
    )
  })

  it('when the connection is refused', async () => {
    const dead = await closedPortUrl()
    await fc.assert(
      fc.asyncProperty(c.arb, async ({ config, secrets, mustNotAppear }) => {
        const error = errorOf(await sendToChannel(c.type, message(), config, secrets, { timeoutMs: 2000, baseUrlOverride: dead }))
        for (const s of mustNotAppear) expect(error).not.toContain(s)
      }),
      { numRuns: 10 },
    )
  })

  it('when the secrets are put in the wrong fields (validation errors)', async () => {
    await fc.assert(
      fc.asyncProperty(c.arb, async ({ config, secrets, mustNotAppear }) => {
        // Every secret value moved into every field as a malformed value (numbers / bad shapes).
        const scrambled = Object.fromEntries(Object.keys(secrets).map((k) => [k, `${Object.values(secrets).join(' ')} !`]))
        const error = errorOf(await sendToChannel(c.type, message(), config, scrambled, { timeoutMs: 2000, baseUrlOverride: rx.baseUrl }))
        for (const s of mustNotAppear) expect(error).not.toContain(s)
      }),
      { numRuns: 10 },
    )
  })
})

describe('EMAIL: no password in any error string', () => {
  let smtp: SmtpHandle
  beforeAll(async () => {
    // A server that quotes the submitted password back in its 535 answer.
    smtp = await startSmtp({ user: 'u', pass: '\u0000never', onAuth: (auth, _s, cb) => cb(smtpError(`Invalid login for ${auth.username} with ${auth.password}`, 535)) })
  })
  afterAll(async () => {
    await smtp.close()
  })

  it('when the SMTP server echoes the password', async () => {
    await fc.assert(
      fc.asyncProperty(anySecret, async (password) => {
        const cfg = emailConfigSchema.parse({ host: '127.0.0.1', port: smtp.port, security: 'NONE', user: 'u', from: 'a@b.cn', to: ['c@d.cn'] })
        const res = await emailAdapter.send(message(), cfg, { password }, { timeoutMs: 3000 })
        const error = errorOf(res)
        expect(error).toMatch(/535/)
        expect(error).not.toContain(password)
      }),
      { numRuns: 10 },
    )
  })
})
