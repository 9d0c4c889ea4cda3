'use client'
/**
 * 券商账户 / Broker accounts (issue 13): every account the user sees, each with a plain 模拟 / 实盘
 * (Paper / Live) badge, the default marker, bridge health, its own kill switch; add, edit, test
 * connection and disable for those who manage it (its owner, any admin), and sharing by email
 * (read-only or with trading). The token is write-only: only its hint is ever shown.
 */
import { useState, type ReactNode } from 'react'
import { useLocale, useTranslations } from 'next-intl'
import type { BrokerAccountView, AccountConnectionTest } from '@/lib/services/runtime/broker-accounts'
import { brokerAccountFormSchema } from '@/lib/schemas/broker-accounts'
import { issuesToFieldErrors } from '@/lib/schemas/issues'
import type { FieldErrors } from '@/lib/errors'
import { formatTime } from '@/lib/format'
import { ConfirmButton } from '@/app/_components/live/confirm-button'
import { Field } from './field'
import { fetchJson, money } from '@/app/_components/live/fmt'

const input = 'mt-1 w-full rounded border border-slate-300 px-3 py-2 text-base sm:text-sm focus:border-sky-500 focus:outline-none aria-[invalid=true]:border-red-500 disabled:bg-slate-100'
const card = 'space-y-3 rounded-lg border border-slate-200 bg-white p-4'
const btn = 'rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50 disabled:opacity-60'
const primary = 'rounded bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60'

type Status = { ok: boolean; text: string } | null
const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const fieldsOf = (e: unknown) => ((e as { body?: { fields?: FieldErrors } }).body?.fields ?? {}) as FieldErrors

export function PaperLiveBadge({ paper, testId }: { paper: boolean; testId?: string }) {
  const t = useTranslations('brokerAccounts')
  return (
    <span
      data-testid={testId}
      data-paper={paper ? 'true' : 'false'}
      title={paper ? t('paperHint') : t('liveHint')}
      className={`rounded px-2 py-0.5 text-xs font-semibold ${paper ? 'bg-amber-100 text-amber-900' : 'bg-red-700 text-white'}`}
    >
      {paper ? t('paper') : t('live')}
    </span>
  )
}

export function BrokerAccountsSection({ initial }: { initial: BrokerAccountView[] }) {
  const t = useTranslations('brokerAccounts')
  const [accounts, setAccounts] = useState(initial)
  const [adding, setAdding] = useState(false)
  const put = (a: BrokerAccountView) => setAccounts((xs) => (xs.some((x) => x.id === a.id) ? xs.map((x) => (x.id === a.id ? a : x)) : [...xs, a]))
  return (
    <section className={card} aria-labelledby="broker-accounts-title" data-testid="broker-accounts">
      <h2 id="broker-accounts-title" className="font-semibold">
        {t('title')}
      </h2>
      <p className="text-sm text-slate-600">{t('intro')}</p>
      {accounts.length === 0 && <p className="text-sm text-slate-500">{t('empty')}</p>}
      <ul className="space-y-3">
        {accounts.map((a) => (
          <AccountCard key={a.id} a={a} onChange={put} />
        ))}
      </ul>
      {adding ? (
        <AccountForm
          onSaved={(a) => {
            put(a)
            setAdding(false)
          }}
          onCancel={() => setAdding(false)}
        />
      ) : (
        <button type="button" className={primary} onClick={() => setAdding(true)} data-testid="broker-account-add">
          {t('actions.add')}
        </button>
      )}
    </section>
  )
}

