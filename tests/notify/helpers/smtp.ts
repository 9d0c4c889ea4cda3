/** A real SMTP server (smtp-server) on 127.0.0.1 that records envelopes and raw messages. */
import { createServer as createTcpServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'

export interface ReceivedMail {
  from: string
  to: string[]
  raw: string
}

export interface SmtpHandle {
  port: number
  mails: ReceivedMail[]
  auths: { username?: string; password?: string }[]
  close(): Promise<void>
}

export function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode })
}

export async function startSmtp(opts: Partial<SMTPServerOptions> & { user?: string; pass?: string } = {}): Promise<SmtpHandle> {
  const mails: ReceivedMail[] = []
  const auths: { username?: string; password?: string }[] = []
  const { user, pass, ...rest } = opts
  const server = new SMTPServer({
    allowInsecureAuth: true,
    authOptional: user === undefined,
    disableReverseLookup: true,
    logger: false,
    onAuth(auth, _session, cb) {
      auths.push({ username: auth.username ?? undefined, password: auth.password ?? undefined })
      if (auth.username === user && auth.password === pass) return cb(null, { user: auth.username ?? undefined })
      return cb(smtpError('Invalid username or password', 535))
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        cb()
      })
    },
    ...rest,
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  return { port, mails, auths, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** A TCP server that accepts connections and never says anything (no SMTP greeting). */
export async function startSilentTcp(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>()
  const server = createTcpServer((s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Subject header of a raw message, with RFC 2047 encoded-words decoded. */
export function subjectOf(raw: string): string {
  const headers = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ')
  const line = headers.split(/\r?\n/).find((l) => /^subject:/i.test(l)) ?? ''
  const value = line.replace(/^subject:\s*/i, '')
  const bytes: Buffer[] = []
  let out = ''
  const flush = () => {
    if (bytes.length) out += Buffer.concat(bytes.splice(0)).toString('utf8')
  }
  const re = /=\?utf-8\?([bq])\?([^?]*)\?=|(\s+)|([^\s=]+|=)/gi
  for (const m of value.matchAll(re)) {
    if (m[1]) {
      bytes.push(
        m[1].toLowerCase() === 'b'
          ? Buffer.from(m[2], 'base64')
          : Buffer.from(m[2].replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1'),
      )
    } else if (m[3]) {
      // whitespace between two encoded-words is dropped; elsewhere it is kept
      const next = value.slice((m.index ?? 0) + m[3].length)
      if (!(bytes.length && /^=\?utf-8\?/i.test(next))) {
        flush()
        out += m[3]
      }
    } else {
      flush()
      out += m[4]
    }
  }
  flush()
  return out
}
