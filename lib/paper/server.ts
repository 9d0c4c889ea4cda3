/**
 * The paper exchange server: a local stand-in for the outside world, on two listeners.
 *
 * Bridge listener (`bridgeUrl`) — the QKA QMTServer protocol, error shapes as QKA/FastAPI send them:
 *   POST /api/<method> with X-Token; 401 {"detail":"无效的Token"} for a wrong token (checked before
 *   the body, like QKA's Depends); 422 for a missing header (loc ["header","x-token"]) and/or a
 *   missing body (loc ["body"]); 404 {"detail":"Not Found"} for an unknown route; 405 for other HTTP
 *   methods on a route; 500 {"detail":"<Python exception text>"} e.g. for missing arguments; extra
 *   keys (including `account`) ignored; None → {"success":true,"data":{}}. One request at a time.
 *   Every bridge answer carries `x-dingpan-paper: 1` (a real QKA does not): DingPan shows an account
 *   on this bridge as paper.
 *   It runs on its own port so the `refuse` fault can close it (a real ECONNREFUSED at the client).
 *
 * Main listener (`url`) — market data and control:
 *   GET /q=sh600000,sz000001      Tencent-format quotes (GBK), no token (like Tencent)
 *   GET /api/report/exchange/onepersistenthour/monthList?month=YYYY-MM
 *                                 SZSE-format trading calendar from lib/market's calendar, no token
 *   GET /appstock/app/fqkline/get, /appstock/app/kline/mkline, /api/qt/stock/kline/get
 *                                 Tencent / Eastmoney K-lines from the price model (./kline.ts), no token
 *   GET /control/clock            { now, speed, paused, skipClosed, tradingDay, phase }, no token
 *   POST /control/closures  { days: ['YYYY-MM-DD'] } exchange-only closures (see ./calendar)
 *   every other /control/* endpoint needs `X-Token: <controlToken>` (default: the bridge token):
 *   POST /control/clock     { now?: ISO | 'next-open', speed?, paused?, skipClosed? }
 *   POST /control/tick      { seconds?: 3 }                    advance market time and match
 *   POST /control/price     { code, last, prevClose?, open?, high?, low?, volume?, limitUp?, limitDown?,
 *                             bids?, asks?, suspended?, name? } | { code, clear: true }
 *   POST /control/board     { code, lock: 'up'|'down', ahead? } | { code, open: true, volume?, last? }
 *                                 a board locked at a limit price with a queue ahead, and its opening
 *   POST /control/scenario  { code, name | script, startDay?, instrumentName?, prevClose? } | { code, clear: true } | { set: 'demo' }
 *   POST /control/fault     FaultSpec | { faults: FaultSpec[] } | { clear: true }
 *   POST /control/ex-rights { code, day?, cash?, bonus? } | { code, clear: true }   an ex-rights day (default: next session)
 *   POST /control/holding   { code, volume, avgPrice }            a sellable holding bought earlier
 *   POST /control/reset     { cash?, seed?, scenario?: 'demo'|'none', accountId? }  (order ids keep counting)
 *   GET  /control/state     account, positions, orders, trades, vanished, request counts, faults, clock
 *   GET  /control/quote?code=600000.SH   the model quote as JSON
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import { MarketRuleError, normalizeCode, parseCode, shanghaiDate, shanghaiSecondOfDay, weekdayOf } from '@/lib/market'
import { isTradingDay, nextTradingDay, setUnannouncedClosures, unannouncedClosures } from './calendar'
import type { BrokerLogger } from '@/lib/broker/types'
import { PaperExchange, PythonError, type ActiveFault, type FaultSpec, type PaperExchangeCoreOptions } from './exchange'
import { TENCENT_NONE_MATCH, tencentBody, tencentRecord } from './tencent-format'
import { publishedSnapshotMs, type SnapshotCadence } from './snapshots'
import { eastmoneyKline, tencentKline } from './kline'

export interface PaperExchangeOptions extends PaperExchangeCoreOptions {
  host?: string
  /** Quotes + control port (0 = ephemeral). */
  port?: number
  /** QKA bridge port (0 = ephemeral). */
  bridgePort?: number
  /** Bridge X-Token (default: 64 random hex characters, like a QKA token). */
  token?: string
  /** Control API token (default: the bridge token). */
  controlToken?: string
  /** Background sync + clock save interval (wall ms). Default 500. */
  tickMs?: number
  /** Quotes as snapshots published on a cadence with jitter (./snapshots.ts); default continuous. */
  snapshots?: SnapshotCadence
}