function AccountCard({ a, onChange }: { a: BrokerAccountView; onChange: (a: BrokerAccountView) => void }) {
  const t = useTranslations('brokerAccounts')
  const locale = useLocale()
  const [editing, setEditing] = useState(false)
  const [status, setStatus] = useState<Status>(null)
  const [test, setTest] = useState<{ busy: boolean; result: AccountConnectionTest | null }>({ busy: false, result: null })
  const [reason, setReason] = useState('')
  const manage = a.access === 'manage'
  const health = a.health?.status === 'ok' ? 'ok' : a.health ? 'down' : 'unknown'

  async function act(run: () => Promise<BrokerAccountView>) {
    setStatus(null)
    try {
      onChange(await run())
      setStatus({ ok: true, text: t('saved') })
    } catch (e) {
      setStatus({ ok: false, text: t('failed', { message: Object.values(fieldsOf(e)).flat().join('；') || (e as Error).message }) })
    }
  }
  async function runTest() {
    setTest({ busy: true, result: null })
    setStatus(null)
    try {
      const r = await fetchJson<AccountConnectionTest>(`/api/broker-accounts/${a.id}/test`, json('POST', {}))
      setTest({ busy: false, result: r })
      // The test may have found out what the bridge is (paper exchange or not).
      if (r.simulated !== null && r.simulated !== a.simulated) onChange(await fetchJson<BrokerAccountView>(`/api/broker-accounts/${a.id}`))
    } catch (e) {
      setTest({ busy: false, result: null })
      setStatus({ ok: false, text: t('failed', { message: (e as Error).message }) })
    }
  }

  return (
    <li className={`rounded border p-3 ${a.disabled ? 'border-slate-200 bg-slate-50' : a.paper ? 'border-amber-200' : 'border-red-200'}`} data-testid={`broker-account-${a.id}`}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{a.name}</span>
        <PaperLiveBadge paper={a.paper} testId={`broker-account-badge-${a.id}`} />
        {a.isDefault && <span className="rounded bg-sky-50 px-2 py-0.5 text-xs text-sky-900">{t('default')}</span>}
        {a.disabled && (
          <span className="rounded bg-slate-200 px-2 py-0.5 text-xs text-slate-700" data-testid={`broker-account-disabled-${a.id}`}>
            {t('disabled')}
          </span>
        )}
        {a.killSwitch.on && <span className="rounded bg-red-600 px-2 py-0.5 text-xs font-semibold text-white">{t('kill.on')}</span>}
        <span className="text-xs text-slate-500">{t(`access.${a.access}`)}</span>
      </div>
      <dl className="mt-1 grid gap-x-4 gap-y-0.5 text-xs text-slate-600 sm:grid-cols-2">
        <Item>{t(`kind.${a.kind}`)}</Item>
        {a.kind === 'qmt' && <Item>{t('connection', { host: a.host, port: a.port })}</Item>}
        {a.kind === 'qmt' && a.qmtAccountId && <Item>{t('qmtAccount', { id: a.qmtAccountId })}</Item>}
        {manage && a.kind === 'qmt' && <Item>{a.tokenHint ? t('form.tokenHint', { hint: a.tokenHint }) : t('form.tokenNone')}</Item>}
        <Item>
          {t('health.label')}: <span data-testid={`broker-account-health-${a.id}`} data-health={health} className={health === 'down' ? 'text-red-700' : ''}>{t(`health.${health}`)}</span>
          {a.health?.lastError && health === 'down' ? ` · ${t('health.lastError', { error: a.health.lastError })}` : ''}
        </Item>
        <Item>{a.owner ? t('owner', { email: a.owner.email }) : t('ownerNone')}</Item>
        {a.sharedWithAll && <Item>{t('sharedWithAll')}</Item>}
        {a.isDefault && <Item>{t(`source.${a.source}`)}</Item>}
        {a.killSwitch.on && a.killSwitch.reason && <Item>{t('kill.reasonShown', { reason: a.killSwitch.reason })}</Item>}
        {a.killSwitch.at && <Item>{formatTime(a.killSwitch.at, locale)}</Item>}
      </dl>
      <div className="mt-2 flex flex-wrap gap-2">
        {manage && (
          <button type="button" className={btn} onClick={() => setEditing((x) => !x)} data-testid={`broker-account-edit-${a.id}`}>
            {editing ? t('actions.cancel') : t('actions.edit')}
          </button>
        )}
        {manage && (
          <button type="button" className={btn} onClick={runTest} disabled={test.busy} data-testid={`broker-account-test-${a.id}`}>
            {test.busy ? t('actions.testing') : t('actions.test')}
          </button>
        )}
        {manage && (
          <ConfirmButton
            testId={`broker-account-toggle-${a.id}`}
            tone={a.disabled ? 'primary' : 'danger'}
            label={a.disabled ? t('actions.enable') : t('actions.disable')}
            title={a.disabled ? t('disable.confirmEnableTitle') : t('disable.confirmTitle')}
            body={<p>{a.disabled ? t('disable.confirmEnable') : t('disable.confirm')}</p>}
            confirmLabel={a.disabled ? t('actions.enable') : t('actions.disable')}
            onConfirm={() => act(() => fetchJson<BrokerAccountView>(`/api/broker-accounts/${a.id}`, json('PATCH', { disabled: !a.disabled })))}
          />
        )}
        {(manage || (a.access === 'trade' && !a.killSwitch.on)) && (
          <ConfirmButton
            testId={`broker-account-kill-${a.id}`}
            tone={a.killSwitch.on ? 'primary' : 'danger'}
            label={a.killSwitch.on ? t('kill.turnOff') : t('kill.turnOn')}
            title={a.killSwitch.on ? t('kill.confirmOffTitle') : t('kill.confirmOnTitle')}
            body={
              <div className="space-y-2">
                <p>{a.killSwitch.on ? t('kill.confirmOff') : t('kill.confirmOn')}</p>
                <label className="block">
                  <span className="text-xs text-slate-600">{t('kill.reason')}</span>
                  <input value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} className={input} />
                </label>
              </div>
            }
            confirmLabel={a.killSwitch.on ? t('kill.turnOff') : t('kill.turnOn')}
            onConfirm={() => act(() => fetchJson<BrokerAccountView>(`/api/broker-accounts/${a.id}/kill-switch`, json('POST', { on: !a.killSwitch.on, reason })))}
          />
        )}
      </div>
      {status && (
        <p role={status.ok ? 'status' : 'alert'} className={`mt-2 text-sm ${status.ok ? 'text-sky-800' : 'text-red-700'}`} data-testid={`broker-account-status-${a.id}`}>
          {status.text}
        </p>
      )}
      {test.result && (
        <div role={test.result.success ? 'status' : 'alert'} data-testid={`broker-account-test-result-${a.id}`} data-success={test.result.success ? 'true' : 'false'} className={`mt-2 rounded border px-3 py-2 text-sm ${test.result.success ? 'border-sky-200 bg-sky-50 text-sky-900' : 'border-red-200 bg-red-50 text-red-800'}`}>
          <p className="font-medium">{t(test.result.success ? 'test.ok' : 'test.fail', { target: test.result.target, ms: test.result.durationMs })}</p>
          <p className="mt-0.5 break-all">{t('test.bridgeSaid', { message: test.result.message })}</p>
          {test.result.account && <p className="mt-0.5">{t('test.account', { id: test.result.account.accountId ?? '—', total: money(test.result.account.totalAsset), cash: money(test.result.account.cash) })}</p>}
          {test.result.simulated !== null && <p className="mt-0.5">{test.result.simulated ? t('test.simulated') : t('test.real')}</p>}
        </div>
      )}
      {editing && (
        <div className="mt-3">
          <AccountForm
            account={a}
            onSaved={(x) => {
              onChange(x)
              setEditing(false)
              setStatus({ ok: true, text: t('saved') })
            }}
            onCancel={() => setEditing(false)}
          />
        </div>
      )}
      {manage && <Shares a={a} onChange={onChange} />}
    </li>
  )
}

