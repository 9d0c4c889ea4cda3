// Runs once when the Next.js server starts: the web side watches the worker's heartbeat.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startWorkerWatch } = await import('./lib/services/runtime/worker-watch')
    startWorkerWatch()
  }
}
