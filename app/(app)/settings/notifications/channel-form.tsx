'use client'
/**
 * Add / edit one channel. The fields are read from lib/notify's schemas for the chosen type; the
 * same validator as the API runs before sending, and the API's field-level errors are shown on
 * the same fields. Secret fields are write-only: the placeholder shows the stored value's
 * redacted hint and an empty field keeps it.
 */
import { useMemo, useState } from 'react'
import { useLocale, useTranslations } from 'next-intl'
import { channelFormFields, validateChannelInput, type ChannelErrorKey, type FieldDesc } from '@/lib/schemas/channels'
import type { ChannelType, Locale } from '@/lib/notify/types'
import type { FieldErrors } from '@/lib/errors'
import type { ChannelView } from '@/lib/services/notifications'
import { EventsPicker } from './events-picker'
import { initialFormState, toPayload, type ChannelFormState, type FieldValue } from './form-values'

const input =
  'mt-1 w-full rounded border border-slate-300 px-3 py-2 text-base sm:text-sm focus:border-sky-500 focus:outline-none aria-[invalid=true]:border-red-500'

export function ChannelForm({
  type,
  channel,
  onSaved,
  onCancel,
}: {
  type: ChannelType
  channel?: ChannelView
  onSaved: (view: ChannelView) => void
  onCancel: () => void
}) {
  const t = useTranslations('channels')
  const locale = useLocale() as Locale
  const fields = useMemo(() => channelFormFields(type), [type])
  const [state, setState] = useState<ChannelFormState>(() => initialFormState(type, channel))
  const [errors, setErrors] = useState<FieldErrors>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const editing = channel !== undefined
  const fl = (name: string, part: 'label' | 'hint') => t(`fields.${type}.${name}.${part}` as never)
  const idOf = (path: string) => `${channel ? `c${channel.id}-` : 'new-'}${path}`

  const setConfig = (path: string[], value: FieldValue) =>
    setState((s) => {
      const config = { ...s.config }
      if (path.length === 1) config[path[0]] = value
      else config[path[0]] = { ...(config[path[0]] as Record<string, FieldValue>), [path[1]]: value }
      return { ...s, config }
    })

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault()
    setBanner(null)
    const payload = toPayload(state)
    const storedFields = channel ? Object.entries(channel.secretHints).filter(([, h]) => h !== '').map(([k]) => k) : []
    const check = validateChannelInput(payload, {
      locale,
      t: (k: ChannelErrorKey) => t(`errors.${k}`),
      existing: channel ? { type, secrets: null, storedFields: channel.secretsUnreadable ? [] : storedFields } : undefined,
    })
    if (!check.ok) {
      setErrors(check.fields)
      setBanner(t('form.saveFailed', { message: Object.values(check.fields)[0]?.[0] ?? '' }))
      return
    }
    setErrors({})
    setBusy(true)
    try {
      const res = await fetch(editing ? `/api/channels/${channel.id}` : '/api/channels', {
        method: editing ? 'PUT' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      })
      const body = await res.json().catch(() => ({}))
      if (!res.ok) {
        setErrors(body.fields ?? {})
        setBanner(t('form.saveFailed', { message: body.message ?? `HTTP ${res.status}` }))
        return
      }
      onSaved(body as ChannelView)
    } catch (err) {
      setBanner(t('errors.network', { message: (err as Error).message }))
    } finally {
      setBusy(false)
    }
  }

  const err = (path: string) =>
    errors[path] ? (
      <span id={`${idOf(path)}-error`} className="mt-1 block text-xs text-red-600" data-testid={`error-${path}`}>
        {errors[path].join('；')}
      </span>
    ) : null
  const aria = (path: string) => ({
    'aria-invalid': !!errors[path],
    'aria-describedby': errors[path] ? `${idOf(path)}-error` : `${idOf(path)}-hint`,
  })
  const hint = (path: string, text: string) => (
    <span id={`${idOf(path)}-hint`} className="mt-0.5 block text-xs text-slate-500">
      {text}
    </span>
  )
  const labelText = (text: string, required: boolean) => (
    <span className="text-sm font-medium text-slate-700">
      {text} <span className="text-xs font-normal text-slate-500">{required ? t('form.required') : t('form.optional')}</span>
    </span>
  )

  function configField(f: FieldDesc, path: string[], label: string, help?: string) {
    const p = f.path
    const value = path.length === 1 ? state.config[path[0]] : (state.config[path[0]] as Record<string, FieldValue> | undefined)?.[path[1]]
    if (f.kind === 'boolean') {
      return (
        <label key={p} className="flex items-start gap-2 sm:col-span-2">
          <input type="checkbox" id={idOf(p)} name={p} checked={value === true} onChange={(e) => setConfig(path, e.target.checked)} className="mt-1 h-4 w-4" />
          <span>
            <span className="text-sm font-medium text-slate-700">{label}</span>
            {help && hint(p, help)}
            {err(p)}
          </span>
        </label>
      )
    }
    if (f.kind === 'object') {
      return (
        <fieldset key={p} className="rounded border border-slate-200 p-3 sm:col-span-2" aria-describedby={`${idOf(p)}-hint`}>
          <legend className="px-1 text-sm font-medium text-slate-700">{label}</legend>
          {help && hint(p, help)}
          <div className="mt-2 grid gap-3 sm:grid-cols-3">{f.fields.map((sub) => configField(sub, [path[0], sub.name], t(`fields.${type}.${path[0]}.${sub.name}` as never)))}</div>
          {err(p)}
        </fieldset>
      )
    }
    return (
      <label key={p} className={`block ${f.kind === 'list' ? 'sm:col-span-2' : ''}`}>
        {labelText(label, f.required)}
        {f.kind === 'enum' ? (
          <select id={idOf(p)} name={p} value={String(value ?? '')} onChange={(e) => setConfig(path, e.target.value)} className={input} {...aria(p)}>
            {!f.required && f.defaultValue === undefined && <option value="">{t('form.useDefault')}</option>}
            {f.options.map((o) => (
              <option key={o} value={o}>
                {t(`enum.${o}` as never)}
              </option>
            ))}
          </select>
        ) : f.kind === 'list' ? (
          <textarea id={idOf(p)} name={p} rows={3} value={String(value ?? '')} onChange={(e) => setConfig(path, e.target.value)} className={input} placeholder={t('form.listHint')} {...aria(p)} />
        ) : (
          <input
            id={idOf(p)}
            name={p}
            value={String(value ?? '')}
            inputMode={f.kind === 'number' ? 'numeric' : undefined}
            autoComplete="off"
            onChange={(e) => setConfig(path, e.target.value)}
            className={input}
            {...aria(p)}
          />
        )}
        {help && hint(p, help)}
        {err(p)}
      </label>
    )
  }

  function secretField(f: FieldDesc) {
    const p = f.path
    const stored = channel && !channel.secretsUnreadable ? channel.secretHints[f.name] : ''
    const cleared = state.clear.includes(f.name)
    return (
      <div key={p} className="block">
        <label className="block">
          {labelText(fl(f.name, 'label'), f.required)}
          <input
            id={idOf(p)}
            name={p}
            type="password"
            autoComplete="new-password"
            value={state.secrets[f.name] ?? ''}
            placeholder={stored && !cleared ? t('form.secretSet', { hint: stored }) : t('form.secretNotSet')}
            onChange={(e) => setState((s) => ({ ...s, secrets: { ...s.secrets, [f.name]: e.target.value } }))}
            className={input}
            {...aria(p)}
          />
        </label>
        {hint(p, fl(f.name, 'hint'))}
        {stored && !f.required && (
          <label className="mt-1 flex items-center gap-2 text-xs text-slate-600">
            <input
              type="checkbox"
              data-testid={`clear-${f.name}`}
              checked={cleared}
              onChange={(e) => setState((s) => ({ ...s, clear: e.target.checked ? [...s.clear, f.name] : s.clear.filter((c) => c !== f.name) }))}
            />
            {t('form.clearSecret')}
          </label>
        )}
        {err(p)}
      </div>
    )
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4" data-testid="channel-form" aria-label={editing ? t('editTitle', { name: channel.name }) : t('addTitle')}>
      {banner && (
        <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-700" data-testid="form-error">
          {banner}
        </p>
      )}
      {errors._form && <p className="text-sm text-red-700">{errors._form.join('；')}</p>}
      <p className="text-sm text-slate-600">{t(`types.${type}.desc`)}</p>
      <div className="grid gap-4 sm:grid-cols-2">
        <label className="block">
          {labelText(t('form.name'), true)}
          <input
            id={idOf('name')}
            name="name"
            value={state.name}
            maxLength={80}
            onChange={(e) => setState((s) => ({ ...s, name: e.target.value }))}
            className={input}
            autoFocus={!editing}
            {...aria('name')}
          />
          {hint('name', t('form.nameHint'))}
          {err('name')}
        </label>
        <label className="flex items-start gap-2 self-center">
          <input type="checkbox" id={idOf('enabled')} name="enabled" checked={state.enabled} onChange={(e) => setState((s) => ({ ...s, enabled: e.target.checked }))} className="mt-1 h-4 w-4" />
          <span>
            <span className="text-sm font-medium text-slate-700">{t('form.enabled')}</span>
            {hint('enabled', t('form.enabledHint'))}
          </span>
        </label>
      </div>

      {fields.config.length > 0 && (
        <fieldset className="grid gap-4 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-2">
          <legend className="px-1 text-sm font-semibold">{t('form.settings')}</legend>
          {fields.config.map((f) => configField(f, [f.name], fl(f.name, 'label'), fl(f.name, 'hint')))}
        </fieldset>
      )}

      <fieldset className="grid gap-4 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-2">
        <legend className="px-1 text-sm font-semibold">{t('form.secrets')}</legend>
        {channel?.secretsUnreadable && (
          <p role="alert" className="text-sm text-amber-800 sm:col-span-2">
            {t('form.secretsUnreadable')}
          </p>
        )}
        {fields.secrets.map(secretField)}
      </fieldset>

      <EventsPicker value={state.events} onChange={(events) => setState((s) => ({ ...s, events }))} error={errors.events} />

      <div className="flex flex-wrap gap-3">
        <button type="submit" disabled={busy} data-testid="save-channel" className="rounded bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800 disabled:opacity-60">
          {busy ? t('form.saving') : t('form.save')}
        </button>
        <button type="button" onClick={onCancel} className="rounded border border-slate-300 px-4 py-2 text-slate-700 hover:bg-slate-50">
          {t('form.cancel')}
        </button>
      </div>
    </form>
  )
}
