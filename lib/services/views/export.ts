/**
 * Export of the user's own orders, fills, notifications and realised P&L for a range of
 * Asia/Shanghai days, as CSV (UTF-8 with a BOM, so Excel opens Chinese text correctly; CRLF lines;
 * text cells that a spreadsheet would run as a formula are prefixed with ') or JSON. Headers are in
 * the user's language; times are Asia/Shanghai `YYYY-MM-DD HH:MM:SS` in CSV and ISO-8601 in JSON.
 */
import { fromMilli, shanghaiTime } from '@/lib/market'
import { EXPORT_ROW_LIMIT, exportFills, exportNotifications, exportOrders } from '@/lib/db/export'
import { ValidationError } from '@/lib/errors'
import type { Locale } from '@/lib/i18n/config'
import { translator } from '@/lib/i18n/translator'
import type { ExportQuery } from '@/lib/schemas/pnl'
import { pnlReport } from './pnl-view'

type Cell = string | number | null | undefined | Date
type Row = Record<string, Cell>

export interface ExportFile {
  filename: string
  contentType: string
  body: Uint8Array
  rows: number
}

const COLUMNS = {
  orders: ['id', 'marketAt', 'createdAt', 'triggeredAt', 'code', 'name', 'side', 'trigger', 'quantity', 'priceType', 'limitPrice', 'status', 'filledQuantity', 'avgFillPrice', 'filledAmount', 'estFees', 'clientOrderId', 'bridgeOrderId', 'message', 'terminalAt'],
  fills: ['fillId', 'tradedAt', 'orderId', 'code', 'name', 'side', 'price', 'quantity', 'amount', 'tradedId', 'clientOrderId'],
  notifications: ['id', 'marketAt', 'createdAt', 'type', 'severity', 'code', 'name', 'title', 'body', 'readAt'],
  pnl: ['tradedAt', 'day', 'code', 'name', 'roundTrip', 'quantity', 'unpricedQty', 'proceeds', 'cost', 'fees', 'pnl', 'costSource', 'orderId', 'fillId'],
} as const

/** `YYYY-MM-DD HH:MM:SS` in Asia/Shanghai. */
export function shanghaiStamp(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')
}

const y = (m: number | bigint | null | undefined) => (m == null ? null : fromMilli(Number(m)))

function csvCell(v: Cell): string {
  if (v == null) return ''
  if (v instanceof Date) return shanghaiStamp(v)
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : ''
  // A text starting with = + - @ (or a tab/CR) would be run as a formula by a spreadsheet.
  let s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v
  if (/[",\r\n]/.test(s)) s = `"${s.replace(/"/g, '""')}"`
  return s
}

export function toCsv(header: string[], keys: readonly string[], rows: Row[]): Uint8Array {
  const lines = [header.map(csvCell).join(',')]
  for (const r of rows) lines.push(keys.map((k) => csvCell(r[k])).join(','))
  const text = `\uFEFF${lines.join('\r\n')}\r\n`
  return new TextEncoder().encode(text)
}

function jsonValue(v: Cell): unknown {
  return v instanceof Date ? v.toISOString() : v
}

function tooMany(n: number) {
  if (n > EXPORT_ROW_LIMIT) throw new ValidationError({ to: ['date.tooManyRows'] })
}

async function rowsOf(userId: number, q: ExportQuery, locale: Locale): Promise<{ rows: Row[]; extra?: unknown }> {
  const from = shanghaiTime(q.from, '00:00')
  const to = new Date(shanghaiTime(q.to, '00:00').getTime() + 86_400_000)
  const t = translator(locale)
  const side = (s: string) => t(`pnl.export.side.${s}` as never)
  if (q.kind === 'orders') {
    const list = await exportOrders(userId, from, to)
    tooMany(list.length)
    return {
      rows: list.map((o) => ({
        id: o.id,
        marketAt: o.marketAt ?? o.createdAt,
        createdAt: o.createdAt,
        triggeredAt: o.triggerEvent.quoteTime,
        code: o.code,
        name: o.stock.name,
        side: side(o.side),
        trigger: o.triggerEvent.kind,
        quantity: o.quantity,
        priceType: o.priceType,
        limitPrice: y(o.limitPriceMilli),
        status: o.status,
        filledQuantity: o.filledQuantity,
        avgFillPrice: y(o.avgFillPriceMilli),
        filledAmount: y(o.filledAmountMilli),
        estFees: y(o.estFeesMilli),
        clientOrderId: o.clientOrderId,
        bridgeOrderId: o.bridgeOrderId,
        message: o.errorMessage ?? o.statusMsg,
        terminalAt: o.terminalAt,
      })),
    }
  }
  if (q.kind === 'fills') {
    const list = await exportFills(userId, from, to)
    tooMany(list.length)
    return {
      rows: list.map((f) => ({
        fillId: f.id,
        tradedAt: f.tradedAt,
        orderId: f.orderId,
        code: f.order.code,
        name: f.order.stock.name,
        side: side(f.order.side),
        price: y(f.priceMilli),
        quantity: f.quantity,
        amount: y(f.amountMilli),
        tradedId: f.tradedId,
        clientOrderId: f.order.clientOrderId,
      })),
    }
  }
  if (q.kind === 'notifications') {
    const list = await exportNotifications(userId, from, to)
    tooMany(list.length)
    return {
      rows: list.map((n) => ({ id: n.id, marketAt: n.marketAt ?? n.createdAt, createdAt: n.createdAt, type: n.type, severity: n.severity, code: n.stock?.code ?? null, name: n.stock?.name ?? null, title: n.title, body: n.body, readAt: n.readAt })),
    }
  }
  const report = await pnlReport(userId, { from: q.from, to: q.to }, { today: q.to })
  tooMany(report.exits.length)
  return {
    rows: report.exits.map((p) => ({
      tradedAt: new Date(p.tradedAt),
      day: p.day,
      code: p.code,
      name: p.name,
      roundTrip: p.roundTrip,
      quantity: p.quantity,
      unpricedQty: p.unpricedQty,
      proceeds: p.proceeds,
      cost: p.cost,
      fees: p.fees,
      pnl: p.pnl,
      costSource: t(`pnl.export.costSource.${p.costSource}` as never),
      orderId: p.orderId,
      fillId: p.fillId,
    })),
    extra: { total: report.total, byMonth: report.byMonth, byDay: report.byDay, byStock: report.byStock, roundTrips: report.roundTrips, fees: report.fees },
  }
}

export async function buildExport(userId: number, q: ExportQuery, locale: Locale): Promise<ExportFile> {
  const { rows, extra } = await rowsOf(userId, q, locale)
  const keys = COLUMNS[q.kind]
  const base = `dingpan-${q.kind}-${q.from}_${q.to}`
  if (q.format === 'json') {
    const doc = {
      kind: q.kind,
      from: q.from,
      to: q.to,
      timeZone: 'Asia/Shanghai',
      generatedAt: new Date().toISOString(),
      rows: rows.map((r) => Object.fromEntries(keys.map((k) => [k, jsonValue(r[k])]))),
      ...(extra ? { summary: extra } : {}),
    }
    return { filename: `${base}.json`, contentType: 'application/json; charset=utf-8', body: new TextEncoder().encode(JSON.stringify(doc, null, 2)), rows: rows.length }
  }
  const t = translator(locale)
  const header = keys.map((k) => t(`pnl.export.columns.${k}` as never))
  return { filename: `${base}.csv`, contentType: 'text/csv; charset=utf-8', body: toCsv(header, keys, rows), rows: rows.length }
}
