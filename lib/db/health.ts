import { getDb } from './client'

export async function pingDb(): Promise<void> {
  await getDb().$queryRawUnsafe('SELECT 1')
}

export function latestHeartbeat() {
  return getDb().workerHeartbeat.findFirst({ orderBy: { cycleStartedAt: 'desc' } })
}

export function listServiceHealth() {
  return getDb().serviceHealth.findMany({ orderBy: { name: 'asc' } })
}
