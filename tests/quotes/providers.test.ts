import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEastmoneyProvider } from '@/lib/quotes/eastmoney'
import { charsetOf, httpGetBytes } from '@/lib/quotes/http'
import { createSinaProvider } from '@/lib/quotes/sina'
import { createTencentProvider } from '@/lib/quotes/tencent'
import { QuoteSourceError, type CodeOutcome, type ProviderResult } from '@/lib/quotes/types'
import { bj, fixtureText, gbk } from './helpers/fixtures'
import { closedPortUrl, sinaRecord, startFakeSources, syntheticInstrument, type FakeSources } from './helpers/fake-sources'

let fake: FakeSources
beforeAll(async () => {
  fake = await startFakeSources()
})
afterAll(async () => {
  await fake.close()
})
afterEach(() => fake.reset())

async function rejection(p: Promise<unknown>): Promise<QuoteSourceError> {
  const e = await p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(QuoteSourceError)
  return e as QuoteSourceError
}

function outcome(r: ProviderResult, code: string): CodeOutcome {
  const o = r.byCode.get(code)
  expect(o, code).toBeDefined()
  return o!
}

describe('httpGetBytes', () => {
  it('times out when the server never answers, and when the body stalls', async () => {
    fake.behaviour.tencent = { kind: 'hang' }
    const t0 = Date.now()
    const e = await rejection(httpGetBytes('tencent', `${fake.baseUrl}/q=sh600000`, { timeoutMs: 150 }))
    expect(e.kind).toBe('timeout')
    expect(Date.now() - t0).toBeLessThan(2000)
    fake.behaviour.tencent = { kind: 'stall-body' }
    expect((await rejection(httpGetBytes('tencent', `${fake.baseUrl}/q=sh600000`, { timeoutMs: 150 }))).kind).toBe('timeout')
  })

  it('HTTP 500 → kind http with the status', async () => {
    fake.behaviour.tencent = { kind: 'status', status: 500 }
    const e = await rejection(httpGetBytes('tencent', `${fake.baseUrl}/q=sh600000`, { timeoutMs: 1000 }))
    expect(e.kind).toBe('http')
    expect(e.status).toBe(500)
    expect(e.provider).toBe('tencent')
  })

  it('connection refused → kind network', async () => {
    const e = await rejection(httpGetBytes('tencent', `${await closedPortUrl()}/q=sh600000`, { timeoutMs: 1000 }))
    expect(e.kind).toBe('network')
  })

  it('socket closed without an answer → kind network', async () => {
    fake.behaviour.tencent = { kind: 'destroy' }
    expect((await rejection(httpGetBytes('tencent', `${fake.baseUrl}/q=sh600000`, { timeoutMs: 1000 }))).kind).toBe('network')
  })

  it("the caller's abort rejects with the caller's reason, not a QuoteSourceError", async () => {
    fake.behaviour.tencent = { kind: 'hang' }
    const ac = new AbortController()
    const reason = new Error('shutting down')
    setTimeout(() => ac.abort(reason), 50)
    await expect(httpGetBytes('tencent', `${fake.baseUrl}/q=sh600000`, { timeoutMs: 5000, signal: ac.signal })).rejects.toBe(reason)
  })

  it('returns raw bytes and the content type; charsetOf reads the charset', async () => {
    fake.add(syntheticInstrument(0))
    const r = await httpGetBytes('tencent', `${fake.baseUrl}/q=sh600000`, { timeoutMs: 1000 })
    expect(r.contentType).toBe('text/html; charset=GBK')
    expect(charsetOf(r.contentType)).toBe('gbk')
    expect(charsetOf('text/plain; charset="GB2312"')).toBe('gb2312')
    expect(charsetOf('application/json')).toBeNull()
    // 测试 in GBK is CB E2 CA D4
    expect(Buffer.from(r.bytes).includes(Buffer.from([0xb2, 0xe2, 0xca, 0xd4]))).toBe(true)
  })
})

