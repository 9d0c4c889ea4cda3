'use client'
/**
 * Stock detail: levels and state, the intraday chart with the levels drawn, the actions (edit,
 * re-arm after CLOSED, mark an existing broker position as managed) and one timeline of triggers,
 * orders with fills, and notifications. Polls /api/stocks/:id/detail.
 */
import Link from 'next/link'
import { useMemo, useState } from 'react'
import { useLocale, useTranslations } from 'next-intl'
import useSWR from 'swr'
import { useLiveInterval } from '@/app/_components/live/live-updates'
import type { StockDetail, TimelineItem } from '@/lib/services/views/stock-detail'
import { formatPrice, formatTime, priceDecimals } from '@/lib/format'
import { MonitorStateBadge } from '@/app/_components/live/badges'
import { ConfirmButton } from '@/app/_components/live/confirm-button'
import { clockTime, dayTime, fetchJson } from '@/app/_components/live/fmt'
import { Panel } from '@/app/_components/panel'
import { ExitsPaused } from '../../_components/exits-paused'
import { ManagePositionDialog } from './manage-position-dialog'
import { ExRightsPending } from '../../_components/ex-rights-pending'
import { PriceChart, type ChartLevel } from './price-chart'
import { ReplayPanel } from '../../_components/replay-panel'
import { percentText } from '@/lib/schemas/fields'
import { BrokerText } from '@/app/_components/live/broker-text'
import { ConditionsList } from '@/app/_components/live/monitor-conditions'
import { StagedExitsPanel } from './staged-exits-panel'

/** A level set relative to cost, shown beside the price it resolved to: " (+5%)". */
const ofCost = (fraction: number | null | undefined, sign: '+' | '-') => (fraction == null ? '' : ` (${sign}${Math.round(fraction * 1_000_000) / 10_000}%)`)

const LEVEL_COLORS = { entryLow: '#0284c7', entryHigh: '#0284c7', takeProfit: '#c81e1e', stopLoss: '#117a3d', trailing: '#a16207' } as const

