// `npm run serve` (scripts/serve.ts) as a user starts it: on an empty SQLite file it migrates, runs
// the built web app and the worker against the paper exchange, restarts the worker when it is
// killed (a new worker beats again), and stops everything on SIGTERM. Runs after `next build`.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { ROOT } from '../helpers/db'
import { freePort, simEnv, spawnNode, startSim, waitFor, type Proc } from '../../scripts/stack'

const TSX_LOADER = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dingpan-serve-'))
const procs: Proc[] = []
afterAll(async () => {
  for (const p of procs.reverse()) await p.stop('SIGKILL').catch(() => undefined)
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('npm run serve', () => {
  it('migrates, runs web + worker, restarts a killed worker, stops on SIGTERM', async () => {
    if (!fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) throw new Error('No production build: run `npx next build` first.')
    const sim = await startSim({ stateFile: null, scenario: 'none', start: '2026-11-23T01:29:00.000Z', paused: true, seed: 7 })
    procs.push(sim.proc)
    const dbFile = path.join(dir, 'dingpan.db')
    const port = await freePort()
    const serve = spawnNode('serve', ['--import', TSX_LOADER, path.join(ROOT, 'scripts', 'serve.ts'), '--no-build'], {
      ...simEnv(sim.ready),
      DATABASE_URL: `file:${dbFile}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      NEXTAUTH_SECRET: randomBytes(24).toString('hex'),
      DINGPAN_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
      MONITOR_INTERVAL_SECONDS: '1',
      LOG_LEVEL: 'warn',
      SERVE_BACKOFF_MS: '300',
    }, { ipc: true })
    procs.push(serve)
    const pids = () => [...serve.output().matchAll(/worker started \(pid (\d+)\)/g)].map((m) => Number(m[1]))

    await waitFor('serve to start', async () => {
      if (serve.child.exitCode !== null) throw new Error(`serve exited ${serve.child.exitCode}:\n${serve.output()}`)
      return /DingPan is running: http:\/\/127\.0\.0\.1:\d+/.test(serve.output())
    }, 150_000)
    expect(serve.output()).toContain('applying migrations')
    // --no-build: the existing build is used whether or not sources changed since (never rebuilt)
    expect(serve.output()).toMatch(/using the existing build|web app build is up to date/)
    expect(serve.output()).not.toContain('building the web app')
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBeLessThan(500)

    const db = new Database(dbFile, { readonly: true })
    const beats = (pid: number) => (db.prepare(`SELECT COUNT(*) AS n FROM "WorkerHeartbeat" WHERE "workerId" LIKE ?`).get(`%:${pid}:%`) as { n: number }).n
    const [first] = pids()
    expect(first).toBeGreaterThan(0)
    await waitFor('the first worker to beat', async () => beats(first) > 0, 60_000)

    process.kill(first, 'SIGKILL')
    await waitFor('the worker to be restarted', async () => pids().length >= 2, 30_000)
    expect(serve.output()).toMatch(/worker exited \(signal SIGKILL\) after [\d.]+ s; restarting in 0\.3 s \(restart 1\)/)
    const second = pids()[1]
    expect(second).not.toBe(first)
    expect(alive(first)).toBe(false)
    await waitFor('the restarted worker to beat', async () => beats(second) > 0, 60_000)
    db.close()

    const webPid = Number(/web pid (\d+)/.exec(serve.output())?.[1])
    serve.child.kill('SIGTERM')
    const code = await serve.exited
    expect(code, serve.output()).toBe(0)
    expect(alive(second)).toBe(false)
    expect(alive(webPid)).toBe(false)
    expect(serve.output()).toContain('stopping (SIGTERM)')
  })
})