export interface PaperExchangeHandle {
  url: string
  bridgeUrl: string
  token: string
  controlToken: string
  stateFile: string | null
  exchange: PaperExchange
  close(): Promise<void>
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

const SZSE_CALENDAR_PATH = '/api/report/exchange/onepersistenthour/monthList'

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.writableEnded || res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers })
  res.end(text)
}

function readBody(req: http.IncomingMessage, limit = 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > limit) {
        reject(new Error('body too large'))
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** FastAPI/pydantic-2 validation of the body model: an object is required. */
function parseBridgeBody(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: Record<string, unknown> } {
  if (text.trim() === '') return { ok: false, error: { type: 'missing', loc: ['body'], msg: 'Field required', input: null } }
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (e) {
    return { ok: false, error: { type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: (e as Error).message } } }
  }
  if (v === null) return { ok: false, error: { type: 'missing', loc: ['body'], msg: 'Field required', input: null } }
  if (typeof v !== 'object' || Array.isArray(v)) {
    return { ok: false, error: { type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: v } }
  }
  return { ok: true, value: v as Record<string, unknown> }
}

/** The xttrader parameters of each route (everything else in the body is dropped, like pydantic's extra=ignore). */
const PARAMS: Record<string, string[]> = {
  order_stock: ['stock_code', 'order_type', 'order_volume', 'price_type', 'price', 'strategy_name', 'order_remark'],
  cancel_order_stock: ['order_id'],
  cancel_order_stock_sysid: ['market', 'sysid'],
  query_stock_asset: [],
  query_stock_positions: [],
  query_stock_position: ['stock_code'],
  query_stock_orders: ['cancelable_only'],
  query_stock_order: ['order_id'],
  query_stock_trades: [],
  query_account_status: [],
  query_account_infos: [],
}

/** Sent keys only (exclude_unset), explicit null forwarded as None. */
function pickParams(method: string, body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of PARAMS[method] ?? []) if (k in body) out[k] = body[k]
  return out
}

