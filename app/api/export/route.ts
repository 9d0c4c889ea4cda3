import { parseQuery, route } from '@/lib/http/route'
import { exportQuerySchema } from '@/lib/schemas/pnl'
import { buildExport } from '@/lib/services/views/export'

export const dynamic = 'force-dynamic'

/**
 * Download of the user's own orders, fills, notifications or realised P&L: kind, format (csv with a
 * UTF-8 BOM, or json), from/to (YYYY-MM-DD, Asia/Shanghai, both included, at most 366 days).
 */
export const GET = route(async ({ req, user, t, locale }) => {
  const q = parseQuery(req, exportQuerySchema, t)
  const file = await buildExport(user.id, q, locale)
  return new Response(Buffer.from(file.body), {
    status: 200,
    headers: {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${file.filename}"`,
      'cache-control': 'no-store',
      'x-export-rows': String(file.rows),
    },
  })
})
