// The web app's reading of the market clock: wall time in real mode; the paper exchange's simulated
// clock in demo mode, re-synced at most every `minSyncMs`, and an honest error (with an estimate
// only if it was ever synced) when the exchange does not answer.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { phaseAt, readMarketClock } from '@/lib/services/runtime/market-clock-view'

let server: http.Server
let url = ''
let answer: { status: number; body: unknown } = { status: 200, body: { now: '2026-09-14T02:30:00.000Z', speed: 0, paused: true } }
let hits = 0

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++
    if (req.url !== '/control/clock') return void res.writeHead(404).end()
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()))
})

describe('market clock reading', () => {
  it('uses wall time in real mode', async () => {
    const before = Date.now()
    const r = await readMarketClock({ mode: 'wall' })
    expect(r).toMatchObject({ mode: 'wall', estimated: false, error: null })
    expect(r.now!.getTime()).toBeGreaterThanOrEqual(before)
  })

  it('never synced and unreachable: no time, the error', async () => {
    const r = await readMarketClock({ mode: 'sim', simUrl: 'http://127.0.0.1:9' })
    expect(r.mode).toBe('sim')
    expect(r.now).toBeNull()
    expect(r.error).toMatch(/fetch failed|ECONNREFUSED/)
    expect(phaseAt(r.now)).toEqual({ phase: 'unknown', next: null, calendar: null, error: null })
  })

  it('reads the simulated clock, caches it, and says when it is only an estimate', async () => {
    hits = 0
    const a = await readMarketClock({ mode: 'sim', simUrl: url }, 60_000)
    expect(a).toMatchObject({ mode: 'sim', estimated: false, error: null })
    expect(a.now!.toISOString()).toBe('2026-09-14T02:30:00.000Z')
    expect(phaseAt(a.now)).toMatchObject({ phase: 'continuous', next: { phase: 'lunch_break' } })
    await readMarketClock({ mode: 'sim', simUrl: url }, 60_000)
    expect(hits).toBe(1)
    answer = { status: 500, body: {} }
    const b = await readMarketClock({ mode: 'sim', simUrl: url }, 0)
    expect(b).toMatchObject({ mode: 'sim', estimated: true, error: 'simulated clock answered HTTP 500' })
    expect(b.now!.toISOString()).toBe('2026-09-14T02:30:00.000Z') // paused: the estimate stands still
  })
})
