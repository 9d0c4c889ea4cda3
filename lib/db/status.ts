/** Reads for the status page: recent heartbeats, the last ones that carried errors, service health, the worker lease. */
import { getDb } from './client'

export function heartbeats(limit: number) {
  return getDb().workerHeartbeat.findMany({ orderBy: [{ cycleStartedAt: 'desc' }, { id: 'desc' }], take: limit })
}

export function heartbeatsWithErrors(limit: number) {
  return getDb().workerHeartbeat.findMany({ where: { errors: { gt: 0 } }, orderBy: [{ cycleStartedAt: 'desc' }, { id: 'desc' }], take: limit })
}

export function serviceHealthRows() {
  return getDb().serviceHealth.findMany({ orderBy: { name: 'asc' } })
}

export function workerLeases() {
  return getDb().workerLease.findMany({ orderBy: { name: 'asc' } })
}
