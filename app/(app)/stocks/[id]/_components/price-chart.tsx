'use client'
/**
 * Intraday chart (TradingView lightweight-charts v5): one-minute closes as a line, and one horizontal
 * price line per level (entry zone low/high, take-profit, stop-loss, trailing stop). The price scale
 * always includes every level, so a line is never off-screen. Times are shown in Asia/Shanghai.
 * The container carries `data-price-lines` (read back from the chart's own price lines) and
 * `data-bars`, so tests can check what was actually drawn.
 */
import { useEffect, useRef } from 'react'
import { useLocale } from 'next-intl'
import { createChart, LineSeries, LineStyle, type IChartApi, type IPriceLine, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts'
import { clockTime } from '@/app/_components/live/fmt'

export interface ChartLevel {
  key: string
  title: string
  price: number
  color: string
  dashed?: boolean
}

export interface ChartBar {
  t: number
  c: number
}

export function PriceChart({ bars, levels, decimals, label }: { bars: ChartBar[]; levels: ChartLevel[]; decimals: number; label: string }) {
  const locale = useLocale()
  const box = useRef<HTMLDivElement>(null)
  const chart = useRef<IChartApi | null>(null)
  const series = useRef<ISeriesApi<'Line'> | null>(null)
  const lines = useRef<IPriceLine[]>([])
  const levelPrices = useRef<number[]>([])

  useEffect(() => {
    if (!box.current) return
    const c = createChart(box.current, {
      autoSize: true,
      layout: { background: { color: '#ffffff' }, textColor: '#334155', fontSize: 12, attributionLogo: false },
      grid: { vertLines: { color: '#f1f5f9' }, horzLines: { color: '#f1f5f9' } },
      rightPriceScale: { borderColor: '#e2e8f0' },
      // Room right of the last bar and a label length that fits HH:MM: no tick label is cut at the price scale ("10:2").
      timeScale: { borderColor: '#e2e8f0', timeVisible: true, secondsVisible: false, rightOffset: 4, tickMarkMaxCharacterLength: 6, tickMarkFormatter: (t: unknown) => clockTime(new Date(Number(t) * 1000), locale, false) },
      localization: { locale: locale === 'en' ? 'en-GB' : 'zh-CN', timeFormatter: (t: unknown) => clockTime(new Date(Number(t) * 1000), locale, false) },
    })
    const s = c.addSeries(LineSeries, {
      color: '#0f172a',
      lineWidth: 2,
      priceFormat: { type: 'price', precision: decimals, minMove: decimals === 3 ? 0.001 : 0.01 },
      // Keep every level in view, not only the traded range.
      autoscaleInfoProvider: (original: () => { priceRange: { minValue: number; maxValue: number } } | null) => {
        const res = original()
        const ps = levelPrices.current
        if (ps.length === 0) return res
        const lo = Math.min(...ps, res?.priceRange.minValue ?? Infinity)
        const hi = Math.max(...ps, res?.priceRange.maxValue ?? -Infinity)
        const pad = (hi - lo) * 0.05 || hi * 0.01
        return { priceRange: { minValue: lo - pad, maxValue: hi + pad } }
      },
    })
    chart.current = c
    series.current = s
    return () => {
      c.remove()
      chart.current = null
      series.current = null
      lines.current = []
    }
  }, [decimals, locale])

  useEffect(() => {
    const s = series.current
    if (!s) return
    s.setData(bars.map((b) => ({ time: b.t as UTCTimestamp, value: b.c })))
    box.current?.setAttribute('data-bars', String(bars.length))
  }, [bars, decimals, locale])

  useEffect(() => {
    const s = series.current
    if (!s) return
    for (const l of lines.current) s.removePriceLine(l)
    levelPrices.current = levels.map((l) => l.price)
    lines.current = levels.map((l) =>
      s.createPriceLine({ price: l.price, color: l.color, lineWidth: 2, lineStyle: l.dashed ? LineStyle.Dashed : LineStyle.Solid, axisLabelVisible: true, title: l.title }),
    )
    const drawn = lines.current.map((l) => ({ title: l.options().title, price: l.options().price }))
    box.current?.setAttribute('data-price-lines', JSON.stringify(drawn))
    chart.current?.priceScale('right').applyOptions({ autoScale: true })
    chart.current?.timeScale().fitContent()
  }, [levels, bars, decimals, locale])

  return <div ref={box} role="img" aria-label={label} data-testid="price-chart" className="h-72 w-full sm:h-80" />
}
