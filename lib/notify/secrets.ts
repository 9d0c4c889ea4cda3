/**
 * Channel secrets at rest, and keeping secrets out of anything displayed or logged.
 *
 * Storage format: `v1:<iv>:<tag>:<ciphertext>`, each part standard base64.
 *  - cipher: AES-256-GCM, 12-byte random IV, 16-byte tag, plaintext = JSON of the secrets object;
 *  - key: HKDF-SHA256(ikm = keyMaterial, salt = "dingpan/notify/secrets", info = "v1", 32 bytes).
 *    keyMaterial is an environment secret passed in by the caller (e.g. `openssl rand -base64 32`);
 *    at least 32 characters are required;
 *  - optional `context` (e.g. the channel id) is bound as GCM additional data, so a ciphertext
 *    copied onto another channel row does not decrypt.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

const VERSION = 'v1'
const SALT = 'dingpan/notify/secrets'
const IV_BYTES = 12
const TAG_BYTES = 16
export const MIN_KEY_MATERIAL_LENGTH = 32

/** Thrown by encrypt/decrypt. Its message never includes key material, plaintext or ciphertext. */
export class SecretsError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SecretsError'
  }
}

function deriveKey(keyMaterial: string): Buffer {
  if (typeof keyMaterial !== 'string' || keyMaterial.length < MIN_KEY_MATERIAL_LENGTH) {
    throw new SecretsError(`secret key material must be at least ${MIN_KEY_MATERIAL_LENGTH} characters`)
  }
  return Buffer.from(hkdfSync('sha256', keyMaterial, SALT, VERSION, 32))
}

export function encryptSecrets(secrets: Record<string, unknown>, keyMaterial: string, context = ''): string {
  const key = deriveKey(keyMaterial)
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
  cipher.setAAD(Buffer.from(`${VERSION}|${context}`, 'utf8'))
  const ct = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()])
  const tag = cipher.getAuthTag()
  return [VERSION, iv.toString('base64'), tag.toString('base64'), ct.toString('base64')].join(':')
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/

export function decryptSecrets(stored: string, keyMaterial: string, context = ''): Record<string, unknown> {
  const key = deriveKey(keyMaterial)
  const parts = typeof stored === 'string' ? stored.split(':') : []
  if (parts.length !== 4 || parts[0] !== VERSION || !parts.slice(1).every((p) => B64.test(p))) {
    throw new SecretsError('stored secrets are not in the v1:<iv>:<tag>:<ciphertext> format')
  }
  const iv = Buffer.from(parts[1], 'base64')
  const tag = Buffer.from(parts[2], 'base64')
  const ct = Buffer.from(parts[3], 'base64')
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SecretsError('stored secrets have a malformed IV or tag')
  }
  let plain: string
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
    decipher.setAAD(Buffer.from(`${VERSION}|${context}`, 'utf8'))
    decipher.setAuthTag(tag)
    plain = Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8')
  } catch {
    throw new SecretsError('stored secrets failed authentication (wrong key, wrong channel, or tampered)')
  }
  const parsed: unknown = JSON.parse(plain)
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SecretsError('stored secrets are not an object')
  }
  return parsed as Record<string, unknown>
}

export const MASK = '••••'

/** "••••1234" for long values (last 4 shown), "••••" for short ones, so short secrets are not half-revealed. */
export function maskSecret(value: string): string {
  return value.length >= 12 ? `${MASK}${value.slice(-4)}` : MASK
}

export type Redacted<T> = T extends string
  ? string
  : T extends readonly (infer U)[]
    ? Redacted<U>[]
    : T extends object
      ? { [K in keyof T]: Redacted<T[K]> }
      : T

/**
 * Copy of a secrets object with every string replaced by its mask, for display and logs.
 * Non-string leaves (booleans, numbers, null/undefined) are kept; empty strings stay empty so the
 * form can show "not set".
 */
export function redact<T>(secrets: T): Redacted<T> {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.length === 0 ? '' : maskSecret(v)
    if (Array.isArray(v)) return v.map(walk)
    if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
    }
    return v
  }
  return walk(secrets) as Redacted<T>
}

/** Every string leaf of a secrets object (plus URL-derived parts), for scrubbing. */
export function secretStrings(secrets: unknown): string[] {
  const out = new Set<string>()
  const add = (s: string) => {
    if (s.length < 4) return
    out.add(s)
    const enc = encodeURIComponent(s)
    if (enc !== s) out.add(enc)
    if (/^https?:\/\//i.test(s)) {
      try {
        const u = new URL(s)
        const last = u.pathname.split('/').filter(Boolean).pop()
        if (last && last.length >= 8) out.add(last)
        for (const [, val] of u.searchParams) if (val.length >= 8) add(val)
      } catch {
        /* not a URL after all */
      }
    }
  }
  const walk = (v: unknown) => {
    if (typeof v === 'string') add(v)
    else if (Array.isArray(v)) v.forEach(walk)
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk)
  }
  walk(secrets)
  // Longest first, so a secret that contains another is masked whole.
  return [...out].sort((a, b) => b.length - a.length)
}

/** Token-shaped substrings that are secrets whatever object they came from. */
const TOKEN_PATTERNS: RegExp[] = [
  /(access_token=)[^&\s"'<>]+/gi,
  /([?&]key=)[^&\s"'<>]+/gi,
  /([?&]sign=)[^&\s"'<>]+/gi,
  /(\/bot\/v2\/hook\/)[^\s"'<>/?#]+/gi,
  /()\bSCT[A-Za-z0-9]{6,}/g,
  /()\bsctp\d+t[A-Za-z0-9]+/g,
]

/**
 * Removes secrets from a free-text string (platform error messages, exception texts).
 * Masks every string of `secrets` (and its URL-encoded form) plus well-known token shapes
 * (access_token=…, key=…, Feishu hook ids, ServerChan SendKeys).
 */
export function scrubSecrets(text: string, secrets?: unknown): string {
  let out = text
  for (const s of secretStrings(secrets)) out = out.split(s).join(MASK)
  for (const re of TOKEN_PATTERNS) out = out.replace(re, (_m, prefix: string) => `${prefix}${MASK}`)
  return out
}
