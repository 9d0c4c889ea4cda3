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

/**
 * The content of `name` in the data directory, created once with `generate()` (mode 600, never
 * overwritten: of two processes starting together, the second uses the first one's value). The
 * file appears whole: written to a private temporary file first and hard-linked into place (a
 * link fails when the name exists), so a process starting at the same moment never reads it empty.
 */
export function fileSecret(name: string, generate: () => string = () => randomBytes(32).toString('base64url')): string {
  const file = path.join(dataDir(), name)
  try {
    return fs.readFileSync(file, 'utf8').trim()
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    const value = generate()
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
    try {
      fs.writeFileSync(tmp, value, { mode: 0o600, flag: 'wx' })
      fs.linkSync(tmp, file)
      return value
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        // No hard links on this file system: create the name directly.
        try {
          fs.writeFileSync(file, value, { mode: 0o600, flag: 'wx' })
          return value
        } catch {
          // Another process created it first.
        }
      }
      // Another process created it first: use theirs.
      return fs.readFileSync(file, 'utf8').trim()
    } finally {
      fs.rmSync(tmp, { force: true })
    }
  }
}

export function authSecret(): string {
  return process.env.NEXTAUTH_SECRET || fileSecret('.auth-secret')
}

export function encryptionKey(): string {
  return process.env.DINGPAN_ENCRYPTION_KEY || fileSecret('.encryption-key')
}