describe('Tencent provider', () => {
  it('serves the recorded GBK fixture: newest duplicate wins, unknown code reported, one request', async () => {
    fake.behaviour.tencent = { kind: 'raw', body: gbk(fixtureText('tencent_qt.txt')), contentType: 'text/html; charset=GBK' }
    const p = createTencentProvider({ baseUrl: fake.baseUrl, timeoutMs: 2000 })
    const r = await p.fetch(['600000.SH', '688111.SH', '000002.SZ'])
    expect(fake.requestsTo('tencent').map((q) => q.url)).toEqual(['/q=sh600000,sh688111,sz000002'])
    const a = outcome(r, '600000.SH')
    expect(a.ok && a.quote.time).toEqual(bj('2026-09-14 16:14:38'))
    expect(a.ok && a.quote.last).toBe(9.4)
    const star = outcome(r, '688111.SH')
    expect(star.ok && star.quote.volume).toBe(3_506_475)
    expect(star.ok && star.quote.name).toBe('金山办公')
    expect(outcome(r, '000002.SZ')).toMatchObject({ ok: false, problem: 'unknown_code' })
    expect(r.warnings.some((w) => w.includes('600000.SH appeared 2 times'))).toBe(true)
  })

  it('empty and malformed records are per-code problems; the rest of the batch is delivered', async () => {
    const body = [
      'v_sh600001="";',
      `v_sh600002="1~坏~600002~9.40";`,
      fixtureText('tencent_qt.txt').split('\n')[0],
    ].join('\n')
    fake.behaviour.tencent = { kind: 'raw', body: gbk(body) }
    const r = await createTencentProvider({ baseUrl: fake.baseUrl }).fetch(['600001.SH', '600002.SH', '600000.SH'])
    expect(outcome(r, '600001.SH')).toMatchObject({ ok: false, problem: 'empty' })
    expect(outcome(r, '600002.SH')).toMatchObject({ ok: false, problem: 'malformed' })
    expect(outcome(r, '600000.SH').ok).toBe(true)
  })

  it('splits more than 60 codes into sequential requests of ≤ 60', async () => {
    const qs = Array.from({ length: 150 }, (_, i) => syntheticInstrument(i))
    fake.add(...qs)
    const r = await createTencentProvider({ baseUrl: fake.baseUrl }).fetch(qs.map((q) => q.code))
    expect(fake.requestsTo('tencent').map((q) => q.codes.length)).toEqual([60, 60, 30])
    expect([...r.byCode.values()].every((o) => o.ok)).toBe(true)
    const o = outcome(r, '600149.SH')
    expect(o.ok && o.quote).toMatchObject({ last: 11.49, volume: 15_000_000, name: '测试149' })
  })

  it('non-canonical codes never reach the wire', async () => {
    fake.add(syntheticInstrument(0))
    const r = await createTencentProvider({ baseUrl: fake.baseUrl }).fetch(['600000', '600000.SH', '600000.SH'])
    expect(outcome(r, '600000')).toMatchObject({ ok: false, problem: 'unknown_code' })
    expect(fake.requestsTo('tencent').map((q) => q.url)).toEqual(['/q=sh600000'])
    expect(r.byCode.size).toBe(2)
  })

  it('an HTML page or an empty 200 body is a malformed transport error (no crash)', async () => {
    const p = createTencentProvider({ baseUrl: fake.baseUrl })
    fake.behaviour.tencent = { kind: 'raw', body: '<html><body>系统繁忙</body></html>', contentType: 'text/html' }
    expect((await rejection(p.fetch(['600000.SH']))).kind).toBe('malformed')
    fake.behaviour.tencent = { kind: 'raw', body: '' }
    expect((await rejection(p.fetch(['600000.SH']))).kind).toBe('malformed')
  })
})

describe('Sina provider', () => {
  it('sends the Referer; the fake server answers 403 Kinsoku without it', async () => {
    const bare = await fetch(`${fake.baseUrl}/list=sh600000`)
    expect(bare.status).toBe(403)
    expect(await bare.text()).toBe('Kinsoku jikou desu!')
    fake.add(syntheticInstrument(0))
    const r = await createSinaProvider({ baseUrl: fake.baseUrl }).fetch(['600000.SH'])
    expect(fake.requestsTo('sina').at(-1)!.referer).toBe('https://finance.sina.com.cn/')
    const o = outcome(r, '600000.SH')
    expect(o.ok && o.quote).toMatchObject({ code: '600000.SH', name: '测试0', last: 10, prevClose: 9.9, volume: 100_000, source: 'sina' })
  })

  it('serves the recorded fixture as GBK without a charset header; empty record → unknown_code', async () => {
    fake.behaviour.sina = { kind: 'raw', body: gbk(fixtureText('sina_hq.txt')) }
    const codes = ['600000.SH', '688099.SH', '688047.SH', '162411.SZ', '160923.SZ']
    const r = await createSinaProvider({ baseUrl: fake.baseUrl }).fetch(codes)
    expect(fake.requestsTo('sina')[0]!.url).toBe('/list=sh600000,sh688099,sh688047,sz162411,sz160923')
    const q = outcome(r, '688047.SH')
    expect(q.ok && q.quote.asks).toEqual([])
    expect(q.ok && q.quote.name).toBe('龙芯中科')
    const fund = outcome(r, '162411.SZ')
    expect(fund.ok && fund.quote.last).toBe(0.491)
    expect(outcome(r, '160923.SZ')).toMatchObject({ ok: false, problem: 'unknown_code' })
  })

  it('names with spaces survive the wire (GBK, charset declared)', async () => {
    fake.add({ ...syntheticInstrument(0), code: '000002.SZ', name: '万  科Ａ' })
    const o = outcome(await createSinaProvider({ baseUrl: fake.baseUrl }).fetch(['000002.SZ']), '000002.SZ')
    expect(o.ok && o.quote.name).toBe('万  科Ａ')
  })

  it('Kinsoku jikou desu! is a blocked error, with HTTP 403 or 200', async () => {
    const p = createSinaProvider({ baseUrl: fake.baseUrl })
    fake.behaviour.sina = { kind: 'status', status: 403, body: 'Kinsoku jikou desu!' }
    const e = await rejection(p.fetch(['600000.SH']))
    expect(e.kind).toBe('blocked')
    expect(e.status).toBe(403)
    fake.behaviour.sina = { kind: 'raw', body: 'Kinsoku jikou desu!' }
    expect((await rejection(p.fetch(['600000.SH']))).kind).toBe('blocked')
  })

  it('a suspended status line is delivered as a suspended quote', async () => {
    fake.behaviour.sina = { kind: 'raw', body: gbk(sinaRecord(syntheticInstrument(0), '03')) }
    const o = outcome(await createSinaProvider({ baseUrl: fake.baseUrl }).fetch(['600000.SH']), '600000.SH')
    expect(o.ok && o.quote.suspended).toBe(true)
  })
})

