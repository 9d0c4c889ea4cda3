/**
 * UI and notification texts, one JSON file per namespace and language, so each part of the app
 * owns its own file. Both languages must have the same keys (tests/i18n/messages.test.ts).
 */
import type { Locale } from '../config'
import zhCommon from './zh/common.json'
import enCommon from './en/common.json'
import zhStocks from './zh/stocks.json'
import enStocks from './en/stocks.json'
import zhErrors from './zh/errors.json'
import enErrors from './en/errors.json'
import zhNotifications from './zh/notifications.json'
import enNotifications from './en/notifications.json'
import zhEvents from './zh/events.json'
import enEvents from './en/events.json'
import zhChannels from './zh/channels.json'
import enChannels from './en/channels.json'
import zhLive from './zh/live.json'
import enLive from './en/live.json'
import zhDashboard from './zh/dashboard.json'
import enDashboard from './en/dashboard.json'
import zhDetail from './zh/detail.json'
import enDetail from './en/detail.json'
import zhOrders from './zh/orders.json'
import enOrders from './en/orders.json'
import zhAccount from './zh/account.json'
import enAccount from './en/account.json'
import zhSettings from './zh/settings.json'
import enSettings from './en/settings.json'
import zhStatus from './zh/status.json'
import enStatus from './en/status.json'
import zhPreview from './zh/preview.json'
import enPreview from './en/preview.json'
import zhCalendar from './zh/calendar.json'
import enCalendar from './en/calendar.json'
import zhReplay from './zh/replay.json'
import enReplay from './en/replay.json'
import zhPnl from './zh/pnl.json'
import enPnl from './en/pnl.json'
import zhGuide from './zh/guide.json'
import enGuide from './en/guide.json'
import zhWatchlist from './zh/watchlist.json'
import enWatchlist from './en/watchlist.json'
import zhBrowser from './zh/browser.json'
import enBrowser from './en/browser.json'
import zhBrokerAccounts from './zh/brokerAccounts.json'
import enBrokerAccounts from './en/brokerAccounts.json'
import zhConditions from './zh/conditions.json'
import enConditions from './en/conditions.json'

export const messages = {
  zh: { common: zhCommon, stocks: zhStocks, errors: zhErrors, notifications: zhNotifications, events: zhEvents, channels: zhChannels, live: zhLive, dashboard: zhDashboard, detail: zhDetail, orders: zhOrders, account: zhAccount, settings: zhSettings, status: zhStatus, preview: zhPreview, calendar: zhCalendar, pnl: zhPnl, guide: zhGuide, watchlist: zhWatchlist, replay: zhReplay, browser: zhBrowser, brokerAccounts: zhBrokerAccounts, conditions: zhConditions },
  en: { common: enCommon, stocks: enStocks, errors: enErrors, notifications: enNotifications, events: enEvents, channels: enChannels, live: enLive, dashboard: enDashboard, detail: enDetail, orders: enOrders, account: enAccount, settings: enSettings, status: enStatus, preview: enPreview, calendar: enCalendar, pnl: enPnl, guide: enGuide, watchlist: enWatchlist, replay: enReplay, browser: enBrowser, brokerAccounts: enBrokerAccounts, conditions: enConditions },
} satisfies Record<Locale, Record<string, unknown>>

export type Messages = (typeof messages)['zh']
