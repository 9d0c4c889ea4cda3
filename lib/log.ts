/**
 * Structured logs (pino). Secrets never reach a log line: known secret fields are redacted and
 * callers log ids, not credentials.
 */
import pino from 'pino'

export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'secrets',
  '*.secrets',
  'headers["x-token"]',
  '*.headers["x-token"]',
  'authorization',
  '*.authorization',
  'sendKey',
  '*.sendKey',
  'webhookUrl',
  '*.webhookUrl',
]

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info') {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } })
}

export const logger = createLogger('dingpan')
