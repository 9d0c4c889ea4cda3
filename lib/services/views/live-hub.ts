/**
 * The live-update hub of one web process: ONE reader of the database change feed (lib/db/live.ts)
 * fanned out to every connected Server-Sent Events stream, each filtered to its own user.
 *
 * - SQLite: the feed is polled every DINGPAN_LIVE_POLL_MS (default 100 ms) with a primary-key range
 *   query that finds nothing most of the time.
 * - PostgreSQL: the hub LISTENs and reads the feed when NOTIFY arrives (at commit), plus a slow
 *   safety poll. Sequence ids may commit out of order there, so skipped ids are asked for again for
 *   GAP_TTL_MS before they are given up (a rolled-back transaction leaves a gap for ever).
 *
 * Events are invalidation hints ("your orders changed"), never data: a client that missed any
 * refetches everything (the `reset` event, also sent when its Last-Event-ID is older than the
 * hub's memory). SWR polling in the pages stays as the fallback while no stream is connected.
 */
import { liveEventsAfter, liveHeadId, listenLive, type LiveRow } from '@/lib/db/live'
import { RateLimitedError } from '@/lib/errors'
import { logger } from '@/lib/log'

export type LiveTopic = 'orders' | 'notifications' | 'cycle'

const log = logger.child({ mod: 'live-hub' })

const num = (v: string | undefined, d: number) => {
  const n = Number(v)
  return Number.isFinite(n) && n > 0 ? n : d
}
const POLL_MS = () => num(process.env.DINGPAN_LIVE_POLL_MS, 100)
const PG_SAFETY_POLL_MS = () => num(process.env.DINGPAN_LIVE_PG_POLL_MS, 2_000)
const HEARTBEAT_MS = () => num(process.env.DINGPAN_LIVE_HEARTBEAT_MS, 15_000)
const GAP_TTL_MS = 10_000
const MAX_GAPS = 1_000
const RING = 5_000
const BATCH = 2_000
/** The hub keeps reading this long after its last client left, so a reconnect can resume. */
const LINGER_MS = 60_000
const MAX_STREAMS_PER_USER = 16
/** A client this many events behind (not reading) is dropped; its EventSource reconnects. */
const MAX_QUEUED = 256

interface Sub {
  userId: number
  push(chunk: string): void
  close(): void
}

