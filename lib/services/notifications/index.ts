/**
 * lib/services/notifications — the one way into the notifications room for the other rooms, the
 * worker and the web app. Creating a notification (`notify`, inside the caller's transaction), the
 * outbox that delivers it, the user's channels, and the after-close daily summary. Channel secrets
 * (channel-secrets.ts) stay inside this room. Pure event names (events.ts) are also imported directly
 * by lib/schemas, which client components load.
 */
export { EVENT_TYPES, isEventType, channelWants, type EventType, type EventSeverity } from './events'
export { notify, notifyAllUsers, notifyAdmins, notifyCache, renderEvent, type NotifyCache, type NotifyInput, type NotifyParams } from './notify'
export { dailySummary } from './daily-summary'
export { createOutbox, outboundOf, OUTBOX_DEFAULTS, type Outbox, type OutboxLogger, type OutboxOptions, type RunSummary } from './outbox'
export {
  listChannels,
  getChannel,
  createChannel,
  updateChannel,
  deleteChannel,
  testChannel,
  setChannelsLogger,
  TEST_TIMEOUT_MS,
  type ChannelView,
  type ChannelTestResult,
  type TestOptions,
} from './channels'
/** The VAPID public key browsers subscribe with (Web Push channels); generated once into ./data unless set in the environment. */
export { vapidPublicKey as webPushPublicKey } from '@/lib/vapid'
