/**
 * Shared helpers for the broker tests: fixed trading days, quotes for the engine, and a paper
 * exchange started on ephemeral ports with a frozen clock, driven over its real HTTP control API.
 */
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { shanghaiTime, type Quote } from '@/lib/market'
import { startPaperExchange, type PaperExchangeHandle, type PaperExchangeOptions } from '@/lib/broker/paper/server'

/** Monday 2026-09-14 and the following trading days (2026-09-25 is a holiday, 09-26/27 a weekend). */
export const DAY = '2026-09-14'
export const NEXT_DAY = '2026-09-15'
export const at = (hhmm: string, day = DAY) => shanghaiTime(day, hhmm)

/** A quote with a simple book: asks from `ask1` upward, bids from `bid1` downward, tick 0.01. */
export function q(over: Partial<Quote> & { ask1?: number; bid1?: number; levelVolume?: number } = {}): Quote {
  const last = over.last ?? 10
  const tick = 0.01
  const vol = over.levelVolume ?? 10_000
  const ask1 = over.ask1 ?? last
  const bid1 = over.bid1 ?? Math.round((last - tick) * 100) / 100
  const lvl = (start: number, dir: number) => [0, 1, 2, 3, 4].map((i) => ({ price: Math.round((start + dir * i * tick) * 100) / 100, volume: vol }))
  const { ask1: _a, bid1: _b, levelVolume: _v, ...rest } = over
  return {
    code: '600000.SH',
    name: '浦发银行',
    last,
    prevClose: 10,
    open: 10,
    high: last,
    low: last,
    volume: 1_000_000,
    amount: 10_000_000,
    bids: lvl(bid1, -1),
    asks: lvl(ask1, 1),
    limitUp: 11,
    limitDown: 9,
    time: at('10:00'),
    suspended: false,
    source: 'test',
    ...rest,
  }
}

export interface Sim extends PaperExchangeHandle {
  /** POST /control/<path> with the control token; resolves the JSON answer (throws on non-2xx). */
  ctl<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T>
  /** GET /control/<path>. */
  get<T = Record<string, unknown>>(path: string): Promise<T>
  /** Requests the bridge received for a method (counted at the sim). */
  requests(method: string): Promise<number>
}

async function json(res: Response): Promise<unknown> {
  const text = await res.text()
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${text}`)
  return JSON.parse(text)
}

/** Starts a paper exchange on ephemeral ports, paused at `start` (default 2026-09-14 10:00), scenario none. */
export async function startSim(opts: PaperExchangeOptions & { start?: Date | string } = {}): Promise<Sim> {
  const h = await startPaperExchange({ stateFile: null, paused: true, start: at('10:00'), scenario: 'none', tickMs: 100_000, ...opts })
  const headers = { 'content-type': 'application/json', 'x-token': h.controlToken }
  const sim: Sim = Object.assign(h, {
    ctl: async <T>(path: string, body: unknown = {}) => (await json(await fetch(`${h.url}/control/${path}`, { method: 'POST', headers, body: JSON.stringify(body) }))) as T,
    get: async <T>(path: string) => (await json(await fetch(`${h.url}/control/${path}`, { headers }))) as T,
    requests: async (method: string) => ((await json(await fetch(`${h.url}/control/state`, { headers }))) as { requests: Record<string, number> }).requests[method] ?? 0,
  })
  return sim
}

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
