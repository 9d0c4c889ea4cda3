/**
 * The one place where route handlers meet HTTP: session check, body/query parsing with the shared
 * zod schemas, and the mapping of typed errors to status codes with translated, field-level
 * messages. Handlers stay thin: parse, call lib/, answer.
 */
import { NextResponse, type NextRequest } from 'next/server'
import type { z } from 'zod'
import { AppError, ValidationError } from '@/lib/errors'
import { requireAdmin, requireUser, type SessionUser } from '@/lib/auth/session'
import { asLocale, LOCALE_COOKIE, type Locale } from '@/lib/i18n/config'
import { translator, type Translator } from '@/lib/i18n/translator'
import { issuesToFieldErrors } from '@/lib/schemas/issues'
import { logger } from '@/lib/log'
import { invalidateStockList } from '@/lib/services/views/stock-list'
import { unpairedSurrogatePath } from './surrogates'

export interface RouteContext<P> {
  req: NextRequest
  user: SessionUser
  params: P
  locale: Locale
  t: Translator
}

type Handler<P> = (ctx: RouteContext<P>) => Promise<Response | unknown>

function localeOf(req: NextRequest): Locale {
  return asLocale(req.cookies.get(LOCALE_COOKIE)?.value)
}

function errorT(t: Translator) {
  return (key: string, params?: Record<string, string | number>) => t(`errors.${key}` as never, params as never)
}

export function errorResponse(e: unknown, t: Translator): NextResponse {
  const te = errorT(t)
  if (e instanceof ValidationError) {
    const fields = e.translated
      ? e.fields
      : Object.fromEntries(Object.entries(e.fields).map(([k, msgs]) => [k, msgs.map((m) => te(m))]))
    return NextResponse.json({ error: e.code, message: te(e.message), fields }, { status: 400 })
  }
  if (e instanceof AppError) {
    const headers: Record<string, string> = {}
    if (e.code === 'rate_limited') headers['Retry-After'] = String(e.params.seconds ?? 60)
    return NextResponse.json({ error: e.code, message: te(e.message, e.params) }, { status: e.status, headers })
  }
  logger.error({ err: e }, 'unhandled error in route handler')
  return NextResponse.json({ error: 'internal', message: te('internal') }, { status: 500 })
}

/** JSON answers with BigInt as strings and Dates as ISO strings. */
export function json(data: unknown, status = 200): NextResponse {
  const body = JSON.stringify(data, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))
  return new NextResponse(body, { status, headers: { 'content-type': 'application/json; charset=utf-8' } })
}

export function route<P = Record<string, never>>(handler: Handler<P>, opts: { admin?: boolean } = {}) {
  return async (req: NextRequest, ctx: { params: Promise<P> }): Promise<Response> => {
    const locale = localeOf(req)
    const t = translator(locale)
    try {
      const user = opts.admin ? await requireAdmin(req) : await requireUser(req)
      const params = (await ctx?.params) ?? ({} as P)
      try {
        const out = await handler({ req, user, params, locale, t })
        return out instanceof Response ? out : json(out)
      } finally {
        // Any write may have changed this user's stock list; the next GET must see it (even after
        // a failed write, which may have changed part of it).
        if (req.method !== 'GET' && req.method !== 'HEAD') invalidateStockList(user.id)
      }
    } catch (e) {
      return errorResponse(e, t)
    }
  }
}

/** Parses a JSON body with a shared schema; invalid input → ValidationError with translated fields. */
export async function parseBody<S extends z.ZodType>(req: NextRequest, schema: S, t: Translator): Promise<z.output<S>> {
  let raw: unknown
  try {
    raw = await req.json()
  } catch {
    throw new ValidationError({ _form: ['body.notJson'] }, 'body.notJson')
  }
  const bad = unpairedSurrogatePath(raw)
  if (bad !== null) throw new ValidationError({ [bad || '_form']: ['text.invalidChars'] })
  return parseWith(schema, raw, t)
}

export function parseQuery<S extends z.ZodType>(req: NextRequest, schema: S, t: Translator): z.output<S> {
  return parseWith(schema, Object.fromEntries(req.nextUrl.searchParams.entries()), t)
}

export function parseWith<S extends z.ZodType>(schema: S, raw: unknown, t: Translator): z.output<S> {
  const res = schema.safeParse(raw)
  if (!res.success) throw new ValidationError(issuesToFieldErrors(res.error.issues, errorT(t)), 'validation.failed', true)
  return res.data
}

/** Largest value of an `Int` column (PostgreSQL int4; Prisma refuses larger values on every provider). */
export const MAX_DB_ID = 2_147_483_647

/**
 * Route params like `[id]` must be positive integers in the range of the id columns, written as
 * plain digits (a larger number would reach Prisma and fail there as a 500).
 */
export function idParam(value: string | undefined): number {
  const n = parseId(value)
  if (n === null) throw new ValidationError({ id: ['id.invalid'] })
  return n
}

/** The same rule for pages (`/stocks/[id]`): the id, or null (→ notFound()). */
export function parseId(value: string | undefined): number | null {
  const n = typeof value === 'string' && /^[1-9]\d{0,9}$/.test(value) ? Number(value) : NaN
  return Number.isInteger(n) && n > 0 && n <= MAX_DB_ID ? n : null
}
