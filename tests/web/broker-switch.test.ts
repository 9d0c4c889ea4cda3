// Broker settings changed while DingPan orders are at the bridge (issue 12, item 9), on a real
// SQLite / PostgreSQL database: a change of bridge address, account or token is refused with a
// field-level message naming the orders unless the trader confirms; on confirm the orders at the
// bridge become UNKNOWN (the worker keeps reconciling them) — never FAILED — each trader is told and
// the change is audit-logged. A change of the timeout alone, or saving the same connection, is not a
// change of where orders go and is never refused.
import { beforeEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { parseEnv } from '@/lib/env'
import { ValidationError } from '@/lib/errors'
import { brokerFormSchema } from '@/lib/schemas/settings'
import { saveBroker, settingsView } from '@/lib/services/runtime/settings-admin'
import { providers } from '../helpers/db'
import { clearWorkerTables, makeStock, makeUser, seedOrder, seedTrigger, useWebDb } from './helpers'

describe.each(providers())('broker settings with working orders, on %s', (provider) => {
  useWebDb(provider)
  beforeEach(async () => {
    await clearWorkerTables()
    await getDb().setting.deleteMany({ where: { key: 'broker.config' } })
  })

  const env = () => parseEnv({ DATABASE_URL: process.env.DATABASE_URL, DINGPAN_ENCRYPTION_KEY: process.env.DINGPAN_ENCRYPTION_KEY })
  const form = (v: Record<string, unknown>) => brokerFormSchema.parse({ mode: 'qmt', host: '10.0.0.5', port: '8000', accountId: 'A1', timeoutMs: '5000', ...v })

  it('refuses a new bridge while orders work, unless confirmed; then they are UNKNOWN, never FAILED', async () => {
    const admin = await makeUser('ADMIN')
    const actor = { id: admin, label: 'admin@example.com' }
    await saveBroker(form({ token: 'token-one' }), actor, env(), 'zh')

    const trader = await makeUser()
    const s = await makeStock(trader)
    // One trigger per order (one live order per trigger).
    const trig = async (episode: number) => (await seedTrigger(s.id, { quoteTime: new Date(), episode })).id
    const submitted = await seedOrder(trader, s.id, await trig(1), { status: 'SUBMITTED', bridgeOrderId: '101' })
    const partly = await seedOrder(trader, s.id, await trig(2), { status: 'PARTIALLY_FILLED', bridgeOrderId: '102' })
    const sending = await seedOrder(trader, s.id, await trig(3), { status: 'SENDING', bridgeOrderId: null })
    const pending = await seedOrder(trader, s.id, await trig(4), { status: 'PENDING', bridgeOrderId: null })
    const filled = await seedOrder(trader, s.id, await trig(5), { status: 'FILLED', bridgeOrderId: '99' })
    const status = async () => Object.fromEntries((await getDb().order.findMany({ orderBy: { id: 'asc' } })).map((o) => [o.id, o.status]))
    const before = await status()

    // The timeout alone, or the same connection saved again (stored token kept): not a change of bridge.
    await saveBroker(form({ timeoutMs: '9000' }), actor, env(), 'zh')
    await saveBroker(form({ token: 'token-one', timeoutMs: '9000' }), actor, env(), 'zh')
    expect(await status()).toEqual(before)

    // A new address, a new account or a new token: refused, naming the orders, nothing changed.
    for (const change of [{ host: '10.0.0.6', token: 'token-one' }, { accountId: 'B2' }, { token: 'token-two' }, { mode: 'paper' }]) {
      const err = await saveBroker(form(change), actor, env(), 'zh').catch((e) => e)
      expect(err).toBeInstanceOf(ValidationError)
      expect(err.fields.confirmWorkingOrders[0]).toMatch(/3 笔 DingPan 委托/)
      expect(err.fields.confirmWorkingOrders[0]).toContain(submitted.clientOrderId)
      expect(await status()).toEqual(before)
      expect((await settingsView(env())).broker).toMatchObject({ host: '10.0.0.5', accountId: 'A1' })
    }
    const en = await saveBroker(form({ accountId: 'B2' }), actor, env(), 'en').catch((e) => e)
    expect(en.fields.confirmWorkingOrders[0]).toMatch(/3 DingPan order\(s\) may still be working/)

    // Confirmed: saved; the orders at the bridge are UNKNOWN (still tracked); the intent and the filled order untouched.
    await saveBroker(form({ host: '10.0.0.6', token: 'token-two', confirmWorkingOrders: true }), actor, env(), 'zh')
    expect((await settingsView(env())).broker).toMatchObject({ host: '10.0.0.6' })
    const after = await status()
    expect(after).toEqual({ ...before, [submitted.id]: 'UNKNOWN', [partly.id]: 'UNKNOWN', [sending.id]: 'UNKNOWN', [pending.id]: 'PENDING', [filled.id]: 'FILLED' })
    expect(Object.values(after)).not.toContain('FAILED')
    const kept = await getDb().order.findUniqueOrThrow({ where: { id: submitted.id } })
    expect(kept.bridgeOrderId).toBe('101')
    const told = await getDb().notification.findMany({ where: { userId: trader, type: 'ORDER_UNKNOWN' } })
    expect(told.map((n) => n.orderId).sort()).toEqual([submitted.id, partly.id, sending.id].sort())
    expect(told[0]!.body).toMatch(/交易桥接设置已更改/)
    const audit = await getDb().auditLog.findMany({ where: { action: 'settings.broker.ordersUnknown' } })
    expect(audit).toHaveLength(1)

    // Nothing at the bridge any more except UNKNOWN ones (still open): a further change still asks.
    const again = await saveBroker(form({ host: '10.0.0.7', token: 'token-three' }), actor, env(), 'zh').catch((e) => e)
    expect(again).toBeInstanceOf(ValidationError)
  })
})
