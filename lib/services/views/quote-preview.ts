/**
 * The add/edit form's live quote preview: the current price (fetched now through lib/quotes with
 * the configured providers and base URLs, or else the stored snapshot — labelled as such), today's
 * limit prices, where each level sits against the price, a warning for a level outside today's band,
 * and the entry order auto-trade would send if the entry fired now: lib/market sizeOrder with the
 * quant config being edited and the account snapshot (or a plain "account unknown").
 */
import { accountAccess, defaultBrokerAccountId } from '@/lib/db/broker-accounts'
import { defaultAccountForUser } from '@/lib/db/account-scope'
import { fromMilli, limitPrices, shanghaiDate, sizeOrder, stopLossFromCostMilli, takeProfitFromCostMilli, toMilli, type Quote } from '@/lib/market'
import { createQuoteService, type QuoteService } from '@/lib/quotes'
import { isStName } from '@/lib/market'
import type { Env } from '@/lib/env'
import { getSnapshots } from '@/lib/db/quotes'
import { getAccountSnapshot } from '@/lib/db/orders'
import { positionSnapshot } from '@/lib/db/stock-detail'
import type { QuotePreviewInput } from '@/lib/schemas/preview'
import type { Locale } from '@/lib/i18n/config'
import { loadRuntimeSettings } from '../runtime/runtime-settings'
import { runtimeDefaults } from '../runtime/web-context'
import type { MarketClockReading } from '../runtime/market-clock-view'

const services = new Map<string, QuoteService>()

/** One quote service per provider list and base URLs (its circuit breakers live as long as the process). */
export function quoteServiceFor(e: Env, providers: string[]): QuoteService {
  const key = JSON.stringify([providers, e.QUOTE_TENCENT_URL, e.QUOTE_SINA_URL, e.QUOTE_EASTMONEY_URL, e.QUOTE_TIMEOUT_MS])
  let s = services.get(key)
  if (!s) {
    s = createQuoteService({
      providers: providers.filter((p): p is 'tencent' | 'sina' | 'eastmoney' => p === 'tencent' || p === 'sina' || p === 'eastmoney'),
      baseUrls: { tencent: e.QUOTE_TENCENT_URL, sina: e.QUOTE_SINA_URL, eastmoney: e.QUOTE_EASTMONEY_URL },
      timeoutMs: e.QUOTE_TIMEOUT_MS,
      concurrency: 2,
      maxAgeMs: e.QUOTE_MAX_AGE_SECONDS * 1000,
    })
    services.set(key, s)
  }
  return s
}

type Snapshot = Awaited<ReturnType<typeof getSnapshots>>[number]

function quoteFromSnapshot(s: Snapshot): Quote {
  const levels = (v: unknown) => (Array.isArray(v) ? v.filter((l): l is { price: number; volume: number } => typeof l?.price === 'number' && typeof l?.volume === 'number') : [])
  return {
    code: s.code,
    name: s.name,
    last: fromMilli(s.lastMilli),
    prevClose: fromMilli(s.prevCloseMilli),
    open: fromMilli(s.openMilli),
    high: fromMilli(s.highMilli),
    low: fromMilli(s.lowMilli),
    volume: Number(s.volume),
    amount: Number(s.amountMilli) / 1000,
    bids: levels(s.bids),
    asks: levels(s.asks),
    limitUp: s.limitUpMilli == null ? null : fromMilli(s.limitUpMilli),
    limitDown: s.limitDownMilli == null ? null : fromMilli(s.limitDownMilli),
    time: s.quoteTime,
    suspended: s.suspended,
    source: s.source,
  }
}

function intOrNull(v: unknown, min: number, max: number): number | null {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : ''
  if (!/^\d+$/.test(s)) return null
  const n = Number(s)
  return n >= min && n <= max ? n : null
}

export type LevelKey = 'entryLow' | 'entryHigh' | 'takeProfit' | 'stopLoss'

export interface LevelPosition {
  key: LevelKey
  price: number
  /** (level − last) / last. */
  pct: number | null
  outsideBand: 'above' | 'below' | null
  /** A level typed as a percentage of cost: that fraction (+x for take-profit, -y for stop-loss); the price is resolved against the entry zone until the entry fills. */
  ofCost?: number
}

export interface PreviewDeps {
  env: Env
  clock: MarketClockReading
  locale: Locale
  /** The signed-in user: the chosen account must be one they see; absent (tests) = the install default. */
  userId?: number
  /** Default: the configured providers' quote service. */
  fetchQuote?: (code: string, now: Date) => Promise<Quote | null>
}

