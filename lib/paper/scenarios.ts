/**
 * Instruments and scripted price scenarios of the paper exchange.
 *
 * A script describes a day as keyframes (trading minute since 09:30 — 0…120 morning, 120…240
 * afternoon, 240 = 15:00 — and the percent change from that day's previous close); the price
 * model interpolates between them, adds a tick or two of deterministic noise and keeps every price on
 * the tick and inside the limit band. Minute 0 is the opening-auction price printed at 09:25.
 * Day 0 of a script is the day it was loaded (the demo's first trading day); later days follow the
 * script while it has days, then the random walk takes over.
 *
 * DEMO_SCENARIOS: the demo story for a compressed day (12× → ~20 wall minutes per trading day):
 *  - 600000.SH drifts into its entry zone in the first half hour (the entry fills), rises all day,
 *    and opens above its take-profit the next trading day (T+1: bought today, sold tomorrow);
 *  - 000001.SZ is already held (bought earlier, sellable) and climbs through its take-profit
 *    around 10:36 (an exit on day one);
 *  - 601398.SH is already held and gaps down through its stop-loss at the open;
 *  - 300750.SZ drifts into its entry zone about 30 minutes in, then gaps down through its stop the
 *    next trading day;
 *  - 688111.SH jumps from +14 % to limit-up in one step and locks (no asks): its entry order
 *    cannot fill and expires at the close;
 *  - 510300.SH is quiet (nothing fires); 600300.SH is suspended (no trades, open 0, volume 0).
 * The suggested monitor levels are crossed by the scripts with a margin of several ticks.
 */
export interface InstrumentSpec {
  code: string
  name: string
  /** Previous close of the model's base day, yuan. */
  prevClose: number
  /** Daily volatility of the random walk (fraction). */
  volatility: number
  /** Typical lots (100 shares) traded per 3-second step. */
  activity: number
}

export interface ScenarioDay {
  /** [trading minute 0–240, percent change from the day's previous close]; sorted by minute. */
  points: Array<[number, number]>
  /** From this trading minute on, the price is locked at limit-up with no asks. */
  limitUpFrom?: number
  /** From this trading minute on, the price is locked at limit-down with no bids. */
  limitDownFrom?: number
  /** Suspended all day: no trades, open 0, volume 0, empty book, last = previous close. */
  suspended?: boolean
  /** Noise amplitude in ticks around the path (default 1). */
  noiseTicks?: number
}

export interface ScenarioScript {
  name: string
  description: string
  days: ScenarioDay[]
  /** Repeat the last day for every later day (e.g. a suspension that lasts). */
  repeatLast?: boolean
}

export interface SuggestedMonitor {
  entryLow: number | null
  entryHigh: number | null
  takeProfit: number | null
  stopLoss: number | null
  trailingStopPct: number | null
  /** The monitor manages a position already held (state HOLDING), not an entry. */
  holding: boolean
}

export interface DemoScenario {
  code: string
  name: string
  prevClose: number
  story: string
  storyEn: string
  script: ScenarioScript
  monitor: SuggestedMonitor
  /** A holding bought before the demo starts (fully sellable on day 0). */
  initialPosition?: { volume: number; avgPrice: number }
  /** What the script makes happen, in trading minutes of day 0 (and day 1), for the demo narrative. */
  expect: string[]
}

/**
 * Cash of a new demo account when none is given. With the demo holdings (~64,000) the total is about
 * 964,000, so a 20 % position (the demo monitors' maxPositionPct) stays below lib/market's default
 * per-order value cap of 200,000 (DEFAULT_RISK_LIMITS.maxOrderValue) and the entries are not refused.
 */
export const DEMO_DEFAULT_CASH = 900_000

