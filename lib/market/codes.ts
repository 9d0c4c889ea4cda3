import { MarketRuleError } from './errors'

/**
 * Code → exchange and board (a-share-rules.md §1). Codes are stored with their exchange
 * (`000001.SZ`), never bare, because SH indices 000xxx collide with SZ main-board stocks.
 */
export type Exchange = 'SH' | 'SZ' | 'BJ'
export type Board = 'SH_MAIN' | 'SZ_MAIN' | 'CHINEXT' | 'STAR' | 'BJ' | 'FUND'

type Kind = 'stock' | 'fund' | 'index' | 'bshare' | 'bond' | 'repo' | 'neeq' | 'unknown'

interface Classified {
  kind: Kind
  board?: Board
}

function classify(exchange: Exchange, d: string): Classified {
  if (exchange === 'SH') {
    if (/^60[0135]/.test(d)) return { kind: 'stock', board: 'SH_MAIN' }
    if (/^68[89]/.test(d)) return { kind: 'stock', board: 'STAR' }
    if (/^5/.test(d)) return { kind: 'fund', board: 'FUND' }
    if (/^000/.test(d)) return { kind: 'index' }
    if (/^900/.test(d)) return { kind: 'bshare' }
    if (/^204/.test(d)) return { kind: 'repo' }
    if (/^1/.test(d)) return { kind: 'bond' }
    return { kind: 'unknown' }
  }
  if (exchange === 'SZ') {
    if (/^00[0-3]/.test(d)) return { kind: 'stock', board: 'SZ_MAIN' }
    if (/^30[0-2]/.test(d)) return { kind: 'stock', board: 'CHINEXT' }
    if (/^1[5-9]/.test(d)) return { kind: 'fund', board: 'FUND' }
    if (/^399/.test(d)) return { kind: 'index' }
    if (/^200/.test(d)) return { kind: 'bshare' }
    if (/^1[0-4]/.test(d)) return { kind: 'bond' }
    return { kind: 'unknown' }
  }
  // Since 2025-10-09 every BSE listing is 920xxx; 4xxxxx/8xxxxx now mean NEEQ (新三板).
  if (/^920/.test(d)) return { kind: 'stock', board: 'BJ' }
  if (/^[48]/.test(d)) return { kind: 'neeq' }
  return { kind: 'unknown' }
}

/** Exchange for a bare 6-digit code; a bare 000xxx is always the SZ stock, never the SH index. */
function inferExchange(d: string): Exchange {
  if (/^(60[0-9]|68[89]|5|900|204|11)/.test(d)) return 'SH'
  if (/^[48]/.test(d) || /^920/.test(d)) return 'BJ'
  return 'SZ'
}

function reject(kind: Kind, input: string, digits: string, exchange: Exchange, explicit: boolean): never {
  const c = explicit || kind !== 'unknown' ? `${digits}.${exchange}` : digits
  switch (kind) {
    case 'index':
      throw new MarketRuleError('CODE_INDEX', `${c} 是指数代码, 不能交易 (输入: ${input})`, `${c} is an index, not a tradable security (input: ${input})`)
    case 'bshare':
      throw new MarketRuleError('CODE_B_SHARE', `${c} 是B股, 本系统只支持A股和场内基金`, `${c} is a B share; only A shares and exchange funds are supported`)
    case 'bond':
      throw new MarketRuleError('CODE_BOND', `${c} 是债券/可转债代码, 不在盯盘范围内`, `${c} is a bond or convertible; not supported for monitoring`)
    case 'repo':
      throw new MarketRuleError('CODE_REPO', `${c} 是回购代码, 不支持`, `${c} is a repo code; not supported`)
    case 'neeq':
      throw new MarketRuleError(
        'CODE_NEEQ',
        `${digits} 不是北交所代码: 北交所股票自2025-10-09起统一为920开头, 4/8开头现为新三板代码, 不可在此交易`,
        `${digits} is not a Beijing Stock Exchange code: BSE stocks use 920xxx since 2025-10-09; 4xxxxx/8xxxxx now belong to NEEQ and are not tradable here`,
      )
    default:
      throw new MarketRuleError('CODE_UNKNOWN', `${c} 不是可交易的A股或场内基金代码 (输入: ${input})`, `${c} is not a tradable A-share or exchange-fund code (input: ${input})`)
  }
}

