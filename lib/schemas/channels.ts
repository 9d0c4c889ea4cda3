/**
 * Notification channel input: one validator for the settings form (client) and the API (server).
 *
 * The per-channel settings come from lib/notify's zod schemas, split into PUBLIC config and
 * SECRETS; their messages are already localised (`channelSchemas(locale)`). The few fields of our
 * own (name, events, type) use keys of the `channels.errors` namespace, translated by the caller.
 * Field paths in the errors match the form's field ids: `name`, `events`, `config.port`,
 * `config.levels.CRITICAL`, `secrets.accessToken`…
 *
 * Secrets are write-only: on update an empty (or absent) secret field keeps the stored value;
 * `clearSecrets` lists optional secret fields to remove.
 *
 * Client-safe: imports zod, lib/notify/config (zod only) and the pure event catalogue.
 */
import { z } from 'zod'
import { channelSchemas, type ChannelConfigMap } from '@/lib/notify/config'
import { CHANNEL_TYPES, type ChannelType, type Locale } from '@/lib/notify/types'
import { EVENT_TYPES, type EventType } from '@/lib/services/notifications/events'
import type { FieldErrors } from '@/lib/errors'

export { CHANNEL_TYPES, type ChannelType }

export const CHANNEL_NAME_MAX = 60
export const SEVERITY_TOKENS = ['severity:INFO', 'severity:WARNING', 'severity:CRITICAL'] as const

/** Event types a user can route (TEST is sent by the "send test" button to one channel only). */
export const ROUTABLE_EVENT_TYPES = (Object.keys(EVENT_TYPES) as EventType[]).filter((t) => t !== 'TEST')

/** Every token a channel's `events` list may hold (see channelWants in lib/services/notifications/events.ts). */
export const EVENT_TOKENS: readonly string[] = ['*', ...SEVERITY_TOKENS, ...ROUTABLE_EVENT_TYPES]

/**
 * Routing presets. Stop-loss (CRITICAL), rejections (CRITICAL) and every system alarm are in all
 * of them; entries and fills (INFO) only where asked for — otherwise they stay in-app only.
 */
export const EVENT_PRESETS = {
  critical: ['severity:CRITICAL'],
  important: ['severity:WARNING'],
  trading: ['severity:WARNING', 'TRIGGER_ENTRY', 'TRIGGER_REBOUND_ENTRY', 'ORDER_SUBMITTED', 'ORDER_FILLED', 'ORDER_PARTIALLY_FILLED', 'ORDER_REPRICED', 'DAILY_SUMMARY'],
  all: ['*'],
} as const satisfies Record<string, readonly string[]>
export type EventPreset = keyof typeof EVENT_PRESETS
export const DEFAULT_EVENTS: readonly string[] = EVENT_PRESETS.important

/** The preset an events list is equal to (order-insensitive), or null for a custom list. */
export function presetOf(events: readonly string[]): EventPreset | null {
  // A list stored with the trading preset before rebound entries had their own event type still is that preset.
  const all = events.includes('TRIGGER_ENTRY') ? [...events, 'TRIGGER_REBOUND_ENTRY'] : events
  const key = [...new Set(all)].sort().join('|')
  for (const [name, list] of Object.entries(EVENT_PRESETS)) {
    if ([...list].sort().join('|') === key) return name as EventPreset
  }
  return null
}

export const CHANNEL_ERROR_KEYS = [
  'notObject',
  'typeInvalid',
  'typeImmutable',
  'nameRequired',
  'nameTooLong',
  'eventsEmpty',
  'eventsInvalid',
  'enabledInvalid',
  'clearInvalid',
] as const
export type ChannelErrorKey = (typeof CHANNEL_ERROR_KEYS)[number]

/** The route's envelope check: a JSON object. The detail is validated by validateChannelInput. */
export const channelBodySchema = z.record(z.string(), z.unknown())

// ---------------------------------------------------------------------------------------------
// Form fields, read from lib/notify's schemas (so a new setting there shows up in the form).
// ---------------------------------------------------------------------------------------------
export type FieldKind =
  | { kind: 'text' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'list' }
  | { kind: 'enum'; options: readonly string[] }
  | { kind: 'object'; fields: FieldDesc[] }

export type FieldDesc = FieldKind & {
  /** Key inside config/secrets (`levels`, `INFO`…). */
  name: string
  /** Form path: `config.port`, `config.levels.INFO`, `secrets.password`. */
  path: string
  required: boolean
  /** Schema default, shown pre-filled. */
  defaultValue?: unknown
  secret: boolean
}

