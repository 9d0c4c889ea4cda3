/** Small helpers every adapter uses to build DeliveryResults that never carry a secret. */
import { scrubSecrets } from './secrets'
import type { DeliveryFailure, DeliveryResult } from './types'

export function failure(retryable: boolean, error: string, extra: Partial<Omit<DeliveryFailure, 'ok' | 'retryable' | 'error'>> = {}): DeliveryFailure {
  return { ok: false, retryable, error, ...extra }
}

/** Last line of defence: scrubs every secret string (and token-shaped text) from the error. */
export function sealResult(result: DeliveryResult, secrets: unknown): DeliveryResult {
  if (result.ok) return result
  return { ...result, error: scrubSecrets(result.error, secrets) }
}

/** Runs an adapter body; a thrown exception becomes a non-retryable failure with a scrubbed message. */
export async function guarded(platform: string, secrets: unknown, run: () => Promise<DeliveryResult>): Promise<DeliveryResult> {
  try {
    return sealResult(await run(), secrets)
  } catch (err) {
    const name = err instanceof Error ? err.name : 'Error'
    const msg = err instanceof Error ? err.message : String(err)
    const safe = [...scrubSecrets(msg, secrets)].slice(0, 200).join('')
    return sealResult(failure(false, `${platform}: internal error (${name}: ${safe})`), secrets)
  }
}
