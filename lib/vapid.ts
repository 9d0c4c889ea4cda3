/**
 * The server's VAPID identity for Web Push (RFC 8292): a P-256 key pair that signs every push
 * request, and the contact (`sub`) push services may use to reach the operator.
 *
 * Keys: DINGPAN_VAPID_PUBLIC_KEY + DINGPAN_VAPID_PRIVATE_KEY (base64url, as `npx web-push
 * generate-vapid-keys` prints them) when both are set; otherwise generated once by web-push into
 * the data directory (`.vapid-keys.json`, mode 600, like the session secret and the encryption
 * key) and reused. Browsers subscribe with the public key: a new key pair invalidates every
 * existing subscription (the push services answer 403 and the user turns push on again).
 *
 * The private key never leaves the server: only `vapidPublicKey()` is served to the browser, and
 * nothing here logs.
 */
import webpush from 'web-push'
import type { VapidDetails } from '@/lib/notify/types'
import { fileSecret } from './secrets'

export const VAPID_KEYS_FILE = '.vapid-keys.json'
/** Used when DINGPAN_VAPID_SUBJECT is not set and NEXTAUTH_URL is not a public https address. */
export const DEFAULT_VAPID_SUBJECT = 'mailto:admin@example.com'

export class VapidConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'VapidConfigError'
  }
}

interface VapidKeys {
  publicKey: string
  privateKey: string
}

const B64URL = /^[A-Za-z0-9_-]+$/
function checkKeys(k: unknown, where: string): VapidKeys {
  const o = (k ?? {}) as Partial<VapidKeys>
  const ok =
    typeof o.publicKey === 'string' &&
    typeof o.privateKey === 'string' &&
    B64URL.test(o.publicKey) &&
    B64URL.test(o.privateKey) &&
    Buffer.from(o.publicKey, 'base64url').length === 65 &&
    Buffer.from(o.privateKey, 'base64url').length === 32
  // The message names where the keys came from, never their value.
  if (!ok) throw new VapidConfigError(`the VAPID keys in ${where} are not a base64url P-256 key pair (65-byte public key, 32-byte private key)`)
  return { publicKey: o.publicKey!, privateKey: o.privateKey! }
}

function vapidKeys(): VapidKeys {
  const pub = process.env.DINGPAN_VAPID_PUBLIC_KEY
  const priv = process.env.DINGPAN_VAPID_PRIVATE_KEY
  if (pub || priv) {
    if (!pub || !priv) throw new VapidConfigError('set both DINGPAN_VAPID_PUBLIC_KEY and DINGPAN_VAPID_PRIVATE_KEY, or neither (then they are generated into the data directory)')
    return checkKeys({ publicKey: pub, privateKey: priv }, 'DINGPAN_VAPID_PUBLIC_KEY / DINGPAN_VAPID_PRIVATE_KEY')
  }
  const raw = fileSecret(VAPID_KEYS_FILE, () => {
    const { publicKey, privateKey } = webpush.generateVAPIDKeys()
    return JSON.stringify({ publicKey, privateKey })
  })
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    parsed = null
  }
  return checkKeys(parsed, `the data directory's ${VAPID_KEYS_FILE}`)
}

export function vapidSubject(): string {
  const set = process.env.DINGPAN_VAPID_SUBJECT?.trim()
  if (set) {
    if (!/^(mailto:\S+@\S+|https:\/\/\S+)$/.test(set)) throw new VapidConfigError('DINGPAN_VAPID_SUBJECT must be a mailto: address or an https: URL')
    return set
  }
  const app = process.env.NEXTAUTH_URL
  try {
    const u = new URL(app ?? '')
    if (u.protocol === 'https:' && u.hostname !== 'localhost') return u.origin
  } catch {
    // not set or not a URL
  }
  return DEFAULT_VAPID_SUBJECT
}

/** The public key browsers subscribe with (PushManager.subscribe applicationServerKey). */
export function vapidPublicKey(): string {
  return vapidKeys().publicKey
}

/** Everything web-push needs to sign a request (server side only). */
export function vapidDetails(): VapidDetails {
  return { subject: vapidSubject(), ...vapidKeys() }
}
