/**
 * Starts DingPan the way `npm run demo` does (scripts/stack.ts), on throwaway ports and a throwaway
 * database: the built web app (`next start`), and for the full stack also the paper exchange and
 * the worker; plus headless Debian Chromium driven by playwright-core.
 */
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { createTestDb, ROOT, type TestDb } from '../helpers/db'
import { freePort, simEnv, startSim, startWeb, startWorker, waitFor, type Env, type Proc, type SimReady } from '../../scripts/stack'

export { freePort, waitFor, type Env, type Proc }

export const RESULTS_DIR = path.join(ROOT, 'test-results')

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  })
  return settlingBrowser(browser)
}

/**
 * Pages behind a loading.tsx are streamed: until React's reveal script runs, the streamed content
 * sits in a hidden `<div hidden id="S:n">` beside the placeholder, so a locator can match two
 * copies of one element (a strict-mode violation that depends on timing; CI failed on it twice).
 * A user never sees the hidden copy, so the tests wait for the reveal after every document load.
 */
export async function streamRevealed(page: Page, timeout = 20_000): Promise<void> {
  await page.waitForFunction(() => document.querySelector('div[hidden][id^="S:"]') === null, undefined, { timeout, polling: 50 })
}

function settleLoads(page: Page): Page {
  const marked = page as Page & { __settles?: true }
  if (marked.__settles) return page
  marked.__settles = true
  for (const name of ['goto', 'reload', 'goBack', 'goForward'] as const) {
    const original = (page[name] as (...args: unknown[]) => Promise<unknown>).bind(page)
    Object.assign(page, {
      [name]: async (...args: unknown[]) => {
        const response = await original(...args)
        // A load that left the page (a download, a redirect still running) has nothing to reveal.
        await streamRevealed(page).catch(() => undefined)
        return response
      },
    })
  }
  return page
}

function settlingBrowser(browser: Browser): Browser {
  const watch = (context: BrowserContext): BrowserContext => {
    context.on('page', settleLoads)
    const newPage = context.newPage.bind(context)
    context.newPage = async () => settleLoads(await newPage())
    return context
  }
  const newContext = browser.newContext.bind(browser)
  browser.newContext = async (...args) => watch(await newContext(...args))
  const newPage = browser.newPage.bind(browser)
  browser.newPage = async (...args) => {
    const page = await newPage(...args)
    watch(page.context())
    return settleLoads(page)
  }
  return browser
}

export interface Stack {
  db: TestDb
  webUrl: string
  env: Env
  procs: Proc[]
  browser: Browser
  stop(): Promise<void>
}

function baseEnv(db: TestDb, extra: Env): Env {
  return {
    DATABASE_URL: db.url,
    NEXTAUTH_SECRET: randomBytes(24).toString('hex'),
    DINGPAN_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
    LOG_LEVEL: 'warn',
    ...extra,
  }
}

function stackOf(db: TestDb, webUrl: string, env: Env, procs: Proc[], browser: Browser): Stack {
  const stack: Stack = {
    db,
    webUrl,
    env,
    procs,
    browser,
    async stop() {
      await browser.close().catch(() => undefined)
      for (const p of [...stack.procs].reverse()) await p.stop()
      await db.drop()
    },
  }
  return stack
}

/** The web app alone, on a fresh SQLite database. */
export async function startWebStack(extraEnv: Env = {}): Promise<Stack> {
  const db = await createTestDb('sqlite')
  const env = baseEnv(db, extraEnv)
  const web = await startWeb(env, await freePort(), { host: '127.0.0.1' })
  return stackOf(db, web.url, env, [web.proc], await launchBrowser())
}

export interface FullStack extends Stack {
  sim: SimReady
  simProc: Proc
  worker: Proc
  /** POST (with a body) or GET the paper exchange's control API. */
  control(path: string, body?: unknown): Promise<unknown>
  /** Stops the paper exchange (bridge and quotes go down). */
  stopSim(): Promise<void>
}

/**
 * Web + worker + paper exchange, like `npm run demo`: the worker and the web app use the paper
 * exchange's bridge, quotes and simulated clock. Default: no scripted scenario, clock paused at
 * Monday 2026-11-23 09:29 (tests move prices and time through `control`); the worker cycles every
 * second.
 */
export async function startFullStack(opts: { start?: string; paused?: boolean; speed?: number; scenario?: 'demo' | 'none'; env?: Env } = {}): Promise<FullStack> {
  const db = await createTestDb('sqlite')
  const sim = await startSim({
    stateFile: null,
    scenario: opts.scenario ?? 'none',
    start: opts.start ?? '2026-11-23T01:29:00.000Z',
    paused: opts.paused ?? true,
    speed: opts.speed ?? 1,
    seed: 7,
  })
  const env = baseEnv(db, { ...simEnv(sim.ready), MONITOR_INTERVAL_SECONDS: '1', WORKER_STALE_SECONDS: '15', ...opts.env })
  const worker = startWorker(env)
  const web = await startWeb(env, await freePort(), { host: '127.0.0.1' })
  const base = stackOf(db, web.url, env, [sim.proc, worker, web.proc], await launchBrowser())
  const control = async (p: string, body?: unknown) => {
    const res = await fetch(`${sim.ready.url}${p}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', 'x-token': sim.ready.controlToken },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${p} → ${res.status} ${text}`)
    return text ? JSON.parse(text) : null
  }
  return {
    ...base,
    sim: sim.ready,
    simProc: sim.proc,
    worker,
    control,
    stopSim: () => sim.proc.stop(),
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true })
  const file = path.join(RESULTS_DIR, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}

export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/signin`)
  await page.fill('input[name="email"]', email)
  await page.fill('input[name="password"]', password)
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 30_000 }), page.click('button[type="submit"]')])
}
