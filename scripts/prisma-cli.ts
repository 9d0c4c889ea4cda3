/** Runs the Prisma CLI of this install for the configured database (SQLite or PostgreSQL). */
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import pg from 'pg'

const ROOT = path.resolve(import.meta.dirname, '..')
const CLI = path.join(ROOT, 'node_modules', 'prisma', 'build', 'index.js')

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url)
}

export function prisma(args: string[], url: string, opts: { quiet?: boolean } = {}): void {
  const config = isPostgresUrl(url) ? 'prisma.config.pg.ts' : 'prisma.config.ts'
  execFileSync(process.execPath, [CLI, ...args, '--config', config], {
    cwd: ROOT,
    stdio: opts.quiet ? 'pipe' : 'inherit',
    env: { ...process.env, DATABASE_URL: url, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  })
}

/** The wasm schema engine cannot create a PostgreSQL database: do it first if it is missing. */
export async function ensurePgDatabase(url: string): Promise<void> {
  const u = new URL(url)
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''))
  if (!name) throw new Error('DATABASE_URL names no database')
  const admin = new URL(url)
  admin.pathname = '/postgres'
  const client = new pg.Client({ connectionString: admin.toString() })
  await client.connect()
  try {
    const res = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (res.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`)
  } finally {
    await client.end()
  }
}
