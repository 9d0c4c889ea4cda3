// A stored secret is only ever sent to the destination it was entered for: a new bridge address
// or a new SMTP / Bark server needs the secret typed again.
import { describe, expect, it } from 'vitest'
import { ValidationError } from '@/lib/errors'
import { parseEnv } from '@/lib/env'
import { knownTokenFor, resolveBrokerConfig, saveBrokerSettings } from '@/lib/services/runtime/broker-config'
import { createChannel, updateChannel } from '@/lib/services/notifications/channels'
import { providers } from '../helpers/db'
import { makeUser, useTestDb } from './helpers'

const actor = { id: null, label: 'test' }
const broker = (over: Record<string, unknown> = {}) => ({ mode: 'qmt' as const, host: '192.168.1.20', port: 8000, accountId: '', timeoutMs: 8000, ...over })

describe.each(providers())('secrets stay with their destination on %s', (provider) => {
  useTestDb(provider)

  it('bridge token: kept for the same address, never reused for a new one', async () => {
    const env = parseEnv({ DATABASE_URL: process.env.DATABASE_URL, MINIQMT_TOKEN: 'env-token-for-localhost', MINIQMT_HOST: '127.0.0.1', MINIQMT_PORT: '8000' })
    await saveBrokerSettings(broker({ token: 'stored-token-abc' }), actor)
    expect(await knownTokenFor('192.168.1.20', 8000, env)).toBe('stored-token-abc')
    expect(await knownTokenFor('203.0.113.9', 8000, env)).toBeNull()
    expect(await knownTokenFor('127.0.0.1', 8000, env)).toBe('env-token-for-localhost')
    // Same address, empty token: the stored one stays.
    await saveBrokerSettings(broker({ accountId: 'A1' }), actor)
    const cfg = await resolveBrokerConfig(env)
    expect(cfg).toMatchObject({ broker: 'qmt', baseUrl: 'http://192.168.1.20:8000', token: 'stored-token-abc' })
    // New address, empty token: refused with a field error; nothing changed.
    const e = await saveBrokerSettings(broker({ host: '203.0.113.9' }), actor).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ValidationError)
    expect((e as ValidationError).fields.token).toEqual(['broker.tokenRequiredForNewAddress'])
    expect(await resolveBrokerConfig(env)).toMatchObject({ baseUrl: 'http://192.168.1.20:8000', token: 'stored-token-abc' })
  })

  it('SMTP password: a new server needs the password again', async () => {
    const user = await makeUser()
    const email = {
      type: 'EMAIL',
      name: '邮件',
      events: ['*'],
      config: { host: 'smtp.example.com', port: 465, security: 'SSL_TLS', user: 'me@example.com', from: 'me@example.com', to: ['me@example.com'] },
      secrets: { password: 'smtp-password-xyz' },
    }
    const ch = await createChannel(user, email, { locale: 'zh' })
    // Same server: the stored password is kept.
    await expect(updateChannel(user, ch.id, { ...email, name: '邮件2', secrets: {} }, { locale: 'zh' })).resolves.toMatchObject({ name: '邮件2', hasSecret: true })
    // New server without the password: refused.
    const e = await updateChannel(user, ch.id, { ...email, config: { ...email.config, host: 'evil.example.net' }, secrets: {} }, { locale: 'zh' }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ValidationError)
    expect(Object.keys((e as ValidationError).fields)).toEqual(['secrets.password'])
    // New server with the password typed: accepted.
    await expect(updateChannel(user, ch.id, { ...email, config: { ...email.config, host: 'smtp2.example.com' }, secrets: { password: 'new-password-123' } }, { locale: 'zh' })).resolves.toMatchObject({ config: { host: 'smtp2.example.com' } })
  })
})
