// Broker accounts as managed objects (issue 13), on real SQLite / PostgreSQL databases, through the
// service and the route handlers themselves (signed in with real next-auth session tokens), with the
// paper exchange as a real QKA-protocol bridge:
// - CRUD; the bridge token is never in any answer or audit row, kept when left blank for the same
//   address, required again for a new address;
// - BROKER / MINIQMT_* update the default account only while the environment defines it;
// - access: owner, read-only share, trading share, stranger (404, never 403), admin;
// - a connection change with working orders asks only about that account's orders;
// - the paper exchange's bridge is recognised and the account shown as paper.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { probeSimulatedBridge } from '@/lib/broker'
import { NextRequest } from 'next/server'
import { encode } from 'next-auth/jwt'
import { getDb } from '@/lib/db/client'
import { accountAccess, defaultBrokerAccountId } from '@/lib/db/broker-accounts'
import { parseEnv } from '@/lib/env'
import { NotFoundError, ValidationError } from '@/lib/errors'
import { startPaperExchange, type PaperExchangeHandle } from '@/lib/paper'
import { brokerFormSchema } from '@/lib/schemas/settings'
import { decryptBrokerToken, resolveAccountBrokerConfig } from '@/lib/services/runtime/broker-config'
import {
  bootstrapDefaultAccount,
  brokerAccountFormSchema,
  canTradeOn,
  createAccount,
  getAccount,
  listAccounts,
  setAccountDisabled,
  testAccountConnection,
  updateAccount,
  type AccountUser,
} from '@/lib/services/runtime/broker-accounts'
import { saveBroker, settingsView } from '@/lib/services/runtime/settings-admin'
import { GET as listRoute, POST as createRoute } from '@/app/api/broker-accounts/route'
import { GET as getRoute, PATCH as patchRoute } from '@/app/api/broker-accounts/[id]/route'
import { PUT as shareRoute, DELETE as unshareRoute } from '@/app/api/broker-accounts/[id]/shares/route'
import { POST as killRoute } from '@/app/api/broker-accounts/[id]/kill-switch/route'
import { POST as testRoute } from '@/app/api/broker-accounts/[id]/test/route'
import { providers } from '../../helpers/db'
import { clearWorkerTables, makeStock, makeUser, seedOrder, seedTrigger, useWebDb } from '../../web/helpers'

process.env.NEXTAUTH_SECRET ??= 'broker-accounts-test-secret-0123456789abcdef'

const TOKEN = 'tok-secret-abcdef-7788'

