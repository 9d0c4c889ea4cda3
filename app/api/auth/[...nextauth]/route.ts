import NextAuth from 'next-auth'
import { NextResponse, type NextRequest } from 'next/server'
import { authOptions } from '@/lib/auth/options'
import { authRequestProblem, CALLBACK_URL_COOKIES } from '@/lib/auth/request-guard'
import { asLocale, LOCALE_COOKIE } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'

const handler = NextAuth(authOptions)

type Ctx = { params: Promise<{ nextauth: string[] }> }

/** next-auth, behind a check that answers bad requests with a 4xx instead of next-auth's 500 (lib/auth/request-guard.ts). */
async function guarded(req: NextRequest, ctx: Ctx): Promise<Response> {
  const body = req.method === 'POST' ? await req.clone().text() : null
  const problem = authRequestProblem({
    method: req.method,
    segments: (await ctx.params).nextauth ?? [],
    query: req.nextUrl.searchParams,
    cookies: Object.fromEntries(req.cookies.getAll().map((c) => [c.name, c.value])),
    contentType: req.headers.get('content-type'),
    body,
    base: req.nextUrl.origin,
  })
  if (!problem) return handler(req, ctx)
  const t = translator(asLocale(req.cookies.get(LOCALE_COOKIE)?.value))
  if (problem.kind === 'action') return NextResponse.json({ error: 'not_found', message: t('errors.notFound') }, { status: 404 })
  if (problem.kind === 'body') {
    const message = t('errors.body.notJson')
    return NextResponse.json({ error: 'validation', message, fields: { _form: [message] } }, { status: 400 })
  }
  const message = t('errors.callbackUrl.invalid')
  const res = NextResponse.json({ error: 'validation', message: t('errors.validation.failed'), fields: { callbackUrl: [message] } }, { status: 400 })
  // A broken callback-url cookie would refuse every sign-in until it expires: drop it.
  if (problem.source === 'cookie') for (const name of CALLBACK_URL_COOKIES) res.cookies.delete(name)
  return res
}

export { guarded as GET, guarded as POST }
