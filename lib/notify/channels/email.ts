/**
 * Email over SMTP with nodemailer: from / to / subject / text + a simple HTML alternative.
 * Reported as sent ONLY when nodemailer resolved and every configured recipient is in
 * info.accepted with none in info.rejected (a partial acceptance is a non-retryable failure, so the
 * accepted recipients do not get the mail twice).
 * Failures: connection refused / timeout / socket errors / SMTP 4xx → retryable;
 * SMTP 5xx (authentication 535, recipient 550...), STARTTLS unavailable, certificate errors → not.
 */
import nodemailer from 'nodemailer'
import type SMTPTransport from 'nodemailer/lib/smtp-transport'
import type { EmailConfig, EmailSecrets } from '../config'
import { formatEmail } from '../format'
import { errorCode, shortDetail } from '../http'
import { failure, guarded } from '../result'
import { scrubSecrets } from '../secrets'
import type { ChannelAdapter, DeliveryFailure, DeliveryResult, OutboundMessage, SendOptions } from '../types'

const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'])

function addressOf(a: string | { address: string }): string {
  return (typeof a === 'string' ? a : a.address).trim().toLowerCase()
}

/** Classifies a nodemailer error (code + SMTP responseCode). */
export function classifySmtpError(err: unknown, secrets: unknown): DeliveryFailure {
  const e = (err ?? {}) as { code?: unknown; responseCode?: unknown; response?: unknown; message?: unknown }
  const code = typeof e.code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(e.code) ? e.code : errorCode(err)
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined
  const text = typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : ''
  const detail = shortDetail(scrubSecrets(text, secrets))
  const label = `Email: SMTP ${code ?? 'error'}${responseCode ? ` ${responseCode}` : ''}${detail ? `: ${detail}` : ''}`
  const extra = responseCode !== undefined ? { status: responseCode } : {}
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 500) return failure(true, `${label} (temporary)`, extra)
  if (responseCode !== undefined && responseCode >= 500) {
    const hint = code === 'EAUTH' ? ' — check the user name and password' : code === 'EENVELOPE' ? ' — check the sender and recipient addresses' : ''
    return failure(false, `${label}${hint}`, extra)
  }
  if (/certificate|self[- ]signed/i.test(text)) return failure(false, `${label} — TLS certificate rejected`, extra)
  if (code === 'ETLS') return failure(false, `${label} — the server does not offer the configured TLS mode`, extra)
  if (code === 'EAUTH') return failure(false, `${label} — authentication failed`, extra)
  if (code && RETRYABLE_CODES.has(code)) return failure(true, label, extra)
  return failure(false, label, extra)
}

export const emailAdapter: ChannelAdapter<EmailConfig, EmailSecrets> = {
  type: 'EMAIL',
  send(message: OutboundMessage, config: EmailConfig, secrets: EmailSecrets, opts: SendOptions) {
    return guarded('Email', secrets, async () => {
      const { subject, text, html } = formatEmail(message)
      const options: SMTPTransport.Options = {
        host: config.host,
        port: config.port,
        secure: config.security === 'SSL_TLS',
        requireTLS: config.security === 'STARTTLS',
        ignoreTLS: config.security === 'NONE',
        auth: config.user ? { user: config.user, pass: secrets.password ?? '' } : undefined,
        connectionTimeout: opts.timeoutMs,
        greetingTimeout: opts.timeoutMs,
        socketTimeout: opts.timeoutMs,
        tls: { rejectUnauthorized: config.tlsRejectUnauthorized },
        disableFileAccess: true,
        disableUrlAccess: true,
        logger: false,
        debug: false,
      }
      const transporter = nodemailer.createTransport(options)
      let timer: NodeJS.Timeout | undefined
      try {
        const deadline = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), Math.max(1, opts.timeoutMs))
        })
        const sending = transporter.sendMail({
          from: config.from,
          to: config.to,
          subject,
          text,
          html,
          headers: { 'X-DingPan-Event': message.type.replace(/[^\x21-\x7e]/g, '_') },
        })
        sending.catch(() => undefined) // settled below or abandoned after the deadline
        const outcome = await Promise.race([sending.then((info) => ({ info }), (error: unknown) => ({ error })), deadline])
        if (outcome === 'timeout') return failure(true, `Email: no SMTP answer within ${opts.timeoutMs} ms (timeout)`)
        if ('error' in outcome) return classifySmtpError(outcome.error, secrets)
        return checkAccepted(outcome.info, config)
      } finally {
        if (timer) clearTimeout(timer)
        transporter.close()
      }
    })
  },
}

function checkAccepted(info: SMTPTransport.SentMessageInfo, config: EmailConfig): DeliveryResult {
  const accepted = new Set((info.accepted ?? []).map(addressOf))
  const rejected = (info.rejected ?? []).map(addressOf)
  const wanted = config.to.map((a) => a.trim().toLowerCase())
  const missing = wanted.filter((a) => !accepted.has(a))
  const status = Number(/^\d{3}/.exec(info.response ?? '')?.[0] ?? 250)
  if (missing.length > 0 || rejected.length > 0) {
    const who = [...new Set([...rejected, ...missing])].join(', ')
    return failure(false, `Email: the server did not accept every recipient (not accepted: ${who}); not retried to avoid duplicates`, {
      status,
    })
  }
  return { ok: true, status, ...(info.messageId ? { providerMessageId: info.messageId } : {}) }
}
