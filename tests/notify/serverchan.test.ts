import { afterEach, describe, expect, it } from 'vitest'
import { serverChanUrl, serverchanAdapter, serverchanSecretsSchema } from '@/lib/notify'
import { serverchanPlatform } from './helpers/platforms'
import { message } from './helpers/message'
import { startReceiver, type Receiver } from './helpers/receiver'

const TURBO = 'SCT123456TAbCdEfGhIjKlMnOpQrStUvWx'
const SC3 = 'sctp4521tQwErTyUiOpAsDfGh'

let rx: Receiver | undefined
afterEach(async () => {
  await rx?.close()
  rx = undefined
})

describe('ServerChan', () => {
  it('builds the endpoint from the key, as the official SDK does', () => {
    expect(serverChanUrl(TURBO)).toBe(`https://sctapi.ftqq.com/${TURBO}.send`)
    expect(serverChanUrl(SC3)).toBe(`https://4521.push.ft07.com/send/${SC3}.send`)
  })

  it('validates both key shapes and rejects others', () => {
    expect(serverchanSecretsSchema.safeParse({ sendKey: TURBO }).success).toBe(true)
    expect(serverchanSecretsSchema.safeParse({ sendKey: SC3 }).success).toBe(true)
    expect(serverchanSecretsSchema.safeParse({ sendKey: 'SCU1234abcd' }).success).toBe(false)
    expect(serverchanSecretsSchema.safeParse({ sendKey: 'sctpXt12' }).success).toBe(false)
  })

  it.each([TURBO, SC3])('delivers title + desp to the key’s endpoint (%s); code 0 with pushid', async (sendKey) => {
    rx = await startReceiver(serverchanPlatform({ sendKey }))
    const res = await serverchanAdapter.send(message({ title: '一个非常长的标题'.repeat(10) }), {}, { sendKey }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res).toEqual({ ok: true, status: 200, providerMessageId: '918273' })
    const req = rx.requests[0]
    expect(req.path).toBe(sendKey === TURBO ? `/${TURBO}.send` : `/send/${SC3}.send`)
    const body = req.json as { title: string; desp: string }
    expect([...body.title].length).toBeLessThanOrEqual(32)
    expect(body.desp).toContain('跌破止损价')
  })

  it('a non-zero code in an HTTP 200 is a failure, not retryable', async () => {
    rx = await startReceiver(serverchanPlatform({ sendKey: TURBO }))
    const res = await serverchanAdapter.send(message(), {}, { sendKey: 'SCT999999TZzZzZzZzZz' }, { timeoutMs: 3000, baseUrlOverride: rx.baseUrl })
    expect(res).toMatchObject({ ok: false, retryable: false, status: 200 })
    expect((res as { error: string }).error).toMatch(/40001/)
  })
})
