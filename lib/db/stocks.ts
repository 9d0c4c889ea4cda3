/**
 * Monitored stocks and their quant config. Every query is scoped to the owner; writes by the
 * user bump `version` (the worker writes state columns only and never bumps it) and are
 * audit-logged with before/after.
 */
import { defaultBrokerAccountId } from './broker-accounts'
import { defaultAccountForUser, monitorAccountAccess } from './account-scope'
import { lastDayOfTradingDays, shanghaiDate, toMilli } from '@/lib/market'
import type { StockInput } from '@/lib/schemas/stock'
import { ConflictError, NotFoundError, ValidationError } from '@/lib/errors'
import { getDb } from './client'
import { isUniqueViolation, writeTx, type Tx } from './tx'
import { writeAudit } from './audit'

const withConfig = { quantConfig: true } as const

/** userId:accountId:code while not archived: one live monitor per user, account and code. */
function activeKey(userId: number, accountId: number, code: string) {
  return `${userId}:${accountId}:${code}`
}

/**
 * accountId:code while the monitor auto-trades and is not archived, NULL otherwise: at most one
 * auto-trading monitor manages a position's shares on an account (a unique index).
 */
function positionKey(accountId: number, code: string, autoTrade: boolean, archived = false): string | null {
  return autoTrade && !archived ? `${accountId}:${code}` : null
}

/** Refuses an account the user cannot use (or a disabled one), and auto-trade on a read-only share. */
async function checkAccount(tx: Tx, userId: number, accountId: number, autoTrade: boolean, autoTradeField = 'quant.autoTrade'): Promise<void> {
  const access = await monitorAccountAccess(userId, accountId, tx)
  if (!access) throw new ValidationError({ brokerAccountId: ['stock.accountNotUsable'] }, 'stock.accountNotUsable')
  if (autoTrade && access === 'read') throw new ValidationError({ [autoTradeField]: ['stock.accountReadOnly'] }, 'stock.accountReadOnly')
}

/**
 * Refuses a second auto-trading monitor on the same account and code. Whose monitor holds the
 * position is not said: it may belong to another user.
 */
async function checkPosition(tx: Tx, key: string | null, selfId: number | null, field = 'quant.autoTrade'): Promise<void> {
  if (!key) return
  const other = await tx.monitoredStock.findFirst({ where: { positionKey: key, ...(selfId === null ? {} : { id: { not: selfId } }) }, select: { id: true } })
  if (other) throw new ValidationError({ [field]: ['stock.positionTaken'] }, 'stock.positionTaken')
}

/** Refuses a second live monitor of the same code on the same account for the user. */
async function checkActive(tx: Tx, key: string, selfId: number | null, code: string): Promise<void> {
  const other = await tx.monitoredStock.findFirst({ where: { activeKey: key, ...(selfId === null ? {} : { id: { not: selfId } }) }, select: { id: true } })
  if (other) throw new ConflictError('stock.duplicate', { code })
}

/** A unique violation that slipped past the checks (a concurrent writer): which key it hit. */
function uniqueError(e: unknown, code: string, field = 'quant.autoTrade') {
  const text = `${(e as Error).message ?? ''} ${JSON.stringify((e as { meta?: unknown }).meta ?? {})}`
  if (text.includes('positionKey')) return new ValidationError({ [field]: ['stock.positionTaken'] }, 'stock.positionTaken')
  return new ConflictError('stock.duplicate', { code })
}

