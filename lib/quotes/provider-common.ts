/** Shared plumbing for the HTTP quote providers: dedupe, invalid codes, chunking, merging. */
import type { Quote } from '../market/quote'
import { parseCanonical } from './codes'
import type { CodeOutcome, CodeProblem, ProviderResult } from './types'

export interface HttpProviderOptions {
  /** Scheme + host (+ optional path prefix), no trailing slash needed. */
  baseUrl?: string
  /** Per-request timeout covering headers and body. Default 5000 ms. */
  timeoutMs?: number
  /** Codes per request; defaults to the provider's documented limit. */
  maxBatch?: number
}

export const DEFAULT_TIMEOUT_MS = 5000

export function trimBase(url: string): string {
  return url.replace(/\/+$/, '')
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * Run `fetchChunk` sequentially over ≤ maxBatch slices of the valid, distinct codes. Codes that are
 * not canonical never reach the wire and are reported as unknown_code.
 */
export async function fetchInChunks(
  codes: string[],
  maxBatch: number,
  fetchChunk: (codes: string[]) => Promise<ProviderResult>,
): Promise<ProviderResult> {
  const byCode = new Map<string, CodeOutcome>()
  const warnings: string[] = []
  const valid: string[] = []
  for (const c of new Set(codes)) {
    if (parseCanonical(c)) valid.push(c)
    else byCode.set(c, { ok: false, problem: 'unknown_code', detail: 'not a canonical code (123456.SH|SZ|BJ)' })
  }
  for (const part of chunk(valid, maxBatch)) {
    const r = await fetchChunk(part)
    for (const [k, v] of r.byCode) byCode.set(k, v)
    warnings.push(...r.warnings)
  }
  return { byCode, warnings }
}

/** Among several records for one code (Tencent can repeat a code), keep the one with the newest time. */
export function newest(quotes: Quote[]): Quote | undefined {
  let best: Quote | undefined
  for (const q of quotes) if (!best || q.time.getTime() > best.time.getTime()) best = q
  return best
}

/** A parsed record of a text source (Tencent, Sina), as far as sorting the answer by code goes. */
export type SourceRecord =
  | { kind: 'quote'; code: string; quote: Quote; warnings?: string[] }
  | { kind: 'empty'; code: string | null }
  | { kind: 'malformed'; code: string | null; reason: string }
  | { kind: 'unknown' }

/** Where the text sources differ in how they report what they answered. */
export interface OutcomeWording {
  /** Provider id, prefixed to warnings. */
  id: string
  /** What an empty record for a code means at this source. */
  emptyProblem: CodeProblem
  /** What the source calls one record (`line`, `segment`), for the warning about one without a code. */
  piece: string
  /** Detail for a requested code no record named. */
  missing: string
  /** Warn when a code came back more than once (only Tencent is known to repeat codes). */
  warnRepeats: boolean
}

/**
 * One outcome per requested code from a source's records: the newest quote for the code; else what a
 * record said about it (a malformed record outranks an empty one); else unknown_code. Records without
 * a code become warnings, so nothing the source sent is dropped silently.
 */
export function outcomesByCode(codes: string[], records: SourceRecord[], wording: OutcomeWording): ProviderResult {
  const warnings: string[] = []
  const quotes = new Map<string, Quote[]>()
  const other = new Map<string, CodeOutcome>()
  for (const r of records) {
    if (r.kind === 'quote') {
      if (r.warnings) warnings.push(...r.warnings)
      const list = quotes.get(r.code) ?? []
      list.push(r.quote)
      quotes.set(r.code, list)
    } else if (r.kind === 'empty') {
      if (r.code !== null && !other.has(r.code)) other.set(r.code, { ok: false, problem: wording.emptyProblem, detail: 'empty record' })
    } else if (r.kind === 'malformed') {
      if (r.code !== null) other.set(r.code, { ok: false, problem: 'malformed', detail: r.reason })
      else warnings.push(`${wording.id}: unparsable ${wording.piece} skipped (${r.reason})`)
    }
  }
  const byCode = new Map<string, CodeOutcome>()
  for (const code of codes) {
    const list = quotes.get(code)
    const q = list ? newest(list) : undefined
    if (q) {
      if (wording.warnRepeats && list!.length > 1) warnings.push(`${wording.id}: ${code} appeared ${list!.length} times; kept the newest (${q.time.toISOString()})`)
      byCode.set(code, { ok: true, quote: q })
    } else {
      byCode.set(code, other.get(code) ?? { ok: false, problem: 'unknown_code', detail: wording.missing })
    }
  }
  return { byCode, warnings }
}
