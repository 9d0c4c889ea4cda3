// Prisma CLI config for PostgreSQL (select with --config prisma.config.pg.ts).
import { defineConfig } from 'prisma/config'
import { pgMigrateAdapter } from './prisma/migrate-adapter'

process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/dingpan'
const url = /^postgres(ql)?:/.test(process.env.DATABASE_URL)
  ? process.env.DATABASE_URL
  : 'postgresql://postgres@127.0.0.1:5432/dingpan'

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => pgMigrateAdapter(url),
  schema: 'prisma/postgresql/schema.prisma',
  migrations: { path: 'prisma/postgresql/migrations' },
})
