/**
 * Server-side secrets that must exist even on a first run without a .env: the session signing
 * secret and the key that encrypts stored credentials. Taken from the environment when set,
 * otherwise generated once into the data directory (mode 600) and reused.
 */
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'

function dataDir(): string {
  const url = process.env.DATABASE_URL ?? 'file:./data/dingpan.db'
  return url.startsWith('file:') ? path.dirname(path.resolve(url.replace(/^file:/, ''))) : path.resolve('data')
}

function fileSecret(name: string): string {
  const file = path.join(dataDir(), name)
  try {
    return fs.readFileSync(file, 'utf8').trim()
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    const value = randomBytes(32).toString('base64url')
    try {
      fs.writeFileSync(file, value, { mode: 0o600, flag: 'wx' })
      return value
    } catch {
      // Another process created it first: use theirs.
      return fs.readFileSync(file, 'utf8').trim()
    }
  }
}

export function authSecret(): string {
  return process.env.NEXTAUTH_SECRET || fileSecret('.auth-secret')
}

export function encryptionKey(): string {
  return process.env.DINGPAN_ENCRYPTION_KEY || fileSecret('.encryption-key')
}
