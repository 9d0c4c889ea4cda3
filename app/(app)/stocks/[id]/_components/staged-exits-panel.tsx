'use client'
/**
 * The detail page's staged-exit panel (issue 14): the take-profit's exit quantity, the tranches
 * (level, share of the position, done or next) for the position held, and the breakeven stop —
 * configured, waiting, or active at its level (cost plus the fees of both sides).
 */
import { useTranslations } from 'next-intl'
import { formatPrice } from '@/lib/format'
import type { StockView } from '@/lib/services/views/stock-view'

const pct = (f: number) => `${Math.round(f * 10_000) / 100}%`

export function StagedExitsPanel({ code, takeProfit, takeProfitPct, exits }: { code: string; takeProfit: number; takeProfitPct: number | null; exits: StockView['exits'] }) {
  const t = useTranslations('detail.exits')
  if (exits.exitQtyMode === 'ALL' && exits.tranches.length === 0 && !exits.breakevenStop) return null
  const firstQty = exits.exitQtyMode === 'PCT' ? pct(exits.exitQty / 10_000) : exits.exitQtyMode === 'SHARES' ? t('shares', { n: exits.exitQty }) : t('all')
  const rows = [
    { level: takeProfit, ofCost: takeProfitPct, qty: firstQty },
    ...exits.tranches.map((x) => ({ level: x.level, ofCost: x.pct, qty: pct(x.share) })),
  ]
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" data-testid="detail-staged-exits">
      <h2 className="text-sm font-semibold">{t('title')}</h2>
      <ol className="mt-2 space-y-1 text-sm">
        {rows.map((r, i) => (
          <li key={i} data-testid={`detail-tranche-${i + 1}`}>
            {t('tranche', { n: i + 1, level: r.level == null ? '—' : formatPrice(code, r.level), ofCost: r.ofCost == null ? '' : ` (+${pct(r.ofCost)})`, qty: r.qty })}{' '}
            <span className="text-xs text-slate-500">{i < exits.tranchesDone ? t('done') : i === exits.tranchesDone && exits.baseQty != null ? t('next') : ''}</span>
          </li>
        ))}
      </ol>
      <p className="mt-1 text-xs text-slate-500">{exits.baseQty != null ? t('base', { n: exits.baseQty }) : t('stopsSellAll')}</p>
      {exits.breakevenStop && (
        <p className="mt-2 text-sm" data-testid="detail-breakeven">
          {exits.breakevenLevel != null
            ? t('breakevenActive', { level: formatPrice(code, exits.breakevenLevel) })
            : t('breakevenWaiting', { gain: exits.breakevenGainPct == null ? '' : t('breakevenGain', { pct: pct(exits.breakevenGainPct) }) })}
        </p>
      )}
    </section>
  )
}
