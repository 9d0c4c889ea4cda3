/**
 * pushP99Ms: from a worker commit to the live-stream event arriving at each of 50 connected
 * clients. The production web app (`next start`, built) on a fresh database; 50 signed-in
 * /api/stream clients (10 users × 5 tabs); the worker's own commit (writeHeartbeat, as each cycle
 * ends) 200 times at irregular intervals. Latency per client and commit: event received − the
 * moment before the commit was issued. Every client must receive every commit (counted).
 */
import { performance } from 'node:perf_hooks'
import { startWeb, freePort, type Proc } from './stack'

const CLIENTS = 50
const USERS = 10
const COMMITS = 200

interface Client {
  received: Map<number, number>
  close(): void
  ready: Promise<void>
}

async function signIn(base: string, email: string, password: string): Promise<string> {
  const csrfRes = await fetch(`${base}/api/auth/csrf`)
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string }
  const csrfCookie = csrfRes.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, email, password, json: 'true' }),
  })
  const session = res.headers.getSetCookie().find((c) => /next-auth\.session-token=/.test(c))
  if (!session) throw new Error(`sign-in of ${email} failed: ${res.status}`)
  return session.split(';')[0]!
}

/** One stream; records, per event id, when (performance.now()) it arrived. */
function connect(base: string, cookie: string): Client {
  const ac = new AbortController()
  const received = new Map<number, number>()
  let ready!: () => void
  const readyP = new Promise<void>((r) => (ready = r))
  void (async () => {
    const res = await fetch(`${base}/api/stream`, { headers: { cookie, accept: 'text/event-stream' }, signal: ac.signal })
    if (res.status !== 200 || !res.body) throw new Error(`stream answered ${res.status}`)
    const dec = new TextDecoder()
    let buf = ''
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const at = performance.now()
      buf += dec.decode(chunk, { stream: true })
      let i: number
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i)
        buf = buf.slice(i + 2)
        const id = /^id: (\d+)$/m.exec(block)
        const ev = /^event: (\w+)$/m.exec(block)?.[1]
        if (ev === 'hello') ready()
        if (id && ev === 'change') received.set(Number(id[1]), at)
      }
    }
  })().catch((e) => {
    if ((e as Error).name !== 'AbortError') console.error(`[bench] stream failed: ${(e as Error).message}`)
  })
  return { received, close: () => ac.abort(), ready: readyP }
}

export async function benchPush(dbUrl: string, log: (m: string) => void): Promise<{ p50: number; p99: number; max: number; n: number; expected: number }> {
  process.env.DATABASE_URL = dbUrl
  const { createUser } = await import('../lib/db/users')
  const { hashPassword } = await import('../lib/auth/password')
  const { writeHeartbeat } = await import('../lib/db/worker-status')
  const { getDb } = await import('../lib/db/client')
  const hash = await hashPassword('bench-password')
  for (let u = 0; u < USERS; u++) await createUser(`push${u}@example.com`, hash, 'USER')
  const port = await freePort()
  let web: { proc: Proc; url: string } | null = null
  const clients: Client[] = []
  try {
    web = await startWeb({ DATABASE_URL: dbUrl, LOG_LEVEL: 'warn', NEXTAUTH_SECRET: 'bench-push-secret-0123456789abcdef' }, port, { host: '127.0.0.1' })
    const cookies: string[] = []
    for (let u = 0; u < USERS; u++) cookies.push(await signIn(web.url, `push${u}@example.com`, 'bench-password'))
    for (let c = 0; c < CLIENTS; c++) clients.push(connect(web.url, cookies[c % USERS]!))
    await Promise.all(clients.map((c) => c.ready))
    log(`  ${CLIENTS} streams connected; ${COMMITS} worker commits…`)
    const issued: Array<{ at: number }> = []
    const db = getDb()
    for (let k = 0; k < COMMITS; k++) {
      const at = performance.now()
      await writeHeartbeat({ workerId: 'bench', cycleStartedAt: new Date(), cycleEndedAt: new Date(), durationMs: 1, marketPhase: 'CONTINUOUS', clockMode: 'wall', marketTime: new Date(), monitors: 0, quotesFetched: 0, signals: 0, ordersSent: 0, errors: 0, errorText: null })
      issued.push({ at })
      // Irregular spacing (100–400 ms), so commits land at every phase of the web app's poll.
      await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 300)))
    }
    await new Promise((r) => setTimeout(r, 1_000))
    // Event ids are the feed's ids: the k-th commit wrote the k-th cycle row.
    const rows = await db.liveEvent.findMany({ where: { topic: 'cycle' }, orderBy: { id: 'asc' }, select: { id: true } })
    const ids = rows.slice(-COMMITS).map((r) => r.id)
    const lat: number[] = []
    let missing = 0
    for (const c of clients) {
      // Commits read in the same poll share one event (its id is the newest): a commit is delivered
      // by the first event whose id is at least its own.
      const seen = [...c.received.entries()].sort((x, y) => x[0] - y[0])
      ids.forEach((id, k) => {
        const got = seen.find(([eid]) => eid >= id)
        if (got === undefined) missing++
        else lat.push(got[1] - issued[k]!.at)
      })
    }
    if (missing > 0) throw new Error(`${missing} of ${ids.length * CLIENTS} events never arrived`)
    lat.sort((a, b) => a - b)
    const q = (p: number) => Math.round(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! * 10) / 10
    return { p50: q(0.5), p99: q(0.99), max: q(1), n: lat.length, expected: ids.length * CLIENTS }
  } finally {
    for (const c of clients) c.close()
    await web?.proc.stop()
    await getDb().$disconnect()
  }
}
