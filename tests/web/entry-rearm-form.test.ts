// The stock form's rebound entry / re-arm section (issue 14): hints (the rebound's price cap, the
// trailing stop as the sell-side counterpart, only a completed exit re-arms) and the unit beside
// each field, in zh and en; an existing monitor's settings come back into the form (edit keeps them).
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { NextIntlClientProvider } from 'next-intl'
import { describe, expect, it } from 'vitest'
import { messages } from '@/lib/i18n/messages'
import { EntryRearmFields } from '@/app/(app)/stocks/_components/entry-rearm-fields'
import { EMPTY_FORM, type FormState } from '@/app/(app)/stocks/_components/stock-form'

function render(values: FormState, locale: 'zh' | 'en', errors: Record<string, string> = {}): string {
  const child = createElement(EntryRearmFields, {
    values,
    set: () => undefined,
    err: (p: string) => (errors[p] ? createElement('span', { 'data-testid': `error-${p}` }, errors[p]) : null),
    aria: () => ({}),
    inputClass: '',
  })
  // eslint-disable-next-line react/no-children-prop
  return renderToStaticMarkup(createElement(NextIntlClientProvider, { locale, messages: messages[locale], timeZone: 'Asia/Shanghai', children: child }))
}
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()

describe('entry trigger and re-arm fields', () => {
  it('zone entry, stay closed: no rebound or cooldown inputs', () => {
    const html = render(EMPTY_FORM, 'zh')
    expect(html).not.toContain('id="reboundPct"')
    expect(html).not.toContain('id="rearmCooldownMin"')
    expect(text(html)).toContain('价格进入买入区间即买入')
  })

  it('rebound: percent with % and ticks with 跳 beside them, hints name the cap and the trailing stop (zh / en)', () => {
    const v = { ...EMPTY_FORM, entryTrigger: 'REBOUND', reboundPct: '1.5', rearmPolicy: 'COOLDOWN', rearmCooldownMin: '30' }
    const zh = render(v, 'zh', { reboundTicks: '反弹幅度请填写百分比或跳数其中之一，不要同时填写' })
    expect(zh).toMatch(/data-testid="unit-reboundPct"[^>]*>%</)
    expect(zh).toMatch(/data-testid="unit-reboundTicks"[^>]*>跳</)
    expect(zh).toMatch(/data-testid="unit-rearmCooldownMin"[^>]*>分钟</)
    expect(zh).toContain('value="1.5"')
    expect(text(zh)).toContain('买入价不超过触发价，且不超过区间上限')
    expect(text(zh)).toContain('跟踪止损（回落卖出）')
    expect(text(zh)).toContain('仅在卖出全部成交后生效')
    expect(zh).toContain('data-testid="error-reboundTicks"')
    const en = text(render(v, 'en'))
    expect(en).toContain('never pays more than the trigger level')
    expect(en).toContain('trailing stop (sell after a fall)')
    expect(en).toContain('Only after an exit that sold everything')
    expect(render(v, 'en')).toMatch(/data-testid="unit-rearmCooldownMin"[^>]*>min</)
  })
})
