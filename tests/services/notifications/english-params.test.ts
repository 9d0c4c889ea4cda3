// Issue 16 defect 4: the English UI never shows Chinese from notifications stored in Chinese.
// A row written before English twins existed (Chinese-only reason, action, kind, side, the
// counter's message) renders in English with DingPan's own phrases translated back and any other
// Chinese text replaced by a neutral English phrase; a new row written for a Chinese reader stores
// the English twin of its free texts and renders them in English — on SQLite and PostgreSQL.
import { afterEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { renderEvent, type NotifyParams } from '@/lib/services/notifications'
import { hasChinese, phraseToEnglish } from '@/lib/services/notifications/param-text'
import { providers } from '../../helpers/db'
import { makeUser, notifyTx, useTestDb } from '../helpers'
import { setUserLocale } from '@/lib/db/users'
import { setKillSwitch } from '@/lib/services/runtime/runtime-settings'
import { at, MONDAY, startWorkerHarness, type WorkerHarness } from '../../worker/helpers'

const NAME = '浦发银行'
/** The rendered text without the stock's own name (a name is shown as written). */
const withoutName = (r: { title: string; body: string }) => `${r.title}\n${r.body}`.replaceAll(NAME, '')

async function legacyRow(userId: number, type: string, params: Record<string, string | number>) {
  return getDb().notification.create({ data: { userId, type, title: '旧标题', body: '旧正文', params } })
}

describe('DingPan phrases translated back (pure)', () => {
  it('fixed phrases, templates with nested phrases, and unknown Chinese text', () => {
    expect(phraseToEnglish('止损')).toBe('Stop-loss')
    expect(phraseToEnglish('仅通知（自动交易未开启）。')).toBe('Notify only (auto-trade is off).')
    expect(phraseToEnglish('自动交易：已生成委托，卖出 1000 股，限价 7.10。')).toBe('Auto-trade: order created, Sell 1000 shares, limit 7.10.')
    expect(phraseToEnglish('未下单：总开关已关闭交易')).toBeNull() // the reason is no DingPan phrase
    expect(phraseToEnglish('单笔金额 12,000 元超过上限 5,000 元')).toBeNull()
    expect(phraseToEnglish('already English')).toBe('already English')
  })
})

describe.each(providers())('notification params in the reader language on %s', (provider) => {
  useTestDb(provider)

  it('a legacy row with Chinese-only params renders in English without Chinese', async () => {
    const userId = await makeUser('zh')
    const rows = [
      await legacyRow(userId, 'RISK_REJECTED', { code: '600000.SH', name: NAME, kind: '止损', reason: '单笔金额 12,000 元超过上限 5,000 元' }),
      await legacyRow(userId, 'TRIGGER_STOP_LOSS', { code: '600000.SH', name: NAME, price: '7.12', level: '7.15', low: '7.00', high: '7.20', kind: '止损', action: '未下单：总开关已关闭交易' }),
      await legacyRow(userId, 'TRIGGER_ENTRY', { code: '600000.SH', name: NAME, price: '7.12', level: '7.15', low: '7.00', high: '7.20', kind: '进场', action: '仅通知（自动交易未开启）。' }),
      await legacyRow(userId, 'ORDER_CANCELLED', { code: '600000.SH', name: NAME, side: '卖出', quantity: 1000, filled: 0, avgPrice: '—', orderId: '1001', clientOrderId: 'dp-1', status: '54', message: '已撤单', reason: '未成交超时撤单' }),
    ]
    for (const row of rows) {
      const stored = await getDb().notification.findUniqueOrThrow({ where: { id: row.id } })
      const en = renderEvent(stored.type as never, stored.params as NotifyParams, 'en')
      expect(hasChinese(withoutName(en)), `${stored.type}: ${withoutName(en)}`).toBe(false)
      // Chinese readers still see the row as it was written.
      expect(renderEvent(stored.type as never, stored.params as NotifyParams, 'zh').body).toMatch(/[\u4e00-\u9fff]/)
    }
    const [risk, blocked, entry, cancelled] = await Promise.all(rows.map((r) => getDb().notification.findUniqueOrThrow({ where: { id: r.id } })))
    const en = (n: typeof risk) => renderEvent(n.type as never, n.params as NotifyParams, 'en')
    // DingPan's own phrases come back in English; other Chinese text becomes the neutral phrase.
    expect(en(risk).body).toContain('Stop-loss signal placed no order: (recorded in Chinese: see the order or the stock history)')
    expect(en(blocked).body).toContain('(recorded in Chinese: see the order or the stock history)')
    expect(en(entry).body).toContain('Notify only (auto-trade is off).')
    expect(en(cancelled).title).toBe(`Cancelled: Sell 600000.SH ${NAME}`)
    expect(en(cancelled).body).toContain('cancelled after the unfilled timeout')
  })

  it('a new row for a Chinese reader stores the English twin of its free texts and renders it in English', async () => {
    const userId = await makeUser('zh')
    const n = await notifyTx({
      userId,
      locale: 'zh',
      type: 'RISK_REJECTED',
      params: { code: '600000.SH', name: NAME, kind: '止损', reason: '单笔金额 12,000 元超过上限 5,000 元', reasonEn: 'order value 12,000 yuan above the 5,000 yuan cap' },
    })
    const stored = await getDb().notification.findUniqueOrThrow({ where: { id: n!.id } })
    expect(stored.body).toContain('单笔金额') // written for the Chinese reader
    const params = stored.params as Record<string, string>
    expect(params.reasonEn).toBe('order value 12,000 yuan above the 5,000 yuan cap')
    expect(params.kindEn).toBe('Stop-loss') // a DingPan phrase: its twin is found when the row is written
    const en = renderEvent('RISK_REJECTED', stored.params as NotifyParams, 'en')
    expect(en.body).toBe('Stop-loss signal placed no order: order value 12,000 yuan above the 5,000 yuan cap')
    expect(hasChinese(withoutName(en))).toBe(false)
    expect(renderEvent('RISK_REJECTED', stored.params as NotifyParams, 'zh').body).toContain('单笔金额 12,000 元超过上限 5,000 元')
  })
})

let h: WorkerHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

describe.each(providers())('the worker writes English twins for a Chinese reader on %s', (provider) => {
  it('an entry refused by the kill switch: the Chinese notices carry their English reason and action', async () => {
    h = await startWorkerHarness(provider)
    await setUserLocale(h.userId, 'zh')
    const id = await h.addStock({ code: '600000.SH', entryLow: '9.00', entryHigh: '9.10', takeProfit: '9.50', stopLoss: '8.80' })
    await h.setClock(at(MONDAY, '09:30:00'))
    await setKillSwitch(true, { id: h.userId, label: 'test' })
    await h.setPrice('600000.SH', 9.05, { asks: [{ price: 9.05, volume: 1_000_000 }] })
    await h.step()
    const rows = await getDb().notification.findMany({ where: { userId: h.userId, stockId: id }, orderBy: { id: 'asc' } })
    const blocked = rows.find((r) => r.type === 'KILL_SWITCH_BLOCKED')!
    const trigger = rows.find((r) => r.type === 'TRIGGER_ENTRY')!
    expect(trigger.body).toContain('未下单：总开关已关闭交易') // written for the Chinese reader
    expect((blocked.params as Record<string, string>).reasonEn).toBe('kill switch on')
    expect((trigger.params as Record<string, string>).actionEn).toBe('No order: kill switch on')
    for (const r of [blocked, trigger]) {
      const en = renderEvent(r.type as never, r.params as NotifyParams, 'en')
      expect(hasChinese(`${en.title}\n${en.body}`), `${r.type}: ${en.body}`).toBe(false)
    }
    expect(renderEvent('TRIGGER_ENTRY', trigger.params as NotifyParams, 'en').body).toContain('No order: kill switch on')
  }, 60_000)
})
