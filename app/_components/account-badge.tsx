/**
 * A broker account's name with a plain paper (模拟盘) / live (实盘) badge (issue 13), and the account
 * options of the lists' filter forms. No hooks: labels come translated, so server or client.
 */
export interface AccountLabel {
  id: number
  name: string
  paper: boolean
}

export function AccountBadge({ account, paperText, liveText, testId }: { account: AccountLabel | null; paperText: string; liveText: string; testId?: string }) {
  if (!account) return null
  return (
    <span className="inline-flex items-center gap-1 text-xs text-slate-600" data-testid={testId} data-account={account.id} data-paper={account.paper ? '1' : '0'}>
      <span>{account.name}</span>
      <span className={`rounded px-1 py-0.5 font-medium ${account.paper ? 'bg-amber-100 text-amber-900' : 'bg-red-100 text-red-800'}`}>{account.paper ? paperText : liveText}</span>
    </span>
  )
}

/** One option per account the user sees, marked paper or live. */
export function AccountOptions({ accounts, paperText, liveText }: { accounts: readonly AccountLabel[]; paperText: string; liveText: string }) {
  return accounts.map((a) => (
    <option key={a.id} value={a.id}>
      {a.name} · {a.paper ? paperText : liveText}
    </option>
  ))
}