const HELD_STATES = new Set(['ENTRY_PENDING', 'HOLDING', 'EXIT_PENDING'])

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
    takeProfitBp: input.takeProfitPct == null ? null : toBp(input.takeProfitPct),
    stopLossBp: input.stopLossPct == null ? null : toBp(input.stopLossPct),
    // Staged exits and the breakeven stop (issue 14).
    ...input.stagedExits,
    breakevenStop: input.breakevenStop,
    breakevenGainBp: input.breakevenGainPct == null ? null : toBp(input.breakevenGainPct),
    // N trading days count from the day the monitor is saved (Asia/Shanghai), resolved to its last day.
    validUntilDay: input.validUntil ?? (input.validTradingDays == null ? null : lastDayOfTradingDays(shanghaiDate(new Date()), input.validTradingDays)),
    validTradingDays: input.validTradingDays,
    entryWindowStartMin: input.entryWindowStart,
    entryWindowEndMin: input.entryWindowEnd,
    // Rebound entry and re-arm policy (issue 14); a rebound size is kept only for REBOUND, a cooldown only for COOLDOWN.
    entryTrigger: input.entryTrigger,
    reboundBp: input.entryTrigger === 'REBOUND' && input.reboundPct != null ? toBp(input.reboundPct) : null,
    reboundTicks: input.entryTrigger === 'REBOUND' ? input.reboundTicks : null,
    rearmPolicy: input.rearmPolicy,
    rearmCooldownMin: input.rearmPolicy === 'COOLDOWN' ? input.rearmCooldownMin : null,
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
    entryQtyMode: q.entryQtyMode,
    entryQty: q.entryQtyMode === 'PCT_ASSETS' ? 0 : q.entryQty,
    // The take-profit's exit quantity: bp of the position, or shares.
    exitQtyMode: q.exitQtyMode,
    exitQty: q.exitQtyMode === 'PCT' ? toBp(q.exitPct ?? 0) : q.exitQtyMode === 'SHARES' ? (q.exitShares ?? 0) : 0,
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
      const brokerAccountId = input.brokerAccountId ?? (await defaultAccountForUser(userId, tx))
      await checkAccount(tx, userId, brokerAccountId, input.quant.autoTrade)
      const aKey = activeKey(userId, brokerAccountId, input.code)
      await checkActive(tx, aKey, null, input.code)
      const pKey = positionKey(brokerAccountId, input.code, input.quant.autoTrade)
      await checkPosition(tx, pKey, null)
      const stock = await tx.monitoredStock.create({
        data: {
          userId,
          brokerAccountId,
          code: input.code,
          activeKey: aKey,
          positionKey: pKey,
          ...levelColumns(input),
          quantConfig: { create: quantColumns(input.quant) },
        },
        include: withConfig,
      })
      await writeAudit(tx, { actorId: userId, actor: `user:${userId}`, action: 'stock.create', entity: 'MonitoredStock', entityId: stock.id, after: stock })
      return stock
    })
  } catch (e) {
    if (isUniqueViolation(e)) throw uniqueError(e, input.code)
    throw e
  }
}

export async function updateStock(userId: number, id: number, input: StockInput): Promise<StockRow> {
  try {
    return await writeTx(getDb(), async (tx) => {
      const before = await findStock(tx, userId, id)
      if (!before) throw new NotFoundError('stock.notFound')
      if (before.archivedAt) throw new ConflictError('stock.archived')
      // The code identifies the history (triggers, orders); a different stock is a new monitor.
      if (before.code !== input.code) throw new ValidationError({ code: ['stock.codeImmutable'] })
      const current = before.brokerAccountId ?? (await defaultBrokerAccountId(tx))
      // Absent = the account it is on; a move is refused while it holds shares or has an order open.
      const brokerAccountId = input.brokerAccountId ?? current
      if (brokerAccountId !== current) {
        const open = await tx.order.count({ where: { stockId: id, activeKey: { not: null } } })
        if (open > 0 || before.positionQty > 0 || HELD_STATES.has(before.state)) {
          throw new ValidationError({ brokerAccountId: ['stock.accountChangeHeld'] }, 'stock.accountChangeHeld')
        }
      }
      // An unchanged account is checked only when the monitor trades on it (access may have been taken away).
      if (brokerAccountId !== current || input.quant.autoTrade) await checkAccount(tx, userId, brokerAccountId, input.quant.autoTrade)
      const aKey = activeKey(userId, brokerAccountId, input.code)
      await checkActive(tx, aKey, id, input.code)
      const pKey = positionKey(brokerAccountId, input.code, input.quant.autoTrade)
      await checkPosition(tx, pKey, id)
      const after = await tx.monitoredStock.update({
        where: { id },
        data: {
          ...levelColumns(input),
          brokerAccountId,
          activeKey: aKey,
          positionKey: pKey,
          version: { increment: 1 },
          quantConfig: { update: quantColumns(input.quant) },
        },
        include: withConfig,
      })
      await writeAudit(tx, { actorId: userId, actor: `user:${userId}`, action: 'stock.update', entity: 'MonitoredStock', entityId: id, before, after })
      return after
    })
  } catch (e) {
    if (isUniqueViolation(e)) throw uniqueError(e, input.code)
    throw e
  }
}

export async function setAutoTrade(userId: number, id: number, autoTrade: boolean): Promise<StockRow> {
  try {
    return await setAutoTradeTx(userId, id, autoTrade)
  } catch (e) {
    if (isUniqueViolation(e)) throw uniqueError(e, '', 'autoTrade')
    throw e
  }
}

