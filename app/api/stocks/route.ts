import { parseBody, route, json } from '@/lib/http/route'
import { stockInputSchema } from '@/lib/schemas/stock'
import { createStock } from '@/lib/db/stocks'
import { toStockView } from '@/lib/services/views/stock-view'
import { stockListJson } from '@/lib/services/views/stock-list'

export const GET = route(async ({ req, user }) => {
  const archived = req.nextUrl.searchParams.get('archived') === '1'
  const { body, etag } = await stockListJson(user.id, archived)
  if (req.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers: { etag } })
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', etag, 'cache-control': 'private, no-cache' } })
})

export const POST = route(async ({ req, user, t }) => {
  const input = await parseBody(req, stockInputSchema, t)
  return json(toStockView(await createStock(user.id, input)), 201)
})
