/**
 * Quote → Tencent `qt.gtimg.cn` record (quote-sources.md §1): `v_sh600000="f0~f1~…~f87";` with 88
 * fields at the documented positions, GBK-encoded. Units as Tencent sends them: field 6 (volume) in
 * lots, except STAR 688/689 in shares; book volumes in lots on every board (what lib/quotes expects;
 * the STAR book unit is UNVERIFIED upstream); field 35 `price/volume/amount` with the amount in yuan;
 * field 37 and 57 in 万元; field 30 the quote time `YYYYMMDDhhmmss` in Beijing time; limits in 47/48.
 * Fields the parser does not read get plausible filler. Unknown codes: `v_pv_none_match="1";`.
 */
import iconv from 'iconv-lite'
import { parseCode, tickMilliOf, type Quote } from '@/lib/market'

export const TENCENT_FIELD_COUNT = 88

function fmt(v: number, d: number): string {
  return (Math.round(v * 10 ** d) / 10 ** d).toFixed(d)
}

/** `YYYYMMDDhhmmss` in Beijing time (UTC+8, no DST). */
export function beijingCompact(t: Date): string {
  const b = new Date(t.getTime() + 8 * 3600_000)
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${b.getUTCFullYear()}${p(b.getUTCMonth() + 1)}${p(b.getUTCDate())}${p(b.getUTCHours())}${p(b.getUTCMinutes())}${p(b.getUTCSeconds())}`
}

export function tencentKey(code: string): string {
  const p = parseCode(code)
  return `${p.exchange.toLowerCase()}${p.digits}`
}

/** One `v_xx="…";` record (no trailing newline). */
export function tencentRecord(q: Quote): string {
  const p = parseCode(q.code)
  const d = tickMilliOf(p.code) === 1 ? 3 : 2
  const star = p.board === 'STAR'
  const f: string[] = new Array<string>(TENCENT_FIELD_COUNT).fill('')
  const vol = star ? Math.round(q.volume) : Math.round(q.volume / 100)
  const outer = Math.ceil(vol / 2)
  const amount = Math.round(q.amount)
  const change = q.last > 0 && q.prevClose > 0 ? q.last - q.prevClose : 0
  const changePct = q.prevClose > 0 ? (change / q.prevClose) * 100 : 0
  const avg = q.volume > 0 ? q.amount / q.volume : 0
  const book = (levels: Quote['bids'], i: number): [string, string] => {
    const l = levels[i]
    return l && l.price > 0 && l.volume > 0 ? [fmt(l.price, d), String(Math.round(l.volume / 100))] : [fmt(0, d), '0']
  }
  f[0] = p.exchange === 'SH' ? '1' : p.exchange === 'SZ' ? '51' : '62'
  f[1] = q.name
  f[2] = p.digits
  f[3] = fmt(q.last, d)
  f[4] = fmt(q.prevClose, d)
  f[5] = fmt(q.open, d)
  f[6] = String(vol)
  f[7] = String(outer)
  f[8] = String(vol - outer)
  for (let i = 0; i < 5; i++) {
    ;[f[9 + 2 * i], f[10 + 2 * i]] = book(q.bids, i)
    ;[f[19 + 2 * i], f[20 + 2 * i]] = book(q.asks, i)
  }
  f[29] = ''
  f[30] = beijingCompact(q.time)
  f[31] = fmt(change, d)
  f[32] = fmt(changePct, 2)
  f[33] = fmt(q.high, d)
  f[34] = fmt(q.low, d)
  f[35] = `${fmt(q.last, d)}/${vol}/${amount}`
  f[36] = String(vol)
  f[37] = String(Math.round(amount / 10_000))
  f[38] = '0.25'
  f[39] = '10.00'
  f[40] = ''
  f[41] = fmt(q.high, d)
  f[42] = fmt(q.low, d)
  f[43] = fmt(q.prevClose > 0 && q.high > 0 ? ((q.high - q.low) / q.prevClose) * 100 : 0, 2)
  f[44] = '1000.00'
  f[45] = '1000.00'
  f[46] = '1.00'
  f[47] = q.limitUp !== null ? fmt(q.limitUp, d) : ''
  f[48] = q.limitDown !== null ? fmt(q.limitDown, d) : ''
  f[49] = '1.00'
  f[50] = '0'
  f[51] = fmt(avg, d)
  f[52] = '10.00'
  f[53] = '10.00'
  f[56] = fmt(10 ** -d, d)
  f[57] = fmt(amount / 10_000, 4)
  f[58] = '0.0000'
  f[59] = '0'
  f[61] = p.board === 'STAR' ? 'GP-A-KCB' : p.board === 'CHINEXT' ? 'GP-A-CYB' : p.board === 'FUND' ? 'ETF' : 'GP-A'
  f[82] = 'CNY'
  f[83] = '0'
  f[85] = fmt(q.last, d)
  f[86] = '0'
  return `v_${p.exchange.toLowerCase()}${p.digits}="${f.join('~')}";`
}

export const TENCENT_NONE_MATCH = 'v_pv_none_match="1";'

/** A whole GBK response body: one record per line. */
export function tencentBody(records: string[]): Buffer {
  return iconv.encode(records.join('\n') + '\n', 'gbk')
}
