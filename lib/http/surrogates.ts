/** Unpaired UTF-16 surrogates in parsed JSON input (shared by the route wrapper and the next-auth guard). */
export const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/**
 * The path of the first string (value or key) holding an unpaired UTF-16 surrogate (JSON allows
 * `"\ud800"`; no UTF-8 text can carry it), '' for the body itself, null when there is none. Such a
 * string makes Prisma's query engine fail (HTTP 500), so it is refused here, for every route.
 * Iterative: a body nested thousands of levels deep cannot overflow the stack.
 */
export function unpairedSurrogatePath(value: unknown): string | null {
  interface Node {
    v: unknown
    key: string | null
    parent: Node | null
  }
  const pathOf = (n: Node | null, last?: string) => {
    const segs: string[] = last === undefined ? [] : [last]
    for (let c = n; c && c.key !== null; c = c.parent) segs.unshift(c.key)
    return segs.map((p) => p.replace(new RegExp(UNPAIRED_SURROGATE.source, 'g'), '\ufffd')).join('.')
  }
  const stack: Node[] = [{ v: value, key: null, parent: null }]
  while (stack.length) {
    const node = stack.pop()!
    const v = node.v
    if (typeof v === 'string') {
      if (UNPAIRED_SURROGATE.test(v)) return pathOf(node)
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push({ v: x, key: String(i), parent: node }))
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (UNPAIRED_SURROGATE.test(k)) return pathOf(node, k)
        stack.push({ v: x, key: k, parent: node })
      }
    }
  }
  return null
}