describe('Eastmoney provider', () => {
  it('requests fltt=2 with secids, resolves the index/stock collision, unknown rows → unknown_code', async () => {
    fake.behaviour.eastmoney = { kind: 'raw', body: fixtureText('eastmoney_ulist_fltt2.json'), contentType: 'application/json' }
    const codes = ['600000.SH', '000001.SZ', '000001.SH', '300750.SZ', '601398.SH', '920118.BJ']
    const r = await createEastmoneyProvider({ baseUrl: fake.baseUrl }).fetch(codes)
    const url = new URL(fake.requestsTo('eastmoney')[0]!.url, 'http://x')
    expect(url.pathname).toBe('/api/qt/ulist.np/get')
    expect(url.searchParams.get('fltt')).toBe('2')
    expect(url.searchParams.get('secids')).toBe('1.600000,0.000001,1.000001,0.300750,1.601398,0.920118')
    expect(url.searchParams.get('fields')!.split(',')).toEqual(expect.arrayContaining(['f2', 'f5', 'f6', 'f12', 'f13', 'f14', 'f15', 'f16', 'f17', 'f18', 'f124']))
    const sz = outcome(r, '000001.SZ')
    const sh = outcome(r, '000001.SH')
    expect(sz.ok && sz.quote).toMatchObject({ code: '000001.SZ', name: '平安银行', last: 11.57 })
    expect(sh.ok && sh.quote).toMatchObject({ code: '000001.SH', name: '上证指数', last: 3842.19, limitUp: null })
    expect(outcome(r, '920118.BJ')).toMatchObject({ ok: false, problem: 'unknown_code' })
    const ningde = outcome(r, '300750.SZ')
    expect(ningde.ok && ningde.quote).toMatchObject({ volume: 29_699_500, amount: 8_613_929_784.25, time: bj('2026-09-30 15:34:18') })
  })

  it('BJ codes go out as market 0 and map back to .BJ', async () => {
    fake.add({ ...syntheticInstrument(0), code: '920118.BJ', name: '北交所样本' })
    const o = outcome(await createEastmoneyProvider({ baseUrl: fake.baseUrl }).fetch(['920118.BJ']), '920118.BJ')
    expect(fake.requestsTo('eastmoney')[0]!.url).toContain('secids=0.920118&')
    expect(o.ok && o.quote).toMatchObject({ code: '920118.BJ', name: '北交所样本', volume: 100_000 })
  })

  it('data: null → every code unknown; a non-JSON or rc≠0 body → malformed error', async () => {
    const p = createEastmoneyProvider({ baseUrl: fake.baseUrl })
    const r = await p.fetch(['600000.SH'])
    expect(outcome(r, '600000.SH')).toMatchObject({ ok: false, problem: 'unknown_code' })
    fake.behaviour.eastmoney = { kind: 'raw', body: '<html>请求过于频繁</html>' }
    expect((await rejection(p.fetch(['600000.SH']))).kind).toBe('malformed')
    fake.behaviour.eastmoney = { kind: 'raw', body: '{"rc":102,"data":null}' }
    expect((await rejection(p.fetch(['600000.SH']))).kind).toBe('malformed')
  })
})
