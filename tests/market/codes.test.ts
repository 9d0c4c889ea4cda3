import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { boardOf, exchangeOf, MarketRuleError, normalizeCode, toPrefixedCode } from '@/lib/market'

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(MarketRuleError)
    expect(e).toBeInstanceOf(Error)
    expect((e as MarketRuleError).message.length).toBeGreaterThan(5)
    expect((e as MarketRuleError).messageEn.length).toBeGreaterThan(5)
    return (e as MarketRuleError).code
  }
  return undefined
}

describe('normalizeCode', () => {
  it.each([
    ['600000', '600000.SH'],
    ['sh600000', '600000.SH'],
    ['SH600000', '600000.SH'],
    ['600000.sh', '600000.SH'],
    ['600000.SH', '600000.SH'],
    [' 600000 ', '600000.SH'],
    ['sh.600000', '600000.SH'],
    ['601398', '601398.SH'],
    ['603000', '603000.SH'],
    ['605000', '605000.SH'],
    ['688111', '688111.SH'],
    ['689009', '689009.SH'],
    ['000001', '000001.SZ'],
    ['sz000001', '000001.SZ'],
    ['000001.SZ', '000001.SZ'],
    ['000002', '000002.SZ'],
    ['001246', '001246.SZ'],
    ['002415', '002415.SZ'],
    ['003816', '003816.SZ'],
    ['300750', '300750.SZ'],
    ['301000', '301000.SZ'],
    ['302132', '302132.SZ'],
    ['920118', '920118.BJ'],
    ['bj920118', '920118.BJ'],
    ['920118.bj', '920118.BJ'],
    ['510300', '510300.SH'],
    ['588000', '588000.SH'],
    ['563300', '563300.SH'],
    ['159915', '159915.SZ'],
    ['sz162411', '162411.SZ'],
    ['180101', '180101.SZ'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeCode(input)).toBe(expected)
  })

  it.each([
    ['430047', 'CODE_NEEQ'],
    ['830799', 'CODE_NEEQ'],
    ['870000', 'CODE_NEEQ'],
    ['889999', 'CODE_NEEQ'],
    ['bj430047', 'CODE_NEEQ'],
    ['430047.BJ', 'CODE_NEEQ'],
    ['000001.SH', 'CODE_INDEX'],
    ['sh000001', 'CODE_INDEX'],
    ['000300.SH', 'CODE_INDEX'],
    ['399001', 'CODE_INDEX'],
    ['399006.SZ', 'CODE_INDEX'],
    ['900901', 'CODE_B_SHARE'],
    ['200002', 'CODE_B_SHARE'],
    ['113050', 'CODE_BOND'],
    ['110000', 'CODE_BOND'],
    ['123001', 'CODE_BOND'],
    ['127000', 'CODE_BOND'],
    ['204001', 'CODE_REPO'],
    ['600000.SZ', 'CODE_EXCHANGE_MISMATCH'],
    ['sz600000', 'CODE_EXCHANGE_MISMATCH'],
    ['159915.SH', 'CODE_EXCHANGE_MISMATCH'],
    ['920118.SH', 'CODE_EXCHANGE_MISMATCH'],
    ['300750.SH', 'CODE_EXCHANGE_MISMATCH'],
    ['sh600000.SZ', 'CODE_EXCHANGE_MISMATCH'],
    ['garbage', 'CODE_FORMAT'],
    ['', 'CODE_FORMAT'],
    ['60000', 'CODE_FORMAT'],
    ['6000000', 'CODE_FORMAT'],
    ['600000.HK', 'CODE_FORMAT'],
    ['AAPL', 'CODE_FORMAT'],
    ['1.600000', 'CODE_FORMAT'],
    ['602000', 'CODE_UNKNOWN'],
    ['700000', 'CODE_UNKNOWN'],
    ['004000', 'CODE_UNKNOWN'],
    ['921000', 'CODE_UNKNOWN'],
  ])('%s is rejected with %s', (input, code) => {
    expect(errorCode(() => normalizeCode(input))).toBe(code)
  })

  it('explains the NEEQ code switch in both languages', () => {
    try {
      normalizeCode('830799')
      expect.unreachable()
    } catch (e) {
      const err = e as MarketRuleError
      expect(err.message).toContain('920')
      expect(err.message).toContain('2025-10-09')
      expect(err.messageEn).toContain('NEEQ')
    }
  })

  it('rejects non-string input', () => {
    expect(errorCode(() => normalizeCode(600000 as unknown as string))).toBe('CODE_FORMAT')
  })

  it('is idempotent for every accepted spelling', () => {
    fc.assert(
      fc.property(fc.constantFrom('600', '601', '603', '605', '688', '689', '000', '001', '002', '003', '300', '301', '920', '510', '159'), fc.integer({ min: 0, max: 999 }), fc.constantFrom('', 'pre', 'suf', 'lower'), (head, tail, style) => {
        const digits = head + String(tail).padStart(3, '0')
        const canonical = normalizeCode(digits)
        const ex = canonical.slice(7)
        const spelled = style === 'pre' ? ex + digits : style === 'suf' ? `${digits}.${ex}` : style === 'lower' ? ex.toLowerCase() + digits : digits
        expect(normalizeCode(spelled)).toBe(canonical)
        expect(normalizeCode(canonical)).toBe(canonical)
      }),
    )
  })
})

describe('boardOf / exchangeOf', () => {
  it.each([
    ['600000', 'SH_MAIN', 'SH'],
    ['688111', 'STAR', 'SH'],
    ['689009', 'STAR', 'SH'],
    ['000001', 'SZ_MAIN', 'SZ'],
    ['002415', 'SZ_MAIN', 'SZ'],
    ['300750', 'CHINEXT', 'SZ'],
    ['302132', 'CHINEXT', 'SZ'],
    ['920118', 'BJ', 'BJ'],
    ['510300', 'FUND', 'SH'],
    ['159915', 'FUND', 'SZ'],
  ] as const)('%s → %s on %s', (code, board, ex) => {
    expect(boardOf(code)).toBe(board)
    expect(exchangeOf(code)).toBe(ex)
  })

  it('gives the quote-provider prefix form', () => {
    expect(toPrefixedCode('000001.SZ')).toBe('sz000001')
    expect(toPrefixedCode('920118')).toBe('bj920118')
  })
})
