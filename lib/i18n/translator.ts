// Translation outside React: API error messages, worker notifications.
import { createTranslator } from 'next-intl'
import { TIME_ZONE, type Locale } from './config'
import { messages } from './messages'

export function translator(locale: Locale) {
  return createTranslator({ locale, messages: messages[locale], timeZone: TIME_ZONE })
}
export type Translator = ReturnType<typeof translator>
