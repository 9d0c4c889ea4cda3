import { parseBody, route } from '@/lib/http/route'
import { localeSchema } from '@/lib/schemas/auth'
import { setUserLocale } from '@/lib/db/users'
import { forgetSessionUser } from '@/lib/auth/session'

export const PUT = route(async ({ req, user, t }) => {
  const { locale } = await parseBody(req, localeSchema, t)
  await setUserLocale(user.id, locale)
  forgetSessionUser(user.id)
  return { locale }
})
