// The monitor's conditions on the dashboard and the stock detail page (issue 14): validity (a day,
// or N trading days resolved to its last day; expired once the market day is past it, with why),
// the daily entry window, the entry quantity mode with its value, the entry trigger and the re-arm
// policy; rendered compact (dashboard) and complete (detail) in zh and en.
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { NextIntlClientProvider } from 'next-intl'
import { beforeEach, describe, expect, it } from 'vitest'
import { getDb } from '@/lib/db/client'
import { lastDayOfTradingDays, shanghaiDate } from '@/lib/market'
import { buildDashboard } from '@/lib/services/views/dashboard'
import { stockDetail } from '@/lib/services/views/stock-detail'
import type { MonitorConditions } from '@/lib/services/views/conditions'
import { EXPIRED_REASON } from '@/lib/services/trading/validity'
import { messages } from '@/lib/i18n/messages'
import { ConditionsLine, ConditionsList } from '@/app/_components/live/monitor-conditions'
import { providers } from '../helpers/db'
import { at, clearWorkerTables, fixedClock, makeStock, makeUser, useWebDb } from './helpers'

const defaults = { intervalSeconds: 3, quoteProviders: ['tencent'], maxQuoteAgeSec: 15 }
/** 2026-09-21 is the Monday after at()'s 2026-09-14, Asia/Shanghai. */
const nextMonday = (h: number, m: number) => new Date(at(h, m).getTime() + 7 * 86_400_000)

function render(el: 'line' | 'list', c: MonitorConditions, locale: 'zh' | 'en'): string {
  const child = el === 'line' ? createElement(ConditionsLine, { c, testId: 'cond' }) : createElement(ConditionsList, { c })
  // The provider's props type requires children among them (a .ts file: no JSX here).
  // eslint-disable-next-line react/no-children-prop
  const html = renderToStaticMarkup(createElement(NextIntlClientProvider, { locale, messages: messages[locale], timeZone: 'Asia/Shanghai', children: child }))
  return html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()
}

