/**
 * One outbox in its own process (like a worker), for the two-process test in outbox.test.ts:
 * waits until START_AT (so both processes race), runs until nothing is due for a while, and
 * prints its totals as one JSON line.
 */
import { createOutbox, type RunSummary } from '@/lib/services/notifications/outbox'

const silent = { debug() {}, info() {}, warn() {}, error() {} }
const outbox = createOutbox({ logger: silent, batchSize: Number(process.env.BATCH ?? 8), concurrency: 3 })
const startAt = Number(process.env.START_AT ?? 0)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function main() {
  await sleep(Math.max(0, startAt - Date.now()))
  const total: RunSummary = { claimed: 0, delivered: 0, retried: 0, failed: 0, skipped: 0, deferred: 0, lost: 0 }
  let idle = 0
  while (idle < 10) {
    const s = await outbox.runOnce()
    for (const k of Object.keys(total) as (keyof RunSummary)[]) total[k] += s[k]
    idle = s.claimed === 0 ? idle + 1 : 0
    await sleep(10)
  }
  process.stdout.write(`${JSON.stringify(total)}\n`)
  process.exit(0)
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`)
  process.exit(1)
})
