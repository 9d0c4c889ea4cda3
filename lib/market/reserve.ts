import { fromMilli, toMilli } from './money'

/**
 * Cash and exposure already promised to buys that an account read does not show.
 *
 * The broker's account read says how much cash is available (`cash`, already net of what the
 * broker froze for working orders) and how much it froze (`frozenCash`). Our own buys fall in two
 * groups against that read:
 *   unseen — intents not sent yet, and orders the broker accepted only after the read began: the
 *            read's cash still counts their money. An open one reserves its whole cost (whatever
 *            filled since was paid from that same cash); a finished one reserves what it bought.
 *   seen   — orders the broker had accepted before the read began: their unfilled part is inside
 *            the read's frozen cash, their fills inside its cash and holdings. They reserve only
 *            what the broker's frozen cash does not cover (a broker that reports no frozen cash, or
 *            one that has not frozen yet).
 * Every entry sized against `available` and then added as an unseen buy therefore keeps the sum of
 * all buys within the cash of the read: several entries in one cycle never share the same yuan.
 *
 * `workingValue` is what the exposure cap must add to the read's market value: unseen buys (open:
 * their whole value; finished: what they bought) plus the seen working buys, or the broker's frozen
 * cash when that is larger (it also holds buys placed outside DingPan).
 */
export interface CommittedBuy {
  /** Limit price (a market order: its protective price), yuan. */
  price: number
  /** Shares ordered. */
  quantity: number
  /** Shares filled so far. */
  filled: number
  /** Value of the fills at their prices, yuan; default filled × price. */
  filledValue?: number
  /** Estimated fees of the whole order, yuan. */
  fees: number
  /** Still working, or waiting to be sent. */
  open: boolean
  /** The broker had accepted it before the account read began. */
  seen: boolean
}

export interface AccountCash {
  /** Available cash of the read, yuan. */
  cash: number
  /** Cash the broker had frozen for working orders at the read, yuan. */
  frozenCash: number
}

export interface CashCommitments {
  /** Cash a new buy may use, yuan, ≥ 0. */
  available: number
  /** Cost (value + fees) reserved on top of the read, yuan. */
  reserved: number
  /** Value of buys the read's market value does not include, yuan (for the exposure cap). */
  workingValue: number
}

const nonNeg = (v: number | undefined): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0)
const shares = (v: number): number => (Number.isSafeInteger(v) && v > 0 ? v : 0)

export function commitCash(account: AccountCash, buys: readonly CommittedBuy[]): CashCommitments {
  const cash = toMilli(nonNeg(account.cash))
  const frozen = toMilli(nonNeg(account.frozenCash))
  let unseenCost = 0
  let unseenValue = 0
  let seenCost = 0
  let seenValue = 0
  for (const b of buys) {
    const price = toMilli(nonNeg(b.price))
    const qty = shares(b.quantity)
    const filled = Math.min(shares(b.filled), qty)
    const fees = toMilli(nonNeg(b.fees))
    if (!b.seen) {
      if (b.open) {
        unseenCost += price * qty + fees
        unseenValue += price * qty
      } else if (filled > 0) {
        const bought = b.filledValue === undefined ? price * filled : toMilli(nonNeg(b.filledValue))
        unseenCost += bought + fees
        unseenValue += bought
      }
    } else if (b.open) {
      seenCost += price * (qty - filled) + fees
      seenValue += price * (qty - filled)
    }
  }
  const reserved = unseenCost + Math.max(0, seenCost - frozen)
  return {
    available: fromMilli(Math.max(0, cash - reserved)),
    reserved: fromMilli(reserved),
    workingValue: fromMilli(unseenValue + Math.max(seenValue, frozen)),
  }
}
