import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  LIMITS,
  composeWithin,
  formatBark,
  formatDingTalk,
  formatEmail,
  formatServerChan,
  formatTime,
  formatWeCom,
  truncateUtf8,
  utf8Bytes,
} from '@/lib/notify'
import { message } from './helpers/message'

const FAMILY = '👨‍👩‍👧'

describe('UTF-8-safe truncation', () => {
  it('property: fits the budget, is a prefix, and never splits a character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 0, max: 400 }), (s, max) => {
        const out = truncateUtf8(s, max)
        expect(utf8Bytes(out)).toBeLessThanOrEqual(Math.max(max, 0))
        if (utf8Bytes(s) <= max) {
          expect(out).toBe(s)
        } else {
          const kept = out.endsWith('…') ? out.slice(0, -1) : out
          expect(s.startsWith(kept)).toBe(true)
          expect(kept.length).toBeLessThan(s.length)
        }
        // Round-trips through UTF-8: no lone surrogate, no U+FFFD introduced.
        expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out)
      }),
      { numRuns: 300 },
    )
  })

  it('keeps emoji ZWJ sequences whole', () => {
    const s = FAMILY.repeat(10)
    for (let max = 0; max < 80; max++) {
      const out = truncateUtf8(s, max).replace('…', '')
      expect(out.length % FAMILY.length).toBe(0)
    }
  })

  it('composeWithin never cuts the mandatory part', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), fc.string({ maxLength: 500 }), fc.integer({ min: 120, max: 3000 }), (body, head, max) => {
        const out = composeWithin({ head, body, foot: 'foot', mandatory: '关键词' }, max)
        expect(utf8Bytes(out)).toBeLessThanOrEqual(max)
        expect(out.endsWith('关键词')).toBe(true)
      }),
    )
  })
})

describe('platform rendering', () => {
  it('DingTalk: severity marker, Beijing time, link; keyword always present and under the limit', () => {
    const md = formatDingTalk(message(), { keyword: '盯盘' })
    expect(md.title).toBe('【严重】浦发银行 600000.SH 触发止损')
    expect(md.text).toContain('🔴【严重】')
    expect(md.text).toContain('止损触发 (STOP_LOSS) · 2024-05-06 10:15:03 北京时间')
    expect(md.text).toContain('[查看详情](https://dingpan.example/monitors/1)')
    expect(md.text).toContain('盯盘')
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40_000 }), fc.stringMatching(/^[\u4e00-\u9fa5A-Za-z]{1,20}$/), (body, keyword) => {
        const out = formatDingTalk(message({ body }), { keyword })
        expect(out.text).toContain(keyword)
        expect(utf8Bytes(out.text)).toBeLessThanOrEqual(LIMITS.DINGTALK_TEXT_BYTES)
      }),
      { numRuns: 30 },
    )
  })

  it('WeCom markdown stays within 4096 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 10_000 }), fc.string({ maxLength: 2000 }), (body, title) => {
        expect(utf8Bytes(formatWeCom(message({ body, title: title || 't' })))).toBeLessThanOrEqual(4096)
      }),
      { numRuns: 50 },
    )
  })

  it('ServerChan title ≤ 32 characters; Bark fits the 4 KB APNs payload', () => {
    const long = message({ title: '这是一个特别特别特别特别特别特别特别特别长的标题'.repeat(5), body: '正文'.repeat(5000) })
    expect([...formatServerChan(long).title].length).toBeLessThanOrEqual(32)
    const bark = formatBark(long)
    expect(utf8Bytes(bark.title) + utf8Bytes(bark.body)).toBeLessThan(3000)
  })

  it('English locale', () => {
    const md = formatDingTalk(message({ locale: 'en', severity: 'WARNING', type: 'ORDER_REJECTED' }))
    expect(md.text).toContain('🟠 [WARNING]')
    expect(md.text).toContain('Order rejected (ORDER_REJECTED)')
    expect(md.text).toContain('Beijing time')
  })

  it('email: subject is one line (no header injection), HTML escapes user text', () => {
    const e = formatEmail(message({ title: 'x\r\nBcc: evil@example.com', body: '<script>alert(1)</script>' }))
    expect(e.subject).not.toMatch(/[\r\n]/)
    expect(e.html).not.toContain('<script>')
    expect(e.html).toContain('&lt;script&gt;')
    expect(e.text).toContain('<script>alert(1)</script>')
  })

  it('formatTime is Beijing time whatever the server zone', () => {
    expect(formatTime(new Date('2024-12-31T16:30:00Z'), 'zh')).toBe('2025-01-01 00:30:00 北京时间')
    expect(formatTime(new Date(NaN), 'en')).toBe('time unknown')
  })
})
