import { describe, expect, it } from 'vitest'
import {
  channelSchemas,
  dingtalkSecretsSchema,
  emailConfigSchema,
  outboundMessageSchema,
  sendToChannel,
  VALIDATION_MESSAGES,
  webhookConfigSchema,
  webhookSecretsSchema,
} from '@/lib/notify'
import { message } from './helpers/message'

describe('channel settings schemas', () => {
  it('messages are Chinese by default, English on request', () => {
    const zh = dingtalkSecretsSchema.safeParse({ accessToken: 'bad token!' })
    expect(zh.success).toBe(false)
    expect(zh.error!.issues[0].message).toBe(VALIDATION_MESSAGES.zh.dingtalkToken)
    const en = channelSchemas('en').DINGTALK.secrets.safeParse({ accessToken: 'bad token!' })
    expect(en.error!.issues[0].message).toBe(VALIDATION_MESSAGES.en.dingtalkToken)
    const missing = channelSchemas('en').EMAIL.config.safeParse({})
    expect(missing.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['host', 'port', 'from', 'to']))
  })

  it('the DingTalk signing secret must be the SEC… string', () => {
    expect(dingtalkSecretsSchema.safeParse({ accessToken: 'abcdef0123456789', signSecret: 'SECabc123' }).success).toBe(true)
    const bad = dingtalkSecretsSchema.safeParse({ accessToken: 'abcdef0123456789', signSecret: 'abcdef0123456789' })
    expect(bad.error!.issues[0].path).toEqual(['signSecret'])
  })

  it('validation messages never quote the submitted value', () => {
    const secret = 'SECRET-VALUE-that-should-not-appear'
    for (const [type, s] of Object.entries(channelSchemas('zh'))) {
      const r = s.secrets.safeParse(Object.fromEntries(['accessToken', 'signSecret', 'webhookUrl', 'key', 'sendKey', 'deviceKey', 'password', 'hmacSecret'].map((k) => [k, `${secret} \n`])))
      const text = JSON.stringify(r.success ? {} : r.error.issues.map((i) => i.message))
      expect(text, type).not.toContain(secret)
    }
  })

  it('email: port from a form string, STARTTLS by default, named sender, 1–20 recipients', () => {
    const c = emailConfigSchema.parse({ host: 'smtp.qq.com', port: '465', security: 'SSL_TLS', from: '盯盘 <a@qq.com>', to: ['b@qq.com'] })
    expect(c).toMatchObject({ port: 465, security: 'SSL_TLS', tlsRejectUnauthorized: true })
    expect(emailConfigSchema.parse({ host: 'h', port: 587, from: 'a@b.cn', to: ['c@d.cn'] }).security).toBe('STARTTLS')
    expect(emailConfigSchema.safeParse({ host: 'h', port: 70000, from: 'a@b.cn', to: ['c@d.cn'] }).success).toBe(false)
    expect(emailConfigSchema.safeParse({ host: 'h', port: 25, from: 'not mail', to: ['c@d.cn'] }).success).toBe(false)
    expect(emailConfigSchema.safeParse({ host: 'h', port: 25, from: 'a@b.cn', to: [] }).success).toBe(false)
  })

  it('webhook: http(s) URL, header name, secret ≥ 16 characters', () => {
    expect(webhookConfigSchema.parse({ url: 'http://192.168.1.2:8123/api/webhook/x' }).signatureHeader).toBe('X-DingPan-Signature')
    expect(webhookConfigSchema.safeParse({ url: 'ftp://x' }).success).toBe(false)
    expect(webhookConfigSchema.safeParse({ url: 'https://x', signatureHeader: 'Bad Header' }).success).toBe(false)
    expect(webhookSecretsSchema.safeParse({ hmacSecret: 'short' }).success).toBe(false)
  })

  it('outboundMessageSchema validates a message', () => {
    expect(outboundMessageSchema.safeParse(message()).success).toBe(true)
    expect(outboundMessageSchema.safeParse({ ...message(), severity: 'LOW' }).success).toBe(false)
    expect(outboundMessageSchema.safeParse({ ...message(), createdAt: '2024-01-01' }).success).toBe(false)
  })
})

describe('sendToChannel dispatcher', () => {
  it('refuses an unknown channel type and invalid settings without throwing', async () => {
    const unknown = await sendToChannel('SMS' as never, message(), {}, {}, { timeoutMs: 1000 })
    expect(unknown).toMatchObject({ ok: false, retryable: false })
    const invalid = await sendToChannel('WECOM', message(), {}, { key: 'no spaces allowed here' }, { timeoutMs: 1000 })
    expect(invalid).toMatchObject({ ok: false, retryable: false })
    expect((invalid as { error: string }).error).toMatch(/secrets\.key/)
    const badMessage = await sendToChannel('WECOM', { ...message(), createdAt: 'yesterday' } as never, {}, { key: '693a91f6-7aaa' }, { timeoutMs: 1000 })
    expect((badMessage as { error: string }).error).toMatch(/message\.createdAt/)
  })
})
