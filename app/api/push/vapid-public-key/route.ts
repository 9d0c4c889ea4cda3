import { route } from '@/lib/http/route'
import { webPushPublicKey } from '@/lib/services/notifications'

/** The server's VAPID public key, for PushManager.subscribe (signed-in users only; the private key never leaves the server). */
export const GET = route(async () => ({ publicKey: webPushPublicKey() }))
