/**
 * `npm run sim` (scripts/sim.ts) as a real child process: one JSON ready line on stdout, a working
 * bridge and quote endpoint, clean shutdown on SIGTERM and on the IPC message "shutdown".
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MiniQMTInterface } from '@/lib/broker/miniqmt'
import { createTencentProvider } from '@/lib/quotes/tencent'

const TSX = path.resolve('node_modules/tsx/dist/cli.mjs')
const SIM = path.resolve('scripts/sim.ts')
const children: ChildProcess[] = []
const dirs: string[] = []
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL')
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

interface Ready {
  ready: true
  url: string
  quoteUrl: string
  bridgeUrl: string
  token: string
  controlToken: string
  stateFile: string | null
  scenario: string
  clock: { now: string; speed: number; paused: boolean }
  pid: number
}

function startCli(args: string[], ipc = false) {
  const child = spawn(process.execPath, [TSX, SIM, '--port', '0', '--bridge-port', '0', ...args], {
    cwd: process.cwd(),
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  })
  children.push(child)
  let out = ''
  let err = ''
  child.stdout!.on('data', (c) => (out += c))
  child.stderr!.on('data', (c) => (err += c))
  const ready = new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line; stderr: ${err}`)), 30_000)
    child.stdout!.on('data', () => {
      const line = out.split('\n')[0]
      if (out.includes('\n') && line) {
        clearTimeout(timer)
        resolve(JSON.parse(line))
      }
    })
    child.on('exit', (code) => reject(new Error(`exited ${code} before ready: ${err}`)))
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, ready, exited, output: () => out, errors: () => err }
}

describe('scripts/sim.ts', () => {
  it('prints one ready line, serves the bridge and quotes, persists state, and stops cleanly on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dingpan-cli-'))
    dirs.push(dir)
    const stateFile = path.join(dir, 'state.json')
    const cli = startCli(['--token', 'a'.repeat(64), '--state-file', stateFile, '--start', '2026-09-14T02:00:00Z', '--paused', '--scenario', 'demo', '--seed', '7'])
    const r = await cli.ready
    expect(r).toMatchObject({ ready: true, token: 'a'.repeat(64), controlToken: 'a'.repeat(64), stateFile, scenario: 'demo', clock: { now: '2026-09-14T02:00:00.000Z', paused: true, speed: 12 } })
    expect(r.quoteUrl).toBe(r.url)
    expect(r.bridgeUrl).not.toBe(r.url)
    const b = new MiniQMTInterface({ baseUrl: r.bridgeUrl, token: r.token, clock: () => new Date(r.clock.now) })
    expect((await b.connect()).success).toBe(true)
    expect((await b.getPositions()).map((p) => p.code)).toEqual(['000001.SZ', '601398.SH'])
    const quotes = await createTencentProvider({ baseUrl: r.url, timeoutMs: 3000 }).fetch(['600000.SH'])
    expect(quotes.byCode.get('600000.SH')).toMatchObject({ ok: true, quote: { name: '浦发银行' } })
    cli.child.kill('SIGTERM')
    expect(await cli.exited).toBe(0)
    expect(cli.output().trim().split('\n')).toEqual([expect.stringContaining('"ready":true'), '{"stopped":true}'])
    expect(JSON.parse(fs.readFileSync(stateFile, 'utf8')).kind).toBe('dingpan-paper-exchange')
  }, 60_000)

  it('generates a token when none is given and stops on the IPC message "shutdown" (the Windows-safe way)', async () => {
    const cli = startCli(['--no-state', '--wall', '--scenario', 'none'], true)
    const r = await cli.ready
    expect(r.token).toMatch(/^[0-9a-f]{64}$/)
    expect(r.stateFile).toBeNull()
    expect(r.clock.speed).toBe(1)
    expect(Math.abs(Date.parse(r.clock.now) - Date.now())).toBeLessThan(30_000)
    cli.child.send('shutdown')
    expect(await cli.exited).toBe(0)
    expect(cli.output()).toContain('{"stopped":true}')
  }, 60_000)

  it('rejects bad flags with exit code 2', async () => {
    const cli = startCli(['--scenario', 'nonsense'])
    await expect(cli.ready).rejects.toThrow(/exited 2/)
  }, 60_000)
})
