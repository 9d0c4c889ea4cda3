/**
 * Local stand-ins for each platform, written from the platforms' published docs and independent of
 * lib/notify: they recompute signatures themselves, check the payload shape and answer the way the
 * real service does (success bodies, error codes).
 */
import { createHmac } from 'node:crypto'
import type { Handler, Recorded, Reply } from './receiver'

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8')
const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {})

function isJsonRequest(req: Recorded): boolean {
  return req.method === 'POST' && String(req.headers['content-type'] ?? '').startsWith('application/json')
}

// ---------------------------------------------------------------------------------------------
// DingTalk: 自定义机器人. sign = urlEncode(base64(HmacSHA256(secret, timestamp + "\n" + secret)))
// ---------------------------------------------------------------------------------------------
export interface DingTalkSim {
  token: string
  secret?: string
  keywords?: string[]
  /** Messages per minute before "send too fast" (DingTalk: 20). */
  perMinute?: number
  now?: () => number
}

export function dingtalkPlatform(sim: DingTalkSim): Handler {
  const sent: number[] = []
  return (req): Reply => {
    const now = (sim.now ?? Date.now)()
    if (req.path !== '/robot/send' || !isJsonRequest(req)) return { status: 404, body: { errcode: 404, errmsg: 'not found' } }
    if (req.query.get('access_token') !== sim.token) return { body: { errcode: 300001, errmsg: 'token is not exist' } }
    if (sim.secret) {
      // URLSearchParams decodes %2B etc. and turns a raw "+" into " ", as DingTalk's server does:
      // a sign that was not URL-encoded fails here.
      const ts = req.query.get('timestamp') ?? ''
      const sign = req.query.get('sign') ?? ''
      if (!/^\d+$/.test(ts) || Math.abs(now - Number(ts)) > 3_600_000) {
        return { body: { errcode: 310000, errmsg: 'invalid timestamp, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]' } }
      }
      const want = createHmac('sha256', sim.secret).update(`${ts}\n${sim.secret}`).digest('base64')
      if (sign !== want) return { body: { errcode: 310000, errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]' } }
    }
    const body = obj(req.json)
    const md = obj(body.markdown)
    if (body.msgtype !== 'markdown' || typeof md.title !== 'string' || typeof md.text !== 'string' || md.title === '' || md.text === '') {
      return { body: { errcode: 40035, errmsg: '缺少参数 json' } }
    }
    if (utf8(md.text) > 20_000) return { body: { errcode: 460101, errmsg: 'message too long, exceed 20000 bytes' } }
    if (sim.keywords && !sim.keywords.some((k) => (md.text as string).includes(k))) {
      return { body: { errcode: 310000, errmsg: 'keywords not in content, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]' } }
    }
    while (sent.length > 0 && now - sent[0] >= 60_000) sent.shift()
    if (sent.length >= (sim.perMinute ?? 20)) return { body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } }
    sent.push(now)
    return { body: { errcode: 0, errmsg: 'ok' } }
  }
}

// ---------------------------------------------------------------------------------------------
// Feishu: sign = base64(HmacSHA256(key = timestamp + "\n" + secret, message = "")), timestamp in s
// ---------------------------------------------------------------------------------------------
export interface FeishuSim {
  hookId: string
  secret?: string
  keywords?: string[]
  /** Answer in the legacy shape ({StatusCode, StatusMessage} only). */
  legacy?: boolean
  now?: () => number
}

function cardTexts(card: Record<string, unknown>): string[] {
  const out: string[] = []
  const walk = (v: unknown) => {
    if (typeof v === 'string') return
    if (Array.isArray(v)) return v.forEach(walk)
    const o = obj(v)
    for (const [k, x] of Object.entries(o)) {
      if ((k === 'content' || k === 'text') && typeof x === 'string') out.push(x)
      else walk(x)
    }
  }
  walk(card)
  return out
}

