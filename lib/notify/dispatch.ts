/**
 * sendToChannel: validate settings, pick the adapter, make one attempt. Never throws.
 * Settings are validated with the channel's zod schemas first, so the outbox can pass the stored
 * (decrypted) JSON as-is; invalid settings are a non-retryable failure naming the fields only.
 */
import { barkAdapter } from './channels/bark'
import { dingtalkAdapter } from './channels/dingtalk'
import { emailAdapter } from './channels/email'
import { feishuAdapter } from './channels/feishu'
import { serverchanAdapter } from './channels/serverchan'
import { webhookAdapter } from './channels/webhook'
import { webpushAdapter } from './channels/webpush'
import { wecomAdapter } from './channels/wecom'
import { channelSchemas, outboundMessageSchema, type ChannelConfigMap } from './config'
import { failure, sealResult } from './result'
import type { ChannelAdapter, ChannelType, DeliveryResult, OutboundMessage, SendOptions } from './types'

export const ADAPTERS: { readonly [K in ChannelType]: ChannelAdapter<ChannelConfigMap[K]['config'], ChannelConfigMap[K]['secrets']> } = {
  DINGTALK: dingtalkAdapter,
  FEISHU: feishuAdapter,
  WECOM: wecomAdapter,
  SERVERCHAN: serverchanAdapter,
  BARK: barkAdapter,
  EMAIL: emailAdapter,
  WEBHOOK: webhookAdapter,
  WEBPUSH: webpushAdapter,
}

function issuesText(prefix: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((i) => `${[prefix, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ')
}

export async function sendToChannel(
  type: ChannelType,
  message: OutboundMessage,
  config: unknown,
  secrets: unknown,
  opts: SendOptions,
): Promise<DeliveryResult> {
  const adapter = (ADAPTERS as Record<string, ChannelAdapter<unknown, unknown> | undefined>)[type]
  if (!adapter) return failure(false, 'unknown channel type')
  const schemas = channelSchemas('en')[type]
  const m = outboundMessageSchema.safeParse(message)
  const c = schemas.config.safeParse(config ?? {})
  const s = schemas.secrets.safeParse(secrets ?? {})
  if (!m.success || !c.success || !s.success) {
    const parts = [
      m.success ? '' : issuesText('message', m.error.issues),
      c.success ? '' : issuesText('config', c.error.issues),
      s.success ? '' : issuesText('secrets', s.error.issues),
    ].filter(Boolean)
    return sealResult(failure(false, `${type}: invalid settings — ${parts.join('; ')}`), secrets)
  }
  return adapter.send(message, c.data, s.data, opts)
}
