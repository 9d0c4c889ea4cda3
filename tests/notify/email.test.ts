import { afterEach, describe, expect, it } from 'vitest'
import { emailAdapter, emailConfigSchema, sendToChannel, type EmailConfig } from '@/lib/notify'
import { message } from './helpers/message'
import { smtpError, startSilentTcp, startSmtp, subjectOf, type SmtpHandle } from './helpers/smtp'
import { closedPortUrl } from './helpers/receiver'

let smtp: SmtpHandle | undefined
afterEach(async () => {
  await smtp?.close()
  smtp = undefined
})

const base = (port: number, over: Partial<EmailConfig> = {}): EmailConfig =>
  emailConfigSchema.parse({
    host: '127.0.0.1',
    port,
    security: 'NONE',
    user: 'trader',
    from: '盯盘 <alerts@dingpan.local>',
    to: ['me@example.com', 'ops@example.com'],
    ...over,
  })

const opts = { timeoutMs: 3000 }

describe('email over SMTP', () => {
  it('delivers: the server receives the message with the right subject, sender and recipients', async () => {
    smtp = await startSmtp({ user: 'trader', pass: 'p@ss-w0rd' })
    const res = await emailAdapter.send(message(), base(smtp.port), { password: 'p@ss-w0rd' }, opts)
    expect(res).toMatchObject({ ok: true, status: 250 })
    expect((res as { providerMessageId?: string }).providerMessageId).toMatch(/^<.+@.+>$/)
    expect(smtp.auths).toEqual([{ username: 'trader', password: 'p@ss-w0rd' }])
    expect(smtp.mails).toHaveLength(1)
    const mail = smtp.mails[0]
    expect(mail.from).toBe('alerts@dingpan.local')
    expect(mail.to).toEqual(['me@example.com', 'ops@example.com'])
    expect(subjectOf(mail.raw)).toBe('[DingPan] 【严重】浦发银行 600000.SH 触发止损')
    expect(mail.raw).toMatch(/Content-Type: multipart\/alternative/i)
    expect(mail.raw).toMatch(/X-DingPan-Event: STOP_LOSS/i)
  })

  it('550 on RCPT for every recipient → ok:false, not retryable', async () => {
    smtp = await startSmtp({
      user: 'trader',
      pass: 'pw',
      onRcptTo: (_a, _s, cb) => cb(smtpError('Mailbox unavailable', 550)),
    })
    const res = await emailAdapter.send(message(), base(smtp.port), { password: 'pw' }, opts)
    expect(res).toMatchObject({ ok: false, retryable: false, status: 550 })
    expect(smtp.mails).toHaveLength(0)
  })

  it('one recipient rejected, one accepted → recorded as failed (never as sent), not retried', async () => {
    smtp = await startSmtp({
      user: 'trader',
      pass: 'pw',
      onRcptTo: (a, _s, cb) => (a.address === 'ops@example.com' ? cb(smtpError('No such user', 550)) : cb()),
    })
    const res = await emailAdapter.send(message(), base(smtp.port), { password: 'pw' }, opts)
    expect(res).toMatchObject({ ok: false, retryable: false })
    expect((res as { error: string }).error).toContain('ops@example.com')
  })

  it('451 (greylisting) on RCPT → retryable', async () => {
    smtp = await startSmtp({ onRcptTo: (_a, _s, cb) => cb(smtpError('Try again later', 451)) })
    const res = await emailAdapter.send(message(), base(smtp.port, { user: undefined }), {}, opts)
    expect(res).toMatchObject({ ok: false, retryable: true, status: 451 })
  })

  it('authentication failure (535) → ok:false, not retryable, password not echoed', async () => {
    smtp = await startSmtp({ user: 'trader', pass: 'right-password' })
    const res = await emailAdapter.send(message(), base(smtp.port), { password: 'wrong-password-123' }, opts)
    expect(res).toMatchObject({ ok: false, retryable: false, status: 535 })
    expect((res as { error: string }).error).not.toContain('wrong-password-123')
    expect(smtp.mails).toHaveLength(0)
  })

  it('554 on DATA → ok:false, not retryable', async () => {
    smtp = await startSmtp({ onData: (stream, _s, cb) => stream.on('data', () => undefined).on('end', () => cb(smtpError('Message rejected as spam', 554))) })
    const res = await emailAdapter.send(message(), base(smtp.port, { user: undefined }), {}, opts)
    expect(res).toMatchObject({ ok: false, retryable: false, status: 554 })
  })

  it('closed port → ok:false, retryable', async () => {
    const port = Number(new URL(await closedPortUrl()).port)
    const res = await emailAdapter.send(message(), base(port), { password: 'x' }, opts)
    expect(res).toMatchObject({ ok: false, retryable: true })
  })

  it('a server that never greets → ok:false, retryable, within the deadline', async () => {
    const silent = await startSilentTcp()
    try {
      const t0 = Date.now()
      const res = await emailAdapter.send(message(), base(silent.port), { password: 'x' }, { timeoutMs: 400 })
      expect(res).toMatchObject({ ok: false, retryable: true })
      expect((res as { error: string }).error).toMatch(/timeout|ETIMEDOUT/i)
      expect(Date.now() - t0).toBeLessThan(3000)
    } finally {
      await silent.close()
    }
  })

  it('STARTTLS required but not offered → ok:false, not retryable', async () => {
    smtp = await startSmtp({ hideSTARTTLS: true })
    const res = await emailAdapter.send(message(), base(smtp.port, { security: 'STARTTLS', user: undefined }), {}, opts)
    expect(res).toMatchObject({ ok: false, retryable: false })
    expect(smtp.mails).toHaveLength(0)
  })

  it('STARTTLS against a self-signed certificate: refused by default, delivered when verification is turned off', async () => {
    smtp = await startSmtp({ user: 'trader', pass: 'pw' })
    const strict = await emailAdapter.send(message(), base(smtp.port, { security: 'STARTTLS' }), { password: 'pw' }, opts)
    expect(strict).toMatchObject({ ok: false, retryable: false })
    expect((strict as { error: string }).error).toMatch(/certificate/i)
    expect(smtp.mails).toHaveLength(0)
    const relaxed = await emailAdapter.send(message(), base(smtp.port, { security: 'STARTTLS', tlsRejectUnauthorized: false }), { password: 'pw' }, opts)
    expect(relaxed).toMatchObject({ ok: true })
    expect(smtp.mails).toHaveLength(1)
  })

  it('sendToChannel validates the settings (bad recipient) before connecting', async () => {
    const res = await sendToChannel('EMAIL', message(), { host: 'x', port: 25, from: 'a@b.cn', to: ['not-an-email'] }, {}, opts)
    expect(res).toMatchObject({ ok: false, retryable: false })
    expect((res as { error: string }).error).toMatch(/config\.to\.0/)
  })
})
