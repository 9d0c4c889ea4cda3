/**
 * A real HTTP server on 127.0.0.1 (ephemeral port) that records every request and answers through
 * a handler — the platforms' behaviour lives in platforms.ts. Nothing of lib/notify is mocked.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Recorded {
  method: string
  /** Raw request target (path + query), as sent. */
  target: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  rawBody: string
  json: unknown
}

export interface Reply {
  status?: number
  headers?: Record<string, string>
  /** Object → JSON; string → sent as-is. */
  body?: unknown
  /** Wait before answering. */
  delayMs?: number
  /** Send status + headers, then stall the body for this long. */
  stallBodyMs?: number
  /** Never answer (the connection is destroyed on close). */
  hang?: boolean
}

export type Handler = (req: Recorded) => Reply | Promise<Reply>

export interface Receiver {
  baseUrl: string
  requests: Recorded[]
  setHandler(h: Handler): void
  close(): Promise<void>
}

export async function startReceiver(handler: Handler): Promise<Receiver> {
  let current = handler
  const requests: Recorded[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void (async () => {
        const rawBody = Buffer.concat(chunks).toString('utf8')
        let json: unknown
        try {
          json = JSON.parse(rawBody)
        } catch {
          json = undefined
        }
        const target = req.url ?? '/'
        const u = new URL(target, 'http://127.0.0.1')
        const rec: Recorded = { method: req.method ?? '', target, path: u.pathname, query: u.searchParams, headers: req.headers, rawBody, json }
        requests.push(rec)
        const reply = await current(rec)
        if (reply.hang) return
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs))
        const isString = typeof reply.body === 'string'
        const payload = reply.body === undefined ? '' : isString ? (reply.body as string) : JSON.stringify(reply.body)
        res.writeHead(reply.status ?? 200, {
          'Content-Type': isString ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
          ...reply.headers,
        })
        if (reply.stallBodyMs) {
          res.write(payload.slice(0, 1))
          await new Promise((r) => setTimeout(r, reply.stallBodyMs))
          if (!res.destroyed) res.end(payload.slice(1))
          return
        }
        res.end(payload)
      })()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    setHandler(h) {
      current = h
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A URL on 127.0.0.1 where nothing listens (the port was just released). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