async function request(method: string, path: string, uid: number, body?: unknown, locale = 'zh'): Promise<NextRequest> {
  const token = await encode({ token: { uid }, secret: process.env.NEXTAUTH_SECRET!, maxAge: 3600 })
  const headers = new Headers({ cookie: `next-auth.session-token=${token}; dp_locale=${locale}` })
  if (body !== undefined) headers.set('content-type', 'application/json')
  return new NextRequest(`http://127.0.0.1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
}
const params = (id: number) => ({ params: Promise.resolve({ id: String(id) }) })
const noParams = { params: Promise.resolve({}) }

async function userOf(id: number): Promise<AccountUser & { email: string }> {
  const u = await getDb().user.findUniqueOrThrow({ where: { id } })
  return { id: u.id, role: u.role as 'ADMIN' | 'USER', email: u.email }
}

const form = (v: Record<string, unknown> = {}) => brokerAccountFormSchema.parse({ name: '华泰 A', kind: 'qmt', host: '10.1.0.5', port: '8000', qmtAccountId: 'HT-1', timeoutMs: '5000', ...v })

describe.each(providers())('broker accounts on %s', (provider) => {
  useWebDb(provider)
  let ex: PaperExchangeHandle
  beforeAll(async () => {
    ex = await startPaperExchange({ port: 0, bridgePort: 0, stateFile: null, scenario: 'none', paused: true, tickMs: 60_000 })
  })
  afterAll(async () => {
    await ex?.close()
  })
  beforeEach(async () => {
    await clearWorkerTables()
    await getDb().brokerAccountShare.deleteMany({})
    await getDb().brokerAccount.deleteMany({ where: { defaultKey: null } })
    await getDb().brokerAccount.updateMany({ where: { defaultKey: 'default' }, data: { source: 'env', kind: 'paper', host: '', port: 8000, qmtAccountId: '', tokenEnc: null, tokenHint: null, simulated: false, disabledAt: null, killSwitchOn: false } })
  })
  const env = (over: Record<string, string> = {}) => parseEnv({ DATABASE_URL: process.env.DATABASE_URL, DINGPAN_ENCRYPTION_KEY: process.env.DINGPAN_ENCRYPTION_KEY, ...over })

  it('creates, lists, edits and disables an account; the token never leaves the server', async () => {
    const owner = await userOf(await makeUser())
    const made = await createAccount(owner, form({ token: TOKEN, risk: { maxOrdersPerMinute: '3', maxOrderValue: '50000' } }))
    expect(made).toMatchObject({ name: '华泰 A', kind: 'qmt', paper: false, isDefault: false, access: 'manage', canTrade: true, host: '10.1.0.5', port: 8000, qmtAccountId: 'HT-1', tokenHint: '••••7788', hasToken: true, risk: { maxOrdersPerMinute: 3, maxOrderValue: 50000 }, owner: { id: owner.id } })
    const row = await getDb().brokerAccount.findUniqueOrThrow({ where: { id: made.id } })
    expect(row.tokenEnc).not.toContain(TOKEN)
    expect(decryptBrokerToken(row.tokenEnc!)).toBe(TOKEN)

    // Same address, token left blank: kept.
    const renamed = await updateAccount(owner, made.id, form({ name: '华泰 B', qmtAccountId: 'HT-2' }), env())
    expect(renamed).toMatchObject({ name: '华泰 B', qmtAccountId: 'HT-2', tokenHint: '••••7788' })
    expect(decryptBrokerToken((await getDb().brokerAccount.findUniqueOrThrow({ where: { id: made.id } })).tokenEnc!)).toBe(TOKEN)

    // A new address without the token: refused on the token field; nothing changed.
    const e = await updateAccount(owner, made.id, form({ host: '203.0.113.9' }), env()).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ValidationError)
    expect((e as ValidationError).fields.token).toEqual(['broker.tokenRequiredForNewAddress'])
    expect((await getAccount(owner, made.id)).host).toBe('10.1.0.5')
    // A new account of kind qmt without a token: refused too.
    expect(await createAccount(owner, form()).catch((x: unknown) => x)).toBeInstanceOf(ValidationError)

    const moved = await updateAccount(owner, made.id, form({ host: '10.1.0.6', token: 'other-token-0001' }), env())
    expect(moved).toMatchObject({ host: '10.1.0.6', tokenHint: '••••0001' })

    const off = await setAccountDisabled(owner, made.id, true)
    expect(off).toMatchObject({ disabled: true, canTrade: false })
    expect(await canTradeOn(owner.id, made.id)).toBe(false)
    expect((await setAccountDisabled(owner, made.id, false)).disabled).toBe(false)
    expect(await canTradeOn(owner.id, made.id)).toBe(true)

    // Through the routes: list, get, create, edit; no answer carries a token, nor does the audit log.
    const answers: string[] = []
    const keep = async (r: Response) => {
      const text = await r.text()
      answers.push(text)
      return { status: r.status, body: JSON.parse(text) }
    }
    const list = await keep(await listRoute(await request('GET', '/api/broker-accounts', owner.id), noParams))
    expect(list.status).toBe(200)
    expect(list.body.accounts.map((a: { id: number }) => a.id)).toContain(made.id)
    expect((await keep(await getRoute(await request('GET', `/api/broker-accounts/${made.id}`, owner.id), params(made.id)))).status).toBe(200)
    const created = await keep(await createRoute(await request('POST', '/api/broker-accounts', owner.id, { name: 'Paper 2', kind: 'paper' }), noParams))
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ kind: 'paper', paper: true, tokenHint: null })
    const bad = await keep(await createRoute(await request('POST', '/api/broker-accounts', owner.id, { name: '', kind: 'qmt', host: '' }), noParams))
    expect(bad.status).toBe(400)
    expect(Object.keys(bad.body.fields).sort()).toEqual(['host', 'name'])
    expect(bad.body.fields.name[0]).toBe('请填写账户名称')
    const patched = await keep(await patchRoute(await request('PATCH', `/api/broker-accounts/${made.id}`, owner.id, { name: 'X', kind: 'qmt', host: '10.1.0.6', port: 8000, token: 'third-token-4242' }), params(made.id)))
    expect(patched.status).toBe(200)
    expect(patched.body.tokenHint).toBe('••••4242')
    const disabled = await keep(await patchRoute(await request('PATCH', `/api/broker-accounts/${made.id}`, owner.id, { disabled: true }), params(made.id)))
    expect(disabled.body.disabled).toBe(true)
    const audit = await getDb().auditLog.findMany({ where: { entity: 'BrokerAccount' } })
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['brokerAccount.create', 'brokerAccount.update', 'brokerAccount.disable', 'brokerAccount.enable']))
    for (const text of [...answers, JSON.stringify(audit), JSON.stringify(await listAccounts(owner))]) {
      for (const secret of [TOKEN, 'other-token-0001', 'third-token-4242']) expect(text).not.toContain(secret)
      expect(text).not.toContain('tokenEnc":"v')
    }
  })

  it('access: owner and admin manage, shares read or trade, a stranger gets 404 (never 403)', async () => {
    const owner = await makeUser()
    const reader = await makeUser()
    const trader = await makeUser()
    const stranger = await makeUser()
    const admin = await makeUser('ADMIN')
    const acc = await createAccount(await userOf(owner), form({ token: TOKEN }))
    const emailOf = async (id: number) => (await userOf(id)).email

    // Sharing: by the owner (by email), read-only and with trading.
    let res = await shareRoute(await request('PUT', `/api/broker-accounts/${acc.id}/shares`, owner, { email: await emailOf(reader), canTrade: false }), params(acc.id))
    expect(res.status).toBe(200)
    res = await shareRoute(await request('PUT', `/api/broker-accounts/${acc.id}/shares`, owner, { email: await emailOf(trader), canTrade: true }), params(acc.id))
    expect(res.status).toBe(200)
    expect((await res.json()).shares).toHaveLength(2)
    // Unknown email: a field error; the owner: a field error.
    res = await shareRoute(await request('PUT', `/api/broker-accounts/${acc.id}/shares`, owner, { email: 'nobody@example.com', canTrade: true }), params(acc.id))
    expect(res.status).toBe(400)
    expect((await res.json()).fields.email[0]).toMatch(/没有这个邮箱的用户/)

    expect(await accountAccess(owner, acc.id)).toBe('manage')
    expect(await accountAccess(admin, acc.id)).toBe('manage')
    expect(await accountAccess(trader, acc.id)).toBe('trade')
    expect(await accountAccess(reader, acc.id)).toBe('read')
    expect(await accountAccess(stranger, acc.id)).toBeNull()
    expect(await canTradeOn(reader, acc.id)).toBe(false)
    expect(await canTradeOn(trader, acc.id)).toBe(true)
    expect(await canTradeOn(stranger, acc.id)).toBe(false)
    // The default account is shared with every user (an upgraded install keeps trading).
    const def = await defaultBrokerAccountId()
    expect(await accountAccess(stranger, def)).toBe('trade')

    const get = async (uid: number) => getRoute(await request('GET', `/api/broker-accounts/${acc.id}`, uid), params(acc.id))
    for (const [uid, status, access] of [[owner, 200, 'manage'], [admin, 200, 'manage'], [trader, 200, 'trade'], [reader, 200, 'read'], [stranger, 404, null]] as const) {
      const r = await get(uid)
      expect(r.status).toBe(status)
      if (access) {
        const body = await r.json()
        expect(body.access).toBe(access)
        // Only those who manage see the token hint and the shares.
        expect(body.tokenHint).toBe(access === 'manage' ? '••••7788' : null)
        expect(body.shares).toHaveLength(access === 'manage' ? 2 : 0)
      }
    }
    // Lists: the stranger does not see it; the reader does, read-only.
    const listOf = async (uid: number) => ((await (await listRoute(await request('GET', '/api/broker-accounts', uid), noParams)).json()).accounts as Array<{ id: number; access: string; canTrade: boolean }>)
    expect((await listOf(stranger)).map((a) => a.id)).not.toContain(acc.id)
    expect((await listOf(stranger)).map((a) => a.id)).toContain(def)
    expect((await listOf(reader)).find((a) => a.id === acc.id)).toMatchObject({ access: 'read', canTrade: false })
    expect((await listOf(admin)).map((a) => a.id)).toContain(acc.id)

    // Writes: a stranger 404 on every route, a reader or trader 403 on managing ones.
    const body = { name: 'hijack', kind: 'qmt', host: '10.1.0.5', port: 8000 }
    const writes = [
      async (uid: number) => patchRoute(await request('PATCH', `/api/broker-accounts/${acc.id}`, uid, body), params(acc.id)),
      async (uid: number) => patchRoute(await request('PATCH', `/api/broker-accounts/${acc.id}`, uid, { disabled: true }), params(acc.id)),
      async (uid: number) => shareRoute(await request('PUT', `/api/broker-accounts/${acc.id}/shares`, uid, { email: await emailOf(uid), canTrade: true }), params(acc.id)),
      async (uid: number) => unshareRoute(await request('DELETE', `/api/broker-accounts/${acc.id}/shares`, uid, { email: await emailOf(trader) }), params(acc.id)),
      async (uid: number) => testRoute(await request('POST', `/api/broker-accounts/${acc.id}/test`, uid, {}), params(acc.id)),
    ]
    for (const w of writes) {
      expect((await w(stranger)).status).toBe(404)
      expect((await w(reader)).status).toBe(403)
      expect((await w(trader)).status).toBe(403)
    }
    // The kill switch: a stranger 404, a reader 403, a trader may stop trading but not resume it.
    const kill = async (uid: number, on: boolean) => killRoute(await request('POST', `/api/broker-accounts/${acc.id}/kill-switch`, uid, { on, reason: 'test' }), params(acc.id))
    expect((await kill(stranger, true)).status).toBe(404)
    expect((await kill(reader, true)).status).toBe(403)
    const stopped = await kill(trader, true)
    expect(stopped.status).toBe(200)
    expect((await stopped.json()).killSwitch).toMatchObject({ on: true, reason: 'test' })
    expect((await kill(trader, false)).status).toBe(403)
    expect((await kill(owner, false)).status).toBe(200)
    // Nothing the others tried changed the account.
    expect((await getAccount(await userOf(owner), acc.id)).name).toBe('华泰 A')

    // The admin shares and edits an account they do not own; unsharing removes the access.
    res = await patchRoute(await request('PATCH', `/api/broker-accounts/${acc.id}`, admin, { ...body, name: 'by admin' }), params(acc.id))
    expect(res.status).toBe(200)
    res = await unshareRoute(await request('DELETE', `/api/broker-accounts/${acc.id}/shares`, admin, { email: await emailOf(reader) }), params(acc.id))
    expect(res.status).toBe(200)
    expect(await accountAccess(reader, acc.id)).toBeNull()
    expect((await get(reader)).status).toBe(404)
    // An id that does not exist, or is not a number: 404 / 400.
    expect((await getRoute(await request('GET', '/api/broker-accounts/999999', owner), params(999999))).status).toBe(404)
    expect((await getRoute(await request('GET', '/api/broker-accounts/abc', owner), { params: Promise.resolve({ id: 'abc' }) })).status).toBe(400)
    await expect(getAccount(await userOf(stranger), acc.id)).rejects.toBeInstanceOf(NotFoundError)
  })

  it('bootstrap: BROKER / MINIQMT_* update the default account only while the environment defines it', async () => {
    const bridge = new URL(ex.bridgeUrl)
    const e = env({ BROKER: 'qmt', MINIQMT_HOST: bridge.hostname, MINIQMT_PORT: bridge.port, MINIQMT_TOKEN: ex.token, MINIQMT_ACCOUNT_ID: 'ENV-1', MINIQMT_TIMEOUT_MS: '4000' })
    expect(await bootstrapDefaultAccount(e)).toBe('updated')
    const def = await getDb().brokerAccount.findUniqueOrThrow({ where: { defaultKey: 'default' } })
    // The paper exchange's bridge is recognised: simulated.
    expect(def).toMatchObject({ kind: 'qmt', source: 'env', host: bridge.hostname, port: Number(bridge.port), qmtAccountId: 'ENV-1', timeoutMs: 4000, simulated: true, tokenHint: `••••${ex.token.slice(-4)}` })
    expect(decryptBrokerToken(def.tokenEnc!)).toBe(ex.token)
    expect(await bootstrapDefaultAccount(e)).toBe('unchanged')
    // A process started with a changed environment (before any start-up copied it): the environment
    // in force, never the bridge or token copied earlier.
    const changed = env({ BROKER: 'qmt', MINIQMT_HOST: '10.7.7.7', MINIQMT_PORT: '8001', MINIQMT_TOKEN: 'rotated-token-0007', MINIQMT_ACCOUNT_ID: 'ENV-2' })
    expect(await resolveAccountBrokerConfig(def, changed)).toMatchObject({ broker: 'qmt', baseUrl: 'http://10.7.7.7:8001', token: 'rotated-token-0007', accountId: 'ENV-2' })
    const admin = await userOf(await makeUser('ADMIN'))
    expect((await listAccounts(admin)).find((a) => a.isDefault)).toMatchObject({ paper: true, simulated: true, source: 'env' })

    // Edited on the settings page: the environment no longer overwrites it.
    await saveBroker(brokerFormSchema.parse({ mode: 'qmt', host: '10.9.9.9', port: '8000', token: 'settings-token-5555', accountId: 'SET-1', timeoutMs: '3000' }), { id: admin.id, label: admin.email }, e)
    expect(await bootstrapDefaultAccount(e)).toBe('settings')
    const after = await getDb().brokerAccount.findUniqueOrThrow({ where: { defaultKey: 'default' } })
    expect(after).toMatchObject({ source: 'settings', host: '10.9.9.9', qmtAccountId: 'SET-1', simulated: false })
    expect(decryptBrokerToken(after.tokenEnc!)).toBe('settings-token-5555')
    // The old settings view reads the default account.
    expect((await settingsView(e)).broker).toMatchObject({ source: 'settings', mode: 'qmt', host: '10.9.9.9', accountId: 'SET-1', tokenHint: '••••5555' })
  })

  it('the probe: the paper exchange says so; any other bridge answer is not simulated; no answer is unknown', async () => {
    expect(await probeSimulatedBridge(ex.bridgeUrl)).toBe(true)
    // A bridge that answers like QKA (404 JSON) without the mark.
    const qka = http.createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{"detail":"Not Found"}')
    })
    await new Promise<void>((r) => qka.listen(0, '127.0.0.1', r))
    try {
      expect(await probeSimulatedBridge(`http://127.0.0.1:${(qka.address() as AddressInfo).port}`)).toBe(false)
    } finally {
      await new Promise((r) => qka.close(r))
    }
    expect(await probeSimulatedBridge('http://127.0.0.1:9', 1000)).toBeNull()
  })

  it('a real bridge (not the paper exchange) stays live; the paper kind is always paper', async () => {
    const e = env({ BROKER: 'paper' })
    await bootstrapDefaultAccount(e, { probe: false })
    expect(await bootstrapDefaultAccount(e, { probe: false })).toBe('unchanged')
    const admin = await userOf(await makeUser('ADMIN'))
    expect((await listAccounts(admin)).find((a) => a.isDefault)).toMatchObject({ kind: 'paper', paper: true })
    const live = await createAccount(admin, form({ token: TOKEN }))
    expect(live).toMatchObject({ kind: 'qmt', paper: false, simulated: false })
  })

  it('test connection: reads the account through the bridge, marks the paper exchange simulated, never returns the token', async () => {
    const owner = await userOf(await makeUser())
    const bridge = new URL(ex.bridgeUrl)
    const acc = await createAccount(owner, form({ host: bridge.hostname, port: bridge.port, token: ex.token, qmtAccountId: '' }))
    expect(acc.paper).toBe(false)
    const res = await testRoute(await request('POST', `/api/broker-accounts/${acc.id}/test`, owner.id, {}), params(acc.id))
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).not.toContain(ex.token)
    const r = JSON.parse(text)
    expect(r).toMatchObject({ success: true, kind: 'qmt', target: ex.bridgeUrl, simulated: true })
    expect(r.account.totalAsset).toBeGreaterThan(0)
    expect((await getAccount(owner, acc.id))).toMatchObject({ simulated: true, paper: true })

    // Form values with a wrong token: what the bridge said, not success.
    const wrong = await testAccountConnection(owner, acc.id, form({ host: bridge.hostname, port: bridge.port, token: 'not-the-token' }), env())
    expect(wrong.success).toBe(false)
    expect(wrong.message).toMatch(/Token/)
    // A new address with no token typed: the stored token is not sent there.
    const e = await testAccountConnection(owner, acc.id, form({ host: '203.0.113.9', port: '8000' }), env()).catch((x: unknown) => x)
    expect((e as ValidationError).fields.token).toEqual(['broker.tokenRequiredForNewAddress'])
  })

  it('a connection change with working orders asks only about that account, and only its orders become UNKNOWN', async () => {
    const admin = await userOf(await makeUser('ADMIN'))
    const trader = await makeUser()
    const a = await createAccount(admin, form({ name: 'A', token: 'token-a-0001' }))
    const b = await createAccount(admin, form({ name: 'B', host: '10.1.0.7', token: 'token-b-0002' }))
    const s = await makeStock(trader)
    const trig = async (episode: number) => (await seedTrigger(s.id, { quoteTime: new Date(), episode })).id
    const onA = await seedOrder(trader, s.id, await trig(1), { status: 'SUBMITTED', bridgeOrderId: '11' })
    const onB = await seedOrder(trader, s.id, await trig(2), { status: 'SUBMITTED', bridgeOrderId: '12' })
    await getDb().order.update({ where: { id: onA.id }, data: { brokerAccountId: a.id } })
    await getDb().order.update({ where: { id: onB.id }, data: { brokerAccountId: b.id } })
    const status = async (id: number) => (await getDb().order.findUniqueOrThrow({ where: { id } })).status

    // The name or timeout only: no question.
    await updateAccount(admin, a.id, form({ name: 'A2', timeoutMs: '9000' }), env())
    // A new MiniQMT account on A: refused naming A's order only.
    const err = await updateAccount(admin, a.id, form({ qmtAccountId: 'HT-9' }), env(), 'zh').catch((x: unknown) => x)
    expect(err).toBeInstanceOf(ValidationError)
    const msg = (err as ValidationError).fields.confirmWorkingOrders![0]!
    expect(msg).toContain(onA.clientOrderId)
    expect(msg).not.toContain(onB.clientOrderId)
    expect(await status(onA.id)).toBe('SUBMITTED')
    // Confirmed: A's order is UNKNOWN (never FAILED), B's untouched, the trader told.
    await updateAccount(admin, a.id, form({ qmtAccountId: 'HT-9', confirmWorkingOrders: true }), env())
    expect(await status(onA.id)).toBe('UNKNOWN')
    expect(await status(onB.id)).toBe('SUBMITTED')
    expect((await getDb().notification.findMany({ where: { userId: trader, type: 'ORDER_UNKNOWN' } })).map((n) => n.orderId)).toEqual([onA.id])
  })
})