export const KNOWN_INSTRUMENTS: Readonly<Record<string, InstrumentSpec>> = {
  '600000.SH': { code: '600000.SH', name: '浦发银行', prevClose: 9.2, volatility: 0.015, activity: 160 },
  '000001.SZ': { code: '000001.SZ', name: '平安银行', prevClose: 11.4, volatility: 0.015, activity: 180 },
  '300750.SZ': { code: '300750.SZ', name: '宁德时代', prevClose: 287, volatility: 0.025, activity: 40 },
  '688111.SH': { code: '688111.SH', name: '金山办公', prevClose: 229, volatility: 0.03, activity: 15 },
  '601398.SH': { code: '601398.SH', name: '工商银行', prevClose: 8.2, volatility: 0.01, activity: 300 },
  '510300.SH': { code: '510300.SH', name: '沪深300ETF', prevClose: 4.1, volatility: 0.01, activity: 400 },
  // Common codes at recorded real closes (the shared quote fixtures, 2024-12 … 2026-09), so the demo
  // does not invent a price far from reality for them (600519 at ~1,300, not 32.65). Every other
  // code still gets a seeded synthetic price and the name 模拟<digits>.
  '600519.SH': { code: '600519.SH', name: '贵州茅台', prevClose: 1297.4, volatility: 0.015, activity: 30 },
  '300059.SZ': { code: '300059.SZ', name: '东方财富', prevClose: 15.29, volatility: 0.025, activity: 200 },
  '000002.SZ': { code: '000002.SZ', name: '万科A', prevClose: 11.8, volatility: 0.02, activity: 150 },
  '601872.SH': { code: '601872.SH', name: '招商轮船', prevClose: 6.18, volatility: 0.02, activity: 120 },
  '688099.SH': { code: '688099.SH', name: '晶晨股份', prevClose: 87.39, volatility: 0.03, activity: 20 },
  '688047.SH': { code: '688047.SH', name: '龙芯中科', prevClose: 119.62, volatility: 0.03, activity: 15 },
  '162411.SZ': { code: '162411.SZ', name: '华宝油气', prevClose: 0.491, volatility: 0.01, activity: 300 },
}

export const SCENARIO_SCRIPTS = {
  entryThenTakeProfit: {
    name: 'entryThenTakeProfit',
    description: '回落进入买入区间, 全天走高, 次日高开越过止盈 / dips into the entry zone, rises all day, opens above the take-profit the next day',
    days: [
      { points: [[0, 0.1], [10, -0.6], [25, -1.4], [60, -1.3], [120, 0.5], [180, 1.5], [240, 1.9]] },
      { points: [[0, 1.6], [30, 2.0], [120, 1.4], [240, 1.0]] },
    ],
  },
  heldTakeProfit: {
    name: 'heldTakeProfit',
    description: '持仓股盘中上涨越过止盈 / a held stock climbs through its take-profit mid-morning',
    days: [{ points: [[0, 0.2], [30, 0.8], [70, 2.2], [90, 2.8], [150, 2.5], [240, 2.0]] }],
  },
  gapDownStop: {
    name: 'gapDownStop',
    description: '开盘跳空低开击穿止损 / gaps down through the stop-loss at the open',
    days: [{ points: [[0, -4.5], [30, -4.0], [120, -3.5], [240, -3.0]] }],
  },
  entryThenGapStop: {
    name: 'entryThenGapStop',
    description: '回落进入买入区间, 次日跳空低开击穿止损 / dips into the entry zone, gaps through the stop the next day',
    days: [
      { points: [[0, 0.3], [15, -0.8], [35, -1.6], [90, -1.2], [240, -1.0]] },
      { points: [[0, -5.0], [60, -4.5], [240, -4.0]] },
    ],
  },
  limitUpLock: {
    name: 'limitUpLock',
    description: '快速拉升至涨停并封板, 卖盘为空 / runs up to limit-up and locks with an empty ask book',
    // The jump from +14 % to the limit happens within one 3-second step (minute 40 → 40.05): no
    // price between them ever trades, so a buy zone just below the limit is only reached locked.
    days: [{ points: [[0, 1.0], [20, 6], [40, 14], [40.05, 20], [240, 20]], limitUpFrom: 40.05 }],
  },
  quietRange: {
    name: 'quietRange',
    description: '窄幅震荡, 不触发任何价位 / a quiet range that crosses no level',
    days: [{ points: [[0, 0], [60, 0.4], [120, -0.3], [180, 0.5], [240, 0.2]] }],
  },
  suspended: {
    name: 'suspended',
    description: '停牌 (持续) / suspended, day after day',
    days: [{ points: [[0, 0]], suspended: true }],
    repeatLast: true,
  },
  limitDownLock: {
    name: 'limitDownLock',
    description: '跌停封板, 买盘为空 / locked at limit-down with an empty bid book',
    days: [{ points: [[0, -3], [20, -8], [20.05, -10], [240, -10]], limitDownFrom: 20.05 }],
  },
} as const satisfies Record<string, ScenarioScript>

export type ScenarioName = keyof typeof SCENARIO_SCRIPTS

export function scenarioByName(name: string): ScenarioScript | null {
  return (SCENARIO_SCRIPTS as Record<string, ScenarioScript>)[name] ?? null
}

const noLevels = { entryLow: null, entryHigh: null, takeProfit: null, stopLoss: null, trailingStopPct: null, holding: false }

