/**
 * `npm run demo` data: a demo account and one monitor per scripted paper-exchange scenario, with
 * levels the scripted prices actually cross during the compressed trading day. Monitors of stocks
 * the paper account already holds start as managed positions (HOLDING).
 */
import { markPositionManaged, toMilli } from '@/lib/market'
import { DEMO_SCENARIOS, type DemoScenario } from '@/lib/paper'
import { stockInputSchema } from '@/lib/schemas/stock'
import { percentText } from '@/lib/schemas/fields'
import { createStock, listStocksForUser } from '@/lib/db/stocks'
import { createUser, findUserByEmail, setUserPassword } from '@/lib/db/users'
import { writeMachineState } from '@/lib/db/monitors'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { hashPassword } from '@/lib/auth/password'

export const DEMO_EMAIL = 'demo@dingpan.local'
export const DEMO_PASSWORD = 'dingpan-demo'

function levelsOf(s: DemoScenario) {
  const m = s.monitor
  // A managed holding has no entry zone of its own; the form still wants an ordered set of levels.
  const mid = s.initialPosition?.avgPrice ?? ((m.stopLoss ?? s.prevClose * 0.9) + (m.takeProfit ?? s.prevClose * 1.1)) / 2
  return {
    entryLow: m.entryLow ?? mid,
    entryHigh: m.entryHigh ?? mid,
    takeProfit: m.takeProfit ?? s.prevClose * 1.1,
    stopLoss: m.stopLoss ?? s.prevClose * 0.9,
  }
}

export async function seedDemo(opts: { autoTrade?: boolean } = {}): Promise<{ userId: number; created: string[] }> {
  const passwordHash = await hashPassword(DEMO_PASSWORD)
  let user = await findUserByEmail(DEMO_EMAIL)
  if (user) await setUserPassword(user.id, passwordHash)
  else user = await createUser(DEMO_EMAIL, passwordHash, 'ADMIN')
  const existing = new Set((await listStocksForUser(user.id)).map((s) => s.code))
  const created: string[] = []
  for (const s of DEMO_SCENARIOS) {
    if (existing.has(s.code)) continue
    const l = levelsOf(s)
    const fmt = (v: number) => v.toFixed(s.code.startsWith('5') ? 3 : 2)
    const input = stockInputSchema.parse({
      code: s.code,
      name: s.name,
      entryLow: fmt(l.entryLow),
      entryHigh: fmt(l.entryHigh),
      takeProfit: fmt(l.takeProfit),
      stopLoss: fmt(l.stopLoss),
      // The form's units: percentages typed as percentages (the scenario stores fractions).
      trailingStopPct: percentText(s.monitor.trailingStopPct),
      notes: s.story,
      quant: { autoTrade: opts.autoTrade ?? true, maxPositionPct: 20, minTradeAmount: 5000 },
    })
    const row = await createStock(user.id, input)
    created.push(s.code)
    if (s.monitor.holding && s.initialPosition) {
      const next = markPositionManaged({ state: row.state, episode: row.episode, highestSinceEntry: null, memo: row.triggerMemo as never }, { avgPrice: s.initialPosition.avgPrice })
      if ('ok' in next) continue
      const position = s.initialPosition
      await writeTx(getDb(), (tx) =>
        writeMachineState(
          tx,
          row.id,
          {
            state: next.state,
            episode: next.episode,
            highestSinceEntryMilli: next.highestSinceEntry == null ? null : toMilli(next.highestSinceEntry),
            triggerMemo: next.memo,
            stateChanged: true,
          },
          { positionQty: position.volume, positionSellableQty: position.volume, positionCostMilli: toMilli(position.avgPrice), version: { increment: 1 } },
        ),
      )
    }
  }
  return { userId: user.id, created }
}
