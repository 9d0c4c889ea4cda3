// 设置 → 通知渠道 in a real browser against the built app: add a webhook channel pointing at a
// local receiver (field errors first), send a test and see the platform's real answer; the API
// never returns the secret, answers field-level errors, and keeps users apart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { screenshot, signIn, startWebStack, type Stack } from './harness'
import { webhookReceiver } from '../notify/helpers/platforms'
import { startReceiver, type Receiver } from '../notify/helpers/receiver'

let stack: Stack
let page: Page
let other: BrowserContext
let rx: Receiver
const alice = { email: 'alice@example.com', password: 'correct horse battery' }
const bob = { email: 'bob@example.com', password: 'another horse battery' }
const SECRET = 'browser-test-hmac-secret-7Q2x'

beforeAll(async () => {
  stack = await startWebStack()
  process.env.DATABASE_URL = stack.db.url
  const { createUser } = await import('@/lib/db/users')
  const { hashPassword } = await import('@/lib/auth/password')
  await createUser(alice.email, await hashPassword(alice.password), 'ADMIN')
  await createUser(bob.email, await hashPassword(bob.password), 'USER')
  rx = await startReceiver(webhookReceiver({ secret: SECRET }))
  page = await stack.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
  other = await stack.browser.newContext()
})

afterAll(async () => {
  await rx?.close()
  await stack?.stop()
})

const byId = (id: string) => `[id="${id}"]`