describe.each(providers())('monitor conditions shown on %s', (provider) => {
  useWebDb(provider)
  beforeEach(clearWorkerTables)

  const dashRow = async (me: number, now: Date | null) => (await buildDashboard(me, { clock: fixedClock(now), defaults, staleAfterSec: 30, wallNow: new Date() })).rows[0]!

  it('shows validity, window, a fixed amount, a rebound trigger and a cooldown re-arm on the dashboard and the detail page', async () => {
    const me = await makeUser()
    const s = await makeStock(me, { validUntil: '2026-09-18', entryWindowStart: '09:35', entryWindowEnd: '14:50', quant: { entryQtyMode: 'AMOUNT', entryQty: '20000', maxPositionPct: '30' } } as never)
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { entryTrigger: 'REBOUND', reboundBp: 150, rearmPolicy: 'COOLDOWN', rearmCooldownMin: 30 } })
    const expected = {
      validity: { until: '2026-09-18', tradingDays: null, expired: false, reason: null },
      window: { start: '09:35', end: '14:50' },
      entryQty: { mode: 'AMOUNT', amount: 20000, pct: null, shares: null, capPct: 0.3 },
      entryTrigger: { mode: 'REBOUND', reboundPct: 0.015, reboundTicks: null },
      rearm: { policy: 'COOLDOWN', cooldownMin: 30 },
    }
    const row = await dashRow(me, at(10, 30))
    expect(row.conditions).toEqual(expected)
    const detail = await stockDetail(me, s.id, fixedClock(at(10, 30)))
    expect(detail.conditions).toEqual(expected)

    expect(render('line', row.conditions, 'zh')).toBe('有效至 09-18 · 09:35–14:50 · ¥20,000 · 反弹 1.5% · 冷却 30 分钟后重启')
    expect(render('line', row.conditions, 'en')).toBe('until 09-18 · 09:35–14:50 · ¥20,000 · rebound 1.5% · re-arm after 30 min')
    const zh = render('list', detail.conditions, 'zh')
    for (const part of ['有效期 有效至 2026-09-18', '每日开仓时段 09:35–14:50（北京时间）', '开仓数量 固定金额 ¥20,000（不超过总资产的 30%）', '开仓触发 进入区间后自低点反弹 1.5% 触发', '平仓后 冷却 30 分钟后重新监控']) expect(zh).toContain(part)
    const en = render('list', detail.conditions, 'en')
    for (const part of ['Validity Valid until 2026-09-18', 'Daily entry window 09:35–14:50 (Asia/Shanghai)', 'Entry quantity Fixed amount ¥20,000 (at most 30% of total assets)', 'Entry trigger On a 1.5% rebound off the low after entering the zone', 'After the exit Watch again after a 30-minute cooldown']) expect(en).toContain(part)
  })

  it('defaults: no end, all day, % of assets, zone entry, close after the exit (the dashboard line shows only the quantity)', async () => {
    const me = await makeUser()
    const s = await makeStock(me)
    const row = await dashRow(me, at(10, 30))
    expect(row.conditions).toEqual({
      validity: null,
      window: null,
      entryQty: { mode: 'PCT_ASSETS', pct: 0.2, amount: null, shares: null, capPct: 0.2 },
      entryTrigger: { mode: 'ZONE', reboundPct: null, reboundTicks: null },
      rearm: { policy: 'CLOSE', cooldownMin: null },
    })
    expect(render('line', row.conditions, 'zh')).toBe('仓位 20%')
    const zh = render('list', (await stockDetail(me, s.id, fixedClock(at(10, 30)))).conditions, 'zh')
    for (const part of ['有效期 长期有效', '每日开仓时段 全天（交易时段内）', '开仓数量 总资产的 20%', '开仓触发 进入买入区间即触发', '平仓后 结束监控']) expect(zh).toContain(part)
  })

  it('N trading days are shown resolved to their last day; fixed shares; rebound in ticks; next-day re-arm', async () => {
    const me = await makeUser()
    const s = await makeStock(me, { validTradingDays: '5', quant: { entryQtyMode: 'SHARES', entryQty: '1500' } } as never)
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { entryTrigger: 'REBOUND', reboundTicks: 3, rearmPolicy: 'NEXT_DAY' } })
    const last = lastDayOfTradingDays(shanghaiDate(new Date()), 5)
    const d = await stockDetail(me, s.id, fixedClock(at(10, 0)))
    expect(d.conditions).toMatchObject({ validity: { until: last, tradingDays: 5 }, entryQty: { mode: 'SHARES', shares: 1500, amount: null, pct: null }, entryTrigger: { mode: 'REBOUND', reboundTicks: 3, reboundPct: null }, rearm: { policy: 'NEXT_DAY', cooldownMin: null } })
    const zh = render('list', d.conditions, 'zh')
    expect(zh).toContain(`有效期 5 个交易日（至 ${last}）`)
    expect(zh).toContain('开仓数量 固定 1,500 股')
    expect(zh).toContain('开仓触发 进入区间后自低点反弹 3 个最小变动价位触发')
    expect(zh).toContain('平仓后 下一交易日重新监控')
    expect(render('line', d.conditions, 'en')).toContain('1,500 sh · rebound 3 ticks · re-arm next day')
  })

  it('expired once the market day is past the last valid day, with the reason by state; unknown without a clock', async () => {
    const me = await makeUser()
    const s = await makeStock(me, { validUntil: '2026-09-18' } as never)
    // The last valid day itself is still valid; the next Monday is past it.
    expect((await dashRow(me, new Date(Date.UTC(2026, 8, 18, 6, 59)))).conditions.validity).toMatchObject({ expired: false, reason: null })
    const watching = (await dashRow(me, nextMonday(9, 0))).conditions
    expect(watching.validity).toMatchObject({ until: '2026-09-18', expired: true, reason: { code: 'expiredWatching' } })
    expect(render('line', watching, 'zh')).toContain('已过期 09-18')
    expect(render('line', watching, 'zh')).not.toContain('有效至')

    await getDb().monitoredStock.update({ where: { id: s.id }, data: { state: 'HOLDING', positionQty: 1000, entryCostMilli: 9_300 } })
    const holding = (await stockDetail(me, s.id, fixedClock(nextMonday(10, 0)))).conditions
    expect(holding.validity).toMatchObject({ expired: true, reason: { code: 'expiredHolding' } })
    expect(render('list', holding, 'zh')).toContain('已过期（有效至 2026-09-18） 有效期已过, 不再开仓; 持仓的止盈止损继续生效')
    expect(render('list', holding, 'en')).toContain('Expired (valid until 2026-09-18) validity ended: no new entry; the exits keep protecting the position')

    // Closed by the worker's expiry: the stored reason.
    await getDb().monitoredStock.update({ where: { id: s.id }, data: { state: 'CLOSED', positionQty: 0, triggerMemo: { closedReason: EXPIRED_REASON } } })
    expect((await dashRow(me, nextMonday(10, 0))).conditions.validity).toMatchObject({ expired: true, reason: EXPIRED_REASON })
    expect(render('list', (await stockDetail(me, s.id, fixedClock(nextMonday(10, 0)))).conditions, 'zh')).toContain(EXPIRED_REASON.message)

    // Without a market clock nothing is called expired.
    expect((await dashRow(me, null)).conditions.validity).toMatchObject({ expired: null, reason: null })
  })
})