export async function startPaperExchange(opts: PaperExchangeOptions = {}): Promise<PaperExchangeHandle> {
  const host = opts.host ?? '127.0.0.1'
  const token = opts.token ?? randomBytes(32).toString('hex')
  const controlToken = opts.controlToken ?? token
  const logger: BrokerLogger | undefined = opts.logger
  const ex = new PaperExchange(opts)

  // The bridge handles one request at a time, like QKA (a delay fault holds it up, as a slow xttrader
  // call would). Quotes and control do not wait for it — Tencent is not behind QKA — and need no
  // queue: every exchange operation is synchronous, so nothing interleaves with a bridge call.
  let chain: Promise<unknown> = Promise.resolve()
  const bridgeSerial = <T>(fn: () => Promise<T> | T): Promise<T> => {
    const run = chain.then(() => fn())
    chain = run.catch(() => undefined)
    return run
  }
  const now = <T>(fn: () => Promise<T> | T): Promise<T> => Promise.resolve().then(fn)
  const held = new Set<http.ServerResponse>()

  const persist = () => {
    try {
      ex.save()
    } catch (e) {
      logger?.error({ err: (e as Error).message }, 'paper exchange: state file write failed')
    }
  }

  // ---- bridge ----------------------------------------------------------------------------------
  const handleBridge = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    // Says on every answer that this bridge is DingPan's paper exchange, not a real QKA: DingPan
    // marks an account on it as simulated (lib/broker/simulated.ts), so no screen calls it live.
    res.setHeader('x-dingpan-paper', '1')
    const url = new URL(req.url ?? '/', 'http://x')
    const m = /^\/api\/([A-Za-z_][A-Za-z0-9_]*)$/.exec(url.pathname)
    if (!m || !PaperExchange.isRoute(m[1]!)) {
      await readBody(req).catch(() => '')
      return sendJson(res, 404, { detail: 'Not Found' })
    }
    const method = m[1]!
    if (req.method !== 'POST') {
      await readBody(req).catch(() => '')
      return sendJson(res, 405, { detail: 'Method Not Allowed' }, { allow: 'POST' })
    }
    ex.noteRequest(method)
    const text = await readBody(req).catch(() => '')
    const log = (status: number, executed: boolean, fault?: ActiveFault | null, body?: unknown) =>
      ex.logRequest({ at: new Date().toISOString(), method, status, executed, ...(fault ? { fault: fault.kind } : {}), ...(body !== undefined ? { body } : {}) })

    // FastAPI solves the X-Token dependency first: a wrong token is 401 before the body is looked at;
    // a missing header is a validation error collected together with the body's.
    const errors: Array<Record<string, unknown>> = []
    const tokenHeader = req.headers['x-token']
    const sentToken = Array.isArray(tokenHeader) ? tokenHeader[0] : tokenHeader
    if (sentToken === undefined) errors.push({ type: 'missing', loc: ['header', 'x-token'], msg: 'Field required', input: null })
    else if (sentToken !== token || ex.takeFault(method, ['unauthorized'])) {
      log(401, false)
      return sendJson(res, 401, { detail: '无效的Token' })
    }
    const body = parseBridgeBody(text)
    if (!body.ok) errors.push(body.error)
    if (errors.length || !body.ok) {
      log(422, false)
      return sendJson(res, 422, { detail: errors })
    }
    const args = pickParams(method, body.value)

    await bridgeSerial(async () => {
      // MiniQMT logged out or disconnected while QKA keeps serving: xttrader returns None for every
      // query (→ {}), and -1 for orders and cancels (UNVERIFIED); the counter keeps working orders.
      const out = ex.takeFault(method, ['logged_out'])
      if (out) {
        const data = method.startsWith('query_') ? {} : -1
        log(200, false, out, method === 'order_stock' || method.startsWith('cancel') ? args : undefined)
        return sendJson(res, 200, { success: true, data })
      }
      const fault = ex.takeFault(method, ['delay', 'timeout_after_execute', 'timeout_before_execute', 'http_500', 'malformed'])
      if (fault?.kind === 'delay') await sleep(fault.spec.delayMs ?? 1000)
      if (fault?.kind === 'timeout_before_execute') {
        log(0, false, fault, args)
        holdOpen(res, fault.spec.delayMs, null)
        return
      }
      if (fault?.kind === 'http_500' && !fault.spec.afterExecute) {
        log(500, false, fault, args)
        return sendJson(res, 500, { detail: fault.spec.detail ?? 'RuntimeError: 模拟故障: MiniQMT 未响应' })
      }
      if (method === 'order_stock' || method === 'cancel_order_stock') {
        // MiniQMT answers -1 (failed) without doing anything.
        const f = ex.takeFault(method, ['minus_one'])
        if (f) {
          log(200, false, f, args)
          return sendJson(res, 200, { success: true, data: -1 })
        }
      }
      const orderFaults: { rejectMsg?: string; fillCap?: number; vanish?: boolean } = {}
      let cancelError = false
      if (method === 'order_stock') {
        const f = ex.takeFault(method, ['reject_order', 'partial_fill', 'vanish'])
        if (f?.kind === 'reject_order') orderFaults.rejectMsg = f.spec.statusMsg ?? '[COUNTER] 模拟废单'
        if (f?.kind === 'partial_fill') orderFaults.fillCap = f.spec.shares ?? 100
        if (f?.kind === 'vanish') orderFaults.vanish = true
      }
      if (method === 'cancel_order_stock' || method === 'cancel_order_stock_sysid') cancelError = ex.takeFault(method, ['cancel_error']) !== null
      let data: unknown
      try {
        data = ex.call(method, args, orderFaults, cancelError)
        ex.noteExecuted(method)
      } catch (e) {
        persist()
        if (e instanceof PythonError) {
          log(500, false, fault, args)
          return sendJson(res, 500, { detail: e.message })
        }
        log(500, false, fault, args)
        logger?.error({ method, err: (e as Error).message }, 'paper exchange: internal error')
        return sendJson(res, 500, { detail: `RuntimeError: ${(e as Error).message}` })
      }
      persist()
      const answer = { success: true, data }
      if (fault?.kind === 'timeout_after_execute') {
        log(0, true, fault, args)
        holdOpen(res, fault.spec.delayMs, answer)
        return
      }
      if (fault?.kind === 'http_500') {
        log(500, true, fault, args)
        return sendJson(res, 500, { detail: fault.spec.detail ?? 'RuntimeError: 模拟故障: 结果转换失败' })
      }
      if (fault?.kind === 'malformed') {
        log(200, true, fault, args)
        const t = '<html><body>502 Bad Gateway</body></html>'
        res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(t)) })
        res.end(t)
        return
      }
      log(200, true, null, method === 'order_stock' || method.startsWith('cancel') ? args : undefined)
      sendJson(res, 200, answer)
    })
  }

  /** Never answers (or answers after `delayMs`); the socket is released when the client gives up or on close. */
  function holdOpen(res: http.ServerResponse, delayMs: number | undefined, answer: unknown) {
    held.add(res)
    res.on('close', () => held.delete(res))
    if (delayMs !== undefined) {
      const t = setTimeout(() => {
        held.delete(res)
        if (answer === null) res.destroy()
        else sendJson(res, 200, answer)
      }, delayMs)
      t.unref?.()
    }
  }

  // Snapshots on a cadence are immutable once published: each code's record is kept for the snapshot
  // it was first served from, and a control change freezes the current one first, so the change
  // shows from the next publication on (never inside the snapshot already out).
  const frozen = new Map<string, { at: number; record: string }>()
  const snapshotRecord = (code: string, at: Date): string => {
    if (!opts.snapshots?.cadenceMs) return tencentRecord(ex.quote(code, at))
    const f = frozen.get(code)
    if (f && f.at === at.getTime()) return f.record
    const record = tencentRecord(ex.quote(code, at))
    frozen.set(code, { at: at.getTime(), record })
    return record
  }
  const freezeSnapshot = (raw: string) => {
    if (!opts.snapshots?.cadenceMs) return
    try {
      ex.sync()
      snapshotRecord(parseCode(raw).code, new Date(publishedSnapshotMs(opts.snapshots, ex.now().getTime())))
    } catch {
      // an unknown code: setPrice answers for it
    }
  }

  // ---- main: quotes and control ----------------------------------------------------------------
  const handleMain = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const path = url.pathname
    if (req.method === 'GET' && path.startsWith('/q=')) {
      const keys = decodeURIComponent(path.slice(3)).split(',').map((s) => s.trim()).filter(Boolean)
      const records = await now(() => {
        ex.sync()
        const out: string[] = []
        let unknown = false
        const now = new Date(publishedSnapshotMs(opts.snapshots, ex.now().getTime()))
        for (const k of keys) {
          const km = /^(sh|sz|bj)(\d{6})$/i.exec(k)
          let code: string | null = null
          if (km) {
            try {
              code = parseCode(`${km[2]}.${km[1]!.toUpperCase()}`).code
            } catch {
              code = null
            }
          }
          if (!code) {
            unknown = true
            continue
          }
          try {
            out.push(snapshotRecord(code, now))
          } catch (e) {
            if (!(e instanceof MarketRuleError)) throw e
            unknown = true
          }
        }
        if (unknown || out.length === 0) out.push(TENCENT_NONE_MATCH)
        return out
      })
      const bytes = tencentBody(records)
      res.writeHead(200, { 'content-type': 'text/html; charset=GBK', 'content-length': String(bytes.length) })
      res.end(bytes)
      return
    }
    // K-lines from the price model on Tencent's and Eastmoney's paths (./kline.ts), so HISTORY_*_URL
    // can point here and a replay works offline.
    if (req.method === 'GET' && (path === '/appstock/app/fqkline/get' || path === '/appstock/app/kline/mkline' || path === '/api/qt/stock/kline/get')) {
      const answer = await now(() =>
        path === '/api/qt/stock/kline/get'
          ? eastmoneyKline(ex.model, url.searchParams, ex.now())
          : tencentKline(ex.model, path === '/appstock/app/fqkline/get' ? 'fqkline' : 'mkline', url.searchParams.get('param') ?? '', ex.now()),
      )
      res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': String(Buffer.byteLength(answer.body)) })
      res.end(answer.body)
      return
    }
    // The SZSE monthly calendar on its real path and wire format, so CALENDAR_FEED_URL can point here
    // offline. It echoes DingPan's own calendar (provisional days included): a demo, not a source.
    if (req.method === 'GET' && path === SZSE_CALENDAR_PATH) {
      const mm = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(url.searchParams.get('month') ?? '')
      if (!mm || Number(mm[1]) < 1990) return sendJson(res, 400, { error: 'month must be YYYY-MM' })
      const length = new Date(Date.UTC(Number(mm[1]), Number(mm[2]), 0)).getUTCDate()
      const data = Array.from({ length }, (_, i) => {
        const jyrq = `${mm[0]}-${String(i + 1).padStart(2, '0')}`
        return { zrxh: weekdayOf(jyrq) + 1, jybz: isTradingDay(jyrq) ? '1' : '0', jyrq }
      })
      return sendJson(res, 200, { data, nowdate: shanghaiDate(ex.now()) })
    }
    if (path === '/control/clock' && req.method === 'GET') {
      await readBody(req).catch(() => '')
      return sendJson(res, 200, ex.clock.snapshot())
    }
    if (path === '/' || path === '/health') {
      return sendJson(res, 200, { ok: true, service: 'dingpan paper exchange', bridgeUrl: handle.bridgeUrl, clock: ex.clock.snapshot() })
    }
    if (!path.startsWith('/control/')) return sendJson(res, 404, { detail: 'Not Found' })
    const sent = req.headers['x-token']
    if ((Array.isArray(sent) ? sent[0] : sent) !== controlToken) {
      await readBody(req).catch(() => '')
      return sendJson(res, 401, { detail: '无效的Token' })
    }
    let body: Record<string, unknown> = {}
    if (req.method === 'POST') {
      const text = await readBody(req).catch(() => '')
      if (text.trim()) {
        try {
          const v = JSON.parse(text)
          if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object')
          body = v as Record<string, unknown>
        } catch (e) {
          return sendJson(res, 400, { error: `body must be a JSON object: ${(e as Error).message}` })
        }
      }
    }
    try {
      const result = await now(async () => {
        const r = await control(req.method ?? 'GET', path, body, url)
        persist()
        return r
      })
      if (result === undefined) return sendJson(res, 404, { detail: 'Not Found' })
      sendJson(res, 200, result)
    } catch (e) {
      const status = e instanceof RangeError || e instanceof MarketRuleError || e instanceof TypeError ? 400 : 500
      sendJson(res, status, { error: (e as Error).message })
    }
  }

  const str = (v: unknown, what: string): string => {
    if (typeof v !== 'string' || !v) throw new RangeError(`${what} is required`)
    return v
  }
  const optNum = (v: unknown, what: string): number | undefined => {
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${what} must be a number`)
    return v
  }

  async function control(method: string, path: string, body: Record<string, unknown>, url: URL): Promise<unknown> {
    if (method === 'GET' && path === '/control/state') {
      ex.sync()
      return ex.state()
    }
    if (method === 'GET' && path === '/control/quote') {
      const code = str(url.searchParams.get('code') ?? undefined, 'code')
      ex.sync()
      const q = ex.quote(code)
      return { ...q, time: q.time.toISOString() }
    }
    if (method !== 'POST') return undefined
    switch (path) {
      case '/control/clock': {
        const now = body.now === undefined ? undefined : str(body.now, 'now')
        const paused = body.paused === undefined ? undefined : Boolean(body.paused)
        const skipClosed = body.skipClosed === undefined ? undefined : Boolean(body.skipClosed)
        return ex.setClock({ now, speed: optNum(body.speed, 'speed'), paused, skipClosed })
      }
      case '/control/tick': {
        const r = ex.tick(optNum(body.seconds, 'seconds') ?? 3)
        return { clock: r.clock, fills: r.fills.map((f) => ({ ...f, price: f.priceMilli / 1000 })) }
      }
      case '/control/price': {
        const code = str(body.code, 'code')
        freezeSnapshot(code)
        const q = ex.setPrice(code, body as never)
        return q && { ...q, time: q.time.toISOString() }
      }
      case '/control/board': {
        // a board locked at limit-up / limit-down with a queue ahead, and its opening
        const code = str(body.code, 'code')
        if (body.open === true) {
          const r = ex.openBoard(code, { volume: optNum(body.volume, 'volume'), last: optNum(body.last, 'last') })
          return { fills: r.fills.map((f) => ({ ...f, price: f.priceMilli / 1000 })), quote: { ...r.quote, time: r.quote.time.toISOString() } }
        }
        if (body.lock !== 'up' && body.lock !== 'down') throw new RangeError("lock must be 'up' or 'down' (or open: true)")
        const q = ex.lockBoard(code, body.lock, optNum(body.ahead, 'ahead') ?? 0)
        return { locked: body.lock, quote: { ...q, time: q.time.toISOString() } }
      }
      case '/control/scenario': {
        if (body.set === 'demo') {
          ex.loadDemo(ex.sessionDay() ?? '', false)
          return { ok: true, loaded: 'demo' }
        }
        const code = str(body.code, 'code')
        ex.setScenario(code, {
          name: typeof body.name === 'string' ? body.name : undefined,
          script: body.script as never,
          startDay: typeof body.startDay === 'string' ? body.startDay : undefined,
          instrumentName: typeof body.instrumentName === 'string' ? body.instrumentName : undefined,
          prevClose: optNum(body.prevClose, 'prevClose'),
          clear: body.clear === true,
        })
        return { ok: true }
      }
      case '/control/fault': {
        if (body.clear === true) {
          ex.clearFaults()
          return { faults: [] }
        }
        const specs = (Array.isArray(body.faults) ? body.faults : [body]) as FaultSpec[]
        const added = specs.map((s) => {
          const f = ex.addFault(s)
          if (s.kind === 'refuse') void refuseFor((s.seconds ?? 5) * 1000)
          return { id: f.id, kind: f.kind, method: f.method, count: f.count }
        })
        return { added, faults: ex.faults.map((f) => ({ id: f.id, kind: f.kind, method: f.method, count: f.count, used: f.used })) }
      }
      case '/control/closures': {
        // weekdays this exchange keeps closed although DingPan's calendar says open
        if (!Array.isArray(body.days)) throw new RangeError('days must be a list of YYYY-MM-DD dates')
        setUnannouncedClosures(body.days.map((d: unknown) => str(d, 'day')))
        return { ok: true, closures: unannouncedClosures() }
      }
      case '/control/ex-rights': {
        // { code, day?, cash?, bonus? } | { code, clear: true }: an ex-rights day (default: the next session day)
        const code = str(body.code, 'code')
        if (body.clear === true) {
          ex.model.setExRights(code, null)
          return { ok: true }
        }
        ex.sync()
        const now = ex.clock.now()
        const today = shanghaiDate(now)
        const day = typeof body.day === 'string' ? body.day : isTradingDay(today) && shanghaiSecondOfDay(now) < 9 * 3600 + 15 * 60 ? today : nextTradingDay(today)
        const cash = optNum(body.cash, 'cash') ?? 0
        const bonus = optNum(body.bonus, 'bonus') ?? 0
        if (cash < 0 || bonus < 0) throw new RangeError('cash and bonus must be non-negative')
        ex.model.setExRights(code, { day, cash, bonus })
        // 送转: the holding's share count grows by the bonus (total cost unchanged).
        const pos = ex.engine.state.positions[normalizeCode(code)]
        if (pos && bonus > 0) {
          const k = (v: number) => Math.floor(v * (1 + bonus))
          pos.volume = k(pos.volume)
          pos.canUseVolume = k(pos.canUseVolume)
          pos.yesterdayVolume = k(pos.yesterdayVolume)
        }
        return { ok: true, day, position: pos ?? null }
      }
      case '/control/holding': {
        ex.seedHolding(str(body.code, 'code'), Number(body.volume), Number(body.avgPrice))
        return { ok: true, positions: ex.engine.queryPositions() }
      }
      case '/control/reset': {
        const scenario = body.scenario === 'demo' ? 'demo' : 'none'
        ex.reset({ cash: optNum(body.cash, 'cash'), seed: optNum(body.seed, 'seed'), scenario, accountId: typeof body.accountId === 'string' ? body.accountId : undefined })
        for (const k of Object.keys(ex.requests)) delete ex.requests[k]
        for (const k of Object.keys(ex.executed)) delete ex.executed[k]
        ex.requestLog.length = 0
        return { ok: true, state: ex.state() }
      }
      default:
        return undefined
    }
  }

  // ---- listeners -------------------------------------------------------------------------------
  const onError = (res: http.ServerResponse) => (e: unknown) => {
    logger?.error({ err: (e as Error).message }, 'paper exchange: handler failed')
    sendJson(res, 500, { detail: `RuntimeError: ${(e as Error).message}` })
  }
  const bridge = http.createServer((req, res) => void handleBridge(req, res).catch(onError(res)))
  const main = http.createServer((req, res) => void handleMain(req, res).catch(onError(res)))
  for (const s of [bridge, main]) {
    s.keepAliveTimeout = 1000
    s.headersTimeout = 10_000
  }

  const listen = (s: http.Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      const onErr = (e: Error) => reject(e)
      s.once('error', onErr)
      s.listen(port, host, () => {
        s.off('error', onErr)
        resolve((s.address() as AddressInfo).port)
      })
    })
  const closeServer = (s: http.Server) =>
    new Promise<void>((resolve) => {
      if (!s.listening) return resolve()
      s.close(() => resolve())
      s.closeAllConnections()
    })

  const mainPort = await listen(main, opts.port ?? 0)
  let bridgePort: number
  try {
    bridgePort = await listen(bridge, opts.bridgePort ?? 0)
  } catch (e) {
    await closeServer(main)
    throw e
  }

  let closed = false
  let refusing: Promise<void> | null = null
  /** Stops accepting bridge connections for `ms` (clients get ECONNREFUSED), then listens again. */
  async function refuseFor(ms: number) {
    if (refusing) return refusing
    refusing = (async () => {
      await closeServer(bridge)
      await sleep(ms)
      if (!closed) await listen(bridge, bridgePort).catch((e) => logger?.error({ err: (e as Error).message }, 'paper exchange: bridge re-listen failed'))
      refusing = null
    })()
    // The control call answers once the listener is closed.
    await sleep(5)
  }

  const tickMs = opts.tickMs ?? 500
  let lastClockSave = 0
  const timer = setInterval(() => {
    void now(() => {
      try {
        ex.sync()
        const force = Date.now() - lastClockSave > 5000
        ex.save(force)
        if (force) lastClockSave = Date.now()
      } catch (e) {
        logger?.error({ err: (e as Error).message }, 'paper exchange: background sync failed')
      }
    })
  }, tickMs)
  timer.unref?.()

  const handle: PaperExchangeHandle = {
    url: `http://${host}:${mainPort}`,
    bridgeUrl: `http://${host}:${bridgePort}`,
    token,
    controlToken,
    stateFile: ex.stateFile,
    exchange: ex,
    async close() {
      if (closed) return
      closed = true
      clearInterval(timer)
      for (const r of held) r.destroy()
      held.clear()
      await bridgeSerial(() => {
        try {
          ex.save(true)
        } catch (e) {
          logger?.error({ err: (e as Error).message }, 'paper exchange: final save failed')
        }
      })
      await Promise.all([closeServer(bridge), closeServer(main)])
    },
  }
  return handle
}
