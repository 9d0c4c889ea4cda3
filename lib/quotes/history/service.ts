/**
 * History service: failover across K-line providers, like the quote service (lib/quotes/service.ts)
 * but per request and without a breaker (replays are user-initiated and rare).
 *
 * Providers are tried in order, skipping those that cannot serve the period/adjustment. The first
 * series wins. Every failure moves on to the next provider; when all fail, the error reported is
 * the most telling one: no_data if any source knew the code but had no bars in the range, else
 * unknown_code if every source that answered said so, else source_down / malformed.
 */
import { createEastmoneyHistoryProvider } from './eastmoney'
import { createTencentHistoryProvider } from './tencent'
import { HistorySourceError, type HistoryErrorKind, type HistoryProvider, type HistoryRequest, type HistorySeries } from './types'

export type BuiltinHistoryProviderId = 'tencent' | 'eastmoney'

export interface HistoryServiceOptions {
  providers: Array<BuiltinHistoryProviderId | HistoryProvider>
  /** tencent = fqkline host, tencentMinute = mkline host, eastmoney = push2his host. */
  baseUrls?: { tencent?: string; tencentMinute?: string; eastmoney?: string }
  timeoutMs?: number
  fetchImpl?: typeof fetch
}

export interface HistoryService {
  getBars(req: HistoryRequest, signal?: AbortSignal): Promise<HistorySeries>
  readonly providerIds: string[]
}

const RANK: Record<HistoryErrorKind, number> = { no_data: 5, unknown_code: 4, malformed: 3, source_down: 2, unsupported: 1 }

export function createHistoryService(o: HistoryServiceOptions): HistoryService {
  const providers: HistoryProvider[] = o.providers.map((p) => {
    if (typeof p !== 'string') return p
    if (p === 'tencent') return createTencentHistoryProvider({ baseUrl: o.baseUrls?.tencent, minuteBaseUrl: o.baseUrls?.tencentMinute, timeoutMs: o.timeoutMs, fetchImpl: o.fetchImpl })
    if (p === 'eastmoney') return createEastmoneyHistoryProvider({ baseUrl: o.baseUrls?.eastmoney, timeoutMs: o.timeoutMs, fetchImpl: o.fetchImpl })
    throw new Error(`unknown history provider ${String(p)}`)
  })
  if (!providers.length) throw new Error('no history provider configured')
  return {
    providerIds: providers.map((p) => p.id),
    async getBars(req, signal) {
      const errors: HistorySourceError[] = []
      for (const p of providers) {
        if (!p.supports(req)) {
          errors.push(new HistorySourceError('unsupported', p.id, `cannot serve ${req.period} ${req.adjust}`))
          continue
        }
        try {
          return await p.fetch(req, signal)
        } catch (e) {
          if (signal?.aborted) throw e
          if (e instanceof HistorySourceError) errors.push(e)
          else errors.push(new HistorySourceError('malformed', p.id, e instanceof Error ? e.message : String(e), { cause: e }))
        }
      }
      const worst = errors.reduce((a, b) => (RANK[b.kind] > RANK[a.kind] ? b : a))
      throw new HistorySourceError(worst.kind, 'history', errors.map((e) => e.message).join('; '))
    },
  }
}
