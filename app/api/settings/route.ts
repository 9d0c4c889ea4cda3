import { route } from '@/lib/http/route'
import { env } from '@/lib/env'
import { settingsView } from '@/lib/services/runtime/settings-admin'

export const dynamic = 'force-dynamic'

/** The settings in force (never a token: only its redacted hint). */
export const GET = route(async () => settingsView(env()))
