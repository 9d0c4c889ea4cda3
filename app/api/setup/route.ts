import type { NextRequest } from 'next/server'
import { ConflictError } from '@/lib/errors'
import { errorResponse, json, parseBody } from '@/lib/http/route'
import { asLocale, LOCALE_COOKIE } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'
import { setupSchema } from '@/lib/schemas/auth'
import { hashPassword } from '@/lib/auth/password'
import { createFirstAdmin, SetupAlreadyDoneError } from '@/lib/db/users'

// Public: creates the first admin, and only while there is no user at all.
export async function POST(req: NextRequest) {
  const t = translator(asLocale(req.cookies.get(LOCALE_COOKIE)?.value))
  try {
    const input = await parseBody(req, setupSchema, t)
    const user = await createFirstAdmin(input.email, await hashPassword(input.password)).catch((e) => {
      if (e instanceof SetupAlreadyDoneError || (e as { code?: string }).code === 'P2002') throw new ConflictError('setup.done')
      throw e
    })
    return json({ id: user.id, email: user.email }, 201)
  } catch (e) {
    return errorResponse(e, t)
  }
}
