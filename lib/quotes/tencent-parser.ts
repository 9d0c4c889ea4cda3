/**
 * Pure parser for Tencent `qt.gtimg.cn/q=` responses (quote-sources.md §1).
 *
 * Wire format: `v_sh600000="f0~f1~...~f87";` records separated by `;` (and a newline). The body must
 * already be decoded (GBK → string) by the caller.
 *
 * Units produced (lib/market/quote.ts): prices in yuan rounded to 3 decimals, volume in shares,
 * amount in yuan (field 35, exact), book volumes in shares.
 *
 * - Volume (field 6) is lots for SH/SZ main, ChiNext, BJ and shares for STAR 688/689. The unit is
 *   decided by cross-checking field 35's amount against the day's price range (amount / volume must be
 *   a price between low and high); when the check is inconclusive (no trades, index, missing data)
 *   the code prefix decides. A disagreement between the two is reported as a warning and the
 *   cross-check wins, because it is derived from the record itself.
 * - Book volumes (fields 10, 12, ... 28) are taken as lots (×100) for every board, STAR included.
 *   UNVERIFIED for STAR: fixture 688111 has book volumes 2, 2, 7, 5, 3 which are implausible as shares.
 * - Limits from fields 47/48; `-1` (PT/delisted) → null and the quote is not tradable.
 */
import type { Quote } from '../market/quote'
import { bookSide, looksSuspended, parseCompactBeijing, parseDecimal, parseRecords, round3, type EmptyRecord, type MalformedRecord } from './parse-util'

export type TencentVolumeUnit = 'lots' | 'shares'

export type TencentRecord =
  | {
      kind: 'quote'
      key: string
      code: string
      quote: Quote
      /** Unit of field 6 as decided for this record, and how it was decided. */
      volumeUnit: TencentVolumeUnit
      volumeUnitBy: 'crosscheck' | 'prefix'
      warnings: string[]
    }
  /** `v_pv_none_match="1"`: some requested code is unknown (the marker does not say which). */
  | { kind: 'unknown' }
  /** `v_sh999999="";` */
  | EmptyRecord
  | MalformedRecord

/** EQ skips records with ≤ 49 fields (`if len(stock) <= 49: continue`). */
export const TENCENT_MIN_FIELDS = 50

const RECORD = /^v_([A-Za-z0-9_]+)="([^"]*)"$/
const KEY_ONLY = /^v_([A-Za-z0-9_]+)=/

export function parseTencent(text: string, source = 'tencent'): TencentRecord[] {
  return parseRecords<TencentRecord>(text, {
    separator: ';',
    record: RECORD,
    keyOnly: KEY_ONLY,
    notARecord: 'not a v_xx="..." record',
    marker: (key) => (key === 'pv_none_match' ? { kind: 'unknown' } : undefined),
    parseValue: (key, code, value) => parseRecord(key, code, value, source),
  })
}

function parseRecord(key: string, code: string, value: string, source: string): TencentRecord {
  const f = value.split('~')
  const bad = (reason: string): TencentRecord => ({ kind: 'malformed', key, code, reason })
  if (f.length < TENCENT_MIN_FIELDS) return bad(`only ${f.length} fields`)

  const digits = code.slice(0, 6)
  if (f[2] !== digits) return bad(`field 2 is ${JSON.stringify(f[2])}, expected ${digits}`)

  const last = parseDecimal(f[3])
  const prevClose = parseDecimal(f[4])
  const open = parseDecimal(f[5])
  const rawVolume = parseDecimal(f[6])
  const high = parseDecimal(f[33])
  const low = parseDecimal(f[34])
  if (last === null || prevClose === null || open === null || rawVolume === null || high === null || low === null) {
    return bad('a price or volume field (3, 4, 5, 6, 33, 34) is not a number')
  }
  if (last < 0 || prevClose < 0 || open < 0 || high < 0 || low < 0 || rawVolume < 0) return bad('negative price or volume')

  const time = parseCompactBeijing(f[30])
  if (time === null) return bad(`bad time field 30 ${JSON.stringify(f[30])}`)

  // Amount in yuan: field 35 `price/volume/amount` (exact), else field 57 or 37 (万元).
  const f35 = (f[35] ?? '').split('/')
  let amount = f35.length === 3 ? parseDecimal(f35[2]) : null
  if (amount === null) {
    const wan = parseDecimal(f[57]) ?? parseDecimal(f[37])
    if (wan !== null) amount = wan * 10_000
  }
  if (amount === null || amount < 0) return bad('no amount in fields 35/57/37')

  const warnings: string[] = []
  const isStar = /^68[89]\d{3}\.SH$/.test(code)
  const byPrefix: TencentVolumeUnit = isStar ? 'shares' : 'lots'
  const byCheck = volumeUnitByCrossCheck(rawVolume, amount, low, high)
  const volumeUnit = byCheck ?? byPrefix
  if (byCheck !== null && byCheck !== byPrefix) {
    warnings.push(`${code}: field 6 looks like ${byCheck} (amount/volume vs price range) but the prefix says ${byPrefix}; using ${byCheck}`)
  }
  const volume = Math.round(volumeUnit === 'lots' ? rawVolume * 100 : rawVolume)

  const bids = bookSide(
    [0, 1, 2, 3, 4].map((i) => [f[9 + 2 * i], f[10 + 2 * i]] as [string | undefined, string | undefined]),
    100,
  )
  const asks = bookSide(
    [0, 1, 2, 3, 4].map((i) => [f[19 + 2 * i], f[20 + 2 * i]] as [string | undefined, string | undefined]),
    100,
  )
  if (bids === null || asks === null) return bad('book fields 9-28 are not numbers')

  const up = parseDecimal(f[47])
  const down = parseDecimal(f[48])
  const noLimitMarker = up === -1 || down === -1
  const limitUp = up !== null && up > 0 ? round3(up) : null
  const limitDown = down !== null && down > 0 ? round3(down) : null

  const quote: Quote = {
    code,
    name: f[1] ?? '',
    last: round3(last),
    prevClose: round3(prevClose),
    open: round3(open),
    high: round3(high),
    low: round3(low),
    volume,
    amount: round3(amount),
    bids,
    asks,
    limitUp,
    limitDown,
    time,
    suspended: noLimitMarker || looksSuspended(last, open, volume),
    source,
  }
  return { kind: 'quote', key, code, quote, volumeUnit, volumeUnitBy: byCheck === null ? 'prefix' : 'crosscheck', warnings }
}

/**
 * amount / volume is the day's average price when volume is in shares; amount / (volume × 100) when in
 * lots. The average must lie within [low, high] (2% tolerance for rounding and after-hours fixed-price
 * trades). Returns null when inconclusive.
 */
export function volumeUnitByCrossCheck(volume: number, amount: number, low: number, high: number): TencentVolumeUnit | null {
  if (!(volume > 0 && amount > 0 && low > 0 && high >= low)) return null
  const inRange = (p: number) => p >= low * 0.98 && p <= high * 1.02
  const asShares = inRange(amount / volume)
  const asLots = inRange(amount / (volume * 100))
  if (asShares === asLots) return null
  return asShares ? 'shares' : 'lots'
}
