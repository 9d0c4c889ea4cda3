// Runs once when the Next.js server starts: the web side watches the worker's heartbeat, and
// BROKER / MINIQMT_* update the default broker account while the environment defines it.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startWorkerWatch } = await import('./lib/services/runtime/worker-watch')
    startWorkerWatch()
    const [{ bootstrapDefaultAccount }, { env }, { logger }] = await Promise.all([import('./lib/services/runtime/broker-accounts'), import('./lib/env'), import('./lib/log')])
    void bootstrapDefaultAccount(env())
      .then((r) => logger.info({ result: r }, 'default broker account from the environment'))
      .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'default broker account: bootstrap from the environment failed'))
  }
}
