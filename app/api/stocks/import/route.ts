import { ConflictError, ValidationError } from '@/lib/errors'
import { parseBody, route } from '@/lib/http/route'
import { createStocksBulk } from '@/lib/db/stocks'
import { isUniqueViolation } from '@/lib/db/tx'
import { watchlistImportSchema } from '@/lib/schemas/watchlist'
import { checkWatchlistImport } from '@/lib/services/views/watchlist-import'

export const dynamic = 'force-dynamic'

/**
 * Watchlist import. `{text}` (a CSV with a header, or a 同花顺/通达信 code list) or `{rows}` (the
 * preview's rows after editing) → every row with its values and field-level errors. With
 * `commit: true` the rows are saved only when none has an error (one transaction); otherwise 400 with
 * the errors keyed `rows.<index>.<field>` and nothing saved.
 */
export const POST = route(async ({ req, user, t, locale }) => {
  const body = await parseBody(req, watchlistImportSchema, t)
  const te = (key: string, params?: Record<string, string | number>) => t(`errors.${key}` as never, params as never)
  const check = await checkWatchlistImport(user.id, body, locale, te)
  if (!body.commit) return check.preview
  if (!check.inputs) throw new ValidationError(check.fields, 'import.hasErrors', true)
  try {
    return { ...check.preview, saved: await createStocksBulk(user.id, check.inputs) }
  } catch (e) {
    // Another tab added one of these codes meanwhile: nothing was saved (one transaction).
    if (isUniqueViolation(e)) throw new ConflictError('import.hasErrors')
    throw e
  }
})
