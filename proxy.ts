/**
 * Every page and API route needs a session except sign-in, setup, next-auth's own endpoints and
 * the health check. Route handlers and pages check the session again (defence in depth).
 */
import { NextResponse, type NextRequest } from 'next/server'
import { getToken } from 'next-auth/jwt'
import { authSecret } from '@/lib/secrets'
import { cachedDecode } from '@/lib/auth/token-cache'

const PUBLIC_PATHS = [/^\/signin\/?$/, /^\/setup\/?$/, /^\/api\/auth\//, /^\/api\/setup\/?$/, /^\/api\/health\/?$/,
  // Install files: browsers fetch the manifest without cookies; none of these holds user data.
  /^\/manifest\.webmanifest$/, /^\/sw\.js$/, /^\/icon\.svg$/]

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PATHS.some((re) => re.test(pathname))
}

/** True when every `%xx` sequence of the path decodes to valid UTF-8 (Next answers 500 otherwise). */
export function isWellEncodedPath(pathname: string): boolean {
  try {
    decodeURIComponent(pathname)
    return true
  } catch {
    return false
  }
}

export async function proxy(req: NextRequest) {
  const { pathname, search } = req.nextUrl
  if (!isWellEncodedPath(pathname)) {
    const message = 'Malformed URL encoding / 网址编码有误'
    if (pathname.startsWith('/api/')) return NextResponse.json({ error: 'validation', message, fields: { url: [message] } }, { status: 400 })
    return new NextResponse(message, { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } })
  }
  if (isPublicPath(pathname)) return NextResponse.next()
  const token = await getToken({ req, secret: authSecret(), decode: cachedDecode })
  if (token) return NextResponse.next()
  if (pathname.startsWith('/api/')) {
    return NextResponse.json({ error: 'unauthorized', message: 'Sign-in required / 请先登录' }, { status: 401 })
  }
  const url = req.nextUrl.clone()
  url.pathname = '/signin'
  url.search = `?callbackUrl=${encodeURIComponent(pathname + search)}`
  return NextResponse.redirect(url)
}

export const config = {
  // Everything except Next's static assets.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
}