export async function quotePreview(input: QuotePreviewInput, deps: PreviewDeps) {
  const { env: e, locale } = deps
  const now = deps.clock.now ?? new Date()
  const settings = await loadRuntimeSettings(runtimeDefaults(e))
  const code = input.code

  // 1. The price: live, else the stored snapshot, else nothing — always saying which.
  let quote: Quote | null = null
  let source: 'live' | 'snapshot' | 'none' = 'none'
  let liveError: string | null = null
  try {
    const fetchQuote =
      deps.fetchQuote ??
      (async (c: string, at: Date) => {
        const res = await quoteServiceFor(e, settings.quoteProviders).getQuotes([c], at)
        const q = res.quotes.get(c)
        if (!q) {
          const p = res.problems.get(c)
          throw new Error(p ? `${p.reason}: ${p.byProvider.map((b) => `${b.provider} ${'problem' in b ? b.problem : 'error' in b ? b.message : b.skipped}`).join('; ')}` : 'no quote')
        }
        return q
      })
    quote = await fetchQuote(code, now)
    if (quote) source = 'live'
  } catch (err) {
    liveError = (err as Error).message
  }
  if (!quote) {
    const [snap] = await getSnapshots([code])
    if (snap) {
      quote = quoteFromSnapshot(snap)
      source = 'snapshot'
    }
  }

  const st = quote ? isStName(quote.name) : false
  let limits: { up: number; down: number } | null = null
  let limitsError: string | null = null
  if (quote) {
    if (quote.limitUp != null && quote.limitDown != null) limits = { up: quote.limitUp, down: quote.limitDown }
    else if (quote.prevClose > 0) {
      try {
        limits = limitPrices(code, quote.prevClose, { st, date: shanghaiDate(now) })
      } catch (err) {
        limitsError = (err as Error).message
      }
    }
  }

  const last = quote && quote.last > 0 ? quote.last : null
  // A level typed as a percentage of cost is shown at the price it resolves to against the entry
  // zone (take-profit from its high, stop-loss from its low) until the entry fills.
  const ofCost = (pct: number | null, base: number | null, f: (code: string, costMilli: number, bp: number) => number): number | null => {
    if (pct == null || base == null || !(pct > 0 && pct < 10)) return null
    try {
      return fromMilli(f(code, toMilli(base), Math.round(pct * 10_000)))
    } catch {
      return null
    }
  }
  const resolved = {
    ...input,
    takeProfit: input.takeProfit ?? ofCost(input.takeProfitPct, input.entryHigh, takeProfitFromCostMilli),
    stopLoss: input.stopLoss ?? (input.stopLossPct != null && input.stopLossPct < 1 ? ofCost(input.stopLossPct, input.entryLow, stopLossFromCostMilli) : null),
  }
  const levels: LevelPosition[] = (['takeProfit', 'entryHigh', 'entryLow', 'stopLoss'] as const)
    .filter((k) => resolved[k] != null)
    .map((k) => {
      const price = resolved[k] as number
      const rel = k === 'takeProfit' && input.takeProfit == null ? input.takeProfitPct : k === 'stopLoss' && input.stopLoss == null ? input.stopLossPct : null
      return {
        key: k,
        price,
        ...(rel != null ? { ofCost: k === 'stopLoss' ? -rel : rel } : {}),
        pct: last ? (toMilli(price) - toMilli(last)) / toMilli(last) : null,
        outsideBand: limits ? (price > limits.up ? 'above' : price < limits.down ? 'below' : null) : null,
      }
    })
  const inZone = last != null && input.entryLow != null && input.entryHigh != null ? last >= input.entryLow && last <= input.entryHigh : null

  // 2. The entry order auto-trade would send if the entry fired now.
  const q = input.quant
  const maxPositionPct = q.maxPositionPct != null && q.maxPositionPct <= 1 ? q.maxPositionPct : null
  const minTradeAmount = intOrNull(q.minTradeAmount, 0, 100_000_000)
  const offsetTicks = intOrNull(q.entryOffsetTicks, 0, 50)
  // The account chosen in the form (one the user sees; any other reads as unknown, never as its
  // numbers), else the user's default account.
  const accountId =
    deps.userId === undefined
      ? (input.brokerAccountId ?? (await defaultBrokerAccountId()))
      : input.brokerAccountId !== null
        ? ((await accountAccess(deps.userId, input.brokerAccountId)) ? input.brokerAccountId : null)
        : await defaultAccountForUser(deps.userId)
  const account = accountId === null ? null : await getAccountSnapshot(accountId)
  const held = accountId === null ? null : await positionSnapshot(accountId, code)
  let order:
    | { status: 'ok'; side: 'buy'; quantity: number; price: number; priceType: 'limit' | 'market'; value: number; fees: number; notes: string[] }
    | { status: 'refused'; code: string; message: string }
    | { status: 'no_quote' | 'account_unknown' | 'quant_invalid' }
  if (!quote || !last) order = { status: 'no_quote' }
  else if (!account) order = { status: 'account_unknown' }
  else if (maxPositionPct == null || minTradeAmount == null || offsetTicks == null) order = { status: 'quant_invalid' }
  else {
    const y = (v: bigint) => Number(v) / 1000
    const r = sizeOrder({
      code,
      kind: 'ENTRY',
      quote,
      now,
      pricing: { mode: q.entryPriceMode ?? 'BEST_OPPOSITE', offsetTicks },
      triggerPrice: last,
      st,
      account: { totalAsset: y(account.totalAssetMilli), cash: y(account.cashMilli) },
      heldValue: held ? held.volume * last : 0,
      sizing: { maxPositionPct, minTradeAmount },
      fees: settings.fees,
    })
    order = r.ok
      ? {
          status: 'ok',
          side: 'buy',
          quantity: r.quantity,
          price: r.price,
          priceType: r.priceType,
          value: r.value,
          fees: r.estFees.total,
          notes: r.notes.map((n) => (locale === 'zh' ? n.message : n.messageEn)),
        }
      : { status: 'refused', code: r.code, message: locale === 'zh' ? r.message : r.messageEn }
  }

  return {
    code,
    at: now.toISOString(),
    source,
    liveError,
    quote: quote
      ? { name: quote.name, last, prevClose: quote.prevClose > 0 ? quote.prevClose : null, changePct: last && quote.prevClose > 0 ? (last - quote.prevClose) / quote.prevClose : null, time: quote.time.toISOString(), source: quote.source, suspended: quote.suspended }
      : null,
    limits,
    limitsError,
    levels,
    inZone,
    autoTrade: q.autoTrade === true,
    account: account ? { totalAsset: Number(account.totalAssetMilli) / 1000, cash: Number(account.cashMilli) / 1000, takenAt: account.takenAt.toISOString() } : null,
    heldVolume: held?.volume ?? 0,
    order,
  }
}

export type QuotePreview = Awaited<ReturnType<typeof quotePreview>>
