/**
 * Pure parser for Sina `hq.sinajs.cn/list=` responses (quote-sources.md §2).
 *
 * Wire format: `var hq_str_sh600000="name,f1,...,f32[,extras]";` one record per line. The body must
 * already be decoded (see `decodeSina` in http.ts).
 *
 * - Field order differs from Tencent: open (1) THEN prev close (2); book levels are (volume, price).
 * - Volumes are shares, amounts yuan. Exception: SH indices (`000xxx.SH`) report volume in lots, which
 *   Sina's own page JS multiplies by 100 (third-party code, UNVERIFIED); we do the same.
 * - Date (30) + time (31) are Beijing time.
 * - Status (32): `00` is normal trading; any other value (`01` halted 1 h, `02`/`03` suspended,
 *   `04`/`05` halts, `07`, `-1`, `-2`, `-3`; meanings UNVERIFIED) → suspended.
 * - Sina publishes no limit prices: limitUp/limitDown are null (see limits.ts for a computing helper).
 * - Names are kept verbatim (spaces, full-width characters).
 */
import type { Quote } from '../market/quote'
import { bookSide, looksSuspended, parseDashedBeijing, parseDecimal, parseRecords, round3, type EmptyRecord, type MalformedRecord } from './parse-util'

export type SinaRecord =
  | { kind: 'quote'; key: string; code: string; quote: Quote; status: string; extras: string[] }
  /** `var hq_str_sz160923="";`: Sina's answer for an unknown or invalid code. */
  | EmptyRecord
  | MalformedRecord

/** Old lines have 33 fields (0..32); newer ones add extras after the status. */
export const SINA_MIN_FIELDS = 33

/** Sina's anti-scraping answer when the Referer header is missing (reportedly with HTTP 403). */
export const SINA_BLOCKED = /Kinsoku jikou desu/i

export function isSinaBlockedBody(text: string): boolean {
  return SINA_BLOCKED.test(text)
}

const RECORD = /^var\s+hq_str_([A-Za-z0-9_]+)\s*=\s*"([^"]*)"\s*;?$/
const KEY_ONLY = /^var\s+hq_str_([A-Za-z0-9_]+)/

export function parseSina(text: string, source = 'sina'): SinaRecord[] {
  return parseRecords<SinaRecord>(text, {
    separator: /\r?\n/,
    record: RECORD,
    keyOnly: KEY_ONLY,
    notARecord: 'not a var hq_str_xx="..." line',
    parseValue: (key, code, value) => parseRecord(key, code, value, source),
  })
}

function parseRecord(key: string, code: string, value: string, source: string): SinaRecord {
  const f = value.split(',')
  const bad = (reason: string): SinaRecord => ({ kind: 'malformed', key, code, reason })
  if (f.length < SINA_MIN_FIELDS) return bad(`only ${f.length} fields`)

  const open = parseDecimal(f[1])
  const prevClose = parseDecimal(f[2])
  const last = parseDecimal(f[3])
  const high = parseDecimal(f[4])
  const low = parseDecimal(f[5])
  const rawVolume = parseDecimal(f[8])
  const amount = parseDecimal(f[9])
  if (open === null || prevClose === null || last === null || high === null || low === null || rawVolume === null || amount === null) {
    return bad('a price, volume or amount field (1-5, 8, 9) is not a number')
  }
  if (open < 0 || prevClose < 0 || last < 0 || high < 0 || low < 0 || rawVolume < 0 || amount < 0) return bad('negative value')

  const time = parseDashedBeijing(f[30], f[31])
  if (time === null) return bad(`bad date/time fields 30/31 ${JSON.stringify([f[30], f[31]])}`)

  // Book: (volume, price) pairs; bookSide takes (price, volume).
  const bids = bookSide(
    [0, 1, 2, 3, 4].map((i) => [f[11 + 2 * i], f[10 + 2 * i]] as [string | undefined, string | undefined]),
    1,
  )
  const asks = bookSide(
    [0, 1, 2, 3, 4].map((i) => [f[21 + 2 * i], f[20 + 2 * i]] as [string | undefined, string | undefined]),
    1,
  )
  if (bids === null || asks === null) return bad('book fields 10-29 are not numbers')

  const status = (f[32] ?? '').trim()
  const isShIndex = /^000\d{3}\.SH$/.test(code)
  const volume = Math.round(isShIndex ? rawVolume * 100 : rawVolume)

  const quote: Quote = {
    code,
    name: f[0] ?? '',
    last: round3(last),
    prevClose: round3(prevClose),
    open: round3(open),
    high: round3(high),
    low: round3(low),
    volume,
    amount: round3(amount),
    bids,
    asks,
    limitUp: null,
    limitDown: null,
    time,
    suspended: status !== '00' || looksSuspended(last, open, volume),
    source,
  }
  return { kind: 'quote', key, code, quote, status, extras: f.slice(SINA_MIN_FIELDS) }
}
