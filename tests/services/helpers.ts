/**
 * Shared set-up for the service suites: a throwaway database per provider (real migrations), an
 * encryption key, users, channels created through the real service, and a logger that keeps
 * every line so tests can prove no secret is ever logged.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import { getDb } from '@/lib/db/client'
import { writeTx } from '@/lib/db/tx'
import { createTestDb, type TestDb } from '../helpers/db'
import type { OutboxLogger } from '@/lib/services/notifications/outbox'
import { setChannelsLogger } from '@/lib/services/notifications/channels'

export const KEY = `test-key-${randomBytes(24).toString('hex')}`

/** Registers hooks: fresh database for the suite, empty outbox tables before each test. */
export function useTestDb(provider: 'sqlite' | 'postgresql'): { current: () => TestDb } {
  let t: TestDb | undefined
  beforeAll(async () => {
    setChannelsLogger(captureLogger())
    t = await createTestDb(provider)
    process.env.DATABASE_URL = t.url
    process.env.DINGPAN_ENCRYPTION_KEY = KEY
  })
  afterAll(async () => {
    await getDb().$disconnect()
    await t?.drop()
  })
  beforeEach(async () => {
    process.env.DATABASE_URL = t!.url
    process.env.DINGPAN_ENCRYPTION_KEY = KEY
    const db = getDb()
    await db.notificationDelivery.deleteMany({})
    await db.notification.deleteMany({})
    await db.notificationChannel.deleteMany({})
  })
  return { current: () => t! }
}

let userSeq = 0
export async function makeUser(locale = 'zh'): Promise<number> {
  const u = await getDb().user.create({
    data: { email: `u${++userSeq}-${randomBytes(3).toString('hex')}@example.com`, passwordHash: 'x', locale },
  })
  return u.id
}

export async function notifyTx(input: Parameters<typeof import('@/lib/services/notifications/notify').notify>[1]) {
  const { notify } = await import('@/lib/services/notifications/notify')
  return writeTx(getDb(), (tx) => notify(tx, input))
}

export const STOP_LOSS_PARAMS = { code: '600000.SH', name: '浦发银行', price: '7.12', level: '7.15', action: '已提交卖出委托 1000 股' }

/** Collects every log line (object + message) as text. */
export function captureLogger(): OutboxLogger & { lines: string[]; text(): string } {
  const lines: string[] = []
  const put = (level: string) => (obj: object, msg?: string) => {
    lines.push(`${level} ${msg ?? ''} ${JSON.stringify(obj)}`)
  }
  return { lines, debug: put('debug'), info: put('info'), warn: put('warn'), error: put('error'), text: () => lines.join('\n') }
}

/**
 * A clock tests move by hand. It starts two minutes ahead of real time, so every row the test
 * creates (the database stamps nextAttemptAt with real time) is already due however slow the
 * set-up; two minutes is well inside every platform's signature tolerance.
 */
export function manualClock(start = Date.now() + 120_000) {
  let ms = start
  return {
    now: () => ms,
    advance(d: number) {
      ms += d
    },
    set(v: number) {
      ms = v
    },
  }
}

/** A promise the test resolves when it wants (to hold a send "in flight"). */
export function gate() {
  let open!: () => void
  const p = new Promise<void>((r) => (open = r))
  return { wait: () => p, open }
}
