/** After the close: one summary notification per user for the trading day (once, by dedupe key). */
import { computePnl, formatMilli, shanghaiTime, type FeeRates } from '@/lib/market'
import { daySummaryCounts, listUsers } from '@/lib/db/summary'
import { listPnlFills } from '@/lib/db/pnl'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { asLocale } from '@/lib/i18n/config'
import { notify } from './notify'

/** The day's realised P&L in yuan with its sign ("+12.34", "-5.00", "0.00"), fees included (lib/market/pnl.ts). */
export async function dayRealizedPnl(userId: number, day: string, fees?: Partial<FeeRates>): Promise<{ text: string; milli: number; unpricedQty: number }> {
  const to = new Date(shanghaiTime(day, '00:00').getTime() + 86_400_000)
  const r = computePnl(await listPnlFills(userId, { until: to }), { fees, fromDay: day, toDay: day })
  const m = r.total.pnlMilli
  return { text: `${m > 0 ? '+' : ''}${formatMilli(m, 2)}`, milli: m, unpricedQty: r.total.unpricedQty }
}

/** `at`: the market clock's now when the summary is written (its notification's market time). */
export async function dailySummary(day: string, fees?: Partial<FeeRates>, at?: Date): Promise<void> {
  const from = shanghaiTime(day, '00:00')
  const to = new Date(from.getTime() + 86_400_000)
  for (const u of await listUsers()) {
    const c = await daySummaryCounts(u.id, from, to)
    const pnl = await dayRealizedPnl(u.id, day, fees)
    await writeTx(getDb(), (tx) => notify(tx, { userId: u.id, locale: asLocale(u.locale), at, type: 'DAILY_SUMMARY', params: { day, ...c, pnl: pnl.text }, dedupeKey: `summary:${day}:u${u.id}` }))
  }
}