interface ZodDefLike {
  type: string
  innerType?: unknown
  in?: unknown
  defaultValue?: unknown
  entries?: Record<string, string>
  element?: unknown
  shape?: Record<string, unknown>
}
const defOf = (s: unknown): ZodDefLike => (s as { _zod: { def: ZodDefLike } })._zod.def

function describe(name: string, path: string, schema: unknown, secret: boolean): FieldDesc {
  let cur = schema
  let required = true
  let defaultValue: unknown
  for (;;) {
    const d = defOf(cur)
    if (d.type === 'optional') {
      required = false
      cur = d.innerType
    } else if (d.type === 'default') {
      required = false
      defaultValue = typeof d.defaultValue === 'function' ? (d.defaultValue as () => unknown)() : d.defaultValue
      cur = d.innerType
    } else if (d.type === 'pipe') {
      cur = d.in
    } else break
  }
  const d = defOf(cur)
  const base = { name, path, required, secret, ...(defaultValue !== undefined ? { defaultValue } : {}) }
  switch (d.type) {
    case 'number':
      return { ...base, kind: 'number' }
    case 'boolean':
      return { ...base, kind: 'boolean' }
    case 'enum':
      return { ...base, kind: 'enum', options: Object.values(d.entries ?? {}) }
    case 'array':
      return { ...base, kind: 'list' }
    case 'object':
      return { ...base, kind: 'object', fields: Object.entries(d.shape ?? {}).map(([k, v]) => describe(k, `${path}.${k}`, v, secret)) }
    default:
      return { ...base, kind: 'text' }
  }
}

export function channelFormFields(type: ChannelType): { config: FieldDesc[]; secrets: FieldDesc[] } {
  const s = channelSchemas('zh')[type]
  const shapeOf = (o: unknown) => defOf(o).shape ?? {}
  return {
    config: Object.entries(shapeOf(s.config)).map(([k, v]) => describe(k, `config.${k}`, v, false)),
    secrets: Object.entries(shapeOf(s.secrets)).map(([k, v]) => describe(k, `secrets.${k}`, v, true)),
  }
}

/** Names of the secret fields of a channel type. */
export function secretFieldNames(type: ChannelType): string[] {
  return channelFormFields(type).secrets.map((f) => f.name)
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------
export interface ChannelInput<T extends ChannelType = ChannelType> {
  type: T
  name: string
  enabled: boolean
  events: string[]
  config: ChannelConfigMap[T]['config']
  /** The complete secrets to store (stored values merged with the submitted ones). */
  secrets: ChannelConfigMap[T]['secrets']
  /** Secret fields the request set or cleared (names only: for the audit log). */
  secretsChanged: string[]
}

export interface ValidateOptions {
  locale: Locale
  /** Translates a `channels.errors.*` key. */
  t: (key: ChannelErrorKey) => string
  /** Absent for create. */
  existing?: {
    type: ChannelType
    /** Decrypted stored secrets (server). null when unknown (client) or unreadable. */
    secrets: Record<string, unknown> | null
    /** Secret fields known to be stored (client: from the hints). Ignored when `secrets` is given. */
    storedFields?: readonly string[]
  }
}

export type ValidateResult = { ok: true; value: ChannelInput } | { ok: false; fields: FieldErrors }

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '')

/**
 * Drops blank values (empty strings, null) so optional fields are simply absent, in nested objects
 * down to `depth` levels (channel settings are at most two deep: `config.levels.CRITICAL`); deeper
 * values are left for the schema to refuse. Bounded so a deeply nested body cannot overflow the
 * stack, and built with own properties only, so a `__proto__` key stays a plain (unknown) key
 * instead of replacing the object's prototype.
 */
function dropBlanks(obj: Record<string, unknown>, depth = 2): Record<string, unknown> {
  const out: Array<[string, unknown]> = []
  for (const [k, v] of Object.entries(obj)) {
    if (isBlank(v)) continue
    if (Array.isArray(v)) {
      out.push([k, v.filter((x) => !isBlank(x))])
    } else if (v !== null && typeof v === 'object' && depth > 1) {
      const inner = dropBlanks(v as Record<string, unknown>, depth - 1)
      if (Object.keys(inner).length > 0) out.push([k, inner])
    } else out.push([k, v])
  }
  return Object.fromEntries(out)
}

const asObject = (v: unknown): Record<string, unknown> | null =>
  v === undefined ? {} : v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null

function addIssues(fields: FieldErrors, prefix: string, issues: readonly z.core.$ZodIssue[]) {
  for (const issue of issues) {
    // Array indexes (`config.to.2`) are reported on the list field itself.
    const segs = issue.path.filter((p) => typeof p !== 'number').map(String)
    const path = [prefix, ...segs].join('.')
    const list = (fields[path] ??= [])
    if (!list.includes(issue.message)) list.push(issue.message)
  }
}

