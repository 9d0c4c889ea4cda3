// The SQLite and PostgreSQL schemas must describe the same models, fields, attributes and enums;
// and each provider's migrations must produce exactly its schema (no drift).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { pgEnabled, PG_ADMIN_URL, ROOT } from '../helpers/db'

function blocks(file: string): Map<string, string[]> {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8')
  const out = new Map<string, string[]>()
  const re = /^(model|enum|generator|datasource)\s+(\w+)\s*\{([\s\S]*?)^\}/gm
  for (const m of text.matchAll(re)) {
    const lines = m[3]!
      .split('\n')
      .map((l) => l.replace(/\/\/.*$/, '').trim().replace(/\s+/g, ' '))
      .filter(Boolean)
    out.set(`${m[1]} ${m[2]}`, lines)
  }
  return out
}

describe('schema parity', () => {
  const sqlite = blocks('prisma/sqlite/schema.prisma')
  const postgres = blocks('prisma/postgresql/schema.prisma')

  it('has the same models and enums with the same fields and attributes', () => {
    const names = (m: Map<string, string[]>) => [...m.keys()].filter((k) => k.startsWith('model') || k.startsWith('enum')).sort()
    expect(names(postgres)).toEqual(names(sqlite))
    expect(names(sqlite).length).toBeGreaterThan(10)
    for (const name of names(sqlite)) expect(postgres.get(name), name).toEqual(sqlite.get(name))
  })

  it('differs only in the provider and the generated client folder', () => {
    expect(sqlite.get('datasource db')).toContain('provider = "sqlite"')
    expect(postgres.get('datasource db')).toContain('provider = "postgresql"')
    const strip = (lines: string[] | undefined) => (lines ?? []).filter((l) => !l.startsWith('output') && !l.startsWith('provider'))
    expect(strip(postgres.get('generator client'))).toEqual(strip(sqlite.get('generator client')))
    expect(strip(postgres.get('datasource db'))).toEqual(strip(sqlite.get('datasource db')))
  })

  // --from-migrations needs a live shadow database: PostgreSQL only when its suite is enabled.
  const configs: Array<[string, string]> = [['prisma.config.ts', 'prisma/sqlite']]
  if (pgEnabled()) configs.push(['prisma.config.pg.ts', 'prisma/postgresql'])

  it.each(configs)('migrations of %s produce its schema exactly', (config, dir) => {
    const cli = path.join(ROOT, 'node_modules', 'prisma', 'build', 'index.js')
    // --exit-code: 0 = no difference, 2 = the migrations and the schema differ.
    const run = () =>
      execFileSync(
        process.execPath,
        [cli, 'migrate', 'diff', '--config', config, '--from-migrations', `${dir}/migrations`, '--to-schema-datamodel', `${dir}/schema.prisma`, '--exit-code'],
        { cwd: ROOT, stdio: 'pipe', env: { ...process.env, CHECKPOINT_DISABLE: '1', DATABASE_URL: config.includes('pg') ? PG_ADMIN_URL : 'file:./data/schema-check.db' } },
      )
    expect(() => run()).not.toThrow()
  })
})
