/** Setting rows with who changed them and when (for the settings page). */
import { getDb } from './client'

export async function settingRows(keys: string[]) {
  const rows = await getDb().setting.findMany({ where: { key: { in: keys } } })
  return new Map(rows.map((r) => [r.key, { value: r.value, updatedAt: r.updatedAt, updatedBy: r.updatedBy }]))
}
