import type { Tx } from './tx'

export interface AuditEntry {
  actorId?: number | null
  actor: string
  action: string
  entity: string
  entityId?: string | number | null
  before?: unknown
  after?: unknown
}

/** JSON columns cannot hold BigInt or Date: store them as strings. */
export function toJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)))
}

export async function writeAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.auditLog.create({
    data: {
      actorId: entry.actorId ?? null,
      actor: entry.actor,
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId == null ? null : String(entry.entityId),
      before: entry.before === undefined ? undefined : (toJson(entry.before) as object),
      after: entry.after === undefined ? undefined : (toJson(entry.after) as object),
    },
  })
}
