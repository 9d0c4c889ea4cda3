'use client'
/**
 * 设置: kill switch (one click + confirmation, shows who/when), broker connection with "测试连接"
 * (shows exactly what connect() answered), quote provider order and interval, global risk limits
 * (field-level errors from the shared schemas), and a link to the notification channels page.
 * Writes are admin-only (the API refuses others; the forms are read-only for them).
 */
import Link from 'next/link'
import { useState } from 'react'
import { useLocale, useTranslations } from 'next-intl'
import type { z } from 'zod'
import type { SettingsView } from '@/lib/services/runtime/settings-admin'
import type { ConnectionTest } from '@/lib/services/runtime/settings-admin'
import type { KillSwitch } from '@/lib/services/runtime/runtime-settings'
import type { CancelAllReport } from '@/lib/services/trading/order-cancel'
import { brokerFormSchema, monitorFormSchema, QUOTE_PROVIDERS, riskFormSchema } from '@/lib/schemas/settings'
import { issuesToFieldErrors } from '@/lib/schemas/issues'
import { percentText } from '@/lib/schemas/fields'
import type { FieldErrors } from '@/lib/errors'
import { formatTime } from '@/lib/format'
import { ConfirmButton } from '@/app/_components/live/confirm-button'
import { Field } from './field'
import { fetchJson } from '@/app/_components/live/fmt'
import { PaperLiveBadge } from './broker-accounts-section'

const input = 'mt-1 w-full rounded border border-slate-300 px-3 py-2 text-base sm:text-sm focus:border-sky-500 focus:outline-none aria-[invalid=true]:border-red-500 disabled:bg-slate-100'
const card = 'space-y-3 rounded-lg border border-slate-200 bg-white p-4'

type Save = { ok: boolean; text: string } | null

/** Client-side check with the same schema as the API, then the request; field errors from either. */
function useForm<S extends z.ZodType>(schema: S) {
  const te = useTranslations('errors')
  const t = useTranslations('settings')
  const [errors, setErrors] = useState<FieldErrors>({})
  const [status, setStatus] = useState<Save>(null)
  const [busy, setBusy] = useState(false)
  async function submit(url: string, method: 'PUT' | 'POST', values: unknown, ok: (body: unknown) => string): Promise<unknown> {
    setStatus(null)
    const parsed = schema.safeParse(values)
    if (!parsed.success) {
      setErrors(issuesToFieldErrors(parsed.error.issues, (k, p) => te(k as never, p as never)))
      setStatus({ ok: false, text: t('saveFailed', { message: te('validation.failed') }) })
      return null
    }
    setErrors({})
    setBusy(true)
    try {
      const body = await fetchJson<unknown>(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(values) })
      setStatus({ ok: true, text: ok(body) })
      return body
    } catch (e) {
      const fields = ((e as { body?: { fields?: FieldErrors } }).body?.fields ?? {}) as FieldErrors
      setErrors(fields)
      setStatus({ ok: false, text: t('saveFailed', { message: (e as Error).message }) })
      return null
    } finally {
      setBusy(false)
    }
  }
  /** Field errors only (for actions that are not a save, like the connection test). */
  function validate(values: unknown): boolean {
    const parsed = schema.safeParse(values)
    setErrors(parsed.success ? {} : issuesToFieldErrors(parsed.error.issues, (k, p) => te(k as never, p as never)))
    return parsed.success
  }
  return { errors, status, busy, submit, validate, setErrors }
}

const aria = (id: string, errors: FieldErrors, hint?: boolean) => ({
  id,
  name: id,
  'aria-invalid': !!errors[id],
  'aria-describedby': errors[id] ? `${id}-error` : hint ? `${id}-hint` : undefined,
})

function StatusLine({ s, testId }: { s: Save; testId: string }) {
  if (!s) return null
  return (
    <p role={s.ok ? 'status' : 'alert'} data-testid={testId} className={`text-sm ${s.ok ? 'text-sky-800' : 'text-red-700'}`}>
      {s.text}
    </p>
  )
}

function Meta({ meta }: { meta: { updatedAt: string | null; updatedBy: string | null } | null }) {
  const t = useTranslations('settings')
  const locale = useLocale()
  if (!meta) return <p className="text-xs text-slate-500">{t('fromEnv')}</p>
  return <p className="text-xs text-slate-500">{t('lastChange', { by: meta.updatedBy ?? '—', time: formatTime(meta.updatedAt, locale) })}</p>
}