export function StockDetailView({ initial }: { initial: StockDetail }) {
  const t = useTranslations('detail')
  const tl = useTranslations('live')
  const tcond = useTranslations('conditions')
  const locale = useLocale()
  const url = `/api/stocks/${initial.stock.id}/detail`
  const { data, error, mutate } = useSWR<StockDetail>(url, (u: string) => fetchJson<StockDetail>(u), { fallbackData: initial, refreshInterval: useLiveInterval(5_000), revalidateOnMount: false, keepPreviousData: true })
  const d = data ?? initial
  const s = d.stock
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null)

  const levels: ChartLevel[] = useMemo(() => {
    const out: ChartLevel[] = [
      { key: 'takeProfit', title: t('level.takeProfit') + ofCost(s.takeProfitPct, '+'), price: d.levels.takeProfit, color: LEVEL_COLORS.takeProfit },
      { key: 'entryHigh', title: t('level.entryHigh'), price: d.levels.entryHigh, color: LEVEL_COLORS.entryHigh, dashed: true },
      { key: 'entryLow', title: t('level.entryLow'), price: d.levels.entryLow, color: LEVEL_COLORS.entryLow, dashed: true },
      { key: 'stopLoss', title: t('level.stopLoss') + ofCost(s.stopLossPct, '-'), price: d.levels.stopLoss, color: LEVEL_COLORS.stopLoss },
    ]
    if (d.levels.trailing != null) out.push({ key: 'trailing', title: t('level.trailing'), price: d.levels.trailing, color: LEVEL_COLORS.trailing, dashed: true })
    // Staged exits (issue 14): the later take-profit tranches and the breakeven stop once active.
    s.exits.tranches.forEach((x, i) => {
      if (x.level != null) out.push({ key: `takeProfit${i + 2}`, title: t('exits.chartTranche', { n: i + 2 }), price: x.level, color: LEVEL_COLORS.takeProfit, dashed: true })
    })
    if (s.exits.breakevenLevel != null) out.push({ key: 'breakeven', title: t('exits.chartBreakeven'), price: s.exits.breakevenLevel, color: LEVEL_COLORS.stopLoss, dashed: true })
    return out
  }, [d.levels.takeProfit, d.levels.entryHigh, d.levels.entryLow, d.levels.stopLoss, d.levels.trailing, s.takeProfitPct, s.stopLossPct, s.exits, t])
  const bars = useMemo(() => d.chart.bars, [d.chart.bars])

  async function act(path: string, done: (v: { episode: number; state: string; positionQty: number }) => string) {
    setNotice(null)
    try {
      const v = await fetchJson<{ episode: number; state: string; positionQty: number }>(`/api/stocks/${s.id}/${path}`, { method: 'POST' })
      setNotice({ ok: true, text: done(v) })
    } catch (e) {
      setNotice({ ok: false, text: t('actionFailed', { message: (e as Error).message }) })
    }
    await mutate()
  }

  const auto = s.quant?.autoTrade ?? false
  const pos = d.brokerPosition
  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div>
          <Link href="/" className="text-sm text-sky-700 hover:underline">
            ← {t('back')}
          </Link>
          <h1 className="mt-1 text-xl font-semibold">{t('title', { code: s.code, name: s.name })}</h1>
          <div className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-600">
            <MonitorStateBadge state={s.state} testId="detail-state" reason={s.closedReason} />
            <span>{t('episode', { episode: s.episode })}</span>
            <span data-testid="detail-auto">{auto ? t('trigger.auto') : t('trigger.notifyOnly')}</span>
            {s.positionQty > 0 && <span data-testid="detail-position">{t('position', { qty: s.positionQty, sellable: s.positionSellableQty })}</span>}
          </div>
        </div>
        <div className="flex flex-wrap gap-2">
          {!s.archivedAt && (
            <Link href={`/stocks/${s.id}/edit`} data-testid="detail-edit" className="rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
              {t('edit')}
            </Link>
          )}
          {d.actions.canRearm && (
            <ConfirmButton
              testId="detail-rearm"
              label={t('rearm')}
              title={t('rearm')}
              body={
                <>
                  <p>{t('rearmConfirm', { code: s.code, episode: s.episode + 1, auto: auto ? t('rearmAuto') : '' })}</p>
                  <p className="mt-2 text-xs text-slate-500">{t('rearmHint')}</p>
                </>
              }
              confirmLabel={t('rearm')}
              onConfirm={() => act('rearm', (v) => t('rearmDone', { episode: v.episode, state: v.state }))}
            />
          )}
          {d.actions.canMarkManaged && pos && (
            <ManagePositionDialog
              stockId={s.id}
              code={s.code}
              held={pos.volume}
              label={t('markManaged')}
              body={
                <>
                  <p>{t('markManagedConfirm', { qty: pos.volume, code: s.code, auto: auto ? t('markManagedAuto') : t('markManagedNotify') })}</p>
                  <p className="mt-2 text-xs text-slate-500">
                    {t('markManagedHint', { qty: pos.volume, sellable: pos.canUseVolume, cost: formatPrice(s.code, pos.avgPrice), time: formatTime(pos.takenAt, locale) })}
                  </p>
                </>
              }
              onDone={async (r) => {
                setNotice(r.ok ? { ok: true, text: t('markManagedDone', { qty: r.value.positionQty, state: r.value.state }) } : { ok: false, text: t('actionFailed', { message: r.message }) })
                await mutate()
              }}
            />
          )}
        </div>
      </div>

      {s.exitsPausedAt && !s.archivedAt && <ExitsPaused stockId={s.id} code={s.code} pausedAt={s.exitsPausedAt} why={s.exitsPausedWhy} onResumed={() => mutate()} />}
      {!s.archivedAt && <ExRightsPending stockId={s.id} code={s.code} onDecided={() => mutate()} />}
      <StagedExitsPanel code={s.code} takeProfit={d.levels.takeProfit} takeProfitPct={s.takeProfitPct} exits={s.exits} />
      {notice && (
        <p role={notice.ok ? 'status' : 'alert'} data-testid="detail-notice" className={`rounded px-3 py-2 text-sm ${notice.ok ? 'bg-sky-50 text-sky-900' : 'bg-red-50 text-red-700'}`}>
          {notice.text}
        </p>
      )}
      {error && (
        <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-700">
          {tl('refreshFailed', { message: (error as Error).message, time: clockTime(new Date(), locale) })}
        </p>
      )}

      <div className="grid gap-4 lg:grid-cols-3">
        <div className="rounded-lg border border-slate-200 bg-white p-3 lg:col-span-2">
          <div className="mb-2 flex flex-wrap items-baseline justify-between gap-2">
            <h2 className="font-semibold">{d.chart.day ? t('chartTitle', { day: d.chart.day }) : t('chartTitleNoDay')}</h2>
            {d.quote && (
              <span className="text-sm text-slate-600" data-testid="detail-quote">
                {t('quote', { price: formatPrice(s.code, d.quote.last), time: clockTime(d.quote.time, locale), source: d.quote.source })}
              </span>
            )}
          </div>
          {d.chart.day && d.chart.marketDay && d.chart.day !== d.chart.marketDay && <p className="mb-2 text-xs text-amber-800">{t('chartOtherDay', { today: d.chart.marketDay, day: d.chart.day })}</p>}
          <div className="relative">
            <PriceChart bars={bars} levels={levels} decimals={priceDecimals(s.code)} label={d.chart.day ? t('chartTitle', { day: d.chart.day }) : t('chartTitleNoDay')} />
            {bars.length === 0 && (
              <p data-testid="chart-empty" className="pointer-events-none absolute inset-x-0 top-1/3 mx-auto w-fit rounded bg-white/90 px-3 py-2 text-center text-sm text-slate-600">
                {t('chartEmpty')}
              </p>
            )}
          </div>
        </div>
        <aside className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
          <h2 className="mb-2 font-semibold">{t('levels')}</h2>
          <ul className="space-y-1 tabular" aria-label={t('chartLegend')} data-testid="chart-levels">
            {levels.map((l) => (
              <li key={l.key} className="flex items-center justify-between gap-2" data-testid={`level-${l.key}`}>
                <span className="flex items-center gap-2">
                  <span aria-hidden className={`inline-block w-5 border-t-2 ${l.dashed ? 'border-dashed' : ''}`} style={{ borderColor: l.color }} />
                  {l.title}
                </span>
                <span className="font-medium">{formatPrice(s.code, l.price)}</span>
              </li>
            ))}
          </ul>
          {d.levels.highestSinceEntry != null && <p className="mt-2 text-xs text-slate-500">{t('highest', { price: formatPrice(s.code, d.levels.highestSinceEntry) })}</p>}
          {d.quote?.limitUp != null && d.quote.limitDown != null && (
            <p className="mt-2 text-xs text-slate-500">{t('limits', { up: formatPrice(s.code, d.quote.limitUp), down: formatPrice(s.code, d.quote.limitDown) })}</p>
          )}
          {s.state === 'WATCHING' && !pos && <p className="mt-3 text-xs text-slate-500">{t('noBrokerPosition')}</p>}
        </aside>
      </div>

      <Panel id="conditions-title" title={tcond('title')}>
        <ConditionsList c={d.conditions} />
      </Panel>

      <ReplayPanel
        code={s.code}
        levels={{
          entryLow: d.levels.entryLow,
          entryHigh: d.levels.entryHigh,
          // A level relative to cost replays as relative (resolved against each modelled entry).
          takeProfit: s.takeProfitPct != null ? null : d.levels.takeProfit,
          stopLoss: s.stopLossPct != null ? null : d.levels.stopLoss,
          takeProfitPct: percentText(s.takeProfitPct),
          stopLossPct: percentText(s.stopLossPct),
          trailingStopPct: percentText(s.trailingStopPct),
        }}
        quant={s.quant ? { ...s.quant, maxPositionPct: percentText(s.quant.maxPositionPct), hysteresisPct: percentText(s.quant.hysteresisPct) } : null}
      />

      <Panel id="timeline-title" title={t('timeline')} empty={d.timeline.length === 0 && { text: t('timelineEmpty'), testId: 'timeline-empty' }}>
        <ol className="space-y-2" data-testid="timeline">
          {groupTimeline(d.timeline).map((g) =>
            g.children.length > 0 ? (
              // One event, one entry: the trigger with the orders and notifications it caused.
              <li key={g.item.key} data-testid={`timeline-group-${g.item.id}`} className="space-y-1">
                <ol>
                  <TimelineEntry item={g.item} code={s.code} />
                </ol>
                <ol className="ml-4 space-y-1 border-l border-slate-200 pl-3" aria-label={t('timelineCaused')}>
                  {g.children.map((c) => (
                    <TimelineEntry key={c.key} item={c} code={s.code} />
                  ))}
                </ol>
              </li>
            ) : (
              <TimelineEntry key={g.item.key} item={g.item} code={s.code} />
            ),
          )}
        </ol>
      </Panel>
    </section>
  )
}

