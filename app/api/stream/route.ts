import { route } from '@/lib/http/route'
import { liveStreamResponse, parseLastEventId } from '@/lib/services/views/live-hub'

// One Server-Sent Events stream per tab: what changed for the signed-in user (orders,
// notifications) and each worker cycle. The query string is ignored; Last-Event-ID resumes.
export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

export const GET = route(async ({ req, user }) => liveStreamResponse(user.id, parseLastEventId(req.headers.get('last-event-id')), req.signal))