export function SettingsForms({ initial, isAdmin }: { initial: SettingsView; isAdmin: boolean }) {
  const t = useTranslations('settings')
  return (
    <section className="mx-auto max-w-4xl space-y-4">
      <h1 className="text-xl font-semibold">{t('title')}</h1>
      {!isAdmin && (
        <p role="note" className="rounded bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="settings-readonly">
          {t('adminOnly')}
        </p>
      )}
      <KillSwitchSection initial={initial.killSwitch} isAdmin={isAdmin} />
      <CancelAllSection killSwitchOn={initial.killSwitch.on} isAdmin={isAdmin} />
      <BrokerSection initial={initial.broker} isAdmin={isAdmin} />
      <MonitorSection initial={initial.monitor} isAdmin={isAdmin} />
      <RiskSection initial={initial.risk} isAdmin={isAdmin} />
      <section className={card}>
        <h2 className="font-semibold">{t('channels.title')}</h2>
        <p className="text-sm text-slate-600">{t('channels.intro')}</p>
        <Link href="/settings/notifications" className="inline-block text-sm font-medium text-sky-700 hover:underline" data-testid="channels-link">
          {t('channels.link')} →
        </Link>
      </section>
      <section className={card}>
        <h2 className="font-semibold">{t('calendar.title')}</h2>
        <p className="text-sm text-slate-600">{t('calendar.intro')}</p>
        <Link href="/settings/calendar" className="inline-block text-sm font-medium text-sky-700 hover:underline" data-testid="calendar-link">
          {t('calendar.link')} →
        </Link>
      </section>
      <section className={card}>
        <h2 className="font-semibold">{t('clock.title')}</h2>
        <p className="text-sm" data-testid="settings-clock">
          {initial.clock.mode === 'sim' ? t('clock.sim', { url: initial.clock.simUrl ?? '—' }) : t('clock.wall')}
        </p>
        <p className="text-xs text-slate-500">{t('clock.hint')}</p>
      </section>
    </section>
  )
}

function KillSwitchSection({ initial, isAdmin }: { initial: SettingsView['killSwitch']; isAdmin: boolean }) {
  const t = useTranslations('settings')
  const locale = useLocale()
  const [state, setState] = useState(initial)
  const [reason, setReason] = useState('')
  const [status, setStatus] = useState<Save>(null)
  async function flip() {
    setStatus(null)
    try {
      const v = await fetchJson<KillSwitch>('/api/settings/kill-switch', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ on: !state.on, reason }) })
      setState({ on: v.on, reason: v.reason ?? null, at: v.at ?? null, by: v.by ?? null })
      setReason('')
      setStatus({ ok: true, text: t('kill.done', { state: v.on ? t('kill.stateOn') : t('kill.stateOff') }) })
    } catch (e) {
      setStatus({ ok: false, text: t('saveFailed', { message: (e as Error).message }) })
    }
  }
  return (
    <section className={`${card} ${state.on ? 'border-red-300 bg-red-50/40' : ''}`} aria-labelledby="kill-title">
      <h2 id="kill-title" className="font-semibold">
        {t('kill.title')}
      </h2>
      <p className="text-sm text-slate-600">{t('kill.intro')}</p>
      <div className="flex flex-wrap items-center gap-3">
        <span data-testid="settings-kill-state" data-state={state.on ? 'on' : 'off'} className={`rounded px-2 py-1 text-sm font-semibold ${state.on ? 'bg-red-600 text-white' : 'bg-sky-50 text-sky-900'}`}>
          {state.on ? t('kill.stateOn') : t('kill.stateOff')}
        </span>
        {state.at && <span className="text-xs text-slate-500">{t('kill.by', { by: state.by ?? '—', time: formatTime(state.at, locale) })}</span>}
        {state.reason && <span className="text-xs text-slate-600">{t('kill.reasonShown', { reason: state.reason })}</span>}
      </div>
      <ConfirmButton
        testId="kill-switch-toggle"
        tone={state.on ? 'primary' : 'danger'}
        disabled={!isAdmin}
        label={state.on ? t('kill.turnOff') : t('kill.turnOn')}
        title={state.on ? t('kill.confirmOffTitle') : t('kill.confirmOnTitle')}
        body={
          <div className="space-y-2">
            <p>{state.on ? t('kill.confirmOff') : t('kill.confirmOn')}</p>
            <label className="block">
              <span className="text-xs text-slate-600">{t('kill.reason')}</span>
              <input id="kill-reason" data-testid="kill-reason" value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} className={input} />
            </label>
          </div>
        }
        confirmLabel={state.on ? t('kill.turnOff') : t('kill.turnOn')}
        onConfirm={flip}
      />
      <StatusLine s={status} testId="kill-status" />
    </section>
  )
}

