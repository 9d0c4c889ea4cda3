/**
 * Local stand-ins for the Tencent, Sina and Eastmoney quote servers on 127.0.0.1 (ephemeral port),
 * speaking the real wire formats: GBK `v_xx="...~..."` for Tencent (records built from a real fixture
 * record as template), GBK `var hq_str_xx="..."` for Sina with its Referer check, UTF-8 JSON for
 * Eastmoney ulist. One server answers all three by path, so one base URL serves every provider.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { fixtureText, gbk } from './fixtures'

export type FakeProvider = 'tencent' | 'sina' | 'eastmoney'

export interface FakeInstrument {
  code: string
  name: string
  last: number
  prevClose: number
  open: number
  high: number
  low: number
  /** Shares. */
  volume: number
  /** Yuan. */
  amount: number
  /** Beijing wall clock `YYYY-MM-DD hh:mm:ss`. */
  time: string
  limitUp?: number
  limitDown?: number
  /** Price decimals on the wire (2 stocks, 3 funds). */
  decimals?: number
}

export type Behaviour =
  | { kind: 'serve' }
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'hang' }
  | { kind: 'stall-body' }
  | { kind: 'raw'; body: Uint8Array | string; contentType?: string; status?: number }
  | { kind: 'destroy' }

export interface LoggedRequest {
  provider: FakeProvider
  url: string
  codes: string[]
  referer: string | undefined
}

const PROVIDERS: FakeProvider[] = ['tencent', 'sina', 'eastmoney']
const per = <T>(f: () => T) => Object.fromEntries(PROVIDERS.map((p) => [p, f()])) as Record<FakeProvider, T>

const TENCENT_TEMPLATE = fixtureText('tencent_qt.txt').split('\n')[0]!.replace(/^v_sh600000="/, '').replace(/";\s*$/, '').split('~')
const SINA_TEMPLATE = fixtureText('sina_hq.txt').split('\n')[0]!.replace(/^var hq_str_sh600000="/, '').replace(/";\s*$/, '').split(',')

function compactTime(t: string): string {
  return t.replace(/[-: ]/g, '')
}

function prefixed(code: string): string {
  const [d, ex] = code.split('.')
  return `${ex!.toLowerCase()}${d}`
}

function canonical(prefixedCode: string): string {
  return `${prefixedCode.slice(2)}.${prefixedCode.slice(0, 2).toUpperCase()}`
}

export function tencentRecord(q: FakeInstrument): string {
  const d = q.decimals ?? 2
  const f = [...TENCENT_TEMPLATE]
  const star = /^68[89]/.test(q.code)
  const vol = star ? q.volume : Math.round(q.volume / 100)
  const [digits, ex] = q.code.split('.')
  f[0] = ex === 'SH' ? '1' : ex === 'SZ' ? '51' : '62'
  f[1] = q.name
  f[2] = digits!
  f[3] = q.last.toFixed(d)
  f[4] = q.prevClose.toFixed(d)
  f[5] = q.open.toFixed(d)
  f[6] = String(vol)
  f[7] = String(Math.floor(vol / 2))
  f[8] = String(vol - Math.floor(vol / 2))
  for (let i = 0; i < 5; i++) {
    f[9 + 2 * i] = (q.last - 0.01 * (i + 1)).toFixed(d)
    f[10 + 2 * i] = String(10 * (i + 1))
    f[19 + 2 * i] = (q.last + 0.01 * i).toFixed(d)
    f[20 + 2 * i] = String(20 * (i + 1))
  }
  f[30] = compactTime(q.time)
  f[31] = (q.last - q.prevClose).toFixed(d)
  f[33] = q.high.toFixed(d)
  f[34] = q.low.toFixed(d)
  f[35] = `${q.last.toFixed(d)}/${vol}/${Math.round(q.amount)}`
  f[36] = String(vol)
  f[37] = String(Math.round(q.amount / 1e4))
  f[47] = q.limitUp === undefined ? '' : q.limitUp.toFixed(d)
  f[48] = q.limitDown === undefined ? '' : q.limitDown.toFixed(d)
  return `v_${prefixed(q.code)}="${f.join('~')}";`
}

