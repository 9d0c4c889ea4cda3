/**
 * `npm run db:deploy`: applies the migrations of the configured database's provider
 * (prisma/sqlite or prisma/postgresql), creating the PostgreSQL database if needed.
 */
import { loadDotEnv } from '../lib/load-env'
import { prepareSqliteFile } from '../lib/db/client'
import { ensurePgDatabase, isPostgresUrl, prisma } from './prisma-cli'

export async function deploy(url: string, opts: { quiet?: boolean } = {}): Promise<void> {
  if (isPostgresUrl(url)) await ensurePgDatabase(url)
  else prepareSqliteFile(url)
  prisma(['migrate', 'deploy'], url, opts)
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('db-deploy.ts')) {
  loadDotEnv()
  const url = process.env.DATABASE_URL ?? 'file:./data/dingpan.db'
  deploy(url).catch((e) => {
    console.error(`db:deploy failed: ${(e as Error).message}`)
    process.exit(1)
  })
}
