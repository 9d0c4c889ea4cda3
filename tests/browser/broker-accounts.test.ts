// The 券商账户 / Broker accounts section of the settings page in a real browser, against the built web
// app started like the demo (BROKER=qmt with MINIQMT_* pointing at DingPan's own paper exchange):
// the default account says 模拟 (Paper), not live, because the web app recognised the paper
// exchange's bridge at start; a new account on a real-looking bridge says 实盘 (Live) until a
// connection test finds the paper exchange; accounts can be added, tested and disabled; the bridge
// token never appears on the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { startPaperExchange, type PaperExchangeHandle } from '@/lib/paper'
import { screenshot, signIn, startWebStack, type Stack } from './harness'
import { contrastFailures } from './contrast'

let ex: PaperExchangeHandle
let stack: Stack
let page: Page
let ctx: BrowserContext
const admin = { email: 'admin@example.com', password: 'correct horse battery' }
const testId = (id: string) => page.locator(`[data-testid="${id}"]`)
const db = async () => (await import('@/lib/db/client')).getDb()

beforeAll(async () => {
  ex = await startPaperExchange({ port: 0, bridgePort: 0, stateFile: null, scenario: 'none', paused: true, tickMs: 60_000 })
  const bridge = new URL(ex.bridgeUrl)
  stack = await startWebStack({ BROKER: 'qmt', MINIQMT_HOST: bridge.hostname, MINIQMT_PORT: bridge.port, MINIQMT_TOKEN: ex.token, MINIQMT_TIMEOUT_MS: '3000' })
  process.env.DATABASE_URL = stack.db.url
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  await createUser(admin.email, await hashPassword(admin.password), 'ADMIN')
  ctx = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } })
  page = await ctx.newPage()
  await signIn(page, stack.webUrl, admin.email, admin.password)
}, 180_000)

afterAll(async () => {
  await stack?.stop()
  await ex?.close()
})

describe('broker accounts on the settings page', () => {
  it('the demo-like default account is shown as paper; add, test and disable accounts; no token on the page', async () => {
    const d = await db()
    // The web app updated the default account from the environment at start and recognised the paper exchange.
    await expect.poll(async () => (await d.brokerAccount.findUniqueOrThrow({ where: { defaultKey: 'default' } })).simulated, { timeout: 20_000 }).toBe(true)
    const def = await d.brokerAccount.findUniqueOrThrow({ where: { defaultKey: 'default' } })
    expect(def).toMatchObject({ kind: 'qmt', source: 'env' })

    await page.goto(`${stack.webUrl}/settings`)
    // The page streams behind settings/loading.tsx: until React reveals it, the streamed copy sits in a
    // hidden holder beside the placeholder, so wait for exactly one badge before reading it.
    await expect.poll(() => testId('broker-accounts').count()).toBe(1)
    await expect.poll(() => testId(`broker-account-badge-${def.id}`).count()).toBe(1)
    expect(await testId(`broker-account-badge-${def.id}`).getAttribute('data-paper')).toBe('true')
    expect(await testId(`broker-account-badge-${def.id}`).textContent()).toBe('模拟')
    // The broker form (the default account's editor) says so too.
    expect(await testId('broker-paper-live').getAttribute('data-paper')).toBe('true')

    // Add an account on a bridge that is not the paper exchange (nothing listens there): live.
    await testId('broker-account-add').click()
    await testId('acct-new-save').click()
    await expect.poll(() => testId('error-acct-new-name').textContent()).toBe('请填写账户名称')
    await testId('acct-new-name').fill('实盘账户')
    await testId('acct-new-host').fill('127.0.0.1')
    await testId('acct-new-port').fill('9')
    await testId('acct-new-token').fill('live-secret-token-4321')
    await testId('acct-new-save').click()
    await expect.poll(async () => (await d.brokerAccount.findFirst({ where: { name: '实盘账户' } }))?.id ?? 0).toBeGreaterThan(0)
    const live = (await d.brokerAccount.findFirstOrThrow({ where: { name: '实盘账户' } })).id
    await expect.poll(() => testId(`broker-account-badge-${live}`).getAttribute('data-paper')).toBe('false')
    expect(await testId(`broker-account-badge-${live}`).textContent()).toBe('实盘')

    // Add one at the paper exchange's bridge: live until a connection test finds the paper exchange.
    const bridge = new URL(ex.bridgeUrl)
    await testId('broker-account-add').click()
    await testId('acct-new-name').fill('模拟桥接')
    await testId('acct-new-host').fill(bridge.hostname)
    await testId('acct-new-port').fill(bridge.port)
    await testId('acct-new-token').fill(ex.token)
    await testId('acct-new-save').click()
    await expect.poll(async () => (await d.brokerAccount.findFirst({ where: { name: '模拟桥接' } }))?.id ?? 0).toBeGreaterThan(0)
    const sim = (await d.brokerAccount.findFirstOrThrow({ where: { name: '模拟桥接' } })).id
    await expect.poll(() => testId(`broker-account-badge-${sim}`).getAttribute('data-paper')).toBe('false')
    await testId(`broker-account-test-${sim}`).click()
    await expect.poll(() => testId(`broker-account-test-result-${sim}`).getAttribute('data-success'), { timeout: 15_000 }).toBe('true')
    await expect.poll(() => testId(`broker-account-badge-${sim}`).getAttribute('data-paper')).toBe('true')
    // The dead bridge: what the connection attempt said, never success.
    await testId(`broker-account-test-${live}`).click()
    await expect.poll(() => testId(`broker-account-test-result-${live}`).getAttribute('data-success'), { timeout: 15_000 }).toBe('false')

    // Disable the live account (confirmed first).
    await testId(`broker-account-toggle-${live}`).click()
    await testId(`broker-account-toggle-${live}-confirm`).click()
    await expect.poll(() => testId(`broker-account-disabled-${live}`).count()).toBe(1)
    expect((await d.brokerAccount.findUniqueOrThrow({ where: { id: live } })).disabledAt).not.toBeNull()
    await screenshot(page, 'settings-broker-accounts')

    // After a reload: the same, and no token anywhere on the page.
    await page.reload()
    await expect.poll(() => testId(`broker-account-badge-${sim}`).getAttribute('data-paper')).toBe('true')
    const html = await page.content()
    for (const secret of ['live-secret-token-4321', ex.token]) expect(html).not.toContain(secret)

    // Every text of the section (模拟 and 实盘 badges, disabled marker, health) reads at >= 4.5:1, light and dark.
    expect(await contrastFailures(page)).toEqual([])
    const dark = await stack.browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' })
    try {
      const p = await dark.newPage()
      await signIn(p, stack.webUrl, admin.email, admin.password)
      await p.goto(`${stack.webUrl}/settings`)
      await p.waitForLoadState('networkidle').catch(() => undefined)
      expect(await p.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true)
      expect(await contrastFailures(p)).toEqual([])
    } finally {
      await dark.close()
    }
  }, 120_000)
})
