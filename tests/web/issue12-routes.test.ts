// The HTTP side of issue 12's trader-facing pieces, through the route handlers themselves (signed in
// with real next-auth session tokens, on a real database): "resume automatic exits" (409 when not
// paused, 404 for another trader's stock, 200 and cleared when paused), "mark managed" with a
// quantity (field-level 400s in the caller's language, an empty body = the whole position), and a
// broker change with DingPan orders at the bridge (400 on the confirmWorkingOrders field until
// confirmed).
import { defaultBrokerAccountId } from '@/lib/db/broker-accounts'
import { beforeEach, describe, expect, it } from 'vitest'
import { NextRequest } from 'next/server'
import { encode } from 'next-auth/jwt'
import { getDb } from '@/lib/db/client'
import { POST as resumeExits } from '@/app/api/stocks/[id]/resume-exits/route'
import { POST as managePosition } from '@/app/api/stocks/[id]/manage-position/route'
import { PUT as putBroker } from '@/app/api/settings/broker/route'
import { providers } from '../helpers/db'
import { clearWorkerTables, makeStock, makeUser, seedOrder, seedTrigger, useWebDb } from './helpers'

process.env.NEXTAUTH_SECRET ??= 'issue12-routes-test-secret-0123456789abcdef'

async function request(method: string, path: string, uid: number, body?: unknown, locale = 'zh'): Promise<NextRequest> {
  const token = await encode({ token: { uid }, secret: process.env.NEXTAUTH_SECRET!, maxAge: 3600 })
  const headers = new Headers({ cookie: `next-auth.session-token=${token}; dp_locale=${locale}` })
  if (body !== undefined) headers.set('content-type', 'application/json')
  return new NextRequest(`http://127.0.0.1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
}
const params = (id: number) => ({ params: Promise.resolve({ id: String(id) }) })

describe.each(providers())('issue 12 routes on %s', (provider) => {
  useWebDb(provider)
  beforeEach(async () => {
    await clearWorkerTables()
    await getDb().setting.deleteMany({ where: { key: 'broker.config' } })
  })

  it('resume automatic exits: 409 when not paused, 404 for another trader, clears the pause', async () => {
    const me = await makeUser()
    const other = await makeUser()
    const s = await makeStock(me)
    let res = await resumeExits(await request('POST', `/api/stocks/${s.id}/resume-exits`, me), params(s.id))
    expect(res.status).toBe(409)
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { state: 'HOLDING', positionQty: 1000, exitsPausedAt: new Date(), exitsPausedWhy: 'user_cancel' } })
    res = await resumeExits(await request('POST', `/api/stocks/${s.id}/resume-exits`, other), params(s.id))
    expect(res.status).toBe(404)
    res = await resumeExits(await request('POST', `/api/stocks/${s.id}/resume-exits`, me), params(s.id))
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ id: s.id, state: 'HOLDING', exitsPausedAt: null, exitsPausedWhy: null })
    expect((await getDb().monitoredStock.findUniqueOrThrow({ where: { id: s.id } })).exitsPausedAt).toBeNull()
  })

  it('mark managed: field errors for a quantity above the holding or in odd lots; no body = the whole position', async () => {
    const me = await makeUser()
    const s = await makeStock(me)
    await getDb().positionSnapshot.create({ data: { brokerAccountId: await defaultBrokerAccountId(), code: '600000.SH', volume: 1050, canUseVolume: 1050, avgPriceMilli: 9_120, openPriceMilli: 9_100, marketValueMilli: 9_576_000n, takenAt: new Date() } })
    let res = await managePosition(await request('POST', `/api/stocks/${s.id}/manage-position`, me, { quantity: 2000 }), params(s.id))
    expect(res.status).toBe(400)
    expect((await res.json()).fields.quantity[0]).toMatch(/超过券商持仓 1050 股/)
    res = await managePosition(await request('POST', `/api/stocks/${s.id}/manage-position`, me, { quantity: 150 }, 'en'), params(s.id))
    expect(res.status).toBe(400)
    expect((await res.json()).fields.quantity[0]).toMatch(/multiple of 100 shares, or the whole position of 1050/)
    res = await managePosition(await request('POST', `/api/stocks/${s.id}/manage-position`, me, { quantity: 'abc' }), params(s.id))
    expect(res.status).toBe(400)
    expect((await res.json()).fields.quantity).toHaveLength(1)
    res = await managePosition(await request('POST', `/api/stocks/${s.id}/manage-position`, me), params(s.id))
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ state: 'HOLDING', positionQty: 1050 })
  })

  it('broker change with orders at the bridge: 400 on confirmWorkingOrders until confirmed, then UNKNOWN', async () => {
    const admin = await makeUser('ADMIN')
    const body = { mode: 'qmt', host: '10.0.0.5', port: 8000, accountId: 'A1', token: 'token-one', timeoutMs: 5000 }
    expect((await putBroker(await request('PUT', '/api/settings/broker', admin, body), { params: Promise.resolve({}) })).status).toBe(200)
    const s = await makeStock(admin)
    const trig = await seedTrigger(s.id, { quoteTime: new Date() })
    const o = await seedOrder(admin, s.id, trig.id, { status: 'SUBMITTED', bridgeOrderId: '501' })
    let res = await putBroker(await request('PUT', '/api/settings/broker', admin, { ...body, host: '10.0.0.9', token: 'token-two' }), { params: Promise.resolve({}) })
    expect(res.status).toBe(400)
    expect((await res.json()).fields.confirmWorkingOrders[0]).toContain(o.clientOrderId)
    expect((await getDb().order.findUniqueOrThrow({ where: { id: o.id } })).status).toBe('SUBMITTED')
    res = await putBroker(await request('PUT', '/api/settings/broker', admin, { ...body, host: '10.0.0.9', token: 'token-two', confirmWorkingOrders: true }), { params: Promise.resolve({}) })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ host: '10.0.0.9' })
    expect((await getDb().order.findUniqueOrThrow({ where: { id: o.id } })).status).toBe('UNKNOWN')
  })
})
