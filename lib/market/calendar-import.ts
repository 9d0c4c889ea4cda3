import { addDays, isValidDay, weekdayOf } from './calendar'
import { reason, type Reason } from './errors'

/**
 * Reads exchange closures an admin pastes or uploads: the lines of an official 休市安排 notice,
 * one date (or range) per line, or an ICS calendar. Nothing is stored here; the caller shows every
 * row with its error before anything is saved, and saves only when no row has an error.
 *
 * Accepted per line (text):
 *   2027-01-01 · 2027/1/1 · 2027.1.1 · 20270101 · 2027年1月1日 · 1月1日 (with the year chosen)
 *   a range: 2027-02-10 至 2027-02-17 · 2月10日至2月17日 · 2月10日至17日 · 2027-02-10 ~ 2027-02-17
 *   a label before or after: "春节: 2027-02-10 至 2027-02-17"
 *   a notice sentence: "一、元旦：1月1日（星期五）休市，1月4日（星期一）起照常开市。" — only the dates
 *     before the first 休市 count; "起照常开市" dates are not closures
 *   a make-up workday (调休上班/补班): recorded as 'makeup' on a weekend (still closed), refused on a weekday
 *   "open: 2027-02-09" / "开市: 2027-02-09": a weekday the exchanges explicitly open
 *   # comments and blank lines are skipped.
 * Weekend days inside a closure range are closed anyway and are not stored.
 */

export type ImportStatus = 'closed' | 'open'

export interface ImportEntry {
  date: string
  status: ImportStatus
  kind: 'holiday' | 'makeup' | 'open'
  label: string
}

export interface ImportRow {
  line: number
  text: string
  entries: ImportEntry[]
  error: Reason | null
  /** Not an error (e.g. a date listed twice); shown in the preview. */
  warning: Reason | null
}

export interface ImportResult {
  format: 'text' | 'ics'
  rows: ImportRow[]
  /** Unique entries of the rows without an error, sorted by date. */
  entries: ImportEntry[]
  errorCount: number
}

export interface ImportOptions {
  /** Every date must be in this year; also the year of "1月1日"-style dates. */
  year?: number
  /** Longest range accepted, in days (a typo like 2027-02-10 至 2027-12-17 is refused). */
  maxRangeDays?: number
}

const MAX_LINES = 2_000
const pad = (n: number) => String(n).padStart(2, '0')

interface Found {
  from: string
  to: string
}

// A full date, or a month-day (year from options), or a day alone after a range separator.
const FULL = String.raw`(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})(?:\s*日)?|(\d{4})(\d{2})(\d{2})(?!\d)`
const MONTH_DAY = String.raw`(\d{1,2})\s*月\s*(\d{1,2})(?:\s*日)?`
const SEP = String.raw`\s*(?:至|到|~|～|—|–|\s-\s|--)\s*`
const DATE_RE = new RegExp(`(?:${FULL})|(?:${MONTH_DAY})`, 'g')
const BARE_END = new RegExp(`${SEP}(\\d{1,2})\\s*日`, 'y')
const FULL_END = new RegExp(`${SEP}(?:\\d{4}|\\d{1,2}\\s*月)`, 'y')

function makeDay(y: number, m: number, d: number): string | null {
  const s = `${y}-${pad(m)}-${pad(d)}`
  return isValidDay(s) ? s : null
}

type Token = { day: string | null; raw: string; index: number; end: number; year: number | null; month: number | null }

/** Finds dates in a line, keeping "2月10日至17日" (day alone after a separator) as a range end. */
function tokens(text: string, year: number | undefined): Token[] {
  const out: Token[] = []
  DATE_RE.lastIndex = 0
  let m: RegExpExecArray | null
  while ((m = DATE_RE.exec(text))) {
    let y: number | null
    let mo: number
    let d: number
    if (m[1]) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
    else if (m[4]) [y, mo, d] = [Number(m[4]), Number(m[5]), Number(m[6])]
    else [y, mo, d] = [year ?? null, Number(m[7]), Number(m[8])]
    out.push({ day: y === null ? null : makeDay(y, mo, d), raw: m[0], index: m.index, end: m.index + m[0].length, year: y, month: mo })
    // "2月10日至17日": the bare day after the separator ends the range in the same month. Sticky
    // regexes read at the current position: no slicing, so a long line stays linear.
    BARE_END.lastIndex = DATE_RE.lastIndex
    FULL_END.lastIndex = DATE_RE.lastIndex
    const bare = BARE_END.exec(text)
    if (bare && !FULL_END.test(text)) {
      const end = DATE_RE.lastIndex + bare[0].length
      out.push({ day: y === null ? null : makeDay(y, mo, Number(bare[1])), raw: bare[0], index: DATE_RE.lastIndex, end, year: y, month: mo })
      DATE_RE.lastIndex = end
    }
  }
  return out
}

