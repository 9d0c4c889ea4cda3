/**
 * Snapshots on a cadence (lib/paper/snapshots.ts): with SIM cadence 3 s at a 400 ms phase and up to
 * 200 ms of jitter, the Tencent endpoint serves the newest snapshot already published, stamped with
 * the price-model step it shows (like Tencent's timestamp field); without a cadence every step is
 * served from its first millisecond.
 */
import { afterEach, describe, expect, it } from 'vitest'
import iconv from 'iconv-lite'
import { parseTencent } from '@/lib/quotes/tencent-parser'
import { startPaperExchange, type PaperExchangeHandle } from '@/lib/paper/server'
import { publicationMs, publishedSnapshotMs } from '@/lib/paper/snapshots'

let ex: PaperExchangeHandle | null = null
afterEach(async () => {
  await ex?.close()
  ex = null
})

const START = new Date('2026-11-23T10:00:00.000+08:00').getTime()

async function stampAt(h: PaperExchangeHandle, ms: number): Promise<number> {
  const res = await fetch(`${h.url}/control/clock`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-token': h.controlToken }, body: JSON.stringify({ now: new Date(ms).toISOString(), paused: true }) })
  expect(res.status).toBe(200)
  const text = iconv.decode(Buffer.from(await (await fetch(`${h.url}/q=sh600000`)).arrayBuffer()), 'gbk')
  const r = parseTencent(text)[0]!
  if (r.kind !== 'quote') throw new Error(`no quote: ${text.slice(0, 200)}`)
  return r.quote.time.getTime()
}

describe('paper exchange snapshots on a cadence', () => {
  it('serves the newest published snapshot, stamped with the price step it shows', async () => {
    const cadence = { cadenceMs: 3000, phaseMs: 400, jitterMs: 200, seed: 5 }
    ex = await startPaperExchange({ stateFile: null, scenario: 'none', start: new Date(START).toISOString(), paused: true, seed: 7, snapshots: cadence })
    const seen = new Set<number>()
    for (let t = START + 1_000; t < START + 31_000; t += 250) {
      const stamp = await stampAt(ex, t)
      const nominal = publishedSnapshotMs(cadence, t)
      expect(nominal % 3000).toBe(400 % 3000)
      expect(publicationMs(cadence, nominal)).toBeLessThanOrEqual(t)
      // The price model moves in 3 s steps stamped at their start: the step this snapshot shows.
      expect(stamp).toBe(Math.floor(nominal / 3000) * 3000)
      seen.add(stamp)
    }
    expect(seen.size).toBe(11)
  })

  it('keeps a published snapshot frozen: a price change shows from the next publication on', async () => {
    const cadence = { cadenceMs: 3000, phaseMs: 400, jitterMs: 0 }
    ex = await startPaperExchange({ stateFile: null, scenario: 'none', start: new Date(START).toISOString(), paused: true, seed: 7, snapshots: cadence })
    const h = ex
    const last = async (ms: number) => {
      await fetch(`${h.url}/control/clock`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-token': h.controlToken }, body: JSON.stringify({ now: new Date(ms).toISOString(), paused: true }) })
      const r = parseTencent(iconv.decode(Buffer.from(await (await fetch(`${h.url}/q=sh600000`)).arrayBuffer()), 'gbk'))[0]!
      if (r.kind !== 'quote') throw new Error('no quote')
      return r.quote.last
    }
    const before = await last(START + 1_000) // snapshot published at START + 400
    await fetch(`${h.url}/control/clock`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-token': h.controlToken }, body: JSON.stringify({ now: new Date(START + 2_000).toISOString(), paused: true }) })
    const set = await fetch(`${h.url}/control/price`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-token': h.controlToken }, body: JSON.stringify({ code: '600000.SH', last: 1.02 }) })
    expect(set.status).toBe(200)
    expect(before).not.toBe(1.02)
    expect(await last(START + 2_500)).toBe(before)
    expect(await last(START + 3_399)).toBe(before)
    expect(await last(START + 3_400)).toBe(1.02)
  })

  it('without a cadence, quotes show the current 3 s step from its first millisecond', async () => {
    ex = await startPaperExchange({ stateFile: null, scenario: 'none', start: new Date(START).toISOString(), paused: true, seed: 7 })
    expect(await stampAt(ex, START + 2_999)).toBe(START)
    expect(await stampAt(ex, START + 3_000)).toBe(START + 3_000)
  })
})
