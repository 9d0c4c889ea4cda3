/**
 * Loads `.env` (if present) for processes Next.js does not start (worker, paper exchange, scripts).
 * Variables already set in the environment win, as with Next.js.
 */
import fs from 'node:fs'

export function loadDotEnv(file = '.env'): void {
  if (fs.existsSync(file)) process.loadEnvFile(file)
}
