/**
 * Typed errors that services throw and route handlers map to HTTP in one place (lib/http/route.ts).
 * Messages are i18n keys (namespace `errors`) with params, translated for the caller's language.
 */
export type FieldErrors = Record<string, string[]>

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(message)
    this.name = new.target.name
  }
}

/**
 * Bad input; `fields` maps a field path (e.g. `quant.maxPositionPct`) to messages: i18n keys when
 * thrown by a service, already translated text when `translated` (from a parsed schema).
 */
export class ValidationError extends AppError {
  constructor(
    readonly fields: FieldErrors,
    message = 'validation.failed',
    readonly translated = false,
  ) {
    super(400, 'validation', message)
  }
}
export class UnauthorizedError extends AppError {
  constructor() {
    super(401, 'unauthorized', 'auth.required')
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'auth.forbidden') {
    super(403, 'forbidden', message)
  }
}
export class NotFoundError extends AppError {
  constructor(message = 'notFound') {
    super(404, 'not_found', message)
  }
}
export class ConflictError extends AppError {
  constructor(message: string, params: Record<string, string | number> = {}) {
    super(409, 'conflict', message, params)
  }
}
export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSec: number) {
    super(429, 'rate_limited', 'rateLimited', { seconds: retryAfterSec })
  }
}
/** The bridge or another outside service did not give a usable answer. */
export class UpstreamError extends AppError {
  constructor(message: string, params: Record<string, string | number> = {}) {
    super(502, 'upstream', message, params)
  }
}
