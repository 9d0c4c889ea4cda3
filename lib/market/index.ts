/**
 * lib/market — the pure A-share rules core. No I/O, no clock (time is always passed in), nothing of
 * ours imported from outside this directory. Other layers import only from this file.
 */
export type { BookLevel, Quote } from './quote'
export type { Side, OrderKind } from './types'
export { MarketRuleError, type Reason } from './errors'
export { MILLS_PER_YUAN, toMilli, fromMilli, isMilliExact, toMilliExact, formatMilli } from './money'

export { normalizeCode, parseCode, exchangeOf, toPrefixedCode, type Exchange, type Board, type ParsedCode } from './codes'
export { BOARD_RULES, boardOf, rulesOf, isFund, isStName, tickSize, tickMilliOf, priceDecimals, type BoardRules } from './board'
export { roundToTick, roundMilliToTick, isOnTick, type RoundMode } from './ticks'
export { limitPrices, limitPricesMilli, limitPercent, ST_10PCT_FROM, type LimitOptions, type LimitMilli } from './limits'
export { priceCage, priceCageMilli, cageBenchmark, type PriceCage, type CageMilli } from './cage'
export { validateQuantity, floorBuyQuantity, legalExitQuantity, checkManagedQuantity, type QuantityCheck, type QuantityOptions, type ManagedQuantityCheck } from './quantity'

export {
  isTradingDay,
  nextTradingDay,
  previousTradingDay,
  shanghaiDate,
  shanghaiTime,
  shanghaiSecondOfDay,
  isExchangeClosure,
  coveredYears,
  coveredYearSources,
  isCalendarYearCovered,
  isProvisionalDay,
  isValidDay,
  dayInfo,
  yearSummary,
  plausibleYearSchedule,
  setCalendarData,
  calendarDataVersion,
  weekdayOf,
  addDays,
  SHANGHAI_OFFSET_MS,
  type CalendarData,
  type CalendarDayEntry,
  type CalendarYearEntry,
  type CalendarOrigin,
  type DayInfo,
  type YearSummary,
} from './calendar'
export { parseCalendarImport, type ImportEntry, type ImportResult, type ImportRow, type ImportOptions } from './calendar-import'
export { marketPhase, nextPhaseChange, canCancelAt, acceptsOrders, TRADING_DAY_SCHEDULE, type MarketPhase } from './phase'
export { tradingSecondsBetween, addTradingSeconds, inTradingTime } from './trading-time'
export { onUnfilledTimeout, type TimeoutAction, type TimeoutInput } from './resting'

export { estimateFees, estimateFeesMilli, DEFAULT_FEE_RATES, type FeeRates, type FeeEstimate, type FeeInput } from './fees'
export { parseWatchlistImport, splitCsvLine, IMPORT_MAX_ROWS, type WatchlistImport, type WatchlistImportRow, type ImportRowError } from './watchlist-import'
export { computePnl, allocateFees, type PnlFill, type PnlReport, type PnlBucket, type RoundTrip, type RealizedPiece, type PnlOptions } from './pnl'
export {
  STOCK_BUY,
  STOCK_SELL,
  XT_PRICE_TYPE,
  XT_ORDER_STATUS,
  xtPriceTypeFor,
  xtOrderTypeFor,
  orderStatusInfo,
  type XtPriceTypeResult,
  type OrderStatusInfo,
  type OrderStatusClass,
} from './xt'

export { priceOrder, resolveLimits, DEFAULT_PRICING, MAX_OFFSET_TICKS, type PriceMode, type PricingSpec, type PriceOrderInput, type PriceOrderResult, type PriceOrderOk } from './pricing'
export { sizeOrder, DEFAULT_SIZING, type SizingConfig, type SizeOrderInput, type SizeOrderResult, type SizeOrderOk } from './sizing'
export { commitCash, type CommittedBuy, type AccountCash, type CashCommitments } from './reserve'
export { checkRisk, DEFAULT_RISK_LIMITS, type RiskLimits, type RiskInput, type RiskOrder, type RiskActivity, type RecentOrder, type RiskViolation, type RiskResult } from './risk'

export {
  DEFAULT_TRIGGER_OPTIONS,
  EXIT_PRIORITY,
  TRIGGER_KINDS,
  sideOfKind,
  type MonitorState,
  type TriggerKind,
  type ExitKind,
  type EntryTrigger,
  type SignalAction,
  type TriggerOptions,
  type KindMemo,
  type TriggerMemo,
  type PositionInfo,
  type MonitorInput,
  type Signal,
  type EvaluateResult,
} from './trigger-types'
export { evaluate, isQuoteSuspended, type EvaluateOptions } from './trigger'
export { emptyMemo, normalizeMemo } from './memo'
export { validateMonitorLevels } from './levels'
export { resolveLevelsMilli, stopLossFromCostMilli, takeProfitFromCostMilli, validRelativeBp, type RelativeLevels } from './relative-levels'
export { detectExRights, adjustExitsMemo, adjustLevelMilli, adjustLevels, adjustedManagedQty, factorPpmOf, formatFactorPpm, type ExRightsInput, type ExRightsDetection, type ExRightsSource, type MonitorLevelsMilli } from './ex-rights'
export {
  applyOrderOutcome,
  rearm,
  policyRearm,
  markPositionManaged,
  setEnabled,
  type OrderOutcome,
  type OrderOutcomeInput,
  type MonitorCore,
  type TransitionResult,
  type TransitionRefusal,
} from './transitions'
export { replay, replayVariants, type ReplayBar, type ReplayLevels, type ReplayInput, type ReplayResult, type ReplayTrigger, type ReplayFill, type ReplayTrade, type ReplayOrderEvent, type ReplayVariantSpec } from './replay'
export { decideRearm, REARM_POLICIES, REARMABLE_CLOSE, type RearmDecision, type RearmPolicy, type RearmPolicyInput } from './rearm-policy'
export { reboundTriggerMilli } from './trigger'
export { entryAllowed, expiryAction, formatWindowTime, isExpired, lastDayOfTradingDays, parseWindowTime, validWindow, type Validity } from './validity'
export { entryAmountCapMilli, entrySharesCap, exitQuantityFor, type EntryQuantityMode, type ExitQuantityMode } from './quantity-modes'
export { breakevenGainLevelMilli, breakevenStopMilli, normalizeExitsMemo, planTranches, trancheOrderQuantity, trancheSharesWanted, tranchesDone, type ExitPlanConfig, type ExitsMemo, type TrancheSpec } from './staged-exits'
