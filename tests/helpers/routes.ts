/**
 * The app's API routes, read from the file system (app/api/**\/route.ts) with the HTTP methods each
 * exports, so a suite that must cover every route fails when a new one appears without coverage.
 */
import fs from 'node:fs'
import path from 'node:path'
import { ROOT } from './db'

export interface ApiRoute {
  /** URL template as in the file system: `/api/stocks/[id]/detail`, `/api/auth/[...nextauth]`. */
  template: string
  methods: string[]
}

export function apiRoutes(): ApiRoute[] {
  const out: ApiRoute[] = []
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('_')) walk(full)
        continue
      }
      if (!/^route\.tsx?$/.test(entry.name)) continue
      const rel = path.relative(path.join(ROOT, 'app'), path.dirname(full))
      const template = '/' + rel.split(path.sep).filter((s) => s && !/^\(.*\)$/.test(s)).join('/')
      const src = fs.readFileSync(full, 'utf8')
      const methods = [...src.matchAll(/export\s+(?:const|async function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!)
      const reexport = src.match(/export\s*\{([^}]*)\}/)
      if (reexport) for (const m of reexport[1]!.matchAll(/as\s+(GET|POST|PUT|PATCH|DELETE)/g)) methods.push(m[1]!)
      out.push({ template, methods: [...new Set(methods)].sort() })
    }
  }
  walk(path.join(ROOT, 'app', 'api'))
  return out.sort((a, b) => a.template.localeCompare(b.template))
}

/** The app's pages (app/**\/page.tsx) as URL templates, route groups removed: `/stocks/[id]/edit`. */
export function pageRoutes(): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('_') && entry.name !== 'api') walk(full)
      } else if (/^page\.tsx?$/.test(entry.name)) {
        const rel = path.relative(path.join(ROOT, 'app'), path.dirname(full))
        out.push('/' + rel.split(path.sep).filter((s) => s && !/^\(.*\)$/.test(s)).join('/'))
      }
    }
  }
  walk(path.join(ROOT, 'app'))
  return out.sort()
}
