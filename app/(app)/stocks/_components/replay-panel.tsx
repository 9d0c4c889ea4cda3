'use client'
/**
 * Replay panel (回放/试算), on the stock page and in the add/edit form: pick a range and a bar size,
 * run POST /api/replay, and see the candles with every trigger and modelled fill drawn, the variants
 * side by side (first level fired, trades, P&L, fees, max drawdown), the selected variant's trades,
 * and whether the prices are adjusted (复权). Runs only when asked (it fetches history).
 */
import { useEffect, useMemo, useRef, useState } from 'react'
import { useLocale, useTranslations } from 'next-intl'
import { CandlestickSeries, createChart, createSeriesMarkers, LineStyle, type IChartApi, type ISeriesApi, type ISeriesMarkersPluginApi, type SeriesMarker, type Time, type UTCTimestamp } from 'lightweight-charts'
import type { ReplayView } from '@/lib/services/views/replay'
import { formatPrice, priceDecimals } from '@/lib/format'
import { fetchJson, money, trendClass } from '@/app/_components/live/fmt'
import { COMPLETE_CODE } from './quote-preview'
import { STORED_BAR_DAYS } from '@/lib/schemas/replay'

export interface ReplayLevelsInput {
  entryLow: string | number | null
  entryHigh: string | number | null
  takeProfit: string | number | null
  stopLoss: string | number | null
  trailingStopPct: string | number | null
  /** Take-profit / stop-loss as a percentage of cost (typed as percentages), instead of a price. */
  takeProfitPct?: string | number | null
  stopLossPct?: string | number | null
}

/** The monitor's quant settings as the form holds them (percentages typed as percentages); sent to the replay. */
export type ReplayQuantInput = Record<string, string | number | boolean>

interface VariantRow {
  label: string
  entryLow: string
  entryHigh: string
  takeProfit: string
  stopLoss: string
}

const RANGES = ['20', '60', '250', 'dates'] as const
const BARS = ['day', 'm60', 'm30', 'm15', 'm5', 'm1'] as const
const SOURCES = ['auto', 'tencent', 'eastmoney', 'stored'] as const
const SHANGHAI_SEC = 8 * 3600
// Red up / green down: buys (entry) red, sells green. The dark palette follows app/globals.css
// (.dark: --color-up #f87171, --color-down #4ade80, white cards → slate-900), lighter for contrast.
const PALETTE = {
  light: { up: '#c81e1e', down: '#117a3d', notice: '#a16207', entry: '#0284c7', bg: '#ffffff', text: '#334155', grid: '#f1f5f9', border: '#e2e8f0' },
  dark: { up: '#f87171', down: '#4ade80', notice: '#fbbf24', entry: '#38bdf8', bg: '#0f172a', text: '#cbd5e1', grid: '#1e293b', border: '#334155' },
} as const
type Palette = (typeof PALETTE)[keyof typeof PALETTE]

/** Whether the app's dark theme is on (the class on <html>, switched live by the header control). */
function useDarkTheme(): boolean {
  const [dark, setDark] = useState(false)
  useEffect(() => {
    const html = document.documentElement
    const read = () => setDark(html.classList.contains('dark'))
    read()
    const obs = new MutationObserver(read)
    obs.observe(html, { attributes: true, attributeFilter: ['class'] })
    return () => obs.disconnect()
  }, [])
  return dark
}

const str = (v: string | number | null) => (v == null ? '' : String(v))

/** `YYYY-MM-DD` (daily) or `MM-DD HH:MM` (minutes), Asia/Shanghai. */
function when(iso: string, daily: boolean): string {
  const d = new Date(new Date(iso).getTime() + SHANGHAI_SEC * 1000).toISOString()
  return daily ? d.slice(0, 10) : `${d.slice(5, 10)} ${d.slice(11, 16)}`
}

