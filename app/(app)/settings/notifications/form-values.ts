/**
 * Channel form state ↔ API payload. The fields come from lib/notify's schemas
 * (channelFormFields), so the form and the API always agree on names and kinds.
 */
import { channelFormFields, DEFAULT_EVENTS, type ChannelType, type FieldDesc } from '@/lib/schemas/channels'
import type { ChannelView } from '@/lib/services/notifications'

export type FieldValue = string | boolean | { [k: string]: FieldValue }

export interface ChannelFormState {
  type: ChannelType
  name: string
  enabled: boolean
  events: string[]
  config: Record<string, FieldValue>
  /** Typed secrets only; empty = keep the stored value. */
  secrets: Record<string, string>
  /** Optional secret fields to remove. */
  clear: string[]
}

function initialValue(f: FieldDesc, current: unknown): FieldValue {
  const v = current === undefined || current === null ? f.defaultValue : current
  switch (f.kind) {
    case 'boolean':
      return typeof v === 'boolean' ? v : false
    case 'list':
      return Array.isArray(v) ? v.map(String).join('\n') : ''
    case 'object': {
      const obj = v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {}
      return Object.fromEntries(f.fields.map((sub) => [sub.name, initialValue(sub, obj[sub.name])]))
    }
    default:
      return v === undefined ? '' : String(v)
  }
}

export function initialFormState(type: ChannelType, view?: ChannelView): ChannelFormState {
  const { config } = channelFormFields(type)
  const stored = view?.config ?? {}
  return {
    type,
    name: view?.name ?? '',
    enabled: view?.enabled ?? true,
    events: view ? [...view.events] : [...DEFAULT_EVENTS],
    config: Object.fromEntries(config.map((f) => [f.name, initialValue(f, stored[f.name])])),
    secrets: {},
    clear: [],
  }
}

function payloadValue(f: FieldDesc, v: FieldValue | undefined): unknown {
  switch (f.kind) {
    case 'boolean':
      return v === true
    case 'list':
      return typeof v === 'string'
        ? v
            .split(/[\n,;，；]+/)
            .map((s) => s.trim())
            .filter(Boolean)
        : []
    case 'number': {
      const s = typeof v === 'string' ? v.trim() : ''
      // A non-number is sent as typed so the schema reports it on the field.
      return s === '' ? undefined : /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s
    }
    case 'object': {
      const obj = v !== null && typeof v === 'object' ? v : {}
      const out: Record<string, unknown> = {}
      for (const sub of f.fields) {
        const x = payloadValue(sub, obj[sub.name])
        if (x !== undefined && x !== '') out[sub.name] = x
      }
      return Object.keys(out).length > 0 ? out : undefined
    }
    default:
      return typeof v === 'string' ? v.trim() : undefined
  }
}

/** What the form sends to POST /api/channels and PUT /api/channels/:id. */
export function toPayload(state: ChannelFormState) {
  const { config } = channelFormFields(state.type)
  const cfg: Record<string, unknown> = {}
  for (const f of config) {
    const v = payloadValue(f, state.config[f.name])
    if (v !== undefined && v !== '') cfg[f.name] = v
  }
  const secrets = Object.fromEntries(Object.entries(state.secrets).filter(([, v]) => v.trim() !== ''))
  return {
    type: state.type,
    name: state.name,
    enabled: state.enabled,
    events: state.events,
    config: cfg,
    secrets,
    ...(state.clear.length > 0 ? { clearSecrets: state.clear } : {}),
  }
}
