/**
 * State files of the paper exchange and the paper broker: atomic JSON writes (a temp file in the same
 * directory, fsync, rename over the target — a reader sees the old or the new file, never half of
 * one) and a cross-process lock (proper-lockfile: a `<file>.lock` directory with a stale timeout)
 * around load-modify-save, plus an in-process queue so one process never contends with itself.
 */
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import lockfile from 'proper-lockfile'

export function writeJsonAtomic(file: string, data: unknown): void {
  const dir = path.dirname(path.resolve(file))
  fs.mkdirSync(dir, { recursive: true })
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  const text = JSON.stringify(data)
  const fd = fs.openSync(tmp, 'w')
  try {
    fs.writeFileSync(fd, text)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  let lastErr: unknown
  // Windows may refuse a rename while another process has the target open for reading: retry briefly.
  for (let i = 0; i < 20; i++) {
    try {
      fs.renameSync(tmp, file)
      return
    } catch (e) {
      lastErr = e
      const code = (e as NodeJS.ErrnoException).code
      if (code !== 'EPERM' && code !== 'EACCES' && code !== 'EBUSY') break
      const until = Date.now() + 10 * (i + 1)
      while (Date.now() < until) {
        // short synchronous back-off
      }
    }
  }
  try {
    fs.unlinkSync(tmp)
  } catch {
    // ignore
  }
  throw lastErr
}

/** The parsed file, or null when it does not exist. Throws on unreadable or invalid JSON. */
export function readJsonFile(file: string): unknown | null {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw e
  }
  return JSON.parse(text)
}

const chains = new Map<string, Promise<unknown>>()

export interface LockOptions {
  /** A lock older than this is considered abandoned (ms). Default 10 s. */
  staleMs?: number
  /** How long to wait for the lock before giving up (ms). Default 15 s. */
  waitMs?: number
  /** Called when the lock was found stale/taken over while held (instead of crashing the process). */
  onCompromised?: (err: Error) => void
}

/** Runs `fn` holding the cross-process lock of `file` (and the in-process queue for it). */
export async function withFileLock<T>(file: string, fn: () => T | Promise<T>, opts: LockOptions = {}): Promise<T> {
  const key = path.resolve(file)
  const prev = chains.get(key) ?? Promise.resolve()
  let release!: () => void
  const mine = new Promise<void>((r) => (release = r))
  const tail = prev.then(() => mine)
  chains.set(key, tail)
  await prev.catch(() => undefined)
  try {
    fs.mkdirSync(path.dirname(key), { recursive: true })
    const stale = Math.max(2000, opts.staleMs ?? 10_000)
    const waitMs = opts.waitMs ?? 15_000
    const retries = Math.max(1, Math.ceil(waitMs / 50))
    let compromised: Error | null = null
    const unlock = await lockfile.lock(key, {
      realpath: false,
      stale,
      update: Math.floor(stale / 2),
      retries: { retries, minTimeout: 10, maxTimeout: 50, factor: 1.2 },
      // proper-lockfile's default throws from a timer (an uncaught exception): record it instead.
      onCompromised: (err) => {
        compromised = err
      },
    })
    try {
      // The write inside fn is atomic and already happened: a lock lost meanwhile is reported, not
      // turned into a failure (that would misreport a recorded order as not sent).
      const out = await fn()
      if (compromised) opts.onCompromised?.(compromised)
      return out
    } finally {
      await unlock().catch(() => undefined)
    }
  } finally {
    release()
    if (chains.get(key) === tail) chains.delete(key)
  }
}