/**
 * Groups the timeline by trigger: each trigger carries the orders and notifications it caused (by
 * trigger id), oldest first under it; everything else stays a single entry. Newest group first.
 */
function groupTimeline(items: TimelineItem[]): Array<{ item: TimelineItem; children: TimelineItem[] }> {
  const byTrigger = new Map<number, TimelineItem[]>()
  const triggerIds = new Set(items.filter((i) => i.type === 'trigger').map((i) => i.id))
  const loose: TimelineItem[] = []
  for (const i of items) {
    if (i.type === 'trigger') continue
    if (i.triggerId != null && triggerIds.has(i.triggerId)) {
      const list = byTrigger.get(i.triggerId) ?? []
      list.push(i)
      byTrigger.set(i.triggerId, list)
    } else loose.push(i)
  }
  const out: Array<{ item: TimelineItem; children: TimelineItem[] }> = []
  for (const i of items) {
    if (i.type === 'trigger') out.push({ item: i, children: [...(byTrigger.get(i.id) ?? [])].reverse() })
    else if (loose.includes(i)) out.push({ item: i, children: [] })
  }
  return out
}

const ORDER_TONE: Record<string, string> = {
  FILLED: 'bg-red-50 text-up',
  REJECTED: 'bg-red-100 text-red-800',
  FAILED: 'bg-red-100 text-red-800',
  UNKNOWN: 'bg-amber-100 text-amber-900',
  CANCELLED: 'bg-slate-200 text-slate-700',
}