export function validateChannelInput(raw: unknown, opts: ValidateOptions): ValidateResult {
  const { t, existing } = opts
  const fields: FieldErrors = {}
  const add = (path: string, msg: string) => {
    const list = (fields[path] ??= [])
    if (!list.includes(msg)) list.push(msg)
  }
  const body = asObject(raw)
  if (!body || raw === undefined) return { ok: false, fields: { _form: [t('notObject')] } }

  // type
  let type: ChannelType | undefined
  if (existing) {
    type = existing.type
    if (body.type !== undefined && body.type !== existing.type) add('type', t('typeImmutable'))
  } else if (typeof body.type === 'string' && (CHANNEL_TYPES as readonly string[]).includes(body.type)) {
    type = body.type as ChannelType
  } else add('type', t('typeInvalid'))

  // name
  const name = typeof body.name === 'string' ? body.name.trim() : ''
  if (name === '') add('name', t('nameRequired'))
  else if ([...name].length > CHANNEL_NAME_MAX) add('name', t('nameTooLong'))

  // enabled
  let enabled = true
  if (body.enabled !== undefined) {
    if (typeof body.enabled === 'boolean') enabled = body.enabled
    else add('enabled', t('enabledInvalid'))
  }

  // events
  let events: string[] = []
  if (!Array.isArray(body.events) || body.events.some((e) => typeof e !== 'string' || !EVENT_TOKENS.includes(e))) {
    add('events', t(Array.isArray(body.events) ? 'eventsInvalid' : 'eventsEmpty'))
  } else {
    events = [...new Set(body.events as string[])]
    if (events.length === 0) add('events', t('eventsEmpty'))
  }

  if (!type) return { ok: false, fields }
  const schemas = channelSchemas(opts.locale)[type]
  const secretNames = secretFieldNames(type)

  // public config: the schema's output (unknown keys stripped, defaults applied)
  const rawConfig = asObject(body.config)
  let config: Record<string, unknown> = {}
  if (!rawConfig) add('config', t('notObject'))
  else {
    const res = schemas.config.safeParse(dropBlanks(rawConfig))
    if (res.success) config = res.data as Record<string, unknown>
    else addIssues(fields, 'config', res.error.issues)
  }

  // secrets: submitted non-blank values over the stored ones, minus the cleared ones
  const rawSecrets = asObject(body.secrets)
  const clear = body.clearSecrets === undefined ? [] : body.clearSecrets
  if (!Array.isArray(clear) || clear.some((c) => typeof c !== 'string' || !secretNames.includes(c))) add('clearSecrets', t('clearInvalid'))
  const clearList = Array.isArray(clear) ? (clear.filter((c) => typeof c === 'string') as string[]) : []
  let secrets: Record<string, unknown> = {}
  const submitted = rawSecrets ? dropBlanks(Object.fromEntries(Object.entries(rawSecrets).filter(([k]) => secretNames.includes(k)))) : {}
  if (!rawSecrets) add('secrets', t('notObject'))
  else if (!existing || existing.secrets !== null) {
    const stored = existing?.secrets ?? {}
    const merged: Record<string, unknown> = { ...stored, ...submitted }
    for (const c of clearList) if (!(c in submitted)) delete merged[c]
    const res = schemas.secrets.safeParse(merged)
    if (res.success) secrets = res.data as Record<string, unknown>
    else addIssues(fields, 'secrets', res.error.issues)
  } else {
    // Stored values unknown here (browser) or unreadable: check what was typed, and that every
    // required field is either typed or (when readable on the server) stored.
    const shape = (schemas.secrets as unknown as { shape: Record<string, z.ZodType> }).shape
    const stored = new Set(existing.storedFields ?? [])
    for (const k of secretNames) {
      if (k in submitted) {
        const res = shape[k].safeParse(submitted[k])
        if (!res.success) addIssues(fields, `secrets.${k}`, res.error.issues)
        else secrets[k] = res.data
      } else if ((!stored.has(k) || clearList.includes(k)) && !shape[k].safeParse(undefined).success) {
        const res = shape[k].safeParse('')
        addIssues(fields, `secrets.${k}`, res.success ? [] : res.error.issues)
      }
    }
  }

  if (Object.keys(fields).length > 0) return { ok: false, fields }
  const secretsChanged = [...new Set([...Object.keys(submitted), ...clearList])].sort()
  return {
    ok: true,
    value: { type, name, enabled, events, config, secrets, secretsChanged } as ChannelInput,
  }
}
