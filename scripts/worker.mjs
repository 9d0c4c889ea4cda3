// `npm run worker`: runs workers/monitor.ts as one esbuild bundle (built once, rebuilt when a
// source file changes) instead of through a TypeScript loader: about 35 MB less resident memory
// and a faster start. Plain JavaScript so it needs no loader itself. Node flags come from the
// npm script (package.json) or scripts/stack.ts.
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const ROOT = path.resolve(import.meta.dirname, '..')
const OUT_DIR = path.join(ROOT, 'node_modules', '.cache', 'dingpan')
const OUT = path.join(OUT_DIR, 'worker.mjs')
const SOURCES = ['lib', 'workers', 'tsconfig.json', 'package.json', 'scripts/worker.mjs']

function newest(p) {
  const st = fs.statSync(p)
  if (!st.isDirectory()) return st.mtimeMs
  let m = st.mtimeMs
  for (const e of fs.readdirSync(p)) m = Math.max(m, newest(path.join(p, e)))
  return m
}

function upToDate() {
  if (!fs.existsSync(OUT)) return false
  const built = fs.statSync(OUT).mtimeMs
  return SOURCES.every((s) => !fs.existsSync(path.join(ROOT, s)) || newest(path.join(ROOT, s)) < built)
}

// Prisma's query compiler ships as an ES module holding one 2.5 MB base64 string; imported, V8
// keeps that module's source and the string for the life of the process. Read as a file instead,
// the text is garbage as soon as the generated client has compiled its WebAssembly module.
const prismaWasmFromFile = {
  name: 'prisma-wasm-from-file',
  setup(b) {
    b.onResolve({ filter: /^@prisma\/client\/runtime\/query_compiler_bg\.\w+\.wasm-base64\.mjs$/ }, (args) => ({ path: args.path, namespace: 'prisma-wasm' }))
    b.onLoad({ filter: /.*/, namespace: 'prisma-wasm' }, (args) => ({
      loader: 'js',
      contents: [
        "import fs from 'node:fs'",
        "import { fileURLToPath } from 'node:url'",
        'export let wasm = (() => {',
        `  const text = fs.readFileSync(fileURLToPath(import.meta.resolve(${JSON.stringify(args.path)})), 'utf8')`,
        '  const start = text.indexOf(\'"\') + 1',
        '  return text.slice(start, text.indexOf(\'"\', start))',
        '})()',
        // Read once, in the microtasks that follow the import; let go after that.
        "setTimeout(() => { wasm = '' }, 0)",
      ].join('\n'),
    }))
  },
}

if (!upToDate()) {
  fs.mkdirSync(OUT_DIR, { recursive: true })
  // Build to a private file and rename: two processes starting at once never run a half-written bundle.
  const tmp = `${OUT}.${process.pid}.tmp.mjs`
  await build({
    entryPoints: [path.join(ROOT, 'workers', 'monitor.ts')],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: false,
    // V8 keeps a module's whole source text in memory (for lazy compilation). Without comments and
    // whitespace, and ASCII-only (one byte per character instead of two), that text is ~10 MB
    // smaller; names stay, so stack traces still read.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    charset: 'ascii',
    legalComments: 'none',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    // Native and Node-specific packages stay as they are installed.
    // Prisma's runtime stays outside too: each generated client loads its query compiler (a 2.5 MB
    // base64 WebAssembly module) with a dynamic import, so only the configured provider's is ever
    // read, instead of both being held in the bundle's source text.
    external: ['better-sqlite3', 'pg', 'pino', 'node-schedule', 'nodemailer', 'web-push', '@prisma/adapter-better-sqlite3', '@prisma/adapter-pg', '@prisma/client', '@prisma/client/*'],
    banner: { js: "import { createRequire as __dpCreateRequire } from 'node:module'; const require = __dpCreateRequire(import.meta.url);" },
    logLevel: 'error',
    plugins: [prismaWasmFromFile],
  })
  // esbuild leaves non-ASCII characters of regular-expression literals as they are; one such
  // character would make V8 hold the whole source as two-byte text. `\uXXXX` means the same there.
  const text = fs.readFileSync(tmp, 'utf8')
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (ascii !== text) fs.writeFileSync(tmp, ascii)
  fs.renameSync(tmp, OUT)
}

await import(pathToFileURL(OUT).href)