describe('notification channel settings in a real browser', () => {
  let channelId = 0

  it('adds a webhook channel: field-level errors first, then saved with a write-only secret', async () => {
    await signIn(page, stack.webUrl, alice.email, alice.password)
    await page.goto(`${stack.webUrl}/settings/notifications`)
    await expect.poll(() => page.locator('h1').textContent()).toBe('通知渠道')
    await page.click('[data-testid="add-channel"]')
    await page.selectOption('[data-testid="channel-type"]', 'WEBHOOK')
    await page.fill(byId('new-name'), '家里的服务器')
    await page.fill(byId('new-config.url'), 'not a url')
    await page.fill(byId('new-secrets.hmacSecret'), 'short')
    await page.click('[data-testid="save-channel"]')
    await expect.poll(() => page.locator('[data-testid="error-config.url"]').textContent()).toContain('请输入以 http:// 或 https:// 开头的有效网址')
    expect(await page.locator('[data-testid="error-secrets.hmacSecret"]').textContent()).toContain('HMAC 签名密钥至少 16 个字符')
    expect(await page.locator(byId('new-secrets.hmacSecret')).getAttribute('type')).toBe('password')
    await page.check('[data-testid="preset-custom"]')
    await screenshot(page, 'settings-notifications-form')

    await page.fill(byId('new-config.url'), `${rx.baseUrl}/dingpan`)
    await page.fill(byId('new-secrets.hmacSecret'), SECRET)
    await page.check('[data-testid="preset-critical"]')
    await page.click('[data-testid="save-channel"]')
    const card = page.locator('li[data-testid^="channel-"]').filter({ hasText: '家里的服务器' })
    await expect.poll(() => card.count()).toBe(1)
    channelId = Number((await card.getAttribute('data-testid'))!.replace('channel-', ''))
    expect(channelId).toBeGreaterThan(0)
    expect(await card.locator('[data-testid="channel-events"]').textContent()).toBe('仅严重')
    expect(await card.locator('[data-testid="channel-last"]').textContent()).toBe('尚无发送记录')
    // The secret is not in the page; the edit form shows only its redacted hint.
    expect(await page.content()).not.toContain(SECRET)
    await page.click(`[data-testid="edit-${channelId}"]`)
    expect(await page.locator(byId(`c${channelId}-secrets.hmacSecret`)).getAttribute('placeholder')).toBe(`已保存 ••••${SECRET.slice(-4)}，留空保持不变`)
    expect(await page.locator(byId(`c${channelId}-secrets.hmacSecret`)).inputValue()).toBe('')
    await page.click('text=取消')
  })

  it('sends a test and shows what the platform answered', async () => {
    await page.click(`[data-testid="test-${channelId}"]`)
    const outcome = page.locator(`[data-testid="test-result-${channelId}"] [data-testid="test-outcome"]`)
    await expect.poll(() => outcome.getAttribute('data-ok'), { timeout: 20_000 }).toBe('true')
    expect(await outcome.textContent()).toMatch(/平台已接收 · 状态码 204/)
    expect(rx.requests).toHaveLength(1)
    expect(rx.requests[0].json).toMatchObject({ type: 'TEST', title: '盯盘测试消息' })
    await expect.poll(() => page.locator(`[data-testid="channel-${channelId}"] [data-testid="channel-last"]`).textContent()).toContain('已送达')
    await screenshot(page, 'settings-notifications')

    // The receiver now refuses the signature: the page shows its real answer, recorded as failed.
    rx.setHandler(webhookReceiver({ secret: 'rotated-on-the-receiver-side' }))
    await page.click(`[data-testid="test-${channelId}"]`)
    await expect.poll(() => outcome.getAttribute('data-ok'), { timeout: 20_000 }).toBe('false')
    const text = await outcome.textContent()
    expect(text).toContain('平台未接收 · 状态码 401')
    expect(text).toContain('平台答复：Webhook refused the request (HTTP 401): {"error":"bad signature"}')
    await expect.poll(() => page.locator(`[data-testid="channel-${channelId}"] [data-testid="channel-last"]`).textContent()).toContain('发送失败')
  })

  it('API: secrets never returned, field-level errors, other users kept out', async () => {
    const list = await page.request.get(`${stack.webUrl}/api/channels`)
    expect(list.status()).toBe(200)
    const raw = await list.text()
    expect(raw).not.toContain(SECRET)
    const body = JSON.parse(raw) as { items: { id: number; secretHints: Record<string, string>; hasSecret: boolean }[] }
    expect(body.items).toHaveLength(1)
    expect(body.items[0]).toMatchObject({ id: channelId, hasSecret: true, secretHints: { hmacSecret: `••••${SECRET.slice(-4)}` } })

    const bad = await page.request.post(`${stack.webUrl}/api/channels`, {
      data: { type: 'DINGTALK', name: '', events: ['*'], config: {}, secrets: { accessToken: 'x' } },
    })
    expect(bad.status()).toBe(400)
    const err = await bad.json()
    expect(err.fields.name).toEqual(['请填写名称'])
    expect(err.fields['secrets.accessToken'][0]).toContain('钉钉机器人 Webhook 地址')

    const bobPage = await other.newPage()
    await signIn(bobPage, stack.webUrl, bob.email, bob.password)
    const theirs = await (await bobPage.request.get(`${stack.webUrl}/api/channels`)).json()
    expect(theirs.items).toEqual([])
    expect((await bobPage.request.get(`${stack.webUrl}/api/channels/${channelId}`)).status()).toBe(404)
    expect(
      (await bobPage.request.put(`${stack.webUrl}/api/channels/${channelId}`, { data: { name: 'mine', events: ['*'], config: { url: 'https://evil.example/' }, secrets: {} } })).status(),
    ).toBe(404)
    expect((await bobPage.request.post(`${stack.webUrl}/api/channels/${channelId}/test`)).status()).toBe(404)
    expect((await bobPage.request.delete(`${stack.webUrl}/api/channels/${channelId}`)).status()).toBe(404)
    const requestsBefore = rx.requests.length
    const mine = JSON.parse(await (await page.request.get(`${stack.webUrl}/api/channels/${channelId}`)).text())
    expect(mine.config.url).toBe(`${rx.baseUrl}/dingpan`)
    expect(rx.requests.length).toBe(requestsBefore)
  })

  it('deletes the channel after a confirmation', async () => {
    await page.click(`[data-testid="delete-${channelId}"]`)
    await page.click(`[data-testid="confirm-delete-${channelId}"]`)
    await expect.poll(() => page.locator(`[data-testid="channel-${channelId}"]`).count()).toBe(0)
    expect(await page.locator('text=还没有通知渠道').count()).toBe(1)
  })
})
