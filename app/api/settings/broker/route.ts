import { parseBody, route } from '@/lib/http/route'
import { env } from '@/lib/env'
import { brokerFormSchema } from '@/lib/schemas/settings'
import { saveBroker, settingsView } from '@/lib/services/runtime/settings-admin'

/**
 * Admin: broker mode and bridge connection (the token is write-only; empty keeps the stored one).
 * A change of bridge, account or token while DingPan orders are at the bridge needs
 * `confirmWorkingOrders` (400 naming them otherwise); those orders then become UNKNOWN.
 */
export const PUT = route(
  async ({ req, user, t, locale }) => {
    const input = await parseBody(req, brokerFormSchema, t)
    await saveBroker(input, { id: user.id, label: user.email }, env(), locale)
    return (await settingsView(env())).broker
  },
  { admin: true },
)
