/** After the close: one summary notification per user for the trading day (once, by dedupe key). */
import { shanghaiTime } from '@/lib/market'
import { daySummaryCounts, listUsers } from '@/lib/db/summary'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { asLocale } from '@/lib/i18n/config'
import { notify } from './notify'

export async function dailySummary(day: string): Promise<void> {
  const from = shanghaiTime(day, '00:00')
  const to = new Date(from.getTime() + 86_400_000)
  for (const u of await listUsers()) {
    const c = await daySummaryCounts(u.id, from, to)
    await writeTx(getDb(), (tx) => notify(tx, { userId: u.id, locale: asLocale(u.locale), type: 'DAILY_SUMMARY', params: { day, ...c }, dedupeKey: `summary:${day}:u${u.id}` }))
  }
}
