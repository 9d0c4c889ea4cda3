/**
 * Named points on the trigger → order path where the crash tests kill the worker (SIGKILL, no
 * cleanup), to prove that a restart never sends a second order. Inert unless DINGPAN_CRASH_POINT
 * names the point; DINGPAN_CRASH_AFTER=n lets the first n passes through.
 */
export type CrashPoint = 'in-signal-tx' | 'after-commit' | 'after-claim' | 'after-send' | 'after-record'

let passes = 0
let stalled = false

export function crashPoint(name: CrashPoint): void {
  // DINGPAN_STALL_POINT: the process stops itself here (SIGSTOP) instead, once, until a SIGCONT —
  // a stalled worker (GC pause, suspended VM) that wakes after another took its lease over.
  if (process.env.DINGPAN_STALL_POINT === name && !stalled) {
    stalled = true
    process.kill(process.pid, 'SIGSTOP')
    return
  }
  if (process.env.DINGPAN_CRASH_POINT !== name) return
  if (passes++ < Number(process.env.DINGPAN_CRASH_AFTER ?? 0)) return
  process.kill(process.pid, 'SIGKILL')
}
