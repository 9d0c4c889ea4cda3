// Lint rules, including the layer directions of DingPan (see README "How it is built" and each folder's README.md).
import nextVitals from 'eslint-config-next/core-web-vitals'
import nextTs from 'eslint-config-next/typescript'

const prismaOnlyInDb = {
  paths: [
    { name: '@prisma/client', message: 'Only lib/db may import the Prisma client.' },
    { name: 'server-only', message: 'server-only throws outside Next; the worker and tests load lib/.' },
  ],
  patterns: [
    { group: ['@prisma/adapter-*', '@/lib/db/generated/*', '**/db/generated/*'], message: 'Only lib/db may import the Prisma client.' },
  ],
}

/** @type {import('eslint').Linter.Config[]} */
const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: ['.next/**', 'node_modules/**', 'lib/db/generated/**', 'test-results/**', 'data/**', 'next-env.d.ts', 'bench/**'],
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Layer directions: lower layers never import upper ones.
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './lib/market', from: './', except: ['./lib/market', './node_modules'], message: 'lib/market is the ground floor: it imports nothing of ours.' },
            { target: ['./lib/broker', './lib/quotes', './lib/notify'], from: ['./lib/db', './lib/services', './app', './workers', './scripts'], message: 'Adapters import lib/market only, never lib/db, lib/services, app or workers.' },
            { target: './lib/db', from: ['./lib/services', './lib/broker', './lib/quotes', './lib/notify', './lib/paper', './app', './workers', './scripts'], message: 'lib/db sits below the services and adapters.' },
            // The paper exchange stands in for MiniQMT + QKA and the quote sites: a separate program.
            { target: './lib/paper', from: './', except: ['./lib/market', './lib/paper', './lib/broker/types.ts', './node_modules'], message: 'lib/paper imports lib/market and lib/broker/types.ts only: it is the outside world, not part of DingPan.' },
            { target: ['./lib/broker/**/!(paper-broker).ts', './lib/quotes', './lib/notify'], from: './lib/paper', message: 'The real broker and quote paths never import the paper exchange (only lib/broker/paper-broker.ts reuses its engine).' },
            { target: './lib/services', from: ['./app', './workers', './scripts'], message: 'Services are shared by app and worker; they never import them.' },
            // lib/services in rooms by purpose (each room's README.md): runtime at the bottom, trading
            // and views beside each other, notifications behind one entry point.
            { target: './lib/services/trading', from: './lib/services/views', message: 'Trading never imports the views (read models behind pages).' },
            { target: './lib/services/views', from: './lib/services/trading', except: ['./shapes.ts'], message: "Views never import trading's write paths; the read-only shapes they share live in trading/shapes.ts." },
            { target: './lib/services/runtime', from: ['./lib/services/trading', './lib/services/views'], message: 'runtime (clock, settings, broker config, health) sits below trading and views.' },
            { target: './lib/services/notifications', from: ['./lib/services/trading', './lib/services/views', './lib/services/runtime'], message: 'Notifications import no other room.' },
            { target: ['./lib/services/trading', './lib/services/views', './lib/services/runtime', './app', './workers', './scripts'], from: './lib/services/notifications', except: ['./index.ts'], message: 'Notifications are reached only through lib/services/notifications/index.ts.' },
            { target: ['./lib/services/trading', './lib/services/views', './lib/services/notifications', './app', './workers'], from: './lib/paper', message: 'The app, the worker and the order path talk to the paper exchange over HTTP only (runtime/demo-seed reads its scenarios).' },
            { target: './workers', from: ['./app'], message: 'The worker never imports the web app.' },
          ],
        },
      ],
    },
  },
  {
    files: ['lib/**', 'workers/**', 'app/**', 'scripts/**', 'tests/**'],
    ignores: ['lib/db/**'],
    rules: { 'no-restricted-imports': ['error', prismaOnlyInDb] },
  },
]

export default config
