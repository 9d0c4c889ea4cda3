/**
 * Every refusal in lib/market is machine-readable (`code`) and human-readable in the trader's
 * language (`message`, Chinese) and in English (`messageEn`), naming the numbers involved, so the
 * UI, notifications and audit log can show it without re-deriving why.
 */
export interface Reason {
  code: string
  message: string
  messageEn: string
}

export function reason(code: string, message: string, messageEn: string): Reason {
  return { code, message, messageEn }
}

/**
 * Thrown for inputs that cannot be handled at all (an untradable code, a year without calendar
 * data, a non-finite price). Soft refusals (an invalid quantity, a risk rule) are returned as
 * values instead, because callers routinely expect them.
 */
export class MarketRuleError extends Error {
  readonly code: string
  readonly messageEn: string

  constructor(code: string, message: string, messageEn: string) {
    super(message)
    this.name = 'MarketRuleError'
    this.code = code
    this.messageEn = messageEn
  }

  toReason(): Reason {
    return { code: this.code, message: this.message, messageEn: this.messageEn }
  }
}