async function setAutoTradeTx(userId: number, id: number, autoTrade: boolean): Promise<StockRow> {
  return writeTx(getDb(), async (tx) => {
    const before = await findStock(tx, userId, id)
    if (!before) throw new NotFoundError('stock.notFound')
    if (before.archivedAt) throw new ConflictError('stock.archived')
    const accountId = before.brokerAccountId ?? (await defaultBrokerAccountId(tx))
    if (autoTrade) await checkAccount(tx, userId, accountId, true, 'autoTrade')
    const pKey = positionKey(accountId, before.code, autoTrade)
    await checkPosition(tx, pKey, id, 'autoTrade')
    const after = await tx.monitoredStock.update({
      where: { id },
      data: { version: { increment: 1 }, positionKey: pKey, quantConfig: { update: { autoTrade } } },
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
      data: { archivedAt: new Date(), activeKey: null, positionKey: null, enabled: false, version: { increment: 1 } },
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
    const fallback = await defaultAccountForUser(userId, tx)
    const accountIds = inputs.map((i) => i.brokerAccountId ?? fallback)
    // Every account checked once (and once more with auto-trade), before anything is written.
    const checked = new Set<string>()
    for (const [i, input] of inputs.entries()) {
      const k = `${accountIds[i]}:${input.quant.autoTrade}`
      if (checked.has(k)) continue
      checked.add(k)
      try {
        await checkAccount(tx, userId, accountIds[i], input.quant.autoTrade)
      } catch (e) {
        if (e instanceof ValidationError) throw new ValidationError(Object.fromEntries(Object.entries(e.fields).map(([f, m]) => [`rows.${i}.${f}`, m])), e.message)
        throw e
      }
    }
    const pKeys = inputs.map((input, i) => positionKey(accountIds[i], input.code, input.quant.autoTrade))
    const wanted = pKeys.filter((k): k is string => k !== null)
    const taken = new Set((await tx.monitoredStock.findMany({ where: { positionKey: { in: wanted } }, select: { positionKey: true } })).map((r) => r.positionKey))
    const seen = new Set<string>()
    const fields: Record<string, string[]> = {}
    pKeys.forEach((k, i) => {
      if (k === null) return
      if (taken.has(k) || seen.has(k)) fields[`rows.${i}.quant.autoTrade`] = ['stock.positionTaken']
      seen.add(k)
    })
    if (Object.keys(fields).length) throw new ValidationError(fields, 'stock.positionTaken')
    const stocks = await tx.monitoredStock.createManyAndReturn({
      data: inputs.map((input, i) => ({
        userId,
        brokerAccountId: accountIds[i],
        code: input.code,
        activeKey: activeKey(userId, accountIds[i], input.code),
        positionKey: pKeys[i],
        ...levelColumns(input),
      })),
      select: { id: true, activeKey: true },
    })
    const byKey = new Map(inputs.map((input, i) => [activeKey(userId, accountIds[i], input.code), input]))
    await tx.quantConfig.createMany({ data: stocks.map((s) => ({ stockId: s.id, ...quantColumns(byKey.get(s.activeKey!)!.quant) })) })
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

/**
 * Restores an archived monitor to the live list. It comes back not monitoring (disabled) and with
 * auto-trade off: the trader reviews the levels and switches it on again. Refused while another
 * live monitor of the same code exists (the unique active key).
 */
export async function unarchiveStock(userId: number, id: number): Promise<StockRow> {
  try {
    return await writeTx(getDb(), async (tx) => {
      const before = await findStock(tx, userId, id)
      if (!before) throw new NotFoundError('stock.notFound')
      if (!before.archivedAt) return before
      const after = await tx.monitoredStock.update({
        where: { id },
        data: {
          archivedAt: null,
          activeKey: activeKey(userId, before.brokerAccountId ?? (await defaultBrokerAccountId(tx)), before.code),
          positionKey: null,
          enabled: false,
          version: { increment: 1 },
          ...(before.quantConfig ? { quantConfig: { update: { autoTrade: false } } } : {}),
        },
        include: withConfig,
      })
      await writeAudit(tx, { actorId: userId, actor: `user:${userId}`, action: 'stock.unarchive', entity: 'MonitoredStock', entityId: id, before, after })
      return after
    })
  } catch (e) {
    if (isUniqueViolation(e)) {
      const row = await findStock(getDb(), userId, id)
      throw new ConflictError('stock.duplicate', { code: row?.code ?? '' })
    }
    throw e
  }
}
