/**
 * Rendering an OutboundMessage for each platform, within each platform's size limit.
 * Truncation is on UTF-8 byte budgets and never splits a character or an emoji/grapheme cluster.
 */
import type { Locale, OutboundMessage, Severity } from './types'

/** Byte/character budgets, with a margin under each platform's documented limit. */
export const LIMITS = {
  /** DingTalk robot: message text up to ~20000 bytes. */
  DINGTALK_TEXT_BYTES: 19_000,
  DINGTALK_TITLE_BYTES: 200,
  /** WeCom group robot: markdown.content at most 4096 bytes (UTF-8). */
  WECOM_MARKDOWN_BYTES: 4096,
  /** Feishu custom bot: whole request body at most 20 KB; the card text gets this much of it. */
  FEISHU_REQUEST_BYTES: 20_000,
  FEISHU_CONTENT_BYTES: 16_000,
  FEISHU_TITLE_BYTES: 300,
  /** ServerChan: title at most 32 characters, desp (markdown) at most 32 KB. */
  SERVERCHAN_TITLE_CHARS: 32,
  SERVERCHAN_DESP_BYTES: 30_000,
  /** Bark rides on APNs, whose whole payload is at most 4 KB. */
  BARK_TITLE_BYTES: 200,
  BARK_BODY_BYTES: 2_500,
  /**
   * Web Push: a push message carries at most 4096 bytes (RFC 8030 §7.2); the aes128gcm record adds
   * 103 bytes (RFC 8291 §4). Our JSON payload stays far below.
   */
  WEBPUSH_TITLE_BYTES: 200,
  WEBPUSH_BODY_BYTES: 1_500,
  WEBPUSH_PAYLOAD_BYTES: 3_000,
  EMAIL_SUBJECT_CHARS: 200,
  EMAIL_TEXT_BYTES: 200_000,
} as const

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8')
}

/**
 * Longest prefix of `s` (whole grapheme clusters) that, with `ellipsis` appended, fits `maxBytes`.
 * Returns `s` unchanged when it already fits.
 */
export function truncateUtf8(s: string, maxBytes: number, ellipsis = '…'): string {
  if (utf8Bytes(s) <= maxBytes) return s
  const tail = utf8Bytes(ellipsis) <= maxBytes ? ellipsis : ''
  const room = maxBytes - utf8Bytes(tail)
  let out = ''
  let used = 0
  for (const { segment } of segmenter.segment(s)) {
    const b = utf8Bytes(segment)
    if (used + b > room) break
    out += segment
    used += b
  }
  return out + tail
}

/** Truncation by characters (grapheme clusters), for limits counted in characters. */
export function truncateChars(s: string, maxChars: number, ellipsis = '…'): string {
  const graphemes = [...segmenter.segment(s)].map((g) => g.segment)
  if (graphemes.length <= maxChars) return s
  return graphemes.slice(0, Math.max(0, maxChars - 1)).join('') + ellipsis
}

const SEVERITY_LABELS: Record<Locale, Record<Severity, string>> = {
  zh: { INFO: '【提示】', WARNING: '【警告】', CRITICAL: '【严重】' },
  en: { INFO: '[INFO]', WARNING: '[WARNING]', CRITICAL: '[CRITICAL]' },
}
const SEVERITY_EMOJI: Record<Severity, string> = { INFO: '🔵', WARNING: '🟠', CRITICAL: '🔴' }

export function severityLabel(severity: Severity, locale: Locale): string {
  return SEVERITY_LABELS[locale][severity]
}

/** Emoji + label, e.g. "🔴【严重】". */
export function severityMarker(severity: Severity, locale: Locale): string {
  return `${SEVERITY_EMOJI[severity]}${locale === 'en' ? ' ' : ''}${SEVERITY_LABELS[locale][severity]}`
}

const TYPE_LABELS: Record<string, Record<Locale, string>> = {
  STOP_LOSS: { zh: '止损触发', en: 'Stop-loss triggered' },
  TAKE_PROFIT: { zh: '止盈触发', en: 'Take-profit triggered' },
  ENTRY: { zh: '买入区间触发', en: 'Entry zone reached' },
  ORDER_SUBMITTED: { zh: '委托已提交', en: 'Order submitted' },
  ORDER_FILLED: { zh: '委托成交', en: 'Order filled' },
  ORDER_PARTIALLY_FILLED: { zh: '部分成交', en: 'Order partially filled' },
  ORDER_REJECTED: { zh: '委托被拒（废单）', en: 'Order rejected' },
  ORDER_CANCELLED: { zh: '委托已撤销', en: 'Order cancelled' },
  ORDER_UNKNOWN: { zh: '委托状态未知', en: 'Order status unknown' },
  BRIDGE_DISCONNECTED: { zh: '交易通道断开', en: 'Broker bridge disconnected' },
  QUOTES_STALE: { zh: '行情中断', en: 'Quotes stale' },
  WORKER_DOWN: { zh: '监控进程停止', en: 'Monitor worker down' },
  TEST: { zh: '测试消息', en: 'Test message' },
}

