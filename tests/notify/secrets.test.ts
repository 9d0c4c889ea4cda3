import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SecretsError, decryptSecrets, encryptSecrets, maskSecret, redact, scrubSecrets } from '@/lib/notify'

const KEY = 'k'.repeat(12) + 'Zx9!pL0#qW2$eR4%tY6^' // 32 chars
const SECRETS = { accessToken: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', signSecret: 'SEC0123456789abcdef', nested: { list: ['x-very-long-value-9876'] } }

function flip(stored: string, part: 1 | 2 | 3): string {
  const parts = stored.split(':')
  const buf = Buffer.from(parts[part], 'base64')
  buf[0] ^= 0x01
  parts[part] = buf.toString('base64')
  return parts.join(':')
}

describe('secret encryption (AES-256-GCM)', () => {
  it('round-trips and uses the v1:<iv>:<tag>:<ciphertext> format with a fresh IV each time', () => {
    const a = encryptSecrets(SECRETS, KEY, 'channel-1')
    const b = encryptSecrets(SECRETS, KEY, 'channel-1')
    expect(a).toMatch(/^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/=]+$/)
    expect(a).not.toBe(b)
    expect(decryptSecrets(a, KEY, 'channel-1')).toEqual(SECRETS)
    expect(a).not.toContain('SEC0123')
  })

  it('property: any JSON object round-trips', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (obj, ctx) => {
        expect(decryptSecrets(encryptSecrets(obj, KEY, ctx), KEY, ctx)).toEqual(JSON.parse(JSON.stringify(obj)))
      }),
      { numRuns: 100 },
    )
  })

  it.each([1, 2, 3] as const)('detects tampering with part %i (iv, tag, ciphertext)', (part) => {
    const stored = encryptSecrets(SECRETS, KEY)
    expect(() => decryptSecrets(flip(stored, part), KEY)).toThrow(SecretsError)
  })

  it('refuses a wrong key, a wrong context, malformed input and short key material', () => {
    const stored = encryptSecrets(SECRETS, KEY, 'channel-1')
    expect(() => decryptSecrets(stored, KEY.replace('Z', 'z'), 'channel-1')).toThrow(/failed authentication/)
    expect(() => decryptSecrets(stored, KEY, 'channel-2')).toThrow(/failed authentication/)
    expect(() => decryptSecrets('v2:' + stored.slice(3), KEY, 'channel-1')).toThrow(SecretsError)
    expect(() => decryptSecrets(stored.split(':').slice(0, 3).join(':'), KEY, 'channel-1')).toThrow(SecretsError)
    expect(() => decryptSecrets('v1:!!:??:**', KEY)).toThrow(SecretsError)
    expect(() => encryptSecrets(SECRETS, 'short')).toThrow(/at least 32/)
  })

  it('errors never contain the key, plaintext or ciphertext', () => {
    const stored = encryptSecrets(SECRETS, KEY)
    try {
      decryptSecrets(flip(stored, 3), KEY)
      expect.unreachable()
    } catch (e) {
      const msg = String((e as Error).message)
      for (const s of [KEY, SECRETS.accessToken, stored.split(':')[3]]) expect(msg).not.toContain(s)
    }
  })
})

describe('redaction and scrubbing', () => {
  it('redact masks every string, keeping the last 4 only of long values', () => {
    expect(redact({ ...SECRETS, empty: '', port: 465, on: true })).toEqual({
      accessToken: '••••8f90',
      signSecret: '••••cdef',
      nested: { list: ['••••9876'] },
      empty: '',
      port: 465,
      on: true,
    })
    expect(maskSecret('short-pw')).toBe('••••')
  })

  it('scrubSecrets removes secret values (raw and URL-encoded) and token-shaped text', () => {
    const secrets = { password: 'p@ss w0rd/+=', webhookUrl: 'https://open.feishu.cn/open-apis/bot/v2/hook/abcdef123456' }
    const text = [
      'login p@ss w0rd/+= failed',
      'GET /x?pw=p%40ss%20w0rd%2F%2B%3D',
      'POST /open-apis/bot/v2/hook/abcdef123456',
      'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef&timestamp=1&sign=abc%2B',
      'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-aaaa',
      'https://sctapi.ftqq.com/SCT123456TAbCdEfGh.send and https://4521.push.ft07.com/send/sctp4521tQwErTy.send',
    ].join('\n')
    const out = scrubSecrets(text, secrets)
    for (const leaked of ['p@ss w0rd', 'p%40ss', 'abcdef123456', '0123456789abcdef', '693a91f6', 'SCT123456TAbCdEfGh', 'sctp4521tQwErTy', 'abc%2B']) {
      expect(out).not.toContain(leaked)
    }
    expect(out).toContain('access_token=••••')
  })
})