export function sinaRecord(q: FakeInstrument, status = '00'): string {
  const d = Math.max(q.decimals ?? 2, 3)
  const f = [...SINA_TEMPLATE]
  f[0] = q.name
  f[1] = q.open.toFixed(d)
  f[2] = q.prevClose.toFixed(d)
  f[3] = q.last.toFixed(d)
  f[4] = q.high.toFixed(d)
  f[5] = q.low.toFixed(d)
  f[6] = (q.last - 0.01).toFixed(d)
  f[7] = q.last.toFixed(d)
  f[8] = String(q.volume)
  f[9] = q.amount.toFixed(3)
  for (let i = 0; i < 5; i++) {
    f[10 + 2 * i] = String(1000 * (i + 1))
    f[11 + 2 * i] = (q.last - 0.01 * (i + 1)).toFixed(d)
    f[20 + 2 * i] = String(2000 * (i + 1))
    f[21 + 2 * i] = (q.last + 0.01 * i).toFixed(d)
  }
  f[30] = q.time.slice(0, 10)
  f[31] = q.time.slice(11)
  f[32] = status
  return `var hq_str_${prefixed(q.code)}="${f.join(',')}";`
}

export function eastmoneyRow(q: FakeInstrument): Record<string, unknown> {
  const [digits, ex] = q.code.split('.')
  return {
    f1: 2,
    f2: q.last,
    f5: Math.round(q.volume / 100),
    f6: q.amount,
    f12: digits,
    f13: ex === 'SH' ? 1 : 0,
    f14: q.name,
    f15: q.high,
    f16: q.low,
    f17: q.open,
    f18: q.prevClose,
    f124: Math.round(new Date(q.time.replace(' ', 'T') + '+08:00').getTime() / 1000),
    f152: 2,
  }
}

/** Deterministic synthetic SH main-board instrument number `i` (600000.SH + i). */
export function syntheticInstrument(i: number, time = '2026-09-14 14:30:00'): FakeInstrument {
  const last = Math.round((10 + i * 0.01) * 100) / 100
  return {
    code: `${String(600000 + i).padStart(6, '0')}.SH`,
    name: `测试${i}`,
    last,
    prevClose: Math.round((last - 0.1) * 100) / 100,
    open: Math.round((last - 0.05) * 100) / 100,
    high: Math.round((last + 0.2) * 100) / 100,
    low: Math.round((last - 0.2) * 100) / 100,
    volume: 100_000 * (i + 1),
    amount: Math.round(100_000 * (i + 1) * last),
    time,
    limitUp: Math.round((last - 0.1) * 110) / 100,
    limitDown: Math.round((last - 0.1) * 90) / 100,
  }
}

const SINA_CONTENT_TYPE = 'application/javascript; charset=GBK'

export class FakeSources {
  readonly universe = new Map<string, FakeInstrument>()
  /** Codes a given provider does not know (answers with its unknown-code form). */
  readonly unknownTo = per(() => new Set<string>())
  behaviour: Record<FakeProvider, Behaviour> = per(() => ({ kind: 'serve' }) as Behaviour)
  delayMs: Record<FakeProvider, number> = per(() => 0)
  sinaContentType: string | null = SINA_CONTENT_TYPE
  readonly requests: LoggedRequest[] = []
  /** Runs as each request arrives, before it is answered (e.g. to publish a new snapshot mid-poll). */
  onRequest: ((r: LoggedRequest) => void) | null = null
  readonly inFlight = per(() => 0)
  readonly maxInFlight = per(() => 0)
  baseUrl = ''
  private server = http.createServer((req, res) => void this.handle(req, res))

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  add(...qs: FakeInstrument[]): void {
    for (const q of qs) this.universe.set(q.code, q)
  }

