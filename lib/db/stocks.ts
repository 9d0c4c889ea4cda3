/**
 * Monitored stocks and their quant config. Every query is scoped to the owner; writes by the
 * user bump `version` (the worker writes state columns only and never bumps it) and are
 * audit-logged with before/after.
 */
import { toMilli } from '@/lib/market'
import type { StockInput } from '@/lib/schemas/stock'
import { ConflictError, NotFoundError, ValidationError } from '@/lib/errors'
import { getDb } from './client'
import { isUniqueViolation, writeTx, type Tx } from './tx'
import { writeAudit } from './audit'

const withConfig = { quantConfig: true } as const

function activeKey(userId: number, code: string) {
  return `${userId}:${code}`
}

function toBp(ratio: number): number {
  return Math.round(ratio * 10_000)
}

function levelColumns(input: StockInput) {
  return {
    name: input.name,
    entryLowMilli: toMilli(input.entryLow),
    entryHighMilli: toMilli(input.entryHigh),
    takeProfitMilli: toMilli(input.takeProfit),
    stopLossMilli: toMilli(input.stopLoss),
    trailingStopBp: input.trailingStopPct == null ? null : toBp(input.trailingStopPct),
    enabled: input.enabled,
    notes: input.notes,
  }
}

function quantColumns(q: StockInput['quant']) {
  return {
    autoTrade: q.autoTrade,
    maxPositionBp: toBp(q.maxPositionPct),
    autoStopLoss: q.autoStopLoss,
    autoTakeProfit: q.autoTakeProfit,
    minTradeAmountYuan: q.minTradeAmount,
    entryPriceMode: q.entryPriceMode,
    entryOffsetTicks: q.entryOffsetTicks,
    exitPriceMode: q.exitPriceMode,
    exitOffsetTicks: q.exitOffsetTicks,
    stopLossPriceMode: q.stopLossPriceMode,
    stopLossOffsetTicks: q.stopLossOffsetTicks,
    unfilledTimeoutSec: q.unfilledTimeoutSec,
    maxReprices: q.maxReprices,
    allowAuctions: q.allowAuctions,
    antiSpikeCount: q.antiSpikeCount,
    hysteresisBp: toBp(q.hysteresisPct),
    renotifyCooldownSec: q.renotifyCooldownSec,
  }
}

export type StockRow = NonNullable<Awaited<ReturnType<typeof findStock>>>

function findStock(tx: Tx | ReturnType<typeof getDb>, userId: number, id: number) {
  return tx.monitoredStock.findFirst({ where: { id, userId }, include: withConfig })
}

export async function getStockForUser(userId: number, id: number): Promise<StockRow> {
  const row = await findStock(getDb(), userId, id)
  if (!row) throw new NotFoundError('stock.notFound')
  return row
}

export function listStocksForUser(userId: number, opts: { archived?: boolean } = {}) {
  return getDb().monitoredStock.findMany({
    where: { userId, archivedAt: opts.archived ? { not: null } : null },
    include: withConfig,
    orderBy: [{ createdAt: 'desc' }],
  })
}

export async function createStock(userId: number, input: StockInput): Promise<StockRow> {
  try {
    return await writeTx(getDb(), async (tx) => {
      const stock = await tx.monitoredStock.create({
        data: {
          userId,
          code: input.code,
          activeKey: activeKey(userId, input.code),
          ...levelColumns(input),
          quantConfig: { create: quantColumns(input.quant) },
        },
        include: withConfig,
      })
      await writeAudit(tx, { actorId: userId, actor: `user:${userId}`, action: 'stock.create', entity: 'MonitoredStock', entityId: stock.id, after: stock })
      return stock
    })
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError('stock.duplicate', { code: input.code })
    throw e
  }
}

