/** Chaos suites write their figures here; scripts/chaos.ts collects them into one report. */
import fs from 'node:fs'
import path from 'node:path'
import { ROOT } from '../helpers/db'

export const CHAOS_DIR = path.join(ROOT, 'test-results', 'chaos')

export function writeFigures(name: string, figures: Record<string, unknown>): void {
  fs.mkdirSync(CHAOS_DIR, { recursive: true })
  fs.writeFileSync(path.join(CHAOS_DIR, `${name}.json`), JSON.stringify(figures, null, 2) + '\n')
  process.stdout.write(`[chaos] ${name}: ${JSON.stringify(figures)}\n`)
}

/**
 * Duplicate orders seen from the bridge: every order DingPan records (each attempt has its own
 * clientOrderId, sent as the order remark) may reach the bridge at most once, and every order at
 * the bridge must be one DingPan recorded. A later attempt of a trigger exists only after the
 * earlier one was confirmed dead (cancelled for re-pricing, rejected, or proven absent), which the
 * database enforces with one live order per trigger.
 */
export function duplicateOrders(db: Array<{ clientOrderId: string }>, bridge: Array<{ order_remark: string }>): { duplicates: number; orphans: number } {
  const known = new Set(db.map((o) => o.clientOrderId))
  const seen = new Map<string, number>()
  let orphans = 0
  for (const b of bridge) {
    if (!known.has(b.order_remark)) orphans++
    seen.set(b.order_remark, (seen.get(b.order_remark) ?? 0) + 1)
  }
  const repeats = [...seen.values()].reduce((n, c) => n + Math.max(0, c - 1), 0)
  return { duplicates: repeats + orphans, orphans }
}

/** Exchange statuses of an order still working at the counter (48 未报 … 52 部成待撤, 55 部成). */
export const LIVE_AT_EXCHANGE = new Set([48, 49, 50, 51, 52, 55])

/**
 * Orders our database calls FAILED or CANCELLED while the exchange's own book holds them live: an
 * abandoned live order (it may still fill with nobody tracking it). Matched by the order remark,
 * which is DingPan's clientOrderId.
 */
export function abandonedLive(db: Array<{ clientOrderId: string; status: string }>, bridge: Array<{ order_remark: string; order_status: number }>): Array<{ clientOrderId: string; status: string; exchangeStatus: number }> {
  const book = new Map(bridge.map((b) => [b.order_remark, b.order_status]))
  return db
    .filter((o) => (o.status === 'FAILED' || o.status === 'CANCELLED') && LIVE_AT_EXCHANGE.has(book.get(o.clientOrderId) ?? -1))
    .map((o) => ({ clientOrderId: o.clientOrderId, status: o.status, exchangeStatus: book.get(o.clientOrderId)! }))
}
