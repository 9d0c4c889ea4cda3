/**
 * The broker account forms (issue 13), shared by the settings page and the API: messages are i18n
 * keys (namespace `errors`). The token is write-only: empty keeps the stored one.
 */
import { z } from 'zod'
import { boolField, intField, optionalText } from './fields'

/** '' or null → null (no limit). */
const optionalInt = (min: number, max: number) =>
  z
    .union([z.literal(''), z.null(), intField(min, max)])
    .optional()
    .transform((v) => (v === '' || v === null || v === undefined ? null : v))

const optionalMoney = z
  .union([
    z.literal(''),
    z.null(),
    z.coerce
      .number({ message: 'number.notNumber' })
      .refine((n) => Number.isFinite(n), { message: 'number.notNumber' })
      .refine((n) => n > 0 && n <= 1_000_000_000, { message: 'number.rangeExclusive', params: { min: 0, max: 1_000_000_000 } }),
  ])
  .optional()
  .transform((v) => (v === '' || v === null || v === undefined ? null : v))

/** An account's own risk limits, under the global ones (null: only the global limit applies). */
export const accountRiskSchema = z
  .object({ maxOrdersPerMinute: optionalInt(1, 600), maxOrderValue: optionalMoney })
  .default({ maxOrdersPerMinute: null, maxOrderValue: null })

/** The account form (create and edit). The token is write-only: empty keeps the stored one. */
export const brokerAccountFormSchema = z
  .object({
    name: z.string({ message: 'brokerAccount.nameRequired' }).trim().min(1, { message: 'brokerAccount.nameRequired' }).max(60, { message: 'text.tooLong' }),
    kind: z.enum(['paper', 'qmt'], { message: 'enum.invalid' }),
    host: z.string().trim().max(200, { message: 'text.tooLong' }).default(''),
    port: intField(1, 65535).default(8000),
    qmtAccountId: z.string().trim().max(64, { message: 'text.tooLong' }).default(''),
    token: z.string().trim().max(256, { message: 'text.tooLong' }).optional(),
    timeoutMs: intField(500, 120_000).default(8000),
    risk: accountRiskSchema,
    /** Change the bridge, account or token although this account's DingPan orders are at the bridge (they become UNKNOWN, still reconciled). */
    confirmWorkingOrders: boolField.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.kind === 'qmt' && !b.host) ctx.addIssue({ code: 'custom', path: ['host'], message: 'host.required' })
    if (b.kind === 'qmt' && b.host && !/^[A-Za-z0-9.\-:[\]]+$/.test(b.host)) ctx.addIssue({ code: 'custom', path: ['host'], message: 'host.invalid' })
  })
export type BrokerAccountForm = z.output<typeof brokerAccountFormSchema>

export const accountEnableSchema = z.object({ disabled: boolField })
export const accountShareSchema = z.object({
  email: z.string({ message: 'email.invalid' }).trim().toLowerCase().email({ message: 'email.invalid' }).max(200, { message: 'text.tooLong' }),
  canTrade: boolField.default(false),
})
export const accountUnshareSchema = z.object({ email: z.string({ message: 'email.invalid' }).trim().toLowerCase().email({ message: 'email.invalid' }).max(200, { message: 'text.tooLong' }) })
export const accountKillSchema = z.object({ on: boolField, reason: optionalText(200) })


/** Any JSON body, looked at as sent (JSON.parse keeps a `__proto__` key as an own key). */
export const anyJson = z.unknown()

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v)

/** PATCH /api/broker-accounts/[id]: `{ disabled }` alone enables / disables; any other body is the account form. */
export function isEnableBody(v: unknown): boolean {
  return isPlainObject(v) && Object.keys(v).length === 1 && Object.hasOwn(v, 'disabled')
}

/** POST /api/broker-accounts/[id]/test: `{}` tests the stored connection; any other body is the account form. */
export function isEmptyBody(v: unknown): boolean {
  return isPlainObject(v) && Object.keys(v).length === 0
}
