// The settings form's contract: fields read from lib/notify's schemas (nothing missing, every one
// explained in both languages), routing presets that send stop-loss and rejections everywhere,
// and the form → payload → validator path the browser runs before the API sees anything.
import { describe, expect, it } from 'vitest'
import { messages } from '@/lib/i18n/messages'
import { channelSchemas } from '@/lib/notify'
import {
  CHANNEL_TYPES,
  channelFormFields,
  EVENT_PRESETS,
  presetOf,
  ROUTABLE_EVENT_TYPES,
  validateChannelInput,
  type ChannelErrorKey,
  type FieldDesc,
} from '@/lib/schemas/channels'
import { channelWants, EVENT_TYPES } from '@/lib/services/notifications/events'
import { initialFormState, toPayload } from '@/app/(app)/settings/notifications/form-values'

const zhT = (k: ChannelErrorKey) => messages.zh.channels.errors[k]

describe('channel form fields', () => {
  it.each(CHANNEL_TYPES)('%s: every schema key is a form field, secrets separate from config', (type) => {
    const schemas = channelSchemas('zh')[type]
    const f = channelFormFields(type)
    expect(f.config.map((x) => x.name)).toEqual(Object.keys(schemas.config.shape))
    expect(f.secrets.map((x) => x.name)).toEqual(Object.keys(schemas.secrets.shape))
    expect(f.secrets.every((x) => x.secret && x.path.startsWith('secrets.'))).toBe(true)
    expect(f.config.every((x) => !x.secret && x.path.startsWith('config.'))).toBe(true)
  })

  it('reads kinds, required flags and defaults from the schemas', () => {
    const email = Object.fromEntries(channelFormFields('EMAIL').config.map((f) => [f.name, f]))
    expect(email.host).toMatchObject({ kind: 'text', required: true })
    expect(email.port).toMatchObject({ kind: 'number', required: true })
    expect(email.security).toMatchObject({ kind: 'enum', options: ['SSL_TLS', 'STARTTLS', 'NONE'], defaultValue: 'STARTTLS', required: false })
    expect(email.to).toMatchObject({ kind: 'list', required: true })
    expect(email.tlsRejectUnauthorized).toMatchObject({ kind: 'boolean', defaultValue: true })
    const bark = Object.fromEntries(channelFormFields('BARK').config.map((f) => [f.name, f]))
    expect(bark.serverUrl).toMatchObject({ kind: 'text', defaultValue: 'https://api.day.app' })
    expect(bark.levels.kind).toBe('object')
    expect((bark.levels as Extract<FieldDesc, { kind: 'object' }>).fields.map((x) => x.path)).toEqual(['config.levels.INFO', 'config.levels.WARNING', 'config.levels.CRITICAL'])
    const ding = Object.fromEntries(channelFormFields('DINGTALK').secrets.map((f) => [f.name, f]))
    expect(ding.accessToken).toMatchObject({ kind: 'text', required: true })
    expect(ding.signSecret).toMatchObject({ kind: 'text', required: false })
  })

  it('explains every field, type, enum value and event in Chinese and English', () => {
    for (const lang of ['zh', 'en'] as const) {
      const ch = messages[lang].channels as unknown as Record<string, Record<string, Record<string, Record<string, unknown>>>>
      for (const type of CHANNEL_TYPES) {
        expect(ch.types[type]).toMatchObject({ name: expect.any(String), desc: expect.any(String) })
        const f = channelFormFields(type)
        for (const field of [...f.config, ...f.secrets]) {
          const entry = ch.fields[type][field.name] as Record<string, string>
          expect(entry?.label, `${lang} ${type}.${field.name}.label`).toBeTruthy()
          expect(entry?.hint, `${lang} ${type}.${field.name}.hint`).toBeTruthy()
          if (field.kind === 'object') for (const sub of field.fields) expect(entry[sub.name], `${lang} ${type}.${field.name}.${sub.name}`).toBeTruthy()
          const enums = field.kind === 'enum' ? field.options : field.kind === 'object' ? field.fields.flatMap((s) => (s.kind === 'enum' ? s.options : [])) : []
          for (const o of enums) expect((ch.enum as unknown as Record<string, string>)[o], `${lang} enum.${o}`).toBeTruthy()
        }
      }
      for (const ev of ROUTABLE_EVENT_TYPES) expect((ch.events.types as unknown as Record<string, string>)[ev], `${lang} events.types.${ev}`).toBeTruthy()
    }
  })
})

