// next-intl request config: the locale comes from a cookie (no locale in URLs).
import { cookies } from 'next/headers'
import { getRequestConfig } from 'next-intl/server'
import { asLocale, LOCALE_COOKIE, TIME_ZONE } from './config'
import { messages } from './messages'

export default getRequestConfig(async () => {
  const locale = asLocale((await cookies()).get(LOCALE_COOKIE)?.value)
  return { locale, messages: messages[locale], timeZone: TIME_ZONE }
})