function parseTextLine(text: string, o: ImportOptions): { found: Found[]; error: Reason | null; kind: ImportEntry['kind']; label: string } {
  const openMark = /^\s*(?:open|开市)\s*[:：]/i.test(text)
  const makeup = /上班|补班|调休上班|make-?up|workday/i.test(text)
  const kind: ImportEntry['kind'] = openMark ? 'open' : makeup ? 'makeup' : 'holiday'
  // In a notice sentence only the dates before the first 休市 are closures.
  const cut = text.indexOf('休市')
  // (星期五)-style remarks sit between the two ends of a range: drop them first
  const scope = (cut > 0 && !openMark ? text.slice(0, cut) : text).replace(/[（(][^)）]*[)）]/g, ' ')
  const toks = tokens(scope, o.year)
  const label = scope
    .replace(DATE_RE, ' ')
    .replace(/^\s*(?:open|开市)\s*[:：]/i, ' ')
    .replace(/(?:至|到|~|～|—|–|--|[-:：,，、。;；]|\d{1,2}\s*日)/g, ' ')
    .replace(/^[\s一二三四五六七八九十]+(?=\S)/, '')
    .replace(/\s+/g, ' ')
    .trim()
  if (toks.length === 0) return { found: [], error: reason('IMPORT_NO_DATE', '这一行没有日期 (例: 2027-01-01 或 2027-02-10 至 2027-02-17)', 'no date on this line (e.g. 2027-01-01 or 2027-02-10 to 2027-02-17)'), kind, label }
  for (const t of toks) {
    if (t.year === null) return { found: [], error: reason('IMPORT_NO_YEAR', `"${t.raw.trim()}" 没有年份: 请先选择年份`, `"${t.raw.trim()}" has no year: choose the year first`), kind, label }
    if (t.day === null) return { found: [], error: reason('IMPORT_BAD_DATE', `"${t.raw.trim()}" 不是有效日期`, `"${t.raw.trim()}" is not a valid date`), kind, label }
  }
  const found: Found[] = []
  for (let i = 0; i < toks.length; i++) {
    const a = toks[i]
    const b = toks[i + 1]
    const between = b ? scope.slice(a.end, b.index) : ''
    const bareEnd = b !== undefined && b.index === a.end && new RegExp(`^${SEP}`).test(b.raw)
    if (b && (bareEnd || /^\s*(?:至|到|~|～|—|–|--)\s*$|^\s+-\s+$/.test(between))) {
      found.push({ from: a.day!, to: b.day! })
      i++
    } else found.push({ from: a.day!, to: a.day! })
  }
  return { found, error: null, kind, label }
}

function expand(f: Found, o: ImportOptions): { days: string[]; error: Reason | null } {
  if (f.to < f.from) return { days: [], error: reason('IMPORT_RANGE_REVERSED', `${f.from} 至 ${f.to}: 结束早于开始`, `${f.from} to ${f.to}: the end is before the start`) }
  const days: string[] = []
  for (let d = f.from; d <= f.to; d = addDays(d, 1)) {
    days.push(d)
    if (days.length > (o.maxRangeDays ?? 31)) {
      return { days: [], error: reason('IMPORT_RANGE_TOO_LONG', `${f.from} 至 ${f.to} 超过 ${o.maxRangeDays ?? 31} 天, 请检查`, `${f.from} to ${f.to} is longer than ${o.maxRangeDays ?? 31} days; check it`) }
    }
  }
  return { days, error: null }
}

function toEntries(days: string[], kind: ImportEntry['kind'], label: string, o: ImportOptions): { entries: ImportEntry[]; error: Reason | null } {
  const entries: ImportEntry[] = []
  for (const d of days) {
    if (o.year !== undefined && Number(d.slice(0, 4)) !== o.year) {
      return { entries: [], error: reason('IMPORT_WRONG_YEAR', `${d} 不在 ${o.year} 年`, `${d} is not in ${o.year}`) }
    }
    const weekend = weekdayOf(d) % 6 === 0
    if (kind === 'makeup') {
      if (!weekend) return { entries: [], error: reason('IMPORT_MAKEUP_WEEKDAY', `${d} 是工作日, 不是周末调休上班日`, `${d} is a weekday, not a weekend make-up workday`) }
      entries.push({ date: d, status: 'closed', kind, label })
    } else if (kind === 'open') {
      if (weekend) return { entries: [], error: reason('IMPORT_OPEN_WEEKEND', `${d} 是周末, 交易所不开市`, `${d} is a weekend; the exchanges do not open`) }
      entries.push({ date: d, status: 'open', kind, label })
    } else if (!weekend) entries.push({ date: d, status: 'closed', kind, label })
    // a weekend inside a closure is closed anyway
  }
  return { entries, error: null }
}

