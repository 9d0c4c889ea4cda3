// The unread badge follows the database through the live stream (/api/stream), not through polling:
// on the built app, a signed-in tab holds one event stream, makes no unread-count request while it
// is connected, and shows a notification written straight to the database (as the worker writes
// it) at once; a second user's notification never moves it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { signIn, startWebStack, type Stack } from './harness'

let stack: Stack
let page: Page
let aliceId = 0
let bobId = 0
const requests: string[] = []
/** For each /api/stream request: the path of the page that opened it. */
const streamPages: string[] = []

const db = async () => (await import('@/lib/db/client')).getDb()
const badge = () => page.locator('[data-testid="unread-badge"]')

beforeAll(async () => {
  stack = await startWebStack()
  process.env.DATABASE_URL = stack.db.url
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  aliceId = (await createUser('alice@example.com', await hashPassword('alice password 123'), 'ADMIN')).id
  bobId = (await createUser('bob@example.com', await hashPassword('bob password 123'), 'USER')).id
  const context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })
  page = await context.newPage()
  page.on('request', (r) => {
    requests.push(new URL(r.url()).pathname)
    if (new URL(r.url()).pathname === '/api/stream') streamPages.push(new URL(r.frame().url()).pathname)
  })
  await signIn(page, stack.webUrl, 'alice@example.com', 'alice password 123')
})

afterAll(async () => {
  await (await db()).$disconnect()
  await stack?.stop()
})

describe('live stream in the browser', () => {
  it('updates the unread badge from a database write without polling, for its own user only', async () => {
    // Only this page's streams: the page sign-in landed on had its own, closed by this navigation.
    const streamRequests = () => streamPages.filter((p) => p === '/orders').length
    await page.goto(`${stack.webUrl}/orders`)
    await expect.poll(streamRequests, { timeout: 15_000 }).toBeGreaterThan(0)
    const streams = streamRequests()
    expect(await badge().count()).toBe(0)

    // Connected: the badge's 5 s poll is off (the fallback interval is 15 s).
    const mark = requests.length
    await new Promise((r) => setTimeout(r, 7_000))
    expect(requests.slice(mark).filter((p) => p === '/api/notifications/unread-count')).toEqual([])

    // Bob's notification: nothing for Alice.
    await (await db()).notification.create({ data: { userId: bobId, type: 'TRIGGER_ENTRY', title: 'bob', body: 'x' } })
    await new Promise((r) => setTimeout(r, 1_500))
    expect(await badge().count()).toBe(0)

    // Alice's: the badge shows it at once (well before a 5 s poll would have).
    await (await db()).notification.create({ data: { userId: aliceId, type: 'TRIGGER_ENTRY', title: 'alice', body: 'x' } })
    await expect.poll(async () => (await badge().count()) > 0 && (await badge().textContent()), { timeout: 4_000, interval: 50 }).toBe('1')
    // The same stream all along (no reconnects).
    expect(streamRequests()).toBe(streams)
    expect(streams).toBe(1)
  })
})