export async function updateStock(userId: number, id: number, input: StockInput): Promise<StockRow> {
  return writeTx(getDb(), async (tx) => {
    const before = await findStock(tx, userId, id)
    if (!before) throw new NotFoundError('stock.notFound')
    if (before.archivedAt) throw new ConflictError('stock.archived')
    // The code identifies the history (triggers, orders); a different stock is a new monitor.
    if (before.code !== input.code) throw new ValidationError({ code: ['stock.codeImmutable'] })
    const after = await tx.monitoredStock.update({
      where: { id },
      data: { ...levelColumns(input), version: { increment: 1 }, quantConfig: { update: quantColumns(input.quant) } },
      include: withConfig,
    })
    await writeAudit(tx, { actorId: userId, actor: `user:${userId}`, action: 'stock.update', entity: 'MonitoredStock', entityId: id, before, after })
    return after
  })
}

export async function setAutoTrade(userId: number, id: number, autoTrade: boolean): Promise<StockRow> {
  return writeTx(getDb(), async (tx) => {
    const before = await findStock(tx, userId, id)
    if (!before) throw new NotFoundError('stock.notFound')
    if (before.archivedAt) throw new ConflictError('stock.archived')
    const after = await tx.monitoredStock.update({
      where: { id },
      data: { version: { increment: 1 }, quantConfig: { update: { autoTrade } } },
      include: withConfig,
    })
    await writeAudit(tx, {
      actorId: userId,
      actor: `user:${userId}`,
      action: 'stock.autoTrade',
      entity: 'MonitoredStock',
      entityId: id,
      before: { autoTrade: before.quantConfig?.autoTrade ?? false },
      after: { autoTrade },
    })
    return after
  })
}

/** Soft delete: history (triggers, orders, notifications) stays; a live order blocks it. */
export async function archiveStock(userId: number, id: number): Promise<StockRow> {
  return writeTx(getDb(), async (tx) => {
    const before = await findStock(tx, userId, id)
    if (!before) throw new NotFoundError('stock.notFound')
    if (before.archivedAt) return before
    const live = await tx.order.count({ where: { stockId: id, activeKey: { not: null } } })
    if (live > 0) throw new ConflictError('stock.archiveOpenOrders', { count: live })
    const after = await tx.monitoredStock.update({
      where: { id },
      data: { archivedAt: new Date(), activeKey: null, enabled: false, version: { increment: 1 } },
      include: withConfig,
    })
    await writeAudit(tx, { actorId: userId, actor: `user:${userId}`, action: 'stock.archive', entity: 'MonitoredStock', entityId: id, before, after })
    return after
  })
}

/**
 * Adds many monitors at once (imports, benchmarks): two statements instead of one transaction per
 * row. Codes already live for the user are refused by the unique active key, like createStock.
 */
export async function createStocksBulk(userId: number, inputs: StockInput[]): Promise<number> {
  return writeTx(getDb(), async (tx) => {
    const stocks = await tx.monitoredStock.createManyAndReturn({
      data: inputs.map((input) => ({ userId, code: input.code, activeKey: activeKey(userId, input.code), ...levelColumns(input) })),
      select: { id: true, code: true },
    })
    const byCode = new Map(inputs.map((i) => [i.code, i]))
    await tx.quantConfig.createMany({ data: stocks.map((s) => ({ stockId: s.id, ...quantColumns(byCode.get(s.code)!.quant) })) })
    await writeAudit(tx, { actorId: userId, actor: `user:${userId}`, action: 'stock.bulkCreate', entity: 'MonitoredStock', after: { count: stocks.length } })
    return stocks.length
  }, { timeoutMs: 120_000 })
}

/**
 * A cheap fingerprint of a user's list: changes whenever a row is added, edited (version), moved
 * by the worker (updatedAt) or archived.
 */
export async function stocksStamp(userId: number, archived: boolean): Promise<string> {
  const agg = await getDb().monitoredStock.aggregate({
    where: { userId, archivedAt: archived ? { not: null } : null },
    _count: { _all: true },
    _sum: { version: true },
    _max: { updatedAt: true, id: true },
  })
  return `${agg._count._all}|${agg._sum.version ?? 0}|${agg._max.updatedAt?.getTime() ?? 0}|${agg._max.id ?? 0}`
}