function Item({ children }: { children: ReactNode }) {
  return <dd>{children}</dd>
}

/** Add (no `account`) or edit. Field errors from the shared schema, then from the API. */
function AccountForm({ account, onSaved, onCancel }: { account?: BrokerAccountView; onSaved: (a: BrokerAccountView) => void; onCancel: () => void }) {
  const t = useTranslations('brokerAccounts')
  const te = useTranslations('errors')
  const prefix = `acct-${account?.id ?? 'new'}`
  const [v, setV] = useState({
    name: account?.name ?? '',
    kind: account?.kind ?? 'qmt',
    host: account?.host ?? '',
    port: String(account?.port ?? 8000),
    qmtAccountId: account?.qmtAccountId ?? '',
    token: '',
    timeoutMs: String(account?.timeoutMs ?? 8000),
    maxOrdersPerMinute: account?.risk.maxOrdersPerMinute == null ? '' : String(account.risk.maxOrdersPerMinute),
    maxOrderValue: account?.risk.maxOrderValue == null ? '' : String(account.risk.maxOrderValue),
  })
  const [errors, setErrors] = useState<FieldErrors>({})
  const [status, setStatus] = useState<Status>(null)
  const [busy, setBusy] = useState(false)
  const [confirmOrders, setConfirmOrders] = useState(false)
  const set = (k: keyof typeof v, val: string) => setV((x) => ({ ...x, [k]: val }))
  const body = () => ({
    name: v.name,
    kind: v.kind,
    host: v.host,
    port: v.port,
    qmtAccountId: v.qmtAccountId,
    ...(v.token ? { token: v.token } : {}),
    timeoutMs: v.timeoutMs,
    risk: { maxOrdersPerMinute: v.maxOrdersPerMinute, maxOrderValue: v.maxOrderValue },
    ...(confirmOrders ? { confirmWorkingOrders: true } : {}),
  })
  const aria = (k: string, hint?: boolean) => ({
    id: `${prefix}-${k}`,
    name: k,
    'aria-invalid': !!errors[k],
    'aria-describedby': errors[k] ? `${prefix}-${k}-error` : hint ? `${prefix}-${k}-hint` : undefined,
  })
  const err = (k: string) => errors[k]
  // The Field ids carry the prefix; map the errors onto them.
  const E = (k: string) => ({ id: `${prefix}-${k}`, error: err(k) })

  async function submit() {
    setStatus(null)
    const parsed = brokerAccountFormSchema.safeParse(body())
    if (!parsed.success) {
      setErrors(issuesToFieldErrors(parsed.error.issues, (k, p) => te(k as never, p as never)))
      setStatus({ ok: false, text: t('failed', { message: te('validation.failed') }) })
      return
    }
    setErrors({})
    setBusy(true)
    try {
      const saved = account ? await fetchJson<BrokerAccountView>(`/api/broker-accounts/${account.id}`, json('PATCH', body())) : await fetchJson<BrokerAccountView>('/api/broker-accounts', json('POST', body()))
      onSaved(saved)
    } catch (e) {
      setErrors(fieldsOf(e))
      setStatus({ ok: false, text: t('failed', { message: (e as Error).message }) })
    } finally {
      setBusy(false)
    }
  }

  const qmt = v.kind === 'qmt'
  return (
    <form
      noValidate
      className="space-y-3 rounded border border-slate-200 p-3"
      data-testid={account ? `broker-account-form-${account.id}` : 'broker-account-form-new'}
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}
    >
      <div className="grid gap-3 sm:grid-cols-2">
        <Field {...E('name')} label={t('form.name')}>
          <input {...aria('name')} value={v.name} onChange={(e) => set('name', e.target.value)} className={input} maxLength={60} data-testid={`${prefix}-name`} />
        </Field>
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">{t('form.kind')}</legend>
          <div className="mt-2 flex flex-wrap gap-4">
            {(['qmt', 'paper'] as const).map((k) => (
              <label key={k} className="flex items-center gap-2 text-sm">
                <input type="radio" name={`${prefix}-kind`} value={k} checked={v.kind === k} onChange={() => set('kind', k)} data-testid={`${prefix}-kind-${k}`} />
                {t(`kind.${k}`)}
              </label>
            ))}
          </div>
        </fieldset>
      </div>
      {qmt && (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field {...E('host')} label={t('form.host')} hint={t('form.hostHint')}>
            <input {...aria('host', true)} value={v.host} onChange={(e) => set('host', e.target.value)} className={input} autoComplete="off" data-testid={`${prefix}-host`} />
          </Field>
          <Field {...E('port')} label={t('form.port')}>
            <input {...aria('port')} inputMode="numeric" value={v.port} onChange={(e) => set('port', e.target.value)} className={input} data-testid={`${prefix}-port`} />
          </Field>
          <Field {...E('token')} label={t('form.token')} hint={account?.tokenHint ? t('form.tokenHint', { hint: account.tokenHint }) : t('form.tokenNone')}>
            <input {...aria('token', true)} type="password" autoComplete="new-password" value={v.token} onChange={(e) => set('token', e.target.value)} className={input} data-testid={`${prefix}-token`} />
          </Field>
          <Field {...E('qmtAccountId')} label={t('form.qmtAccountId')}>
            <input {...aria('qmtAccountId')} value={v.qmtAccountId} onChange={(e) => set('qmtAccountId', e.target.value)} className={input} autoComplete="off" data-testid={`${prefix}-qmtAccountId`} />
          </Field>
          <Field {...E('timeoutMs')} label={t('form.timeoutMs')}>
            <input {...aria('timeoutMs')} inputMode="numeric" value={v.timeoutMs} onChange={(e) => set('timeoutMs', e.target.value)} className={input} />
          </Field>
        </div>
      )}
      <fieldset className="grid gap-3 sm:grid-cols-2">
        <legend className="text-sm font-medium text-slate-700">{t('form.risk')}</legend>
        <Field {...E('risk.maxOrdersPerMinute')} label={t('form.maxOrdersPerMinute')} hint={t('form.riskHint')}>
          <input {...aria('risk.maxOrdersPerMinute', true)} inputMode="numeric" value={v.maxOrdersPerMinute} onChange={(e) => set('maxOrdersPerMinute', e.target.value)} className={input} />
        </Field>
        <Field {...E('risk.maxOrderValue')} label={t('form.maxOrderValue')} hint={t('form.riskHint')}>
          <input {...aria('risk.maxOrderValue', true)} inputMode="decimal" value={v.maxOrderValue} onChange={(e) => set('maxOrderValue', e.target.value)} className={input} />
        </Field>
      </fieldset>
      {(errors.confirmWorkingOrders || confirmOrders) && (
        <div className="rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900">
          {errors.confirmWorkingOrders?.map((m) => (
            <p key={m} id={`${prefix}-confirmWorkingOrders-error`} role="alert">
              {m}
            </p>
          ))}
          <label className="mt-1 flex items-center gap-2">
            <input type="checkbox" checked={confirmOrders} onChange={(e) => setConfirmOrders(e.target.checked)} aria-describedby={errors.confirmWorkingOrders ? `${prefix}-confirmWorkingOrders-error` : undefined} />
            {t('form.confirmWorkingOrders')}
          </label>
        </div>
      )}
      <div className="flex flex-wrap gap-2">
        <button type="submit" disabled={busy} className={primary} data-testid={`${prefix}-save`}>
          {account ? t('actions.save') : t('actions.create')}
        </button>
        <button type="button" className={btn} onClick={onCancel}>
          {t('actions.cancel')}
        </button>
      </div>
      {status && (
        <p role={status.ok ? 'status' : 'alert'} className={`text-sm ${status.ok ? 'text-sky-800' : 'text-red-700'}`} data-testid={`${prefix}-status`}>
          {status.text}
        </p>
      )}
    </form>
  )
}