export function feishuPlatform(sim: FeishuSim): Handler {
  return (req): Reply => {
    const now = (sim.now ?? Date.now)()
    if (req.path !== `/open-apis/bot/v2/hook/${sim.hookId}` || !isJsonRequest(req)) {
      return { body: { code: 19001, msg: 'param invalid: incoming webhook access token invalid', data: {} } }
    }
    if (utf8(req.rawBody) > 20 * 1024) return { body: { code: 9499, msg: 'Bad Request', data: {} } }
    const body = obj(req.json)
    if (sim.secret) {
      const ts = body.timestamp
      if (typeof ts !== 'string' || !/^\d+$/.test(ts) || Math.abs(Math.floor(now / 1000) - Number(ts)) > 3600) {
        return { body: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time', data: {} } }
      }
      const want = createHmac('sha256', `${ts}\n${sim.secret}`).update('').digest('base64')
      if (body.sign !== want) {
        return { body: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time', data: {} } }
      }
    }
    const card = obj(body.card)
    const header = obj(card.header)
    if (body.msg_type !== 'interactive' || typeof obj(header.title).content !== 'string' || !Array.isArray(card.elements)) {
      return { body: { code: 9499, msg: 'Bad Request', data: {} } }
    }
    if (sim.keywords) {
      const texts = cardTexts(card)
      if (!sim.keywords.some((k) => texts.some((t) => t.includes(k)))) return { body: { code: 19024, msg: 'Key Words Not Found' } }
    }
    if (sim.legacy) return { body: { Extra: null, StatusCode: 0, StatusMessage: 'success' } }
    return { body: { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' } }
  }
}

// ---------------------------------------------------------------------------------------------
// WeCom group robot: key in the query, markdown.content ≤ 4096 bytes, 20 messages/minute.
// ---------------------------------------------------------------------------------------------
export function wecomPlatform(sim: { key: string; perMinute?: number; now?: () => number }): Handler {
  const sent: number[] = []
  return (req): Reply => {
    const now = (sim.now ?? Date.now)()
    if (req.path !== '/cgi-bin/webhook/send' || req.query.get('key') !== sim.key || !isJsonRequest(req)) {
      return { body: { errcode: 93000, errmsg: 'invalid webhook url, hint: [1700000000_1_abc], from ip: 127.0.0.1' } }
    }
    const body = obj(req.json)
    const md = obj(body.markdown)
    if (body.msgtype !== 'markdown' || typeof md.content !== 'string' || md.content === '') {
      return { body: { errcode: 40008, errmsg: 'invalid message type' } }
    }
    if (utf8(md.content) > 4096) return { body: { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' } }
    while (sent.length > 0 && now - sent[0] >= 60_000) sent.shift()
    if (sent.length >= (sim.perMinute ?? 20)) return { body: { errcode: 45009, errmsg: 'api freq out of limit' } }
    sent.push(now)
    return { body: { errcode: 0, errmsg: 'ok' } }
  }
}

// ---------------------------------------------------------------------------------------------
// ServerChan: /<SendKey>.send (Turbo) or /send/<SendKey>.send (Server酱³), JSON title + desp.
// ---------------------------------------------------------------------------------------------
export function serverchanPlatform(sim: { sendKey: string }): Handler {
  return (req): Reply => {
    const okPath = req.path === `/${sim.sendKey}.send` || req.path === `/send/${sim.sendKey}.send`
    if (!okPath || !isJsonRequest(req)) return { body: { code: 40001, message: 'bad pushtoken', data: null } }
    const body = obj(req.json)
    if (typeof body.title !== 'string' || body.title === '' || [...body.title].length > 32 || typeof body.desp !== 'string') {
      return { body: { code: 40001, message: 'title invalid', data: null } }
    }
    return { body: { code: 0, message: '', data: { pushid: '918273', readkey: 'rk1', error: 'SUCCESS', errno: 0 } } }
  }
}

// ---------------------------------------------------------------------------------------------
// Bark server (route_push.go): POST /push JSON, 400 for an unknown device key, {code:200} on success.
// ---------------------------------------------------------------------------------------------
const BARK_LEVELS = new Set(['active', 'timeSensitive', 'passive', 'critical'])
export function barkPlatform(sim: { deviceKey: string }): Handler {
  return (req): Reply => {
    const timestamp = Math.floor(Date.now() / 1000)
    if (req.path !== '/push' || !isJsonRequest(req)) return { status: 404, body: 'Cannot POST' }
    const body = obj(req.json)
    if (typeof body.device_key !== 'string' || body.device_key === '') {
      return { status: 400, body: { code: 400, message: 'device key is empty', timestamp } }
    }
    if (body.device_key !== sim.deviceKey) {
      return {
        status: 400,
        body: { code: 400, message: `failed to get device token: failed to get [${body.device_key}] device token from database`, timestamp },
      }
    }
    if (typeof body.title !== 'string' || typeof body.body !== 'string' || (body.level !== undefined && !BARK_LEVELS.has(String(body.level)))) {
      return { status: 400, body: { code: 400, message: 'request bind failed', timestamp } }
    }
    return { body: { code: 200, message: 'success', timestamp } }
  }
}

// ---------------------------------------------------------------------------------------------
// Generic webhook receiver verifying the documented DingPan signature.
// ---------------------------------------------------------------------------------------------
export function webhookReceiver(sim: { secret: string; header?: string; now?: () => number }): Handler {
  return (req): Reply => {
    const ts = String(req.headers['x-dingpan-timestamp'] ?? '')
    const sig = String(req.headers[(sim.header ?? 'X-DingPan-Signature').toLowerCase()] ?? '')
    const now = Math.floor((sim.now ?? Date.now)() / 1000)
    if (!/^\d+$/.test(ts) || Math.abs(now - Number(ts)) > 300) return { status: 401, body: { error: 'stale timestamp' } }
    const want = 'sha256=' + createHmac('sha256', sim.secret).update(`${ts}.${req.rawBody}`).digest('hex')
    if (sig !== want) return { status: 401, body: { error: 'bad signature' } }
    return { status: 204 }
  }
}