describe('event routing presets', () => {
  it('every preset pushes stop-loss and rejections; "important" keeps entries and fills in-app only', () => {
    for (const [name, events] of Object.entries(EVENT_PRESETS)) {
      for (const must of ['TRIGGER_STOP_LOSS', 'ORDER_REJECTED', 'BRIDGE_DOWN', 'WORKER_STALLED'] as const) {
        expect(channelWants(events, must, EVENT_TYPES[must]), `${name} → ${must}`).toBe(true)
      }
    }
    const important = EVENT_PRESETS.important
    expect(channelWants(important, 'TRIGGER_ENTRY', EVENT_TYPES.TRIGGER_ENTRY)).toBe(false)
    expect(channelWants(important, 'ORDER_FILLED', EVENT_TYPES.ORDER_FILLED)).toBe(false)
    expect(channelWants(important, 'TRIGGER_TAKE_PROFIT', EVENT_TYPES.TRIGGER_TAKE_PROFIT)).toBe(true)
    expect(channelWants(EVENT_PRESETS.trading, 'TRIGGER_ENTRY', EVENT_TYPES.TRIGGER_ENTRY)).toBe(true)
    expect(channelWants(EVENT_PRESETS.critical, 'TRIGGER_TAKE_PROFIT', EVENT_TYPES.TRIGGER_TAKE_PROFIT)).toBe(false)
  })

  it('recognises a preset regardless of order and treats anything else as custom', () => {
    expect(presetOf([...EVENT_PRESETS.trading].reverse())).toBe('trading')
    expect(presetOf(['severity:WARNING'])).toBe('important')
    expect(presetOf(['severity:WARNING', 'TRIGGER_ENTRY'])).toBeNull()
    expect(ROUTABLE_EVENT_TYPES).not.toContain('TEST')
  })

  it('a rebound entry reaches every channel routed to entries, including lists stored before it had its own type', () => {
    const before = EVENT_PRESETS.trading.filter((e) => e !== 'TRIGGER_REBOUND_ENTRY')
    expect(channelWants(before, 'TRIGGER_REBOUND_ENTRY', EVENT_TYPES.TRIGGER_REBOUND_ENTRY)).toBe(true)
    expect(channelWants(['TRIGGER_ENTRY'], 'TRIGGER_REBOUND_ENTRY', EVENT_TYPES.TRIGGER_REBOUND_ENTRY)).toBe(true)
    expect(channelWants(['TRIGGER_REBOUND_ENTRY'], 'TRIGGER_ENTRY', EVENT_TYPES.TRIGGER_ENTRY)).toBe(false)
    expect(channelWants(['ORDER_FILLED'], 'TRIGGER_REBOUND_ENTRY', EVENT_TYPES.TRIGGER_REBOUND_ENTRY)).toBe(false)
    expect(presetOf(before)).toBe('trading')
  })
})

describe('form → payload → validator', () => {
  it('turns form strings into the schema’s types (numbers, lists, nested levels, blank = absent)', () => {
    const s = initialFormState('EMAIL')
    expect(s.config).toMatchObject({ security: 'STARTTLS', tlsRejectUnauthorized: true, to: '', port: '' })
    s.name = '邮件'
    s.config = { ...s.config, host: 'smtp.qq.com', port: '465', security: 'SSL_TLS', user: '', from: '盯盘 <a@qq.com>', to: 'me@example.com\n ops@example.com ,' }
    s.secrets = { password: 'app-password' }
    const p = toPayload(s)
    expect(p.config).toEqual({ host: 'smtp.qq.com', port: 465, security: 'SSL_TLS', from: '盯盘 <a@qq.com>', to: ['me@example.com', 'ops@example.com'], tlsRejectUnauthorized: true })
    const v = validateChannelInput(p, { locale: 'zh', t: zhT })
    expect(v.ok).toBe(true)

    const b = initialFormState('BARK')
    b.name = 'iPhone'
    b.config = { ...b.config, levels: { INFO: '', WARNING: '', CRITICAL: 'critical' }, criticalVolume: '7' }
    b.secrets = { deviceKey: 'ynJ5Ft4atkMkWeo2PAvFhF' }
    const bp = toPayload(b)
    expect(bp.config).toEqual({ serverUrl: 'https://api.day.app', levels: { CRITICAL: 'critical' }, criticalVolume: 7 })
    expect(validateChannelInput(bp, { locale: 'zh', t: zhT })).toMatchObject({ ok: true, value: { config: { levels: { CRITICAL: 'critical' }, criticalVolume: 7 } } })
  })

  it('a typed non-number is reported on its field, not silently dropped', () => {
    const s = initialFormState('BARK')
    s.name = 'x'
    s.config = { ...s.config, criticalVolume: 'loud' }
    s.secrets = { deviceKey: 'abc' }
    const v = validateChannelInput(toPayload(s), { locale: 'zh', t: zhT })
    expect(v).toEqual({ ok: false, fields: { 'config.criticalVolume': ['重要警告音量范围为 0–10'] } })
  })

  it('in the browser (stored secrets unknown): empty is fine when a value is stored, required otherwise', () => {
    const view = {
      id: 1,
      type: 'WEBHOOK' as const,
      name: 'h',
      enabled: true,
      events: ['*'],
      config: { url: 'https://example.com/h', signatureHeader: 'X-DingPan-Signature' },
      secretHints: { hmacSecret: '••••abcd' },
      hasSecret: true,
      secretsUnreadable: false,
      createdAt: '',
      updatedAt: '',
      lastDelivery: null,
      recent: { delivered: 0, failed: 0, pending: 0, skipped: 0 },
    }
    const s = initialFormState('WEBHOOK', view)
    expect(s).toMatchObject({ name: 'h', events: ['*'], secrets: {}, config: { url: 'https://example.com/h' } })
    const p = toPayload(s)
    expect(p.secrets).toEqual({})
    expect(validateChannelInput(p, { locale: 'zh', t: zhT, existing: { type: 'WEBHOOK', secrets: null, storedFields: ['hmacSecret'] } }).ok).toBe(true)
    const missing = validateChannelInput(p, { locale: 'en', t: (k) => messages.en.channels.errors[k], existing: { type: 'WEBHOOK', secrets: null, storedFields: [] } })
    expect(missing).toEqual({ ok: false, fields: { 'secrets.hmacSecret': ['The HMAC secret must be at least 16 characters'] } })
    const short = validateChannelInput({ ...p, secrets: { hmacSecret: 'short' } }, { locale: 'zh', t: zhT, existing: { type: 'WEBHOOK', secrets: null, storedFields: ['hmacSecret'] } })
    expect(short).toEqual({ ok: false, fields: { 'secrets.hmacSecret': ['HMAC 签名密钥至少 16 个字符'] } })
  })

  it('new channels start with the recommended routing', () => {
    expect(initialFormState('DINGTALK').events).toEqual(['severity:WARNING'])
  })
})
