/**
 * Shared helpers for the paper exchange tests (and the broker tests that talk to it): fixed trading
 * days, quotes for the engine, and a paper exchange started on ephemeral ports with a frozen clock,
 * driven over its real HTTP control API.
 */
import { shanghaiTime, type Quote } from '@/lib/market'
import { startPaperExchange, type PaperExchangeHandle, type PaperExchangeOptions } from '@/lib/paper'

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