/**
 * Beside the kill switch: cancel every working DingPan order at the bridge. Confirmed first; the
 * answer lists, per order, exactly what the bridge said (or why it was not asked).
 */
function CancelAllSection({ killSwitchOn, isAdmin }: { killSwitchOn: boolean; isAdmin: boolean }) {
  const t = useTranslations('settings.cancelAll')
  const tl = useTranslations('live')
  const [report, setReport] = useState<CancelAllReport | null>(null)
  const [status, setStatus] = useState<Save>(null)
  async function cancelAll() {
    setStatus(null)
    setReport(null)
    try {
      const r = await fetchJson<CancelAllReport>('/api/settings/cancel-orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ confirm: true }) })
      setReport(r)
      setStatus(r.lines.length === 0 ? { ok: true, text: t('none') } : { ok: r.notConfirmed === 0, text: t('done', { requested: r.requested, notConfirmed: r.notConfirmed, skipped: r.skipped }) })
    } catch (e) {
      setStatus({ ok: false, text: t('failed', { message: (e as Error).message }) })
    }
  }
  return (
    <section className={card} aria-labelledby="cancel-all-title">
      <h2 id="cancel-all-title" className="font-semibold">
        {t('title')}
      </h2>
      <p className="text-sm text-slate-600">{t('intro')}</p>
      {!killSwitchOn && (
        <p role="note" className="rounded bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="cancel-all-kill-off">
          {t('killOff')}
        </p>
      )}
      <ConfirmButton testId="cancel-all" tone="danger" disabled={!isAdmin} label={t('button')} title={t('confirmTitle')} body={<p>{t('confirm')}</p>} confirmLabel={t('confirmButton')} onConfirm={cancelAll} />
      <StatusLine s={status} testId="cancel-all-status" />
      {report && report.lines.length > 0 && (
        <ul className="space-y-1 text-sm" data-testid="cancel-all-lines">
          {report.lines.map((l) => {
            const result = l.bridge ? `${t(`outcome.${l.bridge.outcome}` as never)}${l.bridge.message ? ` (${l.bridge.message})` : ''}` : l.skipped ? t(`skipped.${l.skipped}` as never) : '—'
            const ok = l.bridge?.outcome === 'requested'
            return (
              <li key={l.orderId} data-testid="cancel-all-line" data-outcome={l.bridge?.outcome ?? `skipped:${l.skipped}`} className={ok ? 'text-slate-800' : l.bridge ? 'text-red-700' : 'text-slate-500'}>
                {t('line', { side: tl(`side.${l.side}` as never), code: l.code, name: l.name, orderId: l.bridgeOrderId ?? '—', result })}
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}

function BrokerSection({ initial, isAdmin }: { initial: SettingsView['broker']; isAdmin: boolean }) {
  const t = useTranslations('settings')
  const [v, setV] = useState({ mode: initial.mode, host: initial.host, port: String(initial.port), accountId: initial.accountId, token: '', timeoutMs: String(initial.timeoutMs) })
  const [hint, setHint] = useState(initial.tokenHint)
  const [meta, setMeta] = useState(initial.meta)
  // The default broker account (issue 13): 模拟 / 实盘 said plainly.
  const [paper, setPaper] = useState(initial.paper)
  const f = useForm(brokerFormSchema)
  // Asked for only when the server refused a change with DingPan orders at the bridge.
  const [confirmOrders, setConfirmOrders] = useState(false)
  const [test, setTest] = useState<{ busy: boolean; result: ConnectionTest | null; error: string | null }>({ busy: false, result: null, error: null })
  const set = (k: keyof typeof v, val: string) => setV((x) => ({ ...x, [k]: val }))
  const qmt = v.mode === 'qmt'

  async function runTest() {
    if (!f.validate(v)) return
    setTest({ busy: true, result: null, error: null })
    try {
      const r = await fetchJson<ConnectionTest>('/api/settings/broker/test', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(v) })
      setTest({ busy: false, result: r, error: null })
    } catch (e) {
      // A refused test names its field (e.g. the token must be typed again for a new address): mark
      // it and move there, instead of a bare "check the marked fields" with nothing marked.
      const fields = ((e as { body?: { fields?: FieldErrors } }).body?.fields ?? {}) as FieldErrors
      f.setErrors(fields)
      const first = Object.keys(fields).find((k) => k !== '_form')
      const messages = Object.values(fields).flat()
      setTest({ busy: false, result: null, error: messages.length > 0 ? messages.join('；') : (e as Error).message })
      if (first) {
        const el = document.getElementById(first)
        el?.scrollIntoView({ block: 'center' })
        el?.focus({ preventScroll: true })
      }
    }
  }

  return (
    <section className={card} aria-labelledby="broker-title">
      <h2 id="broker-title" className="flex flex-wrap items-center gap-2 font-semibold">
        {t('broker.title')}
        <PaperLiveBadge paper={paper} testId="broker-paper-live" />
      </h2>
      <Meta meta={meta} />
      <form
        noValidate
        data-testid="broker-form"
        className="space-y-3"
        onSubmit={async (e) => {
          e.preventDefault()
          const body = (await f.submit('/api/settings/broker', 'PUT', { ...v, confirmWorkingOrders: confirmOrders }, () => t('saved'))) as { tokenHint: string | null; paper: boolean; meta: SettingsView['broker']['meta'] } | null
          if (body) {
            setHint(body.tokenHint)
            setPaper(body.paper)
            setMeta(body.meta)
            set('token', '')
            setConfirmOrders(false)
          }
        }}
      >
        <fieldset disabled={!isAdmin} className="space-y-3">
          <legend className="text-sm font-medium text-slate-700">{t('broker.mode')}</legend>
          <div className="flex flex-wrap gap-4">
            {(['paper', 'qmt'] as const).map((m) => (
              <label key={m} className="flex items-center gap-2 text-sm">
                <input type="radio" name="mode" value={m} checked={v.mode === m} onChange={() => set('mode', m)} data-testid={`broker-mode-${m}`} />
                {t(`broker.${m}`)}
              </label>
            ))}
          </div>
          <div className={`grid gap-3 sm:grid-cols-2 ${qmt ? '' : 'opacity-60'}`}>
            <Field id="host" label={t('broker.host')} hint={t('broker.hostHint')} error={f.errors.host}>
              <input {...aria('host', f.errors, true)} value={v.host} onChange={(e) => set('host', e.target.value)} className={input} autoComplete="off" />
            </Field>
            <Field id="port" label={t('broker.port')} error={f.errors.port}>
              <input {...aria('port', f.errors)} inputMode="numeric" value={v.port} onChange={(e) => set('port', e.target.value)} className={input} />
            </Field>
            <Field id="token" label={t('broker.token')} hint={hint ? t('broker.tokenHint', { hint }) : t('broker.tokenNone')} error={f.errors.token}>
              <input {...aria('token', f.errors, true)} type="password" autoComplete="new-password" value={v.token} onChange={(e) => set('token', e.target.value)} className={input} data-testid="broker-token" />
            </Field>
            <Field id="accountId" label={t('broker.accountId')} error={f.errors.accountId}>
              <input {...aria('accountId', f.errors)} value={v.accountId} onChange={(e) => set('accountId', e.target.value)} className={input} autoComplete="off" />
            </Field>
            <Field id="timeoutMs" label={t('broker.timeoutMs')} error={f.errors.timeoutMs}>
              <input {...aria('timeoutMs', f.errors)} inputMode="numeric" value={v.timeoutMs} onChange={(e) => set('timeoutMs', e.target.value)} className={input} />
            </Field>
          </div>
          {(f.errors.confirmWorkingOrders || confirmOrders) && (
            <div className="rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900" data-testid="broker-working-orders">
              {f.errors.confirmWorkingOrders?.map((m) => (
                <p key={m} id="confirmWorkingOrders-error" role="alert">
                  {m}
                </p>
              ))}
              <label className="mt-1 flex items-center gap-2" htmlFor="confirmWorkingOrders">
                <input
                  type="checkbox"
                  id="confirmWorkingOrders"
                  checked={confirmOrders}
                  onChange={(e) => setConfirmOrders(e.target.checked)}
                  aria-describedby={f.errors.confirmWorkingOrders ? 'confirmWorkingOrders-error' : undefined}
                  data-testid="broker-confirm-working"
                />
                {t('broker.confirmWorkingOrders')}
              </label>
            </div>
          )}
          <p className="text-xs text-slate-500">{t('broker.note')}</p>
          <div className="flex flex-wrap gap-2">
            <button type="submit" disabled={f.busy} className="rounded bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60" data-testid="broker-save">
              {t('broker.save')}
            </button>
            <button type="button" onClick={runTest} disabled={test.busy} className="rounded border border-slate-300 px-4 py-2 text-sm hover:bg-slate-50 disabled:opacity-60" data-testid="broker-test">
              {test.busy ? t('broker.testing') : t('broker.test')}
            </button>
          </div>
        </fieldset>
      </form>
      <StatusLine s={f.status} testId="broker-status" />
      {test.result && (
        <div role={test.result.success ? 'status' : 'alert'} data-testid="broker-test-result" data-success={test.result.success ? 'true' : 'false'} className={`rounded border px-3 py-2 text-sm ${test.result.success ? 'border-sky-200 bg-sky-50 text-sky-900' : 'border-red-200 bg-red-50 text-red-800'}`}>
          <p className="font-medium">{t(test.result.success ? 'broker.testOk' : 'broker.testFail', { mode: test.result.mode, target: test.result.target, ms: test.result.durationMs })}</p>
          <p className="mt-0.5 break-all">{t('broker.bridgeSaid', { message: test.result.message })}</p>
        </div>
      )}
      {test.error && (
        <p role="alert" className="text-sm text-red-700" data-testid="broker-test-error">
          {t('broker.testError', { message: test.error })}
        </p>
      )}
    </section>
  )
}

function MonitorSection({ initial, isAdmin }: { initial: SettingsView['monitor']; isAdmin: boolean }) {
  const t = useTranslations('settings')
  const [interval, setInterval_] = useState(String(initial.intervalSeconds))
  const known = QUOTE_PROVIDERS as readonly string[]
  const [order, setOrder] = useState<string[]>([...initial.quoteProviders.filter((p) => known.includes(p)), ...known.filter((p) => !initial.quoteProviders.includes(p))])
  const [used, setUsed] = useState<Set<string>>(new Set(initial.quoteProviders))
  const f = useForm(monitorFormSchema)
  const move = (i: number, d: -1 | 1) =>
    setOrder((o) => {
      const j = i + d
      if (j < 0 || j >= o.length) return o
      const n = [...o]
      ;[n[i], n[j]] = [n[j]!, n[i]!]
      return n
    })
  return (
    <section className={card} aria-labelledby="monitor-title">
      <h2 id="monitor-title" className="font-semibold">
        {t('monitor.title')}
      </h2>
      <Meta meta={initial.meta} />
      <form
        noValidate
        data-testid="monitor-form"
        className="space-y-3"
        onSubmit={async (e) => {
          e.preventDefault()
          await f.submit('/api/settings/monitor', 'PUT', { intervalSeconds: interval, quoteProviders: order.filter((p) => used.has(p)) }, () => t('saved'))
        }}
      >
        <fieldset disabled={!isAdmin} className="space-y-3">
          <div className="max-w-xs">
            <Field id="intervalSeconds" label={t('monitor.interval')} hint={t('monitor.intervalHint')} error={f.errors.intervalSeconds}>
              <input {...aria('intervalSeconds', f.errors, true)} inputMode="numeric" value={interval} onChange={(e) => setInterval_(e.target.value)} className={input} />
            </Field>
          </div>
          <div>
            <span className="text-sm font-medium text-slate-700">{t('monitor.providers')}</span>
            <ol className="mt-1 space-y-1" data-testid="provider-order">
              {order.map((p, i) => (
                <li key={p} className="flex items-center gap-2 text-sm" data-testid={`provider-${p}`}>
                  <span className="w-5 text-right text-slate-500">{i + 1}.</span>
                  <label className="flex items-center gap-1">
                    <input type="checkbox" checked={used.has(p)} onChange={(e) => setUsed((s) => { const n = new Set(s); if (e.target.checked) n.add(p); else n.delete(p); return n })} />
                    {t(`monitor.provider.${p as 'tencent'}`)}
                  </label>
                  <button type="button" onClick={() => move(i, -1)} disabled={i === 0} aria-label={`${t('monitor.up')} ${p}`} className="rounded border border-slate-300 px-1.5 text-xs disabled:opacity-40">
                    ↑
                  </button>
                  <button type="button" onClick={() => move(i, 1)} disabled={i === order.length - 1} aria-label={`${t('monitor.down')} ${p}`} className="rounded border border-slate-300 px-1.5 text-xs disabled:opacity-40">
                    ↓
                  </button>
                </li>
              ))}
            </ol>
            <span className="mt-0.5 block text-xs text-slate-500">{t('monitor.providersHint')}</span>
            {f.errors.quoteProviders && (
              <span data-testid="error-quoteProviders" className="mt-1 block text-xs text-red-600">
                {f.errors.quoteProviders.join('；')}
              </span>
            )}
          </div>
          <button type="submit" disabled={f.busy} className="rounded bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60" data-testid="monitor-save">
            {t('monitor.save')}
          </button>
        </fieldset>
      </form>
      <StatusLine s={f.status} testId="monitor-status" />
    </section>
  )
}

const RISK_FIELDS = ['maxExposurePct', 'maxOrderValue', 'maxOrdersPerMinute', 'maxActiveOrdersPerStock', 'duplicateWindowSec', 'maxDailyRealizedLoss', 'maxQuoteAgeSec'] as const

function RiskSection({ initial, isAdmin }: { initial: SettingsView['risk']; isAdmin: boolean }) {
  const t = useTranslations('settings')
  // The exposure limit is stored as a fraction and typed as a percentage (a stored 0.8 shows as 80).
  const [v, setV] = useState<Record<(typeof RISK_FIELDS)[number], string>>(() => Object.fromEntries(RISK_FIELDS.map((k) => [k, initial[k] == null ? '' : k === 'maxExposurePct' ? percentText(initial[k]) : String(initial[k])])) as Record<(typeof RISK_FIELDS)[number], string>)
  const f = useForm(riskFormSchema)
  const hints: Partial<Record<(typeof RISK_FIELDS)[number], string>> = { maxExposurePct: t('risk.maxExposurePctHint'), maxQuoteAgeSec: t('risk.maxQuoteAgeSecHint') }
  return (
    <section className={card} aria-labelledby="risk-title">
      <h2 id="risk-title" className="font-semibold">
        {t('risk.title')}
      </h2>
      <p className="text-sm text-slate-600">{t('risk.intro')}</p>
      <Meta meta={initial.meta} />
      <form
        noValidate
        data-testid="risk-form"
        className="space-y-3"
        onSubmit={async (e) => {
          e.preventDefault()
          await f.submit('/api/settings/risk', 'PUT', v, () => t('saved'))
        }}
      >
        <fieldset disabled={!isAdmin} className="grid gap-3 sm:grid-cols-2">
          {RISK_FIELDS.map((k) => (
            <Field key={k} id={k} label={t(`risk.${k}`)} hint={hints[k]} error={f.errors[k]}>
              {k === 'maxExposurePct' ? (
                <span className="relative block">
                  <input {...aria(k, f.errors, !!hints[k])} inputMode="decimal" value={v[k]} onChange={(e) => setV((x) => ({ ...x, [k]: e.target.value }))} className={`${input} pr-8`} />
                  <span aria-hidden="true" data-testid={`unit-${k}`} className="pointer-events-none absolute inset-y-0 right-3 mt-1 flex items-center text-sm text-slate-500">
                    %
                  </span>
                </span>
              ) : (
                <input {...aria(k, f.errors, !!hints[k])} inputMode="decimal" value={v[k]} onChange={(e) => setV((x) => ({ ...x, [k]: e.target.value }))} className={input} />
              )}
            </Field>
          ))}
          <div className="sm:col-span-2">
            <button type="submit" disabled={f.busy} className="rounded bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60" data-testid="risk-save">
              {t('risk.save')}
            </button>
          </div>
        </fieldset>
      </form>
      <StatusLine s={f.status} testId="risk-status" />
    </section>
  )
}
