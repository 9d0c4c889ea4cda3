/**
 * The paper exchange's Tencent-format endpoint read by lib/quotes exactly as the worker reads
 * qt.gtimg.cn: GBK bytes, 88 fields, units (lots / STAR shares), sim time, limits, unknown codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import iconv from 'iconv-lite'
import { createTencentProvider } from '@/lib/quotes/tencent'
import { parseTencent } from '@/lib/quotes/tencent-parser'
import { createQuoteService } from '@/lib/quotes/service'
import { limitPrices } from '@/lib/market'
import { TENCENT_FIELD_COUNT } from '@/lib/paper/tencent-format'
import { at, startSim, type Sim } from './helpers'

let sim: Sim
beforeAll(async () => {
  sim = await startSim({ scenario: 'demo', start: at('10:10') })
})
afterAll(async () => {
  await sim.close()
})

async function fetchRaw(keys: string): Promise<{ bytes: Buffer; text: string; contentType: string | null }> {
  const res = await fetch(`${sim.url}/q=${keys}`)
  const bytes = Buffer.from(await res.arrayBuffer())
  return { bytes, text: iconv.decode(bytes, 'gbk'), contentType: res.headers.get('content-type') }
}

describe('GET /q= (Tencent format)', () => {
  it('answers GBK bytes with 88 ~-fields per record and the unknown-code marker', async () => {
    const { bytes, text, contentType } = await fetchRaw('sh600000,sz000001,sh688111,sz300750,sh510300,sh999999')
    expect(contentType).toMatch(/GBK/i)
    // GBK, not UTF-8: 浦发银行 encodes as 8 GBK bytes
    expect(bytes.includes(iconv.encode('浦发银行', 'gbk'))).toBe(true)
    expect(bytes.includes(Buffer.from('浦发银行', 'utf8'))).toBe(false)
    const records = text.split(';').map((s) => s.trim()).filter(Boolean)
    expect(records).toHaveLength(6)
    for (const r of records.slice(0, 5)) expect(/^v_(sh|sz)\d{6}="(.*)"$/.exec(r)![2]!.split('~')).toHaveLength(TENCENT_FIELD_COUNT)
    expect(records[5]).toBe('v_pv_none_match="1"')
  })

  it('is parsed by lib/quotes with correct units, prices, limits and the simulated time', async () => {
    const { text } = await fetchRaw('sh600000,sh688111,sh510300')
    const parsed = parseTencent(text)
    const byCode = new Map(parsed.flatMap((r) => (r.kind === 'quote' ? [[r.code, r] as const] : [])))
    const now = sim.exchange.now()
    for (const code of ['600000.SH', '688111.SH', '510300.SH']) {
      const r = byCode.get(code)!
      expect(r, code).toBeDefined()
      expect(r.warnings).toEqual([])
      const model = sim.exchange.quote(code, now)
      expect(r.quote).toMatchObject({
        code,
        name: model.name,
        last: model.last,
        prevClose: model.prevClose,
        open: model.open,
        high: model.high,
        low: model.low,
        volume: model.volume,
        limitUp: model.limitUp,
        limitDown: model.limitDown,
        suspended: false,
      })
      expect(r.quote.amount).toBeCloseTo(Math.round(model.amount), 0)
      expect(r.quote.bids).toEqual(model.bids)
      expect(r.quote.asks).toEqual(model.asks)
      expect(r.quote.time.getTime()).toBe(model.time.getTime())
      // the quote is from the simulated clock (10:10 on 2026-09-14), not the wall clock
      expect(Math.abs(r.quote.time.getTime() - at('10:10').getTime())).toBeLessThanOrEqual(3000)
    }
    // units: lots for the main board and funds (decided by the amount cross-check), shares for STAR
    expect(byCode.get('600000.SH')!.volumeUnit).toBe('lots')
    expect(byCode.get('600000.SH')!.volumeUnitBy).toBe('crosscheck')
    expect(byCode.get('688111.SH')!.volumeUnit).toBe('shares')
    expect(byCode.get('510300.SH')!.quote.last.toString()).toMatch(/^\d+\.\d{1,3}$/)
    // published limits equal the integer half-up computation from the previous close
    const q = byCode.get('600000.SH')!.quote
    expect({ up: q.limitUp, down: q.limitDown }).toEqual(limitPrices('600000.SH', q.prevClose))
  })

  it('works through the Tencent provider and the quote service (the worker path)', async () => {
    const provider = createTencentProvider({ baseUrl: sim.url, timeoutMs: 2000 })
    const res = await provider.fetch(['600000.SH', '000001.SZ', '920999.BJ'])
    expect(res.byCode.get('600000.SH')).toMatchObject({ ok: true })
    expect(res.byCode.get('000001.SZ')).toMatchObject({ ok: true, quote: { name: '平安银行' } })
    const svc = createQuoteService({ providers: ['tencent'], baseUrls: { tencent: sim.url }, timeoutMs: 2000, concurrency: 2, maxAgeMs: 15_000 })
    const now = sim.exchange.now()
    const out = await svc.getQuotes(['600000.SH', '601398.SH'], now)
    expect(out.quotes.get('601398.SH')).toMatchObject({ stale: false, name: '工商银行' })
    // the demo's gap-down: opened about 4.5 % below the previous close
    expect(out.quotes.get('601398.SH')!.open).toBeLessThan(8.2 * 0.96)
  })

  it('suspended (demo 600300.SH) and pre-open quotes are flagged not tradable by the parser', async () => {
    const { text } = await fetchRaw('sh600300')
    const [r] = parseTencent(text)
    expect(r).toMatchObject({ kind: 'quote', quote: { suspended: true, open: 0, volume: 0, bids: [], asks: [], last: 10 } })
    await sim.ctl('clock', { now: at('09:05').toISOString(), paused: true })
    const pre = parseTencent((await fetchRaw('sh600000')).text)[0]!
    expect(pre).toMatchObject({ kind: 'quote', quote: { suspended: true, open: 0, volume: 0 } })
    await sim.ctl('clock', { now: at('10:10').toISOString(), paused: true })
  })

  it('a limit-up lock shows an empty ask book and the limit price (demo 688111.SH after minute 41)', async () => {
    await sim.ctl('clock', { now: at('10:30').toISOString(), paused: true })
    const [r] = parseTencent((await fetchRaw('sh688111')).text)
    expect(r!.kind).toBe('quote')
    if (r!.kind !== 'quote') return
    expect(r.quote.last).toBe(274.8)
    expect(r.quote.limitUp).toBe(274.8)
    expect(r.quote.asks).toEqual([])
    expect(r.quote.bids[0]!.price).toBe(274.8)
    await sim.ctl('clock', { now: at('10:10').toISOString(), paused: true })
  })
})
