export const LOCALES = ['zh', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'zh'
export const LOCALE_COOKIE = 'dp_locale'
/** Every time DingPan shows is in exchange time, whatever the server's or browser's zone. */
export const TIME_ZONE = 'Asia/Shanghai'

export function asLocale(value: string | undefined | null): Locale {
  return (LOCALES as readonly string[]).includes(value ?? '') ? (value as Locale) : DEFAULT_LOCALE
}
