// The upgrade path to broker accounts (issue 13), on real SQLite and PostgreSQL databases: an
// install migrated up to 20261207210000_quantity_modes, with a user, a broker setting saved on the
// settings page (QMT bridge, account id, encrypted token), a monitor, an order and the account and
// position snapshots, gets the remaining migrations. The default account then holds the setting's
// connection (its token still decrypts) and owns the monitor, the order and both snapshots.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import pg from 'pg'
import { getDb } from '@/lib/db/client'
import { decryptBrokerToken, encryptBrokerToken, resolveBrokerConfig } from '@/lib/services/runtime/broker-config'
import { parseEnv } from '@/lib/env'
import { PG_ADMIN_URL, providers, ROOT } from '../../helpers/db'

const PRISMA_CLI = path.join(ROOT, 'node_modules', 'prisma', 'build', 'index.js')
const LAST_BEFORE = '20261207210000_quantity_modes'
const KEY = `upgrade-key-${randomBytes(24).toString('hex')}`

/** A throwaway migrations folder (and Prisma config) holding only the migrations up to `upTo`, then the rest. */
function stagedMigrations(provider: 'sqlite' | 'postgresql') {
  const src = path.join(ROOT, 'prisma', provider === 'sqlite' ? 'sqlite' : 'postgresql')
  // Inside node_modules so that the config resolves 'prisma/config' like the real one.
  const dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.cache', 'dingpan-upgrade-'))
  const migDir = path.join(dir, 'migrations')
  fs.mkdirSync(migDir, { recursive: true })
  fs.copyFileSync(path.join(src, 'schema.prisma'), path.join(dir, 'schema.prisma'))
  fs.copyFileSync(path.join(src, 'migrations', 'migration_lock.toml'), path.join(migDir, 'migration_lock.toml'))
  const all = fs.readdirSync(path.join(src, 'migrations')).filter((n) => /^\d{14}_/.test(n)).sort()
  expect(all).toContain(LAST_BEFORE)
  const copy = (names: string[]) => names.forEach((n) => fs.cpSync(path.join(src, 'migrations', n), path.join(migDir, n), { recursive: true }))
  const config = path.join(dir, 'prisma.config.ts')
  const adapter = provider === 'sqlite' ? 'sqliteMigrateAdapter' : 'pgMigrateAdapter'
  fs.writeFileSync(
    config,
    `import { defineConfig } from 'prisma/config'
import { ${adapter} } from ${JSON.stringify(path.join(ROOT, 'prisma', 'migrate-adapter'))}
const url = process.env.DATABASE_URL as string
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => ${adapter}(url),
  schema: ${JSON.stringify(path.join(dir, 'schema.prisma'))},
  migrations: { path: ${JSON.stringify(migDir)} },
})
`,
  )
  const deploy = (url: string) =>
    execFileSync(process.execPath, [PRISMA_CLI, 'migrate', 'deploy', '--config', config], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' }, stdio: 'pipe' })
  return {
    before: (url: string) => {
      copy(all.filter((n) => n <= LAST_BEFORE))
      deploy(url)
    },
    rest: (url: string) => {
      const later = all.filter((n) => n > LAST_BEFORE)
      expect(later.length).toBeGreaterThan(0)
      copy(later)
      deploy(url)
    },
    drop: () => fs.rmSync(dir, { recursive: true, force: true }),
  }
}

interface Sql {
  run(sql: string): Promise<void>
  close(): Promise<void>
}

async function openSql(provider: 'sqlite' | 'postgresql', url: string): Promise<Sql> {
  if (provider === 'sqlite') {
    const db = new Database(url.replace(/^file:/, ''))
    return { run: async (s) => void db.exec(s), close: async () => void db.close() }
  }
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  return { run: async (s) => void (await c.query(s)), close: () => c.end() }
}

async function makeDb(provider: 'sqlite' | 'postgresql'): Promise<{ url: string; drop(): Promise<void> }> {
  if (provider === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.cache', 'dingpan-upgrade-db-'))
    return { url: `file:${path.join(dir, 'test.db')}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) }
  }
  const name = `dingpan_up_${Date.now()}_${randomBytes(3).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${name}"`)
  await admin.end()
  const u = new URL(PG_ADMIN_URL)
  u.pathname = `/${name}`
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await c.end()
    },
  }
}

describe.each(providers())('upgrade to broker accounts on %s', (provider) => {
  const cleanup: Array<() => Promise<void> | void> = []
  afterAll(async () => {
    await getDb().$disconnect()
    for (const c of cleanup.reverse()) await c()
  })

  it('moves the stored broker setting into the default account and gives it every monitor, order and snapshot', async () => {
    process.env.DINGPAN_ENCRYPTION_KEY = KEY
    const db = await makeDb(provider)
    cleanup.push(db.drop)
    const staged = stagedMigrations(provider)
    cleanup.push(staged.drop)
    staged.before(db.url)

    const { tokenEnc, tokenHint } = encryptBrokerToken('upgrade-token-9876')
    const setting = { mode: 'qmt', host: '192.168.7.20', port: 8123, accountId: 'ACC-55', timeoutMs: 6500, tokenEnc, tokenHint }
    const json = JSON.stringify(setting).replace(/'/g, "''")
    const sql = await openSql(provider, db.url)
    try {
      await sql.run(`INSERT INTO "User" ("id", "email", "passwordHash", "role", "locale", "createdAt", "updatedAt") VALUES (1, 'admin@example.com', 'x', 'ADMIN', 'zh', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`)
      await sql.run(`INSERT INTO "Setting" ("key", "value", "updatedAt", "updatedBy") VALUES ('broker.config', '${json}', CURRENT_TIMESTAMP, 'admin@example.com')`)
      await sql.run(
        `INSERT INTO "MonitoredStock" ("id", "userId", "code", "name", "activeKey", "entryLowMilli", "entryHighMilli", "takeProfitMilli", "stopLossMilli", "updatedAt") VALUES (1, 1, '600000.SH', '浦发银行', '1:600000.SH', 9200, 9500, 10500, 8800, CURRENT_TIMESTAMP)`,
      )
      await sql.run(`INSERT INTO "TriggerEvent" ("id", "stockId", "kind", "episode", "priceMilli", "levelMilli", "quoteTime", "autoTrade", "updatedAt") VALUES (1, 1, 'ENTRY', 1, 9300, 9500, CURRENT_TIMESTAMP, true, CURRENT_TIMESTAMP)`)
      await sql.run(
        `INSERT INTO "Order" ("id", "clientOrderId", "triggerEventId", "activeKey", "stockId", "userId", "code", "side", "quantity", "priceType", "xtPriceType", "limitPriceMilli", "status", "bridgeOrderId", "updatedAt") VALUES (1, 'dpupgrade0001', 1, 1, 1, 1, '600000.SH', 'BUY', 1000, 'LIMIT', 11, 9300, 'SUBMITTED', '501', CURRENT_TIMESTAMP)`,
      )
      await sql.run(`INSERT INTO "AccountSnapshot" ("id", "totalAssetMilli", "cashMilli", "frozenCashMilli", "marketValueMilli", "takenAt") VALUES (1, 1000000000, 600000000, 0, 400000000, CURRENT_TIMESTAMP)`)
      await sql.run(`INSERT INTO "PositionSnapshot" ("code", "volume", "canUseVolume", "avgPriceMilli", "openPriceMilli", "marketValueMilli", "takenAt") VALUES ('600000.SH', 1000, 1000, 9300, 9300, 9300000, CURRENT_TIMESTAMP)`)
    } finally {
      await sql.close()
    }

    staged.rest(db.url)
    process.env.DATABASE_URL = db.url
    const prisma = getDb()
    const accounts = await prisma.brokerAccount.findMany()
    expect(accounts).toHaveLength(1)
    const a = accounts[0]!
    expect(a).toMatchObject({ defaultKey: 'default', kind: 'qmt', source: 'settings', host: '192.168.7.20', port: 8123, qmtAccountId: 'ACC-55', timeoutMs: 6500, tokenHint, ownerId: 1, sharedWithAll: true })
    expect(decryptBrokerToken(a.tokenEnc!)).toBe('upgrade-token-9876')

    expect((await prisma.monitoredStock.findUniqueOrThrow({ where: { id: 1 } })).brokerAccountId).toBe(a.id)
    expect((await prisma.order.findUniqueOrThrow({ where: { id: 1 } })).brokerAccountId).toBe(a.id)
    expect((await prisma.accountSnapshot.findMany()).map((s) => s.brokerAccountId)).toEqual([a.id])
    expect((await prisma.positionSnapshot.findMany()).map((s) => [s.brokerAccountId, s.code, s.volume])).toEqual([[a.id, '600000.SH', 1000]])

    // What the worker connects to after the upgrade is what the setting said, token included.
    const env = parseEnv({ DATABASE_URL: db.url, DINGPAN_ENCRYPTION_KEY: KEY })
    expect(await resolveBrokerConfig(env)).toMatchObject({ broker: 'qmt', baseUrl: 'http://192.168.7.20:8123', token: 'upgrade-token-9876', accountId: 'ACC-55', timeoutMs: 6500 })
  }, 120_000)
})
