/**
 * Is a bridge DingPan's own paper exchange (lib/paper) rather than a real QKA in front of MiniQMT?
 * The paper exchange marks every bridge answer with `x-dingpan-paper: 1`. The probe is a plain GET
 * of the bridge's root without the token (a real QKA answers 404 there): nothing secret is sent.
 */
export const PAPER_BRIDGE_HEADER = 'x-dingpan-paper'

/** true: the paper exchange; false: a bridge that answered without the mark; null: no answer. */
export async function probeSimulatedBridge(baseUrl: string, timeoutMs = 3000): Promise<boolean | null> {
  try {
    const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/`, { method: 'GET', signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' })
    await res.arrayBuffer().catch(() => undefined)
    return res.headers.get(PAPER_BRIDGE_HEADER) === '1'
  } catch {
    return null
  }
}