export function typeLabel(type: string, locale: Locale): string {
  const known = TYPE_LABELS[type]
  return known ? `${known[locale]} (${type})` : type
}

const timeFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

/** "2024-05-06 10:15:03 北京时间" — A-share traders read Beijing time whatever the server's zone. */
export function formatTime(date: Date, locale: Locale): string {
  if (Number.isNaN(date.getTime())) return locale === 'zh' ? '时间未知' : 'time unknown'
  const p = Object.fromEntries(timeFormat.formatToParts(date).map((x) => [x.type, x.value]))
  const s = `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`
  return locale === 'zh' ? `${s} 北京时间` : `${s} Beijing time`
}

function openLabel(locale: Locale): string {
  return locale === 'zh' ? '查看详情' : 'Open in DingPan'
}

/** Drops CR and control characters other than \n and \t; one-line variant for titles and subjects. */
export function cleanText(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
}
export function oneLine(s: string): string {
  return cleanText(s).replace(/[\n\t]+/g, ' ').trim()
}

function footerLine(msg: OutboundMessage): string {
  return `${typeLabel(msg.type, msg.locale)} · ${formatTime(msg.createdAt, msg.locale)}`
}

/**
 * head + body + foot joined by blank lines, at most `maxBytes`; the body is cut first, and
 * `mandatory` (e.g. the DingTalk keyword) is appended and never cut.
 */
export function composeWithin(
  parts: { head: string; body: string; foot: string; mandatory?: string },
  maxBytes: number,
  sep = '\n\n',
): string {
  const join = (...xs: string[]) => xs.filter((x) => x.length > 0).join(sep)
  const mandatory = parts.mandatory ?? ''
  const full = join(parts.head, parts.body, parts.foot, mandatory)
  if (utf8Bytes(full) <= maxBytes) return full
  const budget = maxBytes - utf8Bytes(mandatory) - utf8Bytes(sep)
  const head = truncateUtf8(parts.head, Math.max(0, Math.floor(budget / 3)))
  const foot = truncateUtf8(parts.foot, Math.max(0, Math.floor(budget / 3)))
  const room = budget - utf8Bytes(head) - utf8Bytes(foot) - 2 * utf8Bytes(sep)
  const body = room > 0 ? truncateUtf8(parts.body, room) : ''
  return join(head, body, foot, mandatory)
}

/** Markdown line breaks: a single "\n" becomes a hard break ("  \n"), blank lines stay paragraphs. */
function hardBreaks(body: string): string {
  return body.replace(/([^\n])\n(?!\n)/g, '$1  \n')
}

function withKeyword(render: (mandatory?: string) => string, keyword: string | undefined): string {
  const text = render()
  if (!keyword || text.includes(keyword)) return text
  return render(keyword)
}

export interface DingTalkMarkdown {
  title: string
  text: string
}

/** DingTalk robot markdown (msgtype "markdown"). The configured keyword is guaranteed to be in `text`. */
export function formatDingTalk(msg: OutboundMessage, opts: { keyword?: string } = {}): DingTalkMarkdown {
  const title = truncateUtf8(`${severityLabel(msg.severity, msg.locale)}${oneLine(msg.title)}`, LIMITS.DINGTALK_TITLE_BYTES)
  const head = `#### ${severityMarker(msg.severity, msg.locale)} ${oneLine(msg.title)}`
  const foot = [`> ${footerLine(msg)}`, msg.url ? `[${openLabel(msg.locale)}](${msg.url})` : ''].filter(Boolean).join('\n\n')
  const text = withKeyword(
    (mandatory) => composeWithin({ head, body: hardBreaks(cleanText(msg.body)), foot, mandatory }, LIMITS.DINGTALK_TEXT_BYTES),
    opts.keyword,
  )
  return { title, text }
}

const WECOM_COLOR: Record<Severity, string> = { INFO: 'info', WARNING: 'warning', CRITICAL: 'warning' }

/** WeCom group robot markdown.content, at most 4096 bytes. */
export function formatWeCom(msg: OutboundMessage): string {
  const head = `### <font color="${WECOM_COLOR[msg.severity]}">${severityMarker(msg.severity, msg.locale)}</font> ${oneLine(msg.title)}`
  const foot = [`> <font color="comment">${footerLine(msg)}</font>`, msg.url ? `[${openLabel(msg.locale)}](${msg.url})` : '']
    .filter(Boolean)
    .join('\n')
  return composeWithin({ head, body: cleanText(msg.body), foot }, LIMITS.WECOM_MARKDOWN_BYTES)
}

