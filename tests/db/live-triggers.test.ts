// The live feed (SSE) is written by database triggers. A migration that rebuilds a table on SQLite
// (copy, drop, rename) silently drops that table's triggers — the broker-accounts migration did so
// to Order, and order changes stopped reaching open pages. Every trigger must exist after all
// migrations, on both providers.
import { afterAll, describe, expect, it } from 'vitest'
import { createTestDb, providers, type TestDb } from '../helpers/db'

const EXPECTED = ['live_cycle', 'live_health_insert', 'live_health_update', 'live_notification_insert', 'live_notification_update', 'live_order_insert', 'live_order_update']

const dbs: TestDb[] = []
afterAll(async () => {
  for (const d of dbs) await d.drop()
})

describe.each(providers())('live-feed triggers on %s', (provider) => {
  it('every live-feed trigger exists after all migrations', async () => {
    const db = await createTestDb(provider)
    dbs.push(db)
    const names = await triggerNames(provider, db.url)
    expect(names.filter((n) => n.startsWith('live_')).sort()).toEqual(EXPECTED)
  })
})

async function triggerNames(provider: 'sqlite' | 'postgresql', url: string): Promise<string[]> {
  if (provider === 'sqlite') {
    const { default: Database } = await import('better-sqlite3')
    const file = url.replace(/^file:/, '')
    const conn = new Database(file, { readonly: true })
    try {
      return (conn.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as Array<{ name: string }>).map((r) => r.name)
    } finally {
      conn.close()
    }
  }
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const res = await client.query<{ tgname: string }>('SELECT DISTINCT tgname FROM pg_trigger WHERE NOT tgisinternal')
    return res.rows.map((r) => r.tgname)
  } finally {
    await client.end()
  }
}
