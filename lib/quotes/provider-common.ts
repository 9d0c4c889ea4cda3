/** Shared plumbing for the HTTP quote providers: dedupe, invalid codes, chunking, merging. */
import type { Quote } from '../market/quote'
import { parseCanonical } from './codes'
import type { CodeOutcome, ProviderResult } from './types'

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
