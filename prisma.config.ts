// Prisma CLI config for the embedded default, SQLite. PostgreSQL: prisma.config.pg.ts.
import { defineConfig } from 'prisma/config'
import { sqliteMigrateAdapter } from './prisma/migrate-adapter'

// Must always resolve, or the CLI cannot read engineType and tries to download an engine.
process.env.DATABASE_URL ??= 'file:./data/dingpan.db'
const url = process.env.DATABASE_URL.startsWith('file:') ? process.env.DATABASE_URL : 'file:./data/dingpan.db'

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => sqliteMigrateAdapter(url),
  schema: 'prisma/sqlite/schema.prisma',
  migrations: { path: 'prisma/sqlite/migrations' },
})
