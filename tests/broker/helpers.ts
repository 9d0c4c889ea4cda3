/**
 * Shared helpers for the broker tests: the paper exchange helpers (tests/paper/helpers.ts), plus a
 * refused port, raw HTTP requests, a hand-written bridge and a capturing logger.
 */
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'

export { at, DAY, NEXT_DAY, q, startSim, type Sim } from '../paper/helpers'

/** A URL on 127.0.0.1 where nothing listens (connections are refused). */
export async function closedPortUrl(): Promise<string> {
  const srv = net.createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))
  const port = (srv.address() as AddressInfo).port
  await new Promise<void>((r) => srv.close(() => r()))
  return `http://127.0.0.1:${port}`
}

/** A raw HTTP request (for shapes the client never produces: no header, no body, GET). */
export function rawRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    const req = http.request({ hostname: u.hostname, port: u.port, path: u.pathname + u.search, method: opts.method ?? 'POST', headers: opts.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }))
    })
    req.on('error', reject)
    req.end(opts.body)
  })
}

/** A hand-written bridge answering with whatever the test sets (a stand-in for a real QKA with odd answers). */
export interface FakeBridge {
  url: string
  answer: (method: string, body: unknown) => { status: number; body: string; delayMs?: number }
  log: Array<{ method: string; body: unknown; start: number; end: number }>
  maxInFlight: number
  close(): Promise<void>
}

export async function startFakeBridge(): Promise<FakeBridge> {
  let inFlight = 0
  const fb: FakeBridge = {
    url: '',
    answer: () => ({ status: 200, body: '{"success":true,"data":{}}' }),
    log: [],
    maxInFlight: 0,
    close: async () => undefined,
  }
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      inFlight++
      fb.maxInFlight = Math.max(fb.maxInFlight, inFlight)
      const method = (req.url ?? '').replace(/^\/api\//, '')
      let body: unknown = null
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        body = null
      }
      const entry = { method, body, start: Date.now(), end: 0 }
      fb.log.push(entry)
      const a = fb.answer(method, body)
      setTimeout(() => {
        inFlight--
        entry.end = Date.now()
        res.writeHead(a.status, { 'content-type': 'application/json' })
        res.end(a.body)
      }, a.delayMs ?? 0)
    })
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))
  fb.url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`
  fb.close = () =>
    new Promise<void>((r) => {
      srv.close(() => r())
      srv.closeAllConnections()
    })
  return fb
}

/** Collects log calls (to prove no token is ever logged). */
export function captureLogger() {
  const lines: Array<{ level: string; obj: object; msg?: string }> = []
  const mk = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg })
  return { lines, logger: { debug: mk('debug'), info: mk('info'), warn: mk('warn'), error: mk('error') } }
}
