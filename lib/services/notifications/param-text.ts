/**
 * Free-text parameters of a notification in the reader's language (issue 16 defect 4).
 *
 * A notification is rendered from its type and params in the reader's language, but some params
 * are texts written in the writer's language when the row was stored: a reason ("总开关已关闭交易"),
 * an action ("仅通知（自动交易未开启）。"), a trigger kind or side, the counter's status message.
 * New rows store an English twin of such a text as `<param>En`; rendering in English uses it.
 * Older rows have none: a text that is one of DingPan's own phrases (events.json: kinds, sides,
 * actions, cancel reasons, reconcile and blind texts) is translated back by its template; any other
 * Chinese-only text is replaced by a neutral English phrase — never Chinese inside an English sentence.
 * Names (the stock's, a channel's, codes) are shown as written.
 */
import type { Locale } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'
import { messages } from '@/lib/i18n/messages'

export type ParamValue = string | number | null | undefined

/** Chinese (CJK ideographs, CJK and full-width punctuation). */
const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/

export function hasChinese(v: unknown): boolean {
  return typeof v === 'string' && CJK.test(v)
}

/** Params that carry a name given by the user, the broker or the exchange: never translated or replaced. */
const NAME_PARAMS = new Set(['name', 'code', 'codes', 'channel', 'account', 'accountName', 'day', 'orderId', 'clientOrderId'])

/** Whether a param may hold a DingPan- or counter-written text in the writer's language. */
export function isFreeTextParam(key: string): boolean {
  return !NAME_PARAMS.has(key) && !key.endsWith('En')
}

/** DingPan's own phrases that are stored inside params, zh → en, by message path. */
const PHRASE_GROUPS = ['kinds', 'sides', 'actions', 'cancelledBy', 'reconcile', 'blind', 'exitsPausedHow', 'brokerChanged'] as const

interface Phrase {
  zh: string
  en: string
  /** Anchored pattern of the zh template with one group per {placeholder}; null for a fixed text. */
  re: RegExp | null
  names: string[]
}

function leaves(zh: unknown, en: unknown, out: Array<{ zh: string; en: string }>) {
  if (typeof zh === 'string' && typeof en === 'string') out.push({ zh, en })
  else if (zh && en && typeof zh === 'object' && typeof en === 'object') {
    for (const k of Object.keys(zh)) leaves((zh as Record<string, unknown>)[k], (en as Record<string, unknown>)[k], out)
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

let phrases: Phrase[] | null = null
function allPhrases(): Phrase[] {
  if (phrases) return phrases
  const pairs: Array<{ zh: string; en: string }> = []
  const zhEvents = (messages.zh as Record<string, unknown>).events as Record<string, unknown>
  const enEvents = (messages.en as Record<string, unknown>).events as Record<string, unknown>
  for (const g of PHRASE_GROUPS) leaves(zhEvents[g], enEvents[g], pairs)
  phrases = pairs
    // ICU plural/select templates are not matched back (none of the stored phrases uses one).
    .filter((p) => !/\{\w+,/.test(p.zh))
    .map((p) => {
      const names: string[] = []
      const parts = p.zh.split(/\{(\w+)\}/)
      if (parts.length === 1) return { ...p, re: null, names }
      let src = ''
      parts.forEach((part, i) => {
        if (i % 2 === 1) {
          names.push(part)
          src += '(.+?)'
        } else src += escape(part)
      })
      return { ...p, re: new RegExp(`^${src}$`, 's'), names }
    })
    // Longer fixed parts first: the most specific template wins.
    .sort((a, b) => b.zh.replace(/\{\w+\}/g, '').length - a.zh.replace(/\{\w+\}/g, '').length)
  return phrases
}

/**
 * The English of a Chinese text that is one of DingPan's own phrases (placeholders filled by texts
 * that are themselves such phrases, numbers or names), or null.
 */
export function phraseToEnglish(text: string, depth = 0): string | null {
  if (!hasChinese(text)) return text
  if (depth > 3) return null
  for (const p of allPhrases()) {
    if (!p.re) {
      if (p.zh === text) return p.en
      continue
    }
    const m = p.re.exec(text)
    if (!m) continue
    const values: Record<string, string> = {}
    let ok = true
    p.names.forEach((n, i) => {
      const en = phraseToEnglish(m[i + 1], depth + 1)
      if (en == null) ok = false
      else values[n] = en
    })
    if (ok) return p.en.replace(/\{(\w+)\}/g, (_, n: string) => values[n] ?? '')
  }
  return null
}

/**
 * For a new row written in Chinese: each Chinese free-text param gets its English twin
 * (`<param>En`) when the caller did not give one and the text is one of DingPan's phrases.
 */
export function withEnglishTwins<T extends Record<string, ParamValue>>(params: T, locale: Locale): T {
  if (locale !== 'zh') return params
  const out: Record<string, ParamValue> = { ...params }
  for (const [k, v] of Object.entries(params)) {
    if (!isFreeTextParam(k) || !hasChinese(v) || out[`${k}En`] != null) continue
    const en = phraseToEnglish(v as string)
    if (en != null) out[`${k}En`] = en
  }
  return out as T
}

/**
 * The params as the reader's language shows them. English: a free-text param uses its English
 * twin, else its translation back from DingPan's phrases, else a neutral English phrase; Chinese:
 * as stored (a Chinese twin is not kept: rows in English stay English).
 */
export function paramsFor(params: Record<string, ParamValue>, locale: Locale): Record<string, ParamValue> {
  if (locale !== 'en') return params
  const out: Record<string, ParamValue> = {}
  for (const [k, v] of Object.entries(params)) {
    if (k.endsWith('En') && Object.prototype.hasOwnProperty.call(params, k.slice(0, -2))) continue
    if (!isFreeTextParam(k) || !hasChinese(v)) {
      out[k] = v
      continue
    }
    const twin = params[`${k}En`]
    if (typeof twin === 'string' && !hasChinese(twin)) out[k] = twin
    else out[k] = phraseToEnglish(v as string) ?? translator('en')('events.untranslated' as never)
  }
  return out
}