export function formatEvent(id: number, event: string, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

class LiveHub {
  private cursor = 0
  /** Ids at or below this are not in `ring` any more (or were before the hub started). */
  private floor = 0
  private ring: LiveRow[] = []
  private gaps = new Map<number, number>()
  private subs = new Set<Sub>()
  private starting: Promise<void> | null = null
  private running = false
  private pollTimer: ReturnType<typeof setTimeout> | null = null
  private beatTimer: ReturnType<typeof setInterval> | null = null
  private lingerTimer: ReturnType<typeof setTimeout> | null = null
  private closeListen: (() => Promise<void>) | null = null
  private again = false
  private pg = false

  private async start(): Promise<void> {
    this.cursor = await liveHeadId()
    this.floor = this.cursor
    this.ring = []
    this.gaps.clear()
    this.running = true
    try {
      this.closeListen = await listenLive(
        () => void this.kick(),
        (e) => this.listenLost(e),
      )
      this.pg = this.closeListen !== null
    } catch (e) {
      // Without LISTEN the safety poll still delivers, only later.
      log.warn({ err: e }, 'live feed: LISTEN failed; polling only')
      this.pg = true
    }
    this.beatTimer = setInterval(() => this.broadcast(': hb\n\n'), HEARTBEAT_MS())
    this.beatTimer.unref?.()
    this.schedule()
  }

  private listenLost(e: Error) {
    if (!this.running) return
    log.warn({ err: e }, 'live feed: LISTEN connection lost; reconnecting')
    const close = this.closeListen
    this.closeListen = null
    void close?.()
    setTimeout(() => {
      if (!this.running || this.closeListen) return
      listenLive(() => void this.kick(), (err) => this.listenLost(err))
        .then((c) => {
          if (this.running) this.closeListen = c
          else void c?.()
          void this.kick()
        })
        .catch((err) => this.listenLost(err as Error))
    }, 1_000).unref?.()
  }

  private stop() {
    this.running = false
    if (this.pollTimer) clearTimeout(this.pollTimer)
    if (this.beatTimer) clearInterval(this.beatTimer)
    this.pollTimer = this.beatTimer = null
    const close = this.closeListen
    this.closeListen = null
    void close?.()
    this.starting = null
  }

  private schedule() {
    if (!this.running) return
    if (this.pollTimer) clearTimeout(this.pollTimer)
    this.pollTimer = setTimeout(() => void this.kick(), this.pg ? PG_SAFETY_POLL_MS() : POLL_MS())
    this.pollTimer.unref?.()
  }

  private queued: Promise<void> | null = null
  private chain: Promise<void> = Promise.resolve()

  /** Reads the feed now, or right after the read in progress; resolves when that read is done. */
  kick(): Promise<void> {
    if (!this.running) return Promise.resolve()
    if (this.queued) return this.queued
    const next = this.chain.then(async () => {
      this.queued = null
      try {
        await this.poll()
      } catch (e) {
        log.warn({ err: e }, 'live feed: read failed')
      }
      if (this.again) {
        this.again = false
        void this.kick()
      } else this.schedule()
    })
    this.queued = next
    this.chain = next
    return next
  }

  private async poll() {
    const now = Date.now()
    for (const [id, at] of this.gaps) if (now - at > GAP_TTL_MS) this.gaps.delete(id)
    const rows = await liveEventsAfter(this.cursor, [...this.gaps.keys()], BATCH)
    if (rows.length === 0) return
    const fresh: LiveRow[] = []
    for (const r of rows) {
      if (r.id > this.cursor) {
        if (this.pg) for (let g = this.cursor + 1; g < r.id && this.gaps.size < MAX_GAPS; g++) this.gaps.set(g, now)
        this.cursor = r.id
        fresh.push(r)
      } else if (this.gaps.delete(r.id)) fresh.push(r)
    }
    if (rows.length === BATCH) this.again = true
    if (fresh.length === 0) return
    this.ring.push(...fresh)
    if (this.ring.length > RING) {
      const dropped = this.ring.splice(0, this.ring.length - RING)
      this.floor = Math.max(this.floor, dropped[dropped.length - 1]!.id)
    }
    const id = this.cursor
    for (const s of this.subs) {
      const topics = topicsFor(fresh, s.userId)
      if (topics.length > 0) s.push(formatEvent(id, 'change', { topics }))
    }
  }

  private broadcast(chunk: string) {
    for (const s of this.subs) s.push(chunk)
  }

  /**
   * Adds a stream. Its first event tells where it stands: `hello` (fresh connection), `change` with
   * what changed since `lastEventId` (resume), or `reset` when the hub cannot tell (refetch all).
   */
  async subscribe(sub: Sub, lastEventId: number | null): Promise<() => void> {
    let mine = 0
    for (const s of this.subs) if (s.userId === sub.userId) mine++
    if (mine >= MAX_STREAMS_PER_USER) throw new RateLimitedError(5)
    if (this.lingerTimer) clearTimeout(this.lingerTimer)
    this.lingerTimer = null
    if (!this.starting) {
      this.starting = this.start()
      this.starting.catch(() => {
        this.stop()
      })
    }
    await this.starting
    // A resuming tab must see what was committed before it came back.
    if (lastEventId !== null) await this.kick()
    // From here to `add` nothing awaits: no event can slip between the replay and the live feed.
    sub.push(`retry: 3000\n\n`)
    if (lastEventId === null) sub.push(formatEvent(this.cursor, 'hello', {}))
    else if (lastEventId < this.floor || lastEventId > this.cursor) sub.push(formatEvent(this.cursor, 'reset', {}))
    else {
      const topics = topicsFor(
        this.ring.filter((r) => r.id > lastEventId),
        sub.userId,
      )
      sub.push(formatEvent(this.cursor, topics.length > 0 ? 'change' : 'hello', topics.length > 0 ? { topics } : {}))
    }
    this.subs.add(sub)
    return () => {
      if (!this.subs.delete(sub)) return
      if (this.subs.size === 0) {
        this.lingerTimer = setTimeout(() => {
          if (this.subs.size === 0) this.stop()
        }, LINGER_MS)
        this.lingerTimer.unref?.()
      }
    }
  }

  get size() {
    return this.subs.size
  }

  /** Tests: forget everything (the next subscriber starts a fresh hub). */
  reset() {
    for (const s of this.subs) s.close()
    this.subs.clear()
    if (this.lingerTimer) clearTimeout(this.lingerTimer)
    this.stop()
  }
}

function topicsFor(rows: LiveRow[], userId: number): LiveTopic[] {
  const set = new Set<LiveTopic>()
  for (const r of rows) if (r.userId === null || r.userId === userId) set.add(r.topic as LiveTopic)
  return [...set].sort()
}

const g = globalThis as unknown as { __dingpanLiveHub?: LiveHub }
export function liveHub(): LiveHub {
  g.__dingpanLiveHub ??= new LiveHub()
  return g.__dingpanLiveHub
}

/** `Last-Event-ID` as the stream sends it (digits only), or null. */
export function parseLastEventId(v: string | null | undefined): number | null {
  if (typeof v !== 'string' || !/^\d{1,15}$/.test(v)) return null
  return Number(v)
}

/**
 * The Server-Sent Events answer for one tab: text/event-stream, never compressed or buffered,
 * closed when the client goes away (or falls MAX_QUEUED events behind).
 */
export async function liveStreamResponse(userId: number, lastEventId: number | null, signal: AbortSignal): Promise<Response> {
  const enc = new TextEncoder()
  let unsubscribe: (() => void) | null = null
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let closed = false
  const close = () => {
    if (closed) return
    closed = true
    unsubscribe?.()
    try {
      controller.close()
    } catch {
      // already closed or cancelled
    }
  }
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c
      },
      cancel() {
        close()
      },
    },
    { highWaterMark: MAX_QUEUED },
  )
  const sub: Sub = {
    userId,
    push(chunk) {
      if (closed) return
      if ((controller.desiredSize ?? 0) <= 0) return close()
      controller.enqueue(enc.encode(chunk))
    },
    close,
  }
  unsubscribe = await liveHub().subscribe(sub, lastEventId)
  if (closed) unsubscribe()
  if (signal.aborted) close()
  else signal.addEventListener('abort', close, { once: true })
  return new Response(stream, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      // no-transform: next start's compression would otherwise buffer the stream.
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  })
}