  /** Back to a fresh server's state (between tests); connections still open keep their in-flight count. */
  reset(): void {
    this.universe.clear()
    this.requests.length = 0
    for (const p of PROVIDERS) {
      this.behaviour[p] = { kind: 'serve' }
      this.delayMs[p] = 0
      this.unknownTo[p].clear()
      this.maxInFlight[p] = 0
    }
    this.sinaContentType = SINA_CONTENT_TYPE
    this.onRequest = null
  }

  requestsTo(p: FakeProvider): LoggedRequest[] {
    return this.requests.filter((r) => r.provider === p)
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? '/'
    let provider: FakeProvider
    let codes: string[]
    if (url.startsWith('/q=')) {
      provider = 'tencent'
      codes = decodeURIComponent(url.slice(3)).split(',').map(canonical)
    } else if (url.startsWith('/list=')) {
      provider = 'sina'
      codes = decodeURIComponent(url.slice(6)).split(',').map(canonical)
    } else if (url.startsWith('/api/qt/ulist.np/get?')) {
      provider = 'eastmoney'
      const secids = new URL(url, 'http://x').searchParams.get('secids') ?? ''
      codes = secids.split(',').map((s) => {
        const [m, d] = s.split('.')
        if (m === '1') return `${d}.SH`
        return d!.startsWith('920') ? `${d}.BJ` : `${d}.SZ`
      })
    } else {
      res.writeHead(404).end('not found')
      return
    }
    const logged = { provider, url, codes, referer: req.headers.referer }
    this.requests.push(logged)
    this.onRequest?.(logged)
    this.inFlight[provider]++
    this.maxInFlight[provider] = Math.max(this.maxInFlight[provider], this.inFlight[provider])
    res.on('close', () => this.inFlight[provider]--)

    if (this.delayMs[provider] > 0) await new Promise((r) => setTimeout(r, this.delayMs[provider]))
    const b = this.behaviour[provider]
    switch (b.kind) {
      case 'hang':
        return
      case 'destroy':
        req.socket.destroy()
        return
      case 'stall-body':
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.write('v_sh600000="1~')
        return
      case 'status':
        res.writeHead(b.status, { 'content-type': 'text/html' }).end(b.body ?? `<html>${b.status}</html>`)
        return
      case 'raw':
        res.writeHead(b.status ?? 200, b.contentType ? { 'content-type': b.contentType } : {}).end(b.body)
        return
      case 'serve':
        break
    }
    const known = (c: string) => (this.unknownTo[provider].has(c) ? undefined : this.universe.get(c))
    if (provider === 'tencent') {
      const body = codes.map((c) => {
        const q = known(c)
        return q ? tencentRecord(q) : 'v_pv_none_match="1";'
      })
      res.writeHead(200, { 'content-type': 'text/html; charset=GBK' }).end(gbk(body.join('\n') + '\n'))
    } else if (provider === 'sina') {
      if (req.headers.referer !== 'https://finance.sina.com.cn/') {
        res.writeHead(403, { 'content-type': 'text/html' }).end('Kinsoku jikou desu!')
        return
      }
      const body = codes.map((c) => {
        const q = known(c)
        return q ? sinaRecord(q) : `var hq_str_${prefixed(c)}="";`
      })
      res.writeHead(200, this.sinaContentType ? { 'content-type': this.sinaContentType } : {}).end(gbk(body.join('\n') + '\n'))
    } else {
      const rows = codes.flatMap((c) => {
        const q = known(c)
        return q ? [eastmoneyRow(q)] : []
      })
      const json = { rc: 0, rt: 11, svr: 1, lt: 1, full: 1, dlmkts: '', data: rows.length ? { total: rows.length, diff: rows } : null }
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(json))
    }
  }
}

export async function startFakeSources(): Promise<FakeSources> {
  return new FakeSources().start()
}

/** A base URL on 127.0.0.1 where nothing listens (connection refused). */
export async function closedPortUrl(): Promise<string> {
  const s = http.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