/** RFC 5545 unfolding, then one row per VEVENT with all-day (or dated) DTSTART / exclusive DTEND. */
function parseIcs(text: string, o: ImportOptions): ImportRow[] {
  const physical = text.split(/\r?\n/)
  const lines: Array<{ line: number; text: string }> = []
  physical.forEach((t, i) => {
    if (/^[ \t]/.test(t) && lines.length) lines[lines.length - 1].text += t.slice(1)
    else lines.push({ line: i + 1, text: t })
  })
  const rows: ImportRow[] = []
  let ev: { line: number; start?: string; end?: string; summary: string; raw: string[] } | null = null
  const icsDay = (v: string): string | null => {
    const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(v.trim())
    if (!m) return null
    if (m[7]) {
      // a UTC instant: its Shanghai calendar date
      const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) + 8 * 3_600_000
      return new Date(ms).toISOString().slice(0, 10)
    }
    return makeDay(Number(m[1]), Number(m[2]), Number(m[3]))
  }
  for (const { line, text: t } of lines) {
    if (/^BEGIN:VEVENT/i.test(t)) ev = { line, summary: '', raw: [] }
    else if (ev && /^END:VEVENT/i.test(t)) {
      const row: ImportRow = { line: ev.line, text: ev.summary || ev.raw.join(' '), entries: [], error: null, warning: null }
      const start = ev.start ? icsDay(ev.start) : null
      const endExcl = ev.end ? icsDay(ev.end) : null
      if (!start) row.error = reason('IMPORT_ICS_NO_START', '事件没有有效的 DTSTART 日期', 'the event has no valid DTSTART date')
      else {
        const to = endExcl && endExcl > start ? addDays(endExcl, -1) : start
        const kind: ImportEntry['kind'] = /上班|补班|make-?up|workday/i.test(ev.summary) ? 'makeup' : /开市|open/i.test(ev.summary) ? 'open' : 'holiday'
        const x = expand({ from: start, to }, o)
        const e = x.error ? { entries: [], error: x.error } : toEntries(x.days, kind, ev.summary.trim(), o)
        row.entries = e.entries
        row.error = e.error
      }
      rows.push(row)
      ev = null
    } else if (ev) {
      ev.raw.push(t)
      const m = /^([A-Z-]+)(?:;[^:]*)?:(.*)$/i.exec(t)
      if (!m) continue
      const key = m[1].toUpperCase()
      if (key === 'DTSTART') ev.start = m[2]
      else if (key === 'DTEND') ev.end = m[2]
      else if (key === 'SUMMARY') ev.summary = m[2].replace(/\\([,;\\])/g, '$1').replace(/\\n/gi, ' ')
    }
  }
  return rows
}

export function parseCalendarImport(text: string, o: ImportOptions = {}): ImportResult {
  const isIcs = /^\s*BEGIN:VCALENDAR/i.test(text)
  let rows: ImportRow[]
  if (isIcs) rows = parseIcs(text, o)
  else {
    rows = []
    const lines = text.split(/\r?\n/)
    for (let i = 0; i < lines.length && i < MAX_LINES; i++) {
      const t = lines[i].replace(/\uFEFF/g, '')
      if (!t.trim() || /^\s*(#|\/\/)/.test(t)) continue
      const row: ImportRow = { line: i + 1, text: t.trim(), entries: [], error: null, warning: null }
      const p = parseTextLine(t, o)
      if (p.error) row.error = p.error
      else {
        for (const f of p.found) {
          const x = expand(f, o)
          const e = x.error ? { entries: [], error: x.error } : toEntries(x.days, p.kind, p.label, o)
          if (e.error) {
            row.error = e.error
            row.entries = []
            break
          }
          row.entries.push(...e.entries)
        }
      }
      rows.push(row)
    }
    if (lines.length > MAX_LINES) {
      rows.push({ line: MAX_LINES + 1, text: '…', entries: [], error: reason('IMPORT_TOO_LONG', `最多 ${MAX_LINES} 行`, `at most ${MAX_LINES} lines`), warning: null })
    }
  }
  const seen = new Map<string, ImportEntry>()
  for (const row of rows) {
    if (row.error) continue
    for (const e of row.entries) {
      const prev = seen.get(e.date)
      if (prev && prev.status !== e.status) {
        row.error = reason('IMPORT_CONFLICT', `${e.date} 在前面的行里是${prev.status === 'open' ? '开市' : '休市'}, 这里相反`, `${e.date} is ${prev.status} on an earlier line and the opposite here`)
        break
      }
      if (prev) row.warning = reason('IMPORT_DUPLICATE', `${e.date} 已在前面的行里`, `${e.date} is already on an earlier line`)
    }
    if (!row.error) for (const e of row.entries) if (!seen.has(e.date)) seen.set(e.date, e)
  }
  if (rows.length === 0) rows.push({ line: 1, text: '', entries: [], error: reason('IMPORT_EMPTY', '没有可导入的日期', 'nothing to import'), warning: null })
  const errorCount = rows.filter((r) => r.error).length
  return { format: isIcs ? 'ics' : 'text', rows, entries: [...seen.values()].sort((a, b) => a.date.localeCompare(b.date)), errorCount }
}