const FEISHU_TEMPLATE: Record<Severity, string> = { INFO: 'blue', WARNING: 'orange', CRITICAL: 'red' }

/**
 * Feishu/Lark custom-bot message: an interactive card (msg_type "interactive") with a coloured
 * header (red/orange/blue by severity), a markdown element for the body, a note with type and time,
 * and a button to the app when the message has a url. `contentBytes` lets the adapter shrink the
 * card further if the serialised request would exceed 20 KB.
 */
export function formatFeishuCard(
  msg: OutboundMessage,
  opts: { keyword?: string; contentBytes?: number } = {},
): Record<string, unknown> {
  const title = truncateUtf8(`${severityMarker(msg.severity, msg.locale)} ${oneLine(msg.title)}`, LIMITS.FEISHU_TITLE_BYTES)
  const content = withKeyword(
    (mandatory) =>
      composeWithin({ head: '', body: cleanText(msg.body), foot: '', mandatory }, opts.contentBytes ?? LIMITS.FEISHU_CONTENT_BYTES),
    opts.keyword,
  )
  const elements: Record<string, unknown>[] = [
    { tag: 'markdown', content: content.length > 0 ? content : ' ' },
    { tag: 'note', elements: [{ tag: 'plain_text', content: footerLine(msg) }] },
  ]
  if (msg.url) {
    elements.push({
      tag: 'action',
      actions: [{ tag: 'button', text: { tag: 'plain_text', content: openLabel(msg.locale) }, type: 'primary', url: msg.url }],
    })
  }
  return {
    config: { wide_screen_mode: true },
    header: { template: FEISHU_TEMPLATE[msg.severity], title: { tag: 'plain_text', content: title } },
    elements,
  }
}

/** ServerChan: short title (≤ 32 characters) + markdown desp. */
export function formatServerChan(msg: OutboundMessage): { title: string; desp: string } {
  const title = truncateChars(`${severityLabel(msg.severity, msg.locale)}${oneLine(msg.title)}`, LIMITS.SERVERCHAN_TITLE_CHARS)
  const head = `### ${severityMarker(msg.severity, msg.locale)} ${oneLine(msg.title)}`
  const foot = [`> ${footerLine(msg)}`, msg.url ? `[${openLabel(msg.locale)}](${msg.url})` : ''].filter(Boolean).join('\n\n')
  return { title, desp: composeWithin({ head, body: hardBreaks(cleanText(msg.body)), foot }, LIMITS.SERVERCHAN_DESP_BYTES) }
}

/** Bark (APNs) plain-text title and body, small enough for the 4 KB APNs payload. */
export function formatBark(msg: OutboundMessage): { title: string; body: string } {
  const title = truncateUtf8(`${severityLabel(msg.severity, msg.locale)}${oneLine(msg.title)}`, LIMITS.BARK_TITLE_BYTES)
  const body = composeWithin({ head: '', body: cleanText(msg.body), foot: footerLine(msg) }, LIMITS.BARK_BODY_BYTES, '\n')
  return { title, body }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

const EMAIL_COLOR: Record<Severity, string> = { INFO: '#1d4ed8', WARNING: '#c2410c', CRITICAL: '#b91c1c' }

/** Email subject (one line), plain text and a simple HTML alternative (all user text escaped). */
export function formatEmail(msg: OutboundMessage): { subject: string; text: string; html: string } {
  const subject = truncateChars(`[DingPan] ${severityLabel(msg.severity, msg.locale)}${oneLine(msg.title)}`, LIMITS.EMAIL_SUBJECT_CHARS)
  const body = truncateUtf8(cleanText(msg.body), LIMITS.EMAIL_TEXT_BYTES)
  const foot = footerLine(msg)
  const text = [body, foot, msg.url ?? ''].filter(Boolean).join('\n\n')
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h3 style="color:${EMAIL_COLOR[msg.severity]}">${escapeHtml(severityLabel(msg.severity, msg.locale))} ${escapeHtml(oneLine(msg.title))}</h3>`,
    `<div style="white-space:pre-wrap">${escapeHtml(body)}</div>`,
    `<p style="color:#6b7280">${escapeHtml(foot)}</p>`,
    msg.url ? `<p><a href="${escapeHtml(msg.url)}">${escapeHtml(openLabel(msg.locale))}</a></p>` : '',
    '</body></html>',
  ].join('')
  return { subject, text, html }
}
