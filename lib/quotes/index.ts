/** Public surface of lib/quotes (live quote providers). */
export * from './types'
export { parseCanonical, toPrefixed, fromPrefixed, toSecid, type Exchange, type ParsedCode } from './codes'
export { parseTencent, volumeUnitByCrossCheck, TENCENT_MIN_FIELDS, type TencentRecord, type TencentVolumeUnit } from './tencent-parser'
export { parseSina, isSinaBlockedBody, SINA_BLOCKED, SINA_MIN_FIELDS, type SinaRecord } from './sina-parser'
export {
  parseEastmoneyUlist,
  eastmoneyRowToQuote,
  EASTMONEY_FIELDS,
  type EastmoneyMode,
  type EastmoneyParse,
  type EastmoneyRow,
  type EastmoneyToQuote,
} from './eastmoney-parser'
export { httpGetBytes, charsetOf, decodeGbk, decodeUtf8, decodeSina, type HttpBytes, type HttpGetOptions } from './http'
export { createTencentProvider, TENCENT_DEFAULT_BASE, TENCENT_MAX_BATCH } from './tencent'
export { createSinaProvider, SINA_DEFAULT_BASE, SINA_MAX_BATCH, SINA_REFERER } from './sina'
export { createEastmoneyProvider, EASTMONEY_DEFAULT_BASE, EASTMONEY_MAX_BATCH } from './eastmoney'
export type { HttpProviderOptions } from './provider-common'
export { computeLimitPrices, isStName, ST_10PCT_FROM, type LimitPrices } from './limits'
export * from './service'
export {
  fetchExchangeCalendarMonth,
  fetchExchangeCalendarYear,
  parseExchangeCalendarMonth,
  calendarFeedUrl,
  CalendarFeedError,
  isCalendarFeedError,
  SZSE_CALENDAR_BASE,
  SZSE_CALENDAR_PATH,
  SZSE_CALENDAR_REFERER,
  CALENDAR_FEED_TIMEOUT_MS,
  CALENDAR_FEED_PAUSE_MS,
  type CalendarFeedOptions,
  type CalendarFeedDay,
  type CalendarFeedMonth,
  type CalendarFeedYear,
  type CalendarFeedErrorKind,
} from './calendar-feed'