function TimelineEntry({ item, code }: { item: TimelineItem; code: string }) {
  const t = useTranslations('detail')
  const tOrders = useTranslations('orders')
  const tl = useTranslations('live')
  const locale = useLocale()
  const time = <time dateTime={item.at} className="text-xs text-slate-500">{formatTime(item.at, locale)}</time>
  if (item.type === 'trigger') {
    return (
      <li className="rounded border-l-4 border-sky-500 bg-slate-50 px-3 py-2 text-sm" data-testid={`timeline-trigger-${item.kind}`} data-outcome={item.outcome}>
        <div className="flex flex-wrap items-center gap-2">
          <span className="font-medium">{t('trigger.title', { kind: tl(`kind.${item.kind}`) })}</span>
          <span className="rounded bg-white px-1.5 text-xs">{tl(`outcome.${item.outcome}`)}</span>
          <span className="text-xs text-slate-500">{item.autoTrade ? t('trigger.auto') : t('trigger.notifyOnly')}</span>
          {time}
        </div>
        <div className="text-xs text-slate-600">
          {t('trigger.detail', { price: formatPrice(code, item.price), level: formatPrice(code, item.level), time: formatTime(item.quoteTime, locale), episode: item.episode })}
        </div>
        {item.reason && <div className="text-xs text-slate-700">{item.reason}</div>}
      </li>
    )
  }
  if (item.type === 'order') {
    const xt = item.xtStatusName ? (locale === 'zh' ? item.xtStatusName : item.xtStatusNameEn) : null
    const to = tOrders
    return (
      <li className="rounded border-l-4 border-violet-500 bg-slate-50 px-3 py-2 text-sm" data-testid={`timeline-order-${item.side}`} data-status={item.status}>
        <div className="flex flex-wrap items-center gap-2">
          <span className={`font-medium ${item.side === 'BUY' ? 'text-up' : 'text-down'}`}>{t('order.title', { side: tl(`side.${item.side}`), quantity: item.quantity })}</span>
          <span className="text-xs">{item.limitPrice != null ? t('order.price', { price: formatPrice(code, item.limitPrice) }) : t('order.market')}</span>
          {/* The counter's status and DingPan's own, each labelled (not "filled · Filled"). */}
          {xt && item.xtStatus != null && <span className="text-xs">{to('xtStatus', { name: xt, code: item.xtStatus })}</span>}
          <span className={`rounded px-1.5 text-xs ${ORDER_TONE[item.status] ?? 'bg-white'}`}>{to('internal', { status: tl(`orderStatus.${item.status}`) })}</span>
          {item.cancelledBy && <span className="text-xs text-slate-500">{tl(`cancelledBy.${item.cancelledBy}` as never)}</span>}
          {time}
        </div>
        <div className="text-xs text-slate-600">{t('order.ids', { client: item.clientOrderId, bridge: item.bridgeOrderId ?? '—' })}</div>
        {(item.filledQuantity > 0 || item.status === 'FILLED') && (
          <div className="text-xs">{t('order.filled', { filled: item.filledQuantity, quantity: item.quantity, avg: formatPrice(code, item.avgFillPrice) })}</div>
        )}
        <BrokerText parts={[item.statusMsg, item.errorMessage]} className="text-xs text-red-700" />
        {item.fills.length > 0 && (
          <ul className="mt-1 space-y-0.5 text-xs text-slate-600" aria-label={t('order.fills')}>
            {item.fills.map((f) => (
              <li key={f.id}>{t('order.fill', { time: dayTime(f.tradedAt, true), quantity: f.quantity, price: formatPrice(code, f.price), id: f.tradedId })}</li>
            ))}
          </ul>
        )}
      </li>
    )
  }
  return (
    <li className={`rounded border-l-4 bg-slate-50 px-3 py-2 text-sm ${item.severity === 'CRITICAL' ? 'border-red-500' : item.severity === 'WARNING' ? 'border-amber-500' : 'border-slate-300'}`} data-testid={`timeline-notification-${item.eventType}`}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{item.title}</span>
        {time}
      </div>
      <p className="whitespace-pre-line text-xs text-slate-700">{item.body}</p>
    </li>
  )
}
