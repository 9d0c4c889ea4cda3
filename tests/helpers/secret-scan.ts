/**
 * Looking for secrets where they must not be: marker values (unique per run, recognisable) and the
 * forms they could take on the way out — whole, truncated (a 16-character run of the random part;
 * redacted hints show only the last 4 characters), base64 (at every byte alignment, e.g. SMTP AUTH
 * PLAIN) or hex — plus secret-looking material in general (private keys, URLs with credentials,
 * environment assignments of the secret variables).
 */
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'

export interface Marker {
  name: string
  value: string
}

/** `dpmk<Name><24 hex>`: letters and digits only, so URL/JSON encoding leaves it unchanged. */
export function marker(name: string, prefix = ''): Marker {
  return { name, value: `${prefix}dpmk${name}${randomBytes(12).toString('hex')}` }
}

export function needles(m: Marker): string[] {
  const v = m.value
  const random = v.slice(-24)
  // Whole; its start (a truncated value: prefix + 8 random characters); a run of the random part.
  const out = new Set<string>([v, ...[v.slice(0, v.length - 16), random.slice(0, 16)].filter((n) => n.length >= 12)])
  for (const pad of ['', 'x', 'xx']) {
    const b64 = Buffer.from(pad + v).toString('base64')
    const inner = b64.slice(Math.ceil((pad.length * 4) / 3) + 4, -4)
    if (inner.length >= 16) out.add(inner)
  }
  out.add(Buffer.from(v).toString('hex').slice(8, 48))
  return [...out]
}

export const SECRET_PATTERNS: Array<[string, RegExp]> = [
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['URL with a password', /\b(?:postgres(?:ql)?|mysql|redis|smtps?|https?):\/\/[^\s:/@"'`]+:[^\s@/"'`]{3,}@/],
  ['secret env assignment', /\b(?:NEXTAUTH_SECRET|DINGPAN_ENCRYPTION_KEY|MINIQMT_TOKEN|SIM_TOKEN|SIM_CONTROL_TOKEN)\s*[=:]\s*["']?[A-Za-z0-9+/_.-]{8,}/],
  ['bearer token', /\b[Bb]earer\s+[A-Za-z0-9._~+/-]{20,}/],
]

export interface Hit {
  where: string
  what: string
  context: string
}

export function scanText(where: string, text: string, markers: Marker[], patterns = SECRET_PATTERNS): Hit[] {
  const hits: Hit[] = []
  for (const m of markers) {
    for (const n of needles(m)) {
      const i = text.indexOf(n)
      if (i >= 0) {
        hits.push({ where, what: `marker ${m.name} (${n === m.value ? 'whole' : 'encoded/partial'})`, context: text.slice(Math.max(0, i - 80), i + n.length + 80) })
        break
      }
    }
  }
  for (const [label, re] of patterns) {
    const match = re.exec(text)
    if (match) hits.push({ where, what: label, context: text.slice(Math.max(0, match.index - 80), match.index + match[0].length + 80) })
  }
  return hits
}

export function listFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name)
      if (e.isDirectory()) walk(full)
      else if (e.isFile()) out.push(full)
    }
  }
  if (fs.existsSync(dir)) walk(dir)
  return out.sort()
}

/**
 * Secrets of this checkout that a build could pick up: the generated session secret and encryption
 * key in data/, and secret-named values in .env / .env.local.
 */
export function localSecrets(root: string): Marker[] {
  const out: Marker[] = []
  for (const f of ['.auth-secret', '.encryption-key']) {
    const p = path.join(root, 'data', f)
    if (fs.existsSync(p)) out.push({ name: `data/${f}`, value: fs.readFileSync(p, 'utf8').trim() })
  }
  for (const f of ['.env', '.env.local']) {
    const p = path.join(root, f)
    if (!fs.existsSync(p)) continue
    for (const line of fs.readFileSync(p, 'utf8').split(/\r?\n/)) {
      const m = /^\s*([A-Z0-9_]*(?:SECRET|KEY|TOKEN|PASSWORD)[A-Z0-9_]*)\s*=\s*["']?([^"'\s#]+)/.exec(line)
      if (m && m[2]!.length >= 8) out.push({ name: `${f} ${m[1]}`, value: m[2]! })
    }
  }
  return out.filter((m) => m.value.length >= 8)
}

/** Scans every file (as UTF-8 and as Latin-1, so binary files are searched byte for byte). */
export function scanFiles(files: string[], markers: Marker[], patterns = SECRET_PATTERNS): { files: number; bytes: number; hits: Hit[] } {
  let bytes = 0
  const hits: Hit[] = []
  for (const f of files) {
    const buf = fs.readFileSync(f)
    bytes += buf.length
    const found = scanText(f, buf.toString('utf8'), markers, patterns)
    hits.push(...(found.length ? found : scanText(f, buf.toString('latin1'), markers, patterns)))
  }
  return { files: files.length, bytes, hits }
}

/** Captures everything a process prints from now on (its own buffer keeps only the last 200 KB). */
export function captureOutput(child: { stdout: NodeJS.ReadableStream | null; stderr: NodeJS.ReadableStream | null }, initial: string): () => string {
  const chunks: string[] = [initial]
  for (const s of [child.stdout, child.stderr]) s?.on('data', (c: Buffer) => chunks.push(c.toString('utf8')))
  return () => chunks.join('')
}
