/**
 * lib/paper — the paper exchange: a stand-in for MiniQMT + QKA and the quote sites (engine, price
 * model, scenarios, simulated clock, persistence, HTTP server). Imports lib/market and lib/broker's
 * types only. The in-process PaperBroker adapter lives in lib/broker (it reuses the engine).
 */
export { PaperEngine, initialEngineState, sessionDayOf, isWorking, BROKER_PRICE_TYPE, TIME_NOT_ALLOWED, type PlaceResult } from './engine'
export * from './types'
export { SimClock, RemoteSimClock, advanceSkipping, skipTarget, defaultDemoStart, DEFAULT_SIM_SPEED, DEFAULT_SKIP_LEAD_SEC, DEFAULT_CLOSE_DWELL_SEC, type ClockSnapshot, type SimClockOptions } from './clock'
export { PriceModel, syntheticInstrument, hash32, mulberry32, minuteToStep, stepTime, STEP_SEC, STEPS_PER_DAY, type PriceModelConfig, type PriceOverride, type ScenarioAssignment, type DayPath } from './price-model'
export {
  DEMO_SCENARIOS,
  DEMO_DEFAULT_CASH,
  KNOWN_INSTRUMENTS,
  SCENARIO_SCRIPTS,
  scenarioByName,
  type DemoScenario,
  type InstrumentSpec,
  type ScenarioDay,
  type ScenarioName,
  type ScenarioScript,
  type SuggestedMonitor,
} from './scenarios'
export { tencentRecord, tencentBody, beijingCompact, TENCENT_FIELD_COUNT, TENCENT_NONE_MATCH } from './tencent-format'
export { PaperExchange, PythonError, FAULT_KINDS, EXCHANGE_FILE_KIND, type FaultKind, type FaultSpec, type ActiveFault, type RequestLogEntry, type PaperExchangeCoreOptions } from './exchange'
export { startPaperExchange, type PaperExchangeOptions, type PaperExchangeHandle } from './server'
export { writeJsonAtomic, readJsonFile, withFileLock, type LockOptions } from './persist'
export { setUnannouncedClosures, unannouncedClosures } from './calendar'