export const DEMO_SCENARIOS: readonly DemoScenario[] = [
  {
    code: '600000.SH',
    name: '浦发银行',
    prevClose: 9.2,
    story: '开盘后回落, 约10:00前进入买入区间 9.02–9.10 并成交; 全天走高至约 9.37; 次日高开约 9.52 越过止盈 9.40 卖出 (T+1: 今日买入次日才能卖)',
    storyEn: 'dips into the 9.02–9.10 entry zone before ~10:00 and fills; rises to ~9.37; opens ~9.52 the next day, above the 9.40 take-profit (T+1: bought today, sellable tomorrow)',
    script: SCENARIO_SCRIPTS.entryThenTakeProfit,
    monitor: { ...noLevels, entryLow: 9.02, entryHigh: 9.1, takeProfit: 9.4, stopLoss: 8.8 },
    expect: ['day 0 ~min 15–25: price enters 9.02–9.10 → entry fills', 'day 0 close ~9.37 (below TP)', 'day 1 09:25 open ~9.52 > TP 9.40 → take-profit sells at 09:30'],
  },
  {
    code: '000001.SZ',
    name: '平安银行',
    prevClose: 11.4,
    story: '已持有 2000 股 (成本 11.05, 可卖); 盘中上涨约 10:36 越过止盈 11.65 卖出',
    storyEn: '2,000 shares already held (cost 11.05, sellable); climbs through the 11.65 take-profit around 10:36',
    script: SCENARIO_SCRIPTS.heldTakeProfit,
    monitor: { ...noLevels, takeProfit: 11.65, stopLoss: 10.9, holding: true },
    initialPosition: { volume: 2000, avgPrice: 11.05 },
    expect: ['day 0 ~min 66 (10:36): price crosses 11.65 → take-profit sells'],
  },
  {
    code: '601398.SH',
    name: '工商银行',
    prevClose: 8.2,
    story: '已持有 5000 股 (成本 8.30); 开盘跳空低开至约 7.83, 直接击穿止损 7.95, 09:30 止损卖出',
    storyEn: '5,000 shares held (cost 8.30); gaps down to ~7.83 at the open, straight through the 7.95 stop-loss; sold at 09:30',
    script: SCENARIO_SCRIPTS.gapDownStop,
    monitor: { ...noLevels, takeProfit: 8.6, stopLoss: 7.95, holding: true },
    initialPosition: { volume: 5000, avgPrice: 8.3 },
    expect: ['day 0 09:25 open ~7.83 < SL 7.95 → stop-loss sells at 09:30 (continuous trading)'],
  },
  {
    code: '300750.SZ',
    name: '宁德时代',
    prevClose: 287,
    story: '约10:00进入买入区间 281.50–283.00 并成交; 次日跳空低开约 270 击穿止损 275.00 卖出',
    storyEn: 'enters the 281.50–283.00 entry zone around 10:00 and fills; the next day gaps down to ~270, through the 275.00 stop-loss',
    script: SCENARIO_SCRIPTS.entryThenGapStop,
    monitor: { ...noLevels, entryLow: 281.5, entryHigh: 283, takeProfit: 300, stopLoss: 275 },
    expect: ['day 0 ~min 25–35: price enters 281.50–283.00 → entry fills', 'day 1 09:25 open ~270 < SL 275 → stop-loss sells at 09:30'],
  },
  {
    code: '688111.SH',
    name: '金山办公',
    prevClose: 229,
    story: '约10:10 从 +14% 直线拉至涨停 274.80 并封板, 卖盘为空: 买入信号在涨停价触发但委托无法成交, 收盘自动撤销',
    storyEn: 'jumps from +14 % straight to the 274.80 limit-up around 10:10 and locks with no asks: the entry fires at the limit but cannot fill and expires at the close',
    script: SCENARIO_SCRIPTS.limitUpLock,
    monitor: { ...noLevels, entryLow: 268, entryHigh: 274.8, takeProfit: 290, stopLoss: 250 },
    expect: ['day 0 ~min 40: locked at limit-up 274.80, asks empty → entry order rests unfilled (50), expires at 15:00 (54)'],
  },
  {
    code: '510300.SH',
    name: '沪深300ETF',
    prevClose: 4.1,
    story: '窄幅震荡 (±0.5%), 不触发任何价位',
    storyEn: 'a quiet ±0.5 % range; no level is crossed',
    script: SCENARIO_SCRIPTS.quietRange,
    monitor: { ...noLevels, entryLow: 3.95, entryHigh: 3.98, takeProfit: 4.3, stopLoss: 3.9 },
    expect: ['nothing fires'],
  },
  {
    code: '600300.SH',
    name: '停牌示例',
    prevClose: 10,
    story: '停牌 (每天): 无成交, 开盘价 0, 成交量 0; 不应触发任何信号',
    storyEn: 'suspended (every day): no trades, open 0, volume 0; nothing may fire',
    script: SCENARIO_SCRIPTS.suspended,
    monitor: { ...noLevels, entryLow: 9.5, entryHigh: 10.2, takeProfit: 11, stopLoss: 9 },
    expect: ['quotes flagged suspended all day; no signal'],
  },
]
