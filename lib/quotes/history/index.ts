/** Historical K-line adapters (Tencent fqkline/mkline, Eastmoney kline/get) with failover. */
export * from './types'
export { parseTencentDaily, parseTencentMinute, createTencentHistoryProvider, TENCENT_KLINE_DEFAULT_BASE, TENCENT_MKLINE_DEFAULT_BASE, TENCENT_MAX_COUNT, type TencentHistoryOptions } from './tencent'
export { parseEastmoneyKline, createEastmoneyHistoryProvider, EASTMONEY_KLINE_DEFAULT_BASE, EASTMONEY_KLT, EASTMONEY_FQT, type EastmoneyHistoryOptions } from './eastmoney'
export { createHistoryService, type HistoryService, type HistoryServiceOptions, type BuiltinHistoryProviderId } from './service'