export interface ParsedCode {
  /** Canonical form, e.g. `600000.SH`. */
  code: string
  digits: string
  exchange: Exchange
  board: Board
}

const CODE_RE = /^(?:(SH|SZ|BJ)\.?)?(\d{6})(?:\.(SH|SZ|BJ))?$/

/** Parses and validates any accepted spelling; throws MarketRuleError for anything untradable. */
// Valid codes parse the same way every time: remember them (bounded), since the worker parses the
// same few thousand codes on every cycle. Invalid input is never cached (it throws).
const PARSED = new Map<string, ParsedCode>()
const PARSED_MAX = 20_000

export function parseCode(input: string): ParsedCode {
  const hit = typeof input === 'string' ? PARSED.get(input) : undefined
  if (hit) return hit
  const parsed = Object.freeze(parseCodeUncached(input))
  if (PARSED.size >= PARSED_MAX) PARSED.clear()
  PARSED.set(input, parsed)
  return parsed
}

function parseCodeUncached(input: string): ParsedCode {
  if (typeof input !== 'string') {
    throw new MarketRuleError('CODE_FORMAT', `证券代码必须是字符串, 收到 ${String(input)}`, `a security code must be a string, got ${String(input)}`)
  }
  const raw = input.trim().toUpperCase()
  const m = CODE_RE.exec(raw)
  if (!m) {
    throw new MarketRuleError(
      'CODE_FORMAT',
      `无法识别的证券代码 "${input}": 请输入6位代码, 如 600000、sh600000 或 600000.SH`,
      `unrecognised security code "${input}": use 6 digits such as 600000, sh600000 or 600000.SH`,
    )
  }
  const [, prefix, digits, suffix] = m
  if (prefix && suffix && prefix !== suffix) {
    throw new MarketRuleError('CODE_EXCHANGE_MISMATCH', `证券代码 "${input}" 的前缀 ${prefix} 与后缀 ${suffix} 矛盾`, `security code "${input}" has prefix ${prefix} but suffix ${suffix}`)
  }
  const explicit = (prefix ?? suffix) as Exchange | undefined
  const exchange = explicit ?? inferExchange(digits)
  const cls = classify(exchange, digits)
  if (cls.kind !== 'stock' && cls.kind !== 'fund') {
    if (explicit && cls.kind !== 'index') {
      // An explicit suffix that does not fit the range: say which exchange the digits belong to.
      const natural = inferExchange(digits)
      const nat = classify(natural, digits)
      if (natural !== explicit && (nat.kind === 'stock' || nat.kind === 'fund')) {
        throw new MarketRuleError(
          'CODE_EXCHANGE_MISMATCH',
          `${digits} 属于${natural === 'SH' ? '上交所' : natural === 'SZ' ? '深交所' : '北交所'}, 不是 .${explicit} (应为 ${digits}.${natural})`,
          `${digits} is listed on ${natural}, not ${explicit} (did you mean ${digits}.${natural}?)`,
        )
      }
    }
    reject(cls.kind, input, digits, exchange, explicit !== undefined)
  }
  return { code: `${digits}.${exchange}`, digits, exchange, board: cls.board as Board }
}

/**
 * `'600000'`, `'sh600000'`, `'SH600000'`, `'600000.sh'` → `'600000.SH'`. Throws MarketRuleError for
 * indices, B shares, bonds, NEEQ / legacy BJ codes, mismatched suffixes and garbage.
 */
export function normalizeCode(input: string): string {
  return parseCode(input).code
}

export function exchangeOf(code: string): Exchange {
  return parseCode(code).exchange
}

/** Quote-provider prefix form (`sh600000`), used by Tencent and Sina. */
export function toPrefixedCode(code: string): string {
  const p = parseCode(code)
  return `${p.exchange.toLowerCase()}${p.digits}`
}
