/** Key/value settings shared by the web app and the worker (kill switch, risk limits, broker...). */
import { getDb } from './client'
import { writeTx } from './tx'
import { writeAudit } from './audit'

export async function getSetting<T>(key: string): Promise<T | undefined> {
  const row = await getDb().setting.findUnique({ where: { key } })
  return row ? (row.value as T) : undefined
}

export async function getSettings(keys: string[]): Promise<Record<string, unknown>> {
  const rows = await getDb().setting.findMany({ where: { key: { in: keys } } })
  return Object.fromEntries(rows.map((r) => [r.key, r.value]))
}

/** `audit` replaces the value in the audit log (for settings that hold secrets). */
export async function putSetting(key: string, value: unknown, actor: { id: number | null; label: string }, audit?: { before: unknown; after: unknown }): Promise<void> {
  await writeTx(getDb(), async (tx) => {
    const before = await tx.setting.findUnique({ where: { key } })
    await tx.setting.upsert({
      where: { key },
      create: { key, value: value as object, updatedBy: actor.label },
      update: { value: value as object, updatedBy: actor.label },
    })
    await writeAudit(tx, { actorId: actor.id, actor: actor.label, action: 'setting.put', entity: 'Setting', entityId: key, before: audit ? audit.before : (before?.value ?? null), after: audit ? audit.after : value })
  })
}
