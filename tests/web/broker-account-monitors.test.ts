// Broker accounts and monitors (issue 13): every monitor belongs to one account (the user's
// default unless chosen), an account the user cannot use is refused with a field error and nothing
// written, a read-only share refuses auto-trade, one auto-trading monitor per (account, code), the
// same user may watch a code on two accounts, an account change is refused while shares are held;
// the views' account filter shows only the user's own rows on accounts they see — on SQLite and
// PostgreSQL.
import { beforeEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { defaultBrokerAccountId } from '@/lib/db/broker-accounts'
import { archiveStock, createStocksBulk, setAutoTrade, unarchiveStock, updateStock } from '@/lib/db/stocks'
import { ConflictError, ValidationError } from '@/lib/errors'
import { stockInputSchema, type StockFormValues } from '@/lib/schemas/stock'
import { providers } from '../helpers/db'
import { clearWorkerTables, fixedClock, makeStock, makeUser, seedOrder, seedTrigger, useWebDb } from './helpers'
import { NextRequest } from 'next/server'
import { encode } from 'next-auth/jwt'
import { NotFoundError } from '@/lib/errors'
import { listOrders } from '@/lib/services/views/orders-view'
import { notificationList } from '@/lib/services/views/notifications-view'
import { buildDashboard } from '@/lib/services/views/dashboard'
import { accountSnapshot } from '@/lib/services/views/account-view'
import { statusView } from '@/lib/services/views/status-view'
import { GET as getOrders } from '@/app/api/orders/route'
import { GET as getNotifications } from '@/app/api/notifications/route'
import { GET as getDashboard } from '@/app/api/dashboard/route'
import { GET as getAccount } from '@/app/api/account/route'

process.env.NEXTAUTH_SECRET ??= 'broker-account-monitors-test-secret-0123456789'

async function request(path: string, uid: number): Promise<NextRequest> {
  const token = await encode({ token: { uid }, secret: process.env.NEXTAUTH_SECRET!, maxAge: 3600 })
  return new NextRequest(`http://127.0.0.1${path}`, { method: 'GET', headers: new Headers({ cookie: `next-auth.session-token=${token}; dp_locale=zh` }) })
}
const noParams = { params: Promise.resolve({}) } as never

const db = () => getDb()
const count = () => db().monitoredStock.count()

async function makeAccount(o: { ownerId?: number | null; kind?: string; simulated?: boolean; name?: string; sharedWithAll?: boolean; disabled?: boolean } = {}) {
  const a = await db().brokerAccount.create({
    data: {
      name: o.name ?? `acct-${Math.random().toString(36).slice(2, 7)}`,
      kind: o.kind ?? 'qmt',
      simulated: o.simulated ?? false,
      ownerId: o.ownerId ?? null,
      sharedWithAll: o.sharedWithAll ?? false,
      disabledAt: o.disabled ? new Date() : null,
    },
  })
  return a.id
}

const share = (accountId: number, userId: number, canTrade: boolean) => db().brokerAccountShare.create({ data: { accountId, userId, canTrade } })

async function expectField(p: Promise<unknown>, field: string, message: string) {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(ValidationError)
  expect((e as ValidationError).fields[field]).toEqual([message])
}

const input = (over: Partial<StockFormValues> = {}) =>
  stockInputSchema.parse({ code: '600000.SH', name: '浦发银行', entryLow: '9.20', entryHigh: '9.50', takeProfit: '10.50', stopLoss: '8.80', ...over })

const auto = { quant: { autoTrade: true } }

describe.each(providers())('broker accounts and monitors on %s', (provider) => {
  useWebDb(provider)
  beforeEach(async () => {
    await clearWorkerTables()
    await db().monitoredStock.updateMany({ data: { positionKey: null, activeKey: null, archivedAt: new Date() } })
  })

  it('puts a monitor on the user default account: the first account the user owns, else the install default', async () => {
    const a = await makeUser()
    const s1 = await makeStock(a)
    expect(s1.brokerAccountId).toBe(await defaultBrokerAccountId())
    expect(s1.activeKey).toBe(`${a}:${s1.brokerAccountId}:600000.SH`)
    const own2 = await makeAccount({ ownerId: a })
    const own1 = await makeAccount({ ownerId: a })
    const s2 = await makeStock(a, { code: '000001.SZ', name: '平安银行', entryLow: '10.00', entryHigh: '10.50', takeProfit: '11.50', stopLoss: '9.50' })
    expect(s2.brokerAccountId).toBe(Math.min(own1, own2))
    // An explicit choice wins.
    const s3 = await makeStock(a, { brokerAccountId: String(await defaultBrokerAccountId()), code: '000001.SZ', name: '平安银行', entryLow: '10.00', entryHigh: '10.50', takeProfit: '11.50', stopLoss: '9.50' })
    expect(s3.brokerAccountId).toBe(await defaultBrokerAccountId())
  })

  it('refuses an account the user cannot use with a field error, and writes nothing', async () => {
    const a = await makeUser()
    const b = await makeUser()
    const bs = await makeAccount({ ownerId: b })
    const disabled = await makeAccount({ ownerId: a, disabled: true })
    const n = await count()
    await expectField(makeStock(a, { brokerAccountId: String(bs) }), 'brokerAccountId', 'stock.accountNotUsable')
    await expectField(makeStock(a, { brokerAccountId: '999999' }), 'brokerAccountId', 'stock.accountNotUsable')
    await expectField(makeStock(a, { brokerAccountId: String(disabled) }), 'brokerAccountId', 'stock.accountNotUsable')
    expect(await count()).toBe(n)
    // Moving an existing monitor onto a foreign account is refused the same way, and the row stays.
    const mine = await makeStock(a)
    await expectField(updateStock(a, mine.id, input({ brokerAccountId: String(bs) })), 'brokerAccountId', 'stock.accountNotUsable')
    expect((await db().monitoredStock.findUniqueOrThrow({ where: { id: mine.id } })).brokerAccountId).toBe(mine.brokerAccountId)
    // Bulk (import): one foreign row refuses the whole batch.
    await expectField(createStocksBulk(a, [input({ code: '000002.SZ', name: 'x' }), input({ brokerAccountId: String(bs) })]), 'rows.1.brokerAccountId', 'stock.accountNotUsable')
    expect(await count()).toBe(n + 1)
  })

  it('a read-only share: monitors yes, auto-trade no; a trading share may auto-trade', async () => {
    const owner = await makeUser()
    const reader = await makeUser()
    const trader = await makeUser()
    const acc = await makeAccount({ ownerId: owner })
    await share(acc, reader, false)
    await share(acc, trader, true)
    const n = await count()
    await expectField(makeStock(reader, { brokerAccountId: String(acc), ...auto }), 'quant.autoTrade', 'stock.accountReadOnly')
    expect(await count()).toBe(n)
    const watch = await makeStock(reader, { brokerAccountId: String(acc) })
    expect(watch.positionKey).toBeNull()
    await expectField(setAutoTrade(reader, watch.id, true), 'autoTrade', 'stock.accountReadOnly')
    await expectField(updateStock(reader, watch.id, input({ brokerAccountId: String(acc), ...auto })), 'quant.autoTrade', 'stock.accountReadOnly')
    const row = await db().monitoredStock.findUniqueOrThrow({ where: { id: watch.id }, include: { quantConfig: true } })
    expect(row.quantConfig?.autoTrade).toBe(false)
    expect(row.positionKey).toBeNull()
    const t = await makeStock(trader, { brokerAccountId: String(acc), ...auto })
    expect(t.positionKey).toBe(`${acc}:600000.SH`)
  })

  it('one auto-trading monitor per account and code: refused on the same account, allowed on another, allowed again once the first stops', async () => {
    const a = await makeUser()
    const b = await makeUser()
    const shared = await makeAccount({ ownerId: a, name: 'shared' })
    const other = await makeAccount({ ownerId: b, name: 'b-own' })
    await share(shared, b, true)
    const first = await makeStock(a, { brokerAccountId: String(shared), ...auto })
    expect(first.positionKey).toBe(`${shared}:600000.SH`)
    const n = await count()
    const refused = makeStock(b, { brokerAccountId: String(shared), ...auto })
    await expectField(refused, 'quant.autoTrade', 'stock.positionTaken')
    // The refusal never names the other user's monitor.
    const e = (await makeStock(b, { brokerAccountId: String(shared), ...auto }).then(
      () => null,
      (err: unknown) => err,
    )) as ValidationError
    expect(e).toBeInstanceOf(ValidationError)
    expect(JSON.stringify({ m: e.message, f: e.fields, p: e.params })).not.toContain(String(first.id))
    expect(await count()).toBe(n)
    // Watching without auto-trade is fine; switching auto-trade on is refused.
    const watcher = await makeStock(b, { brokerAccountId: String(shared) })
    await expectField(setAutoTrade(b, watcher.id, true), 'autoTrade', 'stock.positionTaken')
    // On another account: allowed.
    const elsewhere = await makeStock(b, { brokerAccountId: String(other), ...auto })
    expect(elsewhere.positionKey).toBe(`${other}:600000.SH`)
    // First switches auto-trade off: the key is released, the second may take it.
    const off = await setAutoTrade(a, first.id, false)
    expect(off.positionKey).toBeNull()
    const took = await setAutoTrade(b, watcher.id, true)
    expect(took.positionKey).toBe(`${shared}:600000.SH`)
    // Archived releases it too; restore comes back without auto-trade and without the key.
    await setAutoTrade(b, watcher.id, false)
    await setAutoTrade(a, first.id, true)
    const archived = await archiveStock(a, first.id)
    expect(archived.positionKey).toBeNull()
    expect((await setAutoTrade(b, watcher.id, true)).positionKey).toBe(`${shared}:600000.SH`)
    const restored = await unarchiveStock(a, first.id)
    expect(restored).toMatchObject({ positionKey: null, activeKey: `${a}:${shared}:600000.SH` })
    // Bulk: a row on a taken position is refused, nothing written.
    const m = await count()
    await expectField(createStocksBulk(a, [input({ code: '000002.SZ', name: 'x' }), input({ brokerAccountId: String(shared), code: '600000.SH', ...auto })]), 'rows.1.quant.autoTrade', 'stock.positionTaken')
    expect(await count()).toBe(m)
  })

  it('two users switching on the same position at once: one wins, the other gets the field error (never a duplicate-code error)', async () => {
    const a = await makeUser()
    const b = await makeUser()
    const acc = await makeAccount({ ownerId: a })
    await share(acc, b, true)
    for (let round = 0; round < 3; round++) {
      await db().monitoredStock.updateMany({ where: { brokerAccountId: acc }, data: { positionKey: null, activeKey: null, archivedAt: new Date() } })
      const res = await Promise.allSettled([makeStock(a, { brokerAccountId: String(acc), ...auto }), makeStock(b, { brokerAccountId: String(acc), ...auto })])
      expect(res.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      const lost = res.find((r) => r.status === 'rejected') as PromiseRejectedResult
      expect(lost.reason).toBeInstanceOf(ValidationError)
      expect((lost.reason as ValidationError).fields['quant.autoTrade']).toEqual(['stock.positionTaken'])
    }
  })

  it('the same user watches the same code on two accounts, once per account', async () => {
    const a = await makeUser()
    const acc1 = await makeAccount({ ownerId: a })
    const acc2 = await makeAccount({ ownerId: a })
    const s1 = await makeStock(a, { brokerAccountId: String(acc1), ...auto })
    const s2 = await makeStock(a, { brokerAccountId: String(acc2), ...auto })
    expect([s1.activeKey, s2.activeKey]).toEqual([`${a}:${acc1}:600000.SH`, `${a}:${acc2}:600000.SH`])
    await expect(makeStock(a, { brokerAccountId: String(acc1) })).rejects.toBeInstanceOf(ConflictError)
    // Moving s2 onto acc1 would make two live monitors there: refused.
    await expect(updateStock(a, s2.id, input({ brokerAccountId: String(acc1) }))).rejects.toBeInstanceOf(ConflictError)
    // Bulk on the user default account (acc1) refuses the code already there.
    await expect(createStocksBulk(a, [input()])).rejects.toThrow()
  })

  it('refuses to change the account while the monitor holds shares or has an open order, and allows it when flat', async () => {
    const a = await makeUser()
    const acc1 = await makeAccount({ ownerId: a })
    const acc2 = await makeAccount({ ownerId: a })
    const s = await makeStock(a, { brokerAccountId: String(acc1), ...auto })
    await db().monitoredStock.update({ where: { id: s.id }, data: { state: 'HOLDING', positionQty: 1000 } })
    await expectField(updateStock(a, s.id, input({ brokerAccountId: String(acc2), ...auto })), 'brokerAccountId', 'stock.accountChangeHeld')
    await db().monitoredStock.update({ where: { id: s.id }, data: { state: 'WATCHING', positionQty: 0 } })
    const trig = await seedTrigger(s.id, { quoteTime: new Date() })
    await seedOrder(a, s.id, trig.id, { status: 'SUBMITTED' })
    await expectField(updateStock(a, s.id, input({ brokerAccountId: String(acc2), ...auto })), 'brokerAccountId', 'stock.accountChangeHeld')
    expect((await db().monitoredStock.findUniqueOrThrow({ where: { id: s.id } })).brokerAccountId).toBe(acc1)
    // The same account (or none given) is no change: an edit of the levels goes through.
    const edited = await updateStock(a, s.id, input({ ...auto, notes: 'kept' }))
    expect(edited).toMatchObject({ brokerAccountId: acc1, positionKey: `${acc1}:600000.SH`, notes: 'kept' })
    await db().order.updateMany({ where: { stockId: s.id }, data: { status: 'FILLED', activeKey: null } })
    const moved = await updateStock(a, s.id, input({ brokerAccountId: String(acc2), ...auto }))
    expect(moved).toMatchObject({ brokerAccountId: acc2, activeKey: `${a}:${acc2}:600000.SH`, positionKey: `${acc2}:600000.SH` })
  })
})

const defaults = { intervalSeconds: 3, quoteProviders: ['tencent'], maxQuoteAgeSec: 15 }

describe.each(providers())('account filter of the views on %s', (provider) => {
  useWebDb(provider)
  beforeEach(async () => {
    await clearWorkerTables()
    await db().notification.deleteMany({})
    await db().monitoredStock.updateMany({ data: { positionKey: null, activeKey: null, archivedAt: new Date() } })
  })

  /** A monitor with one order and one notification, all on the monitor's account. */
  async function seedOn(userId: number, accountId: number, code: string) {
    const s = await makeStock(userId, { brokerAccountId: String(accountId), code, name: code })
    const trig = await seedTrigger(s.id, { quoteTime: new Date() })
    const o = await seedOrder(userId, s.id, trig.id, { status: 'FILLED', code })
    await db().order.update({ where: { id: o.id }, data: { brokerAccountId: accountId } })
    await db().notification.create({ data: { userId, type: 'ORDER_FILLED', title: code, body: code, stockId: s.id, brokerAccountId: accountId } })
    return s
  }

  it('three users: each sees only their own rows, only on accounts they see; a foreign or unknown account is not found', async () => {
    const a = await makeUser()
    const b = await makeUser()
    const c = await makeUser()
    const accA = await makeAccount({ ownerId: a, name: 'A-qmt' })
    const accB = await makeAccount({ ownerId: b, name: 'B-paper', kind: 'paper' })
    const accC = await makeAccount({ ownerId: c, name: 'C-sim', simulated: true })
    await share(accB, a, false) // B shares its account with A, read-only
    await seedOn(a, accA, '600000.SH')
    await seedOn(a, accB, '000001.SZ')
    await seedOn(b, accB, '600036.SH')
    await seedOn(c, accC, '601398.SH')

    // A, all accounts: A's two rows, each naming its account with paper / live.
    const all = await listOrders(a, {}, 1, 50)
    expect(all.items.map((o) => o.code).sort()).toEqual(['000001.SZ', '600000.SH'])
    expect(all.items.find((o) => o.code === '600000.SH')!.account).toEqual({ id: accA, name: 'A-qmt', paper: false })
    expect(all.items.find((o) => o.code === '000001.SZ')!.account).toEqual({ id: accB, name: 'B-paper', paper: true })
    expect(all.accounts.map((x) => x.id)).toEqual(expect.arrayContaining([accA, accB]))
    expect(all.accounts.map((x) => x.id)).not.toContain(accC)

    // A filtered to A's account; to B's shared account: A's rows there only, never B's.
    expect((await listOrders(a, {}, 1, 50, accA)).items.map((o) => o.code)).toEqual(['600000.SH'])
    expect((await listOrders(a, {}, 1, 50, accB)).items.map((o) => o.code)).toEqual(['000001.SZ'])
    expect((await notificationList(a, {}, 1, 50, accB)).items.map((n) => n.title)).toEqual(['000001.SZ'])
    const dash = await buildDashboard(a, { clock: fixedClock(new Date()), defaults, staleAfterSec: 30, account: String(accB) })
    expect(dash.rows.map((r) => r.code)).toEqual(['000001.SZ'])
    expect(dash.rows[0].account).toEqual({ id: accB, name: 'B-paper', paper: true })
    expect(dash.account?.id).toBe(accB)

    // C's account, an unknown id, garbage: not found, for every view.
    for (const bad of [accC, 999_999]) {
      await expect(listOrders(a, {}, 1, 50, bad)).rejects.toBeInstanceOf(NotFoundError)
      await expect(notificationList(a, {}, 1, 50, bad)).rejects.toBeInstanceOf(NotFoundError)
      await expect(buildDashboard(a, { clock: fixedClock(new Date()), defaults, staleAfterSec: 30, account: String(bad) })).rejects.toBeInstanceOf(NotFoundError)
    }
    await expect(buildDashboard(a, { clock: fixedClock(new Date()), defaults, staleAfterSec: 30, account: '1 OR 1=1' })).rejects.toBeInstanceOf(NotFoundError)

    // B and C each see their own only.
    expect((await listOrders(b, {}, 1, 50, accB)).items.map((o) => o.code)).toEqual(['600036.SH'])
    expect((await listOrders(c, {}, 1, 50)).items.map((o) => o.code)).toEqual(['601398.SH'])
    expect((await listOrders(c, {}, 1, 50)).items[0].account).toEqual({ id: accC, name: 'C-sim', paper: true })
    await expect(listOrders(c, {}, 1, 50, accA)).rejects.toBeInstanceOf(NotFoundError)

    // Through the routes: 404 for another user's account, and nothing of it in the body.
    for (const path of [`/api/orders?account=${accC}`, `/api/notifications?account=${accC}`, `/api/dashboard?account=${accC}`, `/api/account?account=${accC}`]) {
      const get = path.startsWith('/api/orders') ? getOrders : path.startsWith('/api/notifications') ? getNotifications : path.startsWith('/api/dashboard') ? getDashboard : getAccount
      const res = await get(await request(path, a), noParams)
      expect(res.status, path).toBe(404)
      expect(await res.text()).not.toContain('601398')
    }
    const ok = await getOrders(await request(`/api/orders?account=${accA}`, a), noParams)
    expect(ok.status).toBe(200)
    const body = (await ok.json()) as { items: Array<{ code: string }> }
    expect(body.items.map((o) => o.code)).toEqual(['600000.SH'])
  })

  it('the status page shows only the bridges of accounts the reader sees, each named paper or live', async () => {
    const a = await makeUser()
    const c = await makeUser()
    const accA = await makeAccount({ ownerId: a, name: 'A-live' })
    const accC = await makeAccount({ ownerId: c, name: 'C-secret' })
    for (const id of [accA, accC]) {
      await db().serviceHealth.upsert({ where: { name: `bridge:${id}` }, create: { name: `bridge:${id}`, status: 'down', lastError: `host-of-${id}` }, update: { status: 'down', lastError: `host-of-${id}` } })
    }
    const v = await statusView({ clock: fixedClock(new Date()), staleAfterSec: 30, userId: a })
    const names = v.services.map((s) => s.name)
    expect(names).toContain(`bridge:${accA}`)
    expect(names).not.toContain(`bridge:${accC}`)
    expect(JSON.stringify(v)).not.toContain(`host-of-${accC}`)
    expect(v.services.find((s) => s.name === `bridge:${accA}`)!.account).toEqual({ id: accA, name: 'A-live', paper: false })
    expect((await statusView({ clock: fixedClock(new Date()), staleAfterSec: 30, userId: c })).services.map((s) => s.name)).toContain(`bridge:${accC}`)
  })

  it('the account page shows the chosen account snapshot, not the default one', async () => {
    const a = await makeUser()
    const acc = await makeAccount({ ownerId: a })
    const def = await defaultBrokerAccountId()
    const snap = (id: number, cash: bigint) => db().accountSnapshot.upsert({ where: { brokerAccountId: id }, create: { brokerAccountId: id, totalAssetMilli: cash, cashMilli: cash, frozenCashMilli: 0n, marketValueMilli: 0n, takenAt: new Date() }, update: { totalAssetMilli: cash, cashMilli: cash } })
    await snap(def, 1_000_000_000n)
    await snap(acc, 50_000_000n)
    expect((await accountSnapshot(a, { id: acc, defaultId: def }))?.account.cash).toBe(50_000)
    expect((await accountSnapshot(a, { id: def, defaultId: def }))?.account.cash).toBe(1_000_000)
  })
})
