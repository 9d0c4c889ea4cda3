/**
 * Channel secrets at rest: AES-256-GCM (lib/notify/secrets.ts) with the key material from the
 * environment (DINGPAN_ENCRYPTION_KEY, or the generated data/.encryption-key), bound to the
 * channel's row id so a ciphertext copied onto another channel does not decrypt.
 */
import { decryptSecrets, encryptSecrets, MIN_KEY_MATERIAL_LENGTH, SecretsError } from '@/lib/notify/secrets'
import { encryptionKey } from '@/lib/secrets'

export function secretsContext(channelId: number): string {
  return `NotificationChannel:${channelId}`
}

/** null when there is nothing to store. */
export function sealChannelSecrets(channelId: number, secrets: Record<string, unknown>, key: string = encryptionKey()): string | null {
  const present = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== undefined))
  if (Object.keys(present).length === 0) return null
  return encryptSecrets(present, key, secretsContext(channelId))
}

export class UnreadableSecretsError extends Error {
  constructor() {
    super(
      'the channel’s stored secrets cannot be decrypted (the encryption key DINGPAN_ENCRYPTION_KEY changed, or the data was altered); enter the secrets again in the channel settings',
    )
    this.name = 'UnreadableSecretsError'
  }
}

/** `{}` when none are stored. Throws UnreadableSecretsError (secret-free message) when the key cannot open them. */
export function openChannelSecrets(channelId: number, secretsEnc: string | null, key: () => string = encryptionKey): Record<string, unknown> {
  if (!secretsEnc) return {}
  const material = key()
  if (material.length < MIN_KEY_MATERIAL_LENGTH) {
    throw new Error(`DINGPAN_ENCRYPTION_KEY must be at least ${MIN_KEY_MATERIAL_LENGTH} characters to open channel secrets`)
  }
  try {
    return decryptSecrets(secretsEnc, material, secretsContext(channelId))
  } catch (e) {
    if (e instanceof SecretsError || e instanceof SyntaxError) throw new UnreadableSecretsError()
    throw e
  }
}