/** Who else sees the account: add by email (read-only or with trading), remove. */
function Shares({ a, onChange }: { a: BrokerAccountView; onChange: (a: BrokerAccountView) => void }) {
  const t = useTranslations('brokerAccounts')
  const [email, setEmail] = useState('')
  const [canTrade, setCanTrade] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  async function send(method: 'PUT' | 'DELETE', body: unknown) {
    setError(null)
    setBusy(true)
    try {
      onChange(await fetchJson<BrokerAccountView>(`/api/broker-accounts/${a.id}/shares`, json(method, body)))
      if (method === 'PUT') setEmail('')
    } catch (e) {
      setError(Object.values(fieldsOf(e)).flat().join('；') || (e as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <details className="mt-2 text-sm" data-testid={`broker-account-shares-${a.id}`}>
      <summary className="cursor-pointer text-slate-700">{t('shares.title')}</summary>
      <div className="mt-2 space-y-2">
        {a.shares.length === 0 ? (
          <p className="text-xs text-slate-500">{t('shares.none')}</p>
        ) : (
          <ul className="space-y-1">
            {a.shares.map((s) => (
              <li key={s.userId} className="flex flex-wrap items-center gap-2" data-testid={`broker-account-share-${a.id}-${s.userId}`}>
                <span>{t('shares.line', { email: s.email, mode: s.canTrade ? t('shares.trade') : t('shares.read') })}</span>
                <button type="button" className={btn} disabled={busy} onClick={() => send('DELETE', { email: s.email })}>
                  {t('shares.remove')}
                </button>
              </li>
            ))}
          </ul>
        )}
        <form
          noValidate
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault()
            void send('PUT', { email, canTrade })
          }}
        >
          <label className="block">
            <span className="text-xs text-slate-600">{t('shares.email')}</span>
            <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} className={input} aria-invalid={!!error} data-testid={`broker-account-share-email-${a.id}`} />
          </label>
          <label className="flex items-center gap-2 pb-2 text-xs">
            <input type="checkbox" checked={canTrade} onChange={(e) => setCanTrade(e.target.checked)} />
            {t('shares.canTrade')}
          </label>
          <button type="submit" className={btn} disabled={busy || !email} data-testid={`broker-account-share-add-${a.id}`}>
            {t('shares.add')}
          </button>
        </form>
        {error && (
          <p role="alert" className="text-xs text-red-700">
            {error}
          </p>
        )}
      </div>
    </details>
  )
}
