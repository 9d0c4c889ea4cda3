import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import iconv from 'iconv-lite'

const DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url))

/** Fixture file as stored (UTF-8). */
export function fixtureText(name: string): string {
  return readFileSync(DIR + name, 'utf8')
}

/** Re-encode text as GBK bytes, as the live Tencent (and historically Sina) servers send it. */
export function gbk(text: string): Uint8Array {
  return new Uint8Array(iconv.encode(text, 'gbk'))
}

/** Beijing wall-clock `YYYY-MM-DD hh:mm:ss` → instant, computed independently of the code under test. */
export function bj(s: string): Date {
  return new Date(s.replace(' ', 'T') + '+08:00')
}