export function ReplayPanel({ code, levels, quant, testId = 'replay-panel' }: { code: string; levels: ReplayLevelsInput; quant?: ReplayQuantInput | null; testId?: string }) {
  const t = useTranslations('replay')
  const locale = useLocale()
  const [range, setRange] = useState<(typeof RANGES)[number]>('60')
  const [bar, setBar] = useState<(typeof BARS)[number]>('day')
  const [source, setSource] = useState<(typeof SOURCES)[number]>('auto')
  const [start, setStart] = useState('')
  const [end, setEnd] = useState('')
  const [cash, setCash] = useState('100000')
  const [variants, setVariants] = useState<VariantRow[]>([])
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [view, setView] = useState<ReplayView | null>(null)
  const [selected, setSelected] = useState(0)
  const codeReady = COMPLETE_CODE.test(code)

  async function run() {
    setLoading(true)
    setError(null)
    try {
      const body = {
        code: code.trim(),
        entryLow: str(levels.entryLow),
        entryHigh: str(levels.entryHigh),
        takeProfit: str(levels.takeProfit),
        stopLoss: str(levels.stopLoss),
        trailingStopPct: str(levels.trailingStopPct),
        takeProfitPct: str(levels.takeProfitPct ?? null),
        stopLossPct: str(levels.stopLossPct ?? null),
        ...(quant ? { quant } : {}),
        source,
        range,
        ...(range === 'dates' ? { start, end } : {}),
        bar,
        cash,
        variants: variants.map((v, i) => ({ ...v, label: v.label.trim() || t('defaultVariant', { n: i + 1 }) })),
      }
      const v = await fetchJson<ReplayView>('/api/replay', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      setView(v)
      setSelected(0)
    } catch (e) {
      const err = e as Error & { body?: { fields?: Record<string, string[]> } }
      const fields = err.body?.fields ? Object.values(err.body.fields).flat().join('; ') : ''
      setError(t('failed', { message: fields || err.message }))
      setView(null)
    } finally {
      setLoading(false)
    }
  }

  const daily = view?.bar === 'day'
  const sel = view?.variants[selected] ?? null
  const setVariant = (i: number, patch: Partial<VariantRow>) => setVariants((vs) => vs.map((v, j) => (j === i ? { ...v, ...patch } : v)))

  return (
    <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-3 text-sm" data-testid={testId} aria-labelledby={`${testId}-title`}>
      <div>
        <h2 id={`${testId}-title`} className="font-semibold">
          {t('title')}
        </h2>
        <p className="text-xs text-slate-500">{t('intro')}</p>
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-600">{t('range')}</span>
          <select className="rounded border border-slate-300 px-2 py-1" value={range} onChange={(e) => setRange(e.target.value as (typeof RANGES)[number])} data-testid="replay-range">
            {RANGES.map((r) => (
              <option key={r} value={r}>
                {t(`ranges.${r}`)}
              </option>
            ))}
          </select>
        </label>
        {range === 'dates' && (
          <>
            <label className="flex flex-col gap-1">
              <span className="text-xs text-slate-600">{t('start')}</span>
              <input type="date" className="rounded border border-slate-300 px-2 py-1" value={start} onChange={(e) => setStart(e.target.value)} data-testid="replay-start" />
            </label>
            <label className="flex flex-col gap-1">
              <span className="text-xs text-slate-600">{t('end')}</span>
              <input type="date" className="rounded border border-slate-300 px-2 py-1" value={end} onChange={(e) => setEnd(e.target.value)} data-testid="replay-end" />
            </label>
          </>
        )}
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-600">{t('bar')}</span>
          <select className="rounded border border-slate-300 px-2 py-1" value={bar} onChange={(e) => setBar(e.target.value as (typeof BARS)[number])} data-testid="replay-bar">
            {BARS.map((b) => (
              <option key={b} value={b}>
                {t(`bars.${b}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-600">{t('source')}</span>
          <select
            className="rounded border border-slate-300 px-2 py-1"
            value={source}
            onChange={(e) => {
              const v = e.target.value as (typeof SOURCES)[number]
              setSource(v)
              // Stored bars are 1-minute bars of the last days: a short range and a minute size fit them.
              if (v === 'stored') {
                if (range !== 'dates') setRange('20')
                if (bar === 'day') setBar('m1')
              }
            }}
            data-testid="replay-source"
          >
            {SOURCES.map((x) => (
              <option key={x} value={x}>
                {t(`sources.${x}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-600">{t('cash')}</span>
          <input inputMode="numeric" className="w-32 rounded border border-slate-300 px-2 py-1 tabular" value={cash} onChange={(e) => setCash(e.target.value)} data-testid="replay-cash" />
        </label>
        <button type="button" className="rounded bg-slate-900 px-3 py-1.5 text-white disabled:opacity-50" onClick={run} disabled={loading || !codeReady} data-testid="replay-run">
          {t('run')}
        </button>
      </div>

      <fieldset className="space-y-2">
        <legend className="text-xs text-slate-600">
          {t('variants')} <span className="text-slate-500">{t('variantsHint')}</span>
        </legend>
        {variants.map((v, i) => (
          <div key={i} className="flex flex-wrap items-end gap-2" data-testid={`replay-variant-${i}`}>
            <input aria-label={t('variantLabel')} placeholder={t('defaultVariant', { n: i + 1 })} className="w-24 rounded border border-slate-300 px-2 py-1" value={v.label} onChange={(e) => setVariant(i, { label: e.target.value })} />
            {(['entryLow', 'entryHigh', 'takeProfit', 'stopLoss'] as const).map((k) => (
              <input key={k} aria-label={`${t('defaultVariant', { n: i + 1 })} ${k}`} placeholder={k === 'stopLoss' ? t('kind.STOP_LOSS') : k === 'takeProfit' ? t('kind.TAKE_PROFIT') : `${t('kind.ENTRY')} ${k === 'entryLow' ? '↓' : '↑'}`} className="w-24 rounded border border-slate-300 px-2 py-1 tabular" value={v[k]} onChange={(e) => setVariant(i, { [k]: e.target.value })} data-testid={`replay-variant-${i}-${k}`} />
            ))}
            <button type="button" className="text-xs text-slate-500 hover:underline" onClick={() => setVariants((vs) => vs.filter((_, j) => j !== i))}>
              {t('removeVariant')}
            </button>
          </div>
        ))}
        {variants.length < 4 && (
          <button type="button" className="text-xs text-sky-700 hover:underline" onClick={() => setVariants((vs) => [...vs, { label: '', entryLow: '', entryHigh: '', takeProfit: '', stopLoss: '' }])} data-testid="replay-add-variant">
            {t('addVariant')}
          </button>
        )}
      </fieldset>

      {source === 'stored' && view?.storedDays == null && (
        <p className="text-xs text-amber-800" data-testid="replay-stored-note">
          {t('storedNote', { days: STORED_BAR_DAYS })}
        </p>
      )}
      {!codeReady && <p className="text-xs text-slate-500">{t('needCode')}</p>}
      {loading && (
        <div role="status" aria-live="polite" data-testid="replay-progress" className="space-y-1">
          <p className="text-xs text-slate-600">{t('running')}</p>
          <div className="h-1 w-full overflow-hidden rounded bg-slate-100">
            <div className="h-1 w-1/3 animate-pulse rounded bg-sky-600" />
          </div>
        </div>
      )}
      {error && (
        <p role="alert" className="text-sm text-amber-800" data-testid="replay-error">
          {error}
        </p>
      )}

      {view && sel && (
        <div className="space-y-3" data-testid="replay-result">
          <p className={`text-xs ${view.adjust === 'none' ? 'text-amber-800' : 'text-slate-600'}`} data-testid="replay-adjust" data-adjust={view.adjust}>
            {view.adjust === 'none' ? t('unadjusted') : t('adjusted')}
          </p>
          <p className="text-xs text-slate-600" data-testid="replay-settings" data-applied={view.settingsApplied ? 'yes' : 'no'}>
            {view.settingsApplied ? t('settingsApplied') : t('settingsDefault')}
          </p>
          {view.storedDays != null && <p className="text-xs text-amber-800">{t('storedNote', { days: view.storedDays })}</p>}
          <p className="text-xs text-slate-500">
            {t('sourceLine', { source: (SOURCES as readonly string[]).includes(view.source) ? t(`sources.${view.source as (typeof SOURCES)[number]}`) : view.source, first: view.firstDay, last: view.lastDay, bars: view.barCount, days: view.tradingDays })}
            {view.chartMerge > 1 && ` ${t('merged', { n: view.chartMerge })}`}
          </p>

          <div className="overflow-x-auto">
            <table className="w-full text-left tabular" data-testid="replay-summary">
              <caption className="text-left font-semibold">{t('summary')}</caption>
              <thead className="text-xs text-slate-500">
                <tr>
                  <th className="py-1 pr-2">{t('col.variant')}</th>
                  <th className="pr-2">{t('col.firstFired')}</th>
                  <th className="pr-2">{t('col.trades')}</th>
                  <th className="pr-2">{t('col.pnl')}</th>
                  <th className="pr-2">{t('col.fees')}</th>
                  <th className="pr-2">{t('col.return')}</th>
                  <th className="pr-2">{t('col.drawdown')}</th>
                  <th className="pr-2">{t('col.open')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {view.variants.map((v, i) => (
                  <tr key={i} className={i === selected ? 'bg-sky-50' : ''} data-testid={`replay-summary-${i}`}>
                    <td className="py-1 pr-2">{v.label}</td>
                    <td className="pr-2" data-testid={`replay-first-${i}`}>
                      {v.result.firstFired ? t(`kind.${v.result.firstFired}`) : t('none')}
                      {v.result.firstExit && v.result.firstExit !== v.result.firstFired ? ` → ${t(`kind.${v.result.firstExit}`)}` : ''}
                    </td>
                    <td className="pr-2">{v.result.trades.length}</td>
                    <td className={`pr-2 ${trendClass(v.result.realisedPnl)}`}>{money(v.result.realisedPnl)}</td>
                    <td className="pr-2">{money(v.result.fees)}</td>
                    <td className={`pr-2 ${trendClass(v.result.returnPct)}`}>{v.result.returnPct.toFixed(2)}%</td>
                    <td className="pr-2" data-testid={`replay-drawdown-${i}`}>
                      {v.result.maxDrawdownPct.toFixed(2)}% ({money(v.result.maxDrawdownYuan)})
                    </td>
                    <td className="pr-2">{v.result.openPosition ? t('openPosition', { qty: v.result.openPosition.quantity, pnl: money(v.result.openPosition.unrealisedPnl) }) : t('none')}</td>
                    <td>
                      <button type="button" className="text-xs text-sky-700 hover:underline disabled:text-slate-400" disabled={i === selected} onClick={() => setSelected(i)}>
                        {t('show')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <ReplayChart view={view} variant={selected} label={t('chart', { variant: sel.label })} locale={locale} />

          <div className="overflow-x-auto">
            <h3 className="font-semibold">{t('trades', { variant: sel.label })}</h3>
            {sel.result.trades.length === 0 ? (
              <p className="text-xs text-slate-500" data-testid="replay-no-trades">
                {t('noTrades')}
              </p>
            ) : (
              <table className="w-full text-left tabular" data-testid="replay-trades">
                <thead className="text-xs text-slate-500">
                  <tr>
                    <th className="py-1 pr-2">{t('col.entryTime')}</th>
                    <th className="pr-2">{t('col.entryPrice')}</th>
                    <th className="pr-2">{t('col.exitTime')}</th>
                    <th className="pr-2">{t('col.exitPrice')}</th>
                    <th className="pr-2">{t('col.quantity')}</th>
                    <th className="pr-2">{t('col.exitKind')}</th>
                    <th className="pr-2">{t('col.fees')}</th>
                    <th className="pr-2">{t('col.pnl')}</th>
                    <th className="pr-2">{t('col.holdingDays')}</th>
                  </tr>
                </thead>
                <tbody>
                  {sel.result.trades.map((tr, i) => (
                    <tr key={i}>
                      <td className="py-1 pr-2">{when(tr.entryTime, daily)}</td>
                      <td className="pr-2">{formatPrice(view.code, tr.entryPrice)}</td>
                      <td className="pr-2">{when(tr.exitTime, daily)}</td>
                      <td className="pr-2">{formatPrice(view.code, tr.exitPrice)}</td>
                      <td className="pr-2">{tr.quantity}</td>
                      <td className="pr-2">{t(`kind.${tr.exitKind}`)}</td>
                      <td className="pr-2">{money(tr.fees)}</td>
                      <td className={`pr-2 ${trendClass(tr.pnl)}`}>
                        {money(tr.pnl)} ({tr.pnlPct.toFixed(2)}%)
                      </td>
                      <td className="pr-2">{tr.holdingDays}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
          <p className="text-xs text-slate-500">{t('rules')}</p>
        </div>
      )}
    </section>
  )
}

/** Candles with the selected variant's levels as price lines, triggers (arrows) and fills (dots) as markers. */
function ReplayChart({ view, variant, label, locale }: { view: ReplayView; variant: number; label: string; locale: string }) {
  const t = useTranslations('replay')
  const box = useRef<HTMLDivElement>(null)
  const chart = useRef<IChartApi | null>(null)
  const series = useRef<ISeriesApi<'Candlestick'> | null>(null)
  const markers = useRef<ISeriesMarkersPluginApi<Time> | null>(null)
  const decimals = priceDecimals(view.code)
  const daily = view.bar === 'day'
  const dark = useDarkTheme()
  const pal: Palette = dark ? PALETTE.dark : PALETTE.light

  useEffect(() => {
    if (!box.current) return
    const c = createChart(box.current, {
      autoSize: true,
      layout: { background: { color: PALETTE.light.bg }, textColor: PALETTE.light.text, fontSize: 12, attributionLogo: false },
      grid: { vertLines: { color: PALETTE.light.grid }, horzLines: { color: PALETTE.light.grid } },
      rightPriceScale: { borderColor: PALETTE.light.border },
      // Times are shifted to Asia/Shanghai wall time and shown as UTC.
      timeScale: { borderColor: PALETTE.light.border, timeVisible: !daily, secondsVisible: false },
      localization: { locale: locale === 'en' ? 'en-GB' : 'zh-CN' },
    })
    const s = c.addSeries(CandlestickSeries, {
      priceFormat: { type: 'price', precision: decimals, minMove: decimals === 3 ? 0.001 : 0.01 },
    })
    chart.current = c
    series.current = s
    markers.current = createSeriesMarkers(s, [])
    return () => {
      c.remove()
      chart.current = null
      series.current = null
      markers.current = null
    }
  }, [decimals, daily, locale])

  // Colours follow the theme without rebuilding the chart.
  useEffect(() => {
    chart.current?.applyOptions({
      layout: { background: { color: pal.bg }, textColor: pal.text },
      grid: { vertLines: { color: pal.grid }, horzLines: { color: pal.grid } },
      rightPriceScale: { borderColor: pal.border },
      timeScale: { borderColor: pal.border },
    })
    series.current?.applyOptions({ upColor: pal.up, downColor: pal.down, borderUpColor: pal.up, borderDownColor: pal.down, wickUpColor: pal.up, wickDownColor: pal.down })
    box.current?.setAttribute('data-theme', dark ? 'dark' : 'light')
  }, [pal, dark, decimals, daily, locale])

  const bars = useMemo(() => view.chart.map((b) => ({ time: (b.t + SHANGHAI_SEC) as UTCTimestamp, open: b.o, high: b.h, low: b.l, close: b.c })), [view])

  useEffect(() => {
    const s = series.current
    if (!s) return
    s.setData(bars)
    const v = view.variants[variant]
    if (!v) return
    for (const l of s.priceLines()) s.removePriceLine(l)
    const lv = v.levels
    const line = (price: number | null, title: string, color: string, dashed = false) => price != null && s.createPriceLine({ price, color, lineWidth: 1, lineStyle: dashed ? LineStyle.Dashed : LineStyle.Solid, axisLabelVisible: true, title })
    line(lv.takeProfit, t('kind.TAKE_PROFIT'), pal.up)
    line(lv.entryHigh, t('kind.ENTRY'), pal.entry, true)
    line(lv.entryLow, t('kind.ENTRY'), pal.entry, true)
    line(lv.stopLoss, t('kind.STOP_LOSS'), pal.down)
    // Each marker sits on the chart candle whose end is at or after its time.
    const ends = view.chart.map((b) => b.t)
    const snap = (iso: string): UTCTimestamp => {
      const sec = Math.floor(new Date(iso).getTime() / 1000)
      let lo = 0
      let hi = ends.length - 1
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (ends[mid]! >= sec) hi = mid
        else lo = mid + 1
      }
      return ((ends[lo] ?? sec) + SHANGHAI_SEC) as UTCTimestamp
    }
    const ms: SeriesMarker<Time>[] = [
      ...v.result.triggers.map((tr) => ({
        time: snap(tr.time),
        position: (tr.kind === 'ENTRY' ? 'belowBar' : 'aboveBar') as 'belowBar' | 'aboveBar',
        shape: (tr.kind === 'ENTRY' ? 'arrowUp' : 'arrowDown') as 'arrowUp' | 'arrowDown',
        color: tr.action === 'order' ? (tr.kind === 'ENTRY' ? pal.up : pal.down) : pal.notice,
        text: `${t(`kind.${tr.kind}`)} ${t(`action.${tr.action}`)}`,
      })),
      ...v.result.fills.map((f) => ({
        time: snap(f.time),
        position: 'inBar' as const,
        shape: 'circle' as const,
        color: f.side === 'buy' ? pal.up : pal.down,
        text: `${f.side === 'buy' ? 'B' : 'S'} ${f.price.toFixed(decimals)}`,
      })),
    ].sort((a, b) => Number(a.time) - Number(b.time))
    markers.current?.setMarkers(ms)
    box.current?.setAttribute('data-markers', String(ms.length))
    box.current?.setAttribute('data-bars', String(bars.length))
    chart.current?.timeScale().fitContent()
  }, [bars, view, variant, decimals, t, pal])

  return <div ref={box} role="img" aria-label={label} data-testid="replay-chart" className="h-72 w-full sm:h-80" />
}
