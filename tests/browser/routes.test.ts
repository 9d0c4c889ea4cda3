// Enumerates every page and API route in app/ and proves that an anonymous request is refused,
// except sign-in, setup and the health check.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/db'
import { startWebStack, type Stack } from './harness'

interface Route {
  url: string
  kind: 'page' | 'api'
  methods: string[]
}

const PUBLIC = new Set(['/signin', '/setup', '/api/health', '/api/setup'])

function enumerate(): Route[] {
  const out: Route[] = []
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('_')) walk(full)
        continue
      }
      if (!/^(page|route)\.tsx?$/.test(entry.name)) continue
      const rel = path.relative(path.join(ROOT, 'app'), path.dirname(full))
      const segments = rel
        .split(path.sep)
        .filter((s) => s && !/^\(.*\)$/.test(s))
        .map((s) => (s.startsWith('[...') ? 'x' : s.startsWith('[') ? '1' : s))
      const url = '/' + segments.join('/')
      if (entry.name.startsWith('page')) out.push({ url, kind: 'page', methods: ['GET'] })
      else {
        const src = fs.readFileSync(full, 'utf8')
        const methods = [...src.matchAll(/export\s+(?:const|async function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!)
        const reexport = src.match(/export\s*\{([^}]*)\}/)
        if (reexport) for (const m of reexport[1]!.matchAll(/as\s+(GET|POST|PUT|PATCH|DELETE)/g)) methods.push(m[1]!)
        out.push({ url, kind: 'api', methods })
      }
    }
  }
  walk(path.join(ROOT, 'app'))
  return out
}

const routes = enumerate()
let stack: Stack

beforeAll(async () => {
  stack = await startWebStack()
})
afterAll(async () => {
  await stack?.stop()
})

describe('anonymous requests', () => {
  it('finds the routes', () => {
    expect(routes.filter((r) => r.kind === 'page').length).toBeGreaterThan(3)
    expect(routes.filter((r) => r.kind === 'api').length).toBeGreaterThan(5)
    expect(routes.every((r) => r.methods.length > 0)).toBe(true)
  })

  it('are refused everywhere except sign-in, setup, next-auth and health', async () => {
    const failures: string[] = []
    for (const r of routes) {
      if (PUBLIC.has(r.url) || r.url.startsWith('/api/auth/')) continue
      for (const method of r.methods) {
        const res = await fetch(stack.webUrl + r.url, {
          method,
          redirect: 'manual',
          headers: { 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : '{}',
        })
        const ok =
          r.kind === 'api' ? res.status === 401 : [302, 303, 307, 308].includes(res.status) && (res.headers.get('location') ?? '').includes('/signin')
        if (!ok) failures.push(`${method} ${r.url} → ${res.status} ${res.headers.get('location') ?? ''}`)
      }
    }
    expect(failures).toEqual([])
  })

  it('lets the public routes answer', async () => {
    expect((await fetch(`${stack.webUrl}/api/health`)).status).toBe(200)
    const signin = await fetch(`${stack.webUrl}/signin`, { redirect: 'manual' })
    // No user yet: the sign-in page sends the visitor to setup.
    expect([200, 307]).toContain(signin.status)
    expect((await fetch(`${stack.webUrl}/setup`, { redirect: 'manual' })).status).toBe(200)
  })
})
