/**
 * lib/notify — notification channel adapters (no database). See types.ts for the contract,
 * config.ts for the per-channel schemas, channels/* for each platform's exact wire format.
 */
export * from './types'
export * from './config'
export { VALIDATION_MESSAGES, type ValidationMessageKey } from './messages'
export * from './format'
export * from './rate-limit'
export * from './backoff'
export * from './secrets'
export { applyBaseUrlOverride, parseRetryAfter } from './http'
export { ADAPTERS, sendToChannel } from './dispatch'
export { dingtalkAdapter, dingtalkSign, buildDingTalkRequest, DINGTALK_SEND_URL } from './channels/dingtalk'
export { feishuAdapter, feishuSign, buildFeishuBody } from './channels/feishu'
export { wecomAdapter, buildWeComRequest, WECOM_SEND_URL } from './channels/wecom'
export { serverchanAdapter, serverChanUrl } from './channels/serverchan'
export { barkAdapter, barkLevel, buildBarkRequest, DEFAULT_BARK_LEVELS } from './channels/bark'
export { emailAdapter, classifySmtpError } from './channels/email'
export { webhookAdapter, webhookSignature, webhookPayload, WEBHOOK_TIMESTAMP_HEADER } from './channels/webhook'
export { webpushAdapter, webPushPayload, webPushUrgency, WEBPUSH_TTL_SECONDS } from './channels/webpush'
