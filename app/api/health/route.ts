import { NextResponse } from 'next/server'
import { healthReport } from '@/lib/services/runtime/health'

export const dynamic = 'force-dynamic'

// Public: for uptime checks. 503 only when the database is unreachable; a worker that stopped
// beating is reported in the body (worker.status = "stale").
export async function GET() {
  const report = await healthReport()
  return NextResponse.json(report, { status: report.db === 'ok' ? 200 : 503 })
}
