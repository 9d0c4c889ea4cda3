/**
 * fast-check generators for the API fuzz: request bodies as raw bytes (so a body can be invalid
 * JSON, invalid UTF-8, carry number tokens JSON.stringify cannot write such as 1e309 or -0, or
 * repeat a key like `__proto__`), query strings, and path ids.
 *
 * A JSON body is generated as a small syntax tree (`J`) and serialised by `ser`, which keeps
 * duplicate keys, `__proto__` keys and raw number tokens exactly as generated.
 */
import fc from 'fast-check'

export type J =
  | { k: 'raw'; s: string }
  | { k: 'str'; v: string }
  | { k: 'num'; v: number }
  | { k: 'bool'; v: boolean }
  | { k: 'null' }
  | { k: 'arr'; items: J[] }
  | { k: 'obj'; entries: Array<[string, J]> }

export const raw = (s: string): J => ({ k: 'raw', s })
export const str = (v: string): J => ({ k: 'str', v })

/** A plain value (what the valid base payloads are written as) → J. */
export function fromValue(v: unknown): J {
  if (v === null || v === undefined) return { k: 'null' }
  if (typeof v === 'string') return str(v)
  if (typeof v === 'number') return { k: 'num', v }
  if (typeof v === 'boolean') return { k: 'bool', v }
  if (Array.isArray(v)) return { k: 'arr', items: v.map(fromValue) }
  return { k: 'obj', entries: Object.entries(v as Record<string, unknown>).map(([key, x]) => [key, fromValue(x)]) }
}

export function ser(j: J): string {
  switch (j.k) {
    case 'raw':
      return j.s
    case 'str':
      return JSON.stringify(j.v)
    case 'num':
      return JSON.stringify(j.v) ?? 'null'
    case 'bool':
      return j.v ? 'true' : 'false'
    case 'null':
      return 'null'
    case 'arr':
      return `[${j.items.map(ser).join(',')}]`
    case 'obj':
      return `{${j.entries.map(([key, v]) => `${JSON.stringify(key)}:${ser(v)}`).join(',')}}`
  }
}

// -----------------------------------------------------------------------------------------------
// Nasty leaves
// -----------------------------------------------------------------------------------------------
export const NASTY_STRINGS = [
  '',
  ' ',
  '\t\n',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '0',
  '1e308',
  '-1e308',
  '1e309',
  '1e-400',
  '0x1A',
  '1_000',
  '１２３',
  '9.999999999999999999999',
  '12345678901234567890',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  '<script>alert(1)</script>',
  '"; DROP TABLE "User"; --',
  "' OR '1'='1",
  '${7*7}{{7*7}}',
  '../../etc/passwd',
  'file:///etc/passwd',
  'http://169.254.169.254/latest/meta-data/',
  'javascript:alert(1)',
  '\u0000',
  'a\u0000b',
  '\u202e\u202d',
  '\ud800',
  '\udfff',
  'x\ud83d',
  '\ufeff',
  '\u200b',
  '🚀📈',
  '浦发银行',
  'ℌ𝔢𝔩𝔩𝔬',
  'A\u030a',
  '%00',
  '%E0%A4%A',
  '\r\nSet-Cookie: x=1',
  '600000.SH',
  '600000',
  'SH600000',
  '9.85',
  '-9.85',
  '10.001',
  'on',
  'off',
  'TRIGGER_PRICE',
  'severity:CRITICAL',
  '*',
  'qmt',
  'paper',
  'en',
  'zh',
  '2026-11-23',
  '0000-01-01',
  'SEC123',
] as const

/** Number tokens written raw into the JSON text. */
export const NASTY_NUMBER_TOKENS = [
  '0',
  '-0',
  '-1',
  '1',
  '0.5',
  '1e308',
  '-1e308',
  '1e309',
  '-1e309',
  '1e-400',
  '5e-324',
  '2147483647',
  '2147483648',
  '-2147483649',
  '9007199254740993',
  '123456789012345678901234567890',
  '1.0000000000000000000001',
  '1E2',
  '0.1e1',
  '100000.001',
  '3600',
  '65536',
] as const

/** Not JSON at all, or not what req.json() accepts. */
export const INVALID_JSON = [
  '',
  ' ',
  '{',
  '}',
  '[',
  '{"a":',
  '{"a":1,}',
  '[1,]',
  "{'a':1}",
  '{a:1}',
  'NaN',
  'Infinity',
  '-Infinity',
  'undefined',
  '01',
  '+1',
  '.5',
  '"unterminated',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '/* comment */ {}',
  '{} {}',
  '{"a":1}garbage',
  '\u0000',
  'nul',
  'tru',
  '<xml/>',
  'a=1&b=2',
] as const

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'] as const

const codeUnits = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 12 }).map((a) => String.fromCharCode(...a))

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: codeUnits },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('x', '中', '🚀', '9', ' ', '\u0000'), fc.integer({ min: 300, max: 120_000 })).map(([c, n]) => c.repeat(n)) },
)

/** A key of an object: mostly plausible, sometimes prototype keys, empty, unicode or very long. */
export const nastyKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'a.b', '0', '-1', '__proto__.x', 'x'.repeat(5000)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
)

/** Deeply nested arrays or objects, written raw (up to 20,000 levels). */
export const deepNesting: fc.Arbitrary<J> = fc
  .tuple(fc.integer({ min: 50, max: 20_000 }), fc.constantFrom('arr', 'obj', 'mixed'))
  .map(([depth, kind]) => {
    if (kind === 'arr') return raw('['.repeat(depth) + ']'.repeat(depth))
    if (kind === 'obj') return raw('{"a":'.repeat(depth) + '1' + '}'.repeat(depth))
    return raw('{"a":['.repeat(depth) + '{}' + ']}'.repeat(depth))
  })

/** Any leaf of the wrong kind. */
export const nastyLeaf: fc.Arbitrary<J> = fc.oneof(
  { weight: 6, arbitrary: nastyString.map(str) },
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_NUMBER_TOKENS).map(raw) },
  { weight: 1, arbitrary: fc.double().map((v): J => ({ k: 'num', v })) },
  { weight: 1, arbitrary: fc.integer().map((v): J => ({ k: 'num', v })) },
  { weight: 1, arbitrary: fc.boolean().map((v): J => ({ k: 'bool', v })) },
  { weight: 1, arbitrary: fc.constant<J>({ k: 'null' }) },
)

/** A random JSON tree (any shape), prototype keys included. */
export const anyJson: fc.Arbitrary<J> = fc.letrec<{ node: J }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyLeaf,
    fc.array(tie('node'), { maxLength: 4 }).map((items): J => ({ k: 'arr', items })),
    fc.array(fc.tuple(nastyKey, tie('node')), { maxLength: 5 }).map((entries): J => ({ k: 'obj', entries })),
  ),
})).node

/** A prototype-pollution attempt: `__proto__` / `constructor.prototype` objects with tell-tale keys. */
export const pollution: fc.Arbitrary<Array<[string, J]>> = fc.constantFrom<Array<[string, J]>>(
  [['__proto__', fromValue({ polluted: 'yes', role: 'ADMIN', isAdmin: true })]],
  [['constructor', fromValue({ prototype: { polluted: 'yes', role: 'ADMIN' } })]],
  [['__proto__', fromValue({ toString: 'x', valueOf: 1 })]],
  [
    ['__proto__', fromValue({ userId: 2 })],
    ['__proto__', fromValue({ id: 1 })],
  ],
)

// -----------------------------------------------------------------------------------------------
// Mutations of a valid payload
// -----------------------------------------------------------------------------------------------
type Path = Array<string | number>

function paths(j: J, prefix: Path = []): Path[] {
  if (j.k === 'obj') return j.entries.flatMap(([key, v]) => [[...prefix, key], ...paths(v, [...prefix, key])])
  if (j.k === 'arr') return j.items.flatMap((v, i) => [[...prefix, i], ...paths(v, [...prefix, i])])
  return []
}

function clone(j: J): J {
  return JSON.parse(JSON.stringify(j)) as J
}

/** Applies `fn` to the node at `path` (fn returns undefined to delete it). */
function edit(j: J, path: Path, fn: (node: J) => J | undefined): J {
  if (path.length === 0) return fn(j) ?? { k: 'null' }
  const [head, ...rest] = path
  if (j.k === 'obj') {
    const entries: Array<[string, J]> = []
    for (const [key, v] of j.entries) {
      if (key !== head) entries.push([key, v])
      else if (rest.length) entries.push([key, edit(v, rest, fn)])
      else {
        const n = fn(v)
        if (n) entries.push([key, n])
      }
    }
    return { k: 'obj', entries }
  }
  if (j.k === 'arr' && typeof head === 'number') {
    const items: J[] = []
    j.items.forEach((v, i) => {
      if (i !== head) items.push(v)
      else if (rest.length) items.push(edit(v, rest, fn))
      else {
        const n = fn(v)
        if (n) items.push(n)
      }
    })
    return { k: 'arr', items }
  }
  return j
}

type Op =
  | { op: 'replace'; with: J }
  | { op: 'delete' }
  | { op: 'wrapArray' }
  | { op: 'stringify' }
  | { op: 'deep'; with: J }
  | { op: 'huge' ; n: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: nastyLeaf.map((w): Op => ({ op: 'replace', with: w })) },
  { weight: 2, arbitrary: fc.constant<Op>({ op: 'delete' }) },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'wrapArray' }) },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'stringify' }) },
  { weight: 1, arbitrary: anyJson.map((w): Op => ({ op: 'replace', with: w })) },
  { weight: 1, arbitrary: deepNesting.map((w): Op => ({ op: 'deep', with: w })) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 300_000 }).map((n): Op => ({ op: 'huge', n })) },
)

function applyOp(node: J, o: Op): J | undefined {
  switch (o.op) {
    case 'replace':
    case 'deep':
      return o.with
    case 'delete':
      return undefined
    case 'wrapArray':
      return { k: 'arr', items: [node] }
    case 'stringify':
      return str(ser(node))
    case 'huge':
      return str((node.k === 'str' ? node.v || 'x' : ser(node)).repeat(Math.ceil(o.n / Math.max(1, ser(node).length))).slice(0, o.n))
  }
}

/**
 * A valid payload changed in 1–3 places (a field replaced by a nasty value, removed, wrapped in an
 * array, turned into a string…), sometimes with extra keys (prototype keys among them).
 */
export function mutated(valid: J): fc.Arbitrary<J> {
  const all = paths(valid)
  return fc
    .tuple(
      fc.array(fc.tuple(fc.nat({ max: Math.max(0, all.length - 1) }), op), { minLength: all.length ? 1 : 0, maxLength: 3 }),
      fc.option(fc.oneof(pollution, fc.array(fc.tuple(nastyKey, nastyLeaf), { minLength: 1, maxLength: 3 })), { freq: 3 }),
    )
    .map(([ops, extra]) => {
      let out = clone(valid)
      for (const [i, o] of ops) {
        const current = paths(out)
        if (current.length === 0) break
        out = edit(out, current[i % current.length]!, (n) => applyOp(n, o))
      }
      if (extra && out.k === 'obj') out = { k: 'obj', entries: [...out.entries, ...extra] }
      return out
    })
}

// -----------------------------------------------------------------------------------------------
// Bodies on the wire
// -----------------------------------------------------------------------------------------------
export interface WireBody {
  /** What the fuzz meant to send (for the report of a failure). */
  label: string
  bytes: Buffer
  contentType: string | null
}

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', null, 'multipart/form-data; boundary=x'] as const

export function wireBody(valid: J | null): fc.Arbitrary<WireBody> {
  const asJson = (j: J, label: string) => ({ label, text: ser(j) })
  const shapes: Array<{ weight: number; arbitrary: fc.Arbitrary<{ label: string; text: string } | { label: string; bytes: Buffer }> }> = [
    { weight: 2, arbitrary: anyJson.map((j) => asJson(j, 'any JSON')) },
    { weight: 1, arbitrary: fc.constantFrom(...INVALID_JSON).map((t) => ({ label: 'invalid JSON', text: t })) },
    { weight: 1, arbitrary: deepNesting.map((j) => asJson(j, 'deep nesting')) },
    { weight: 1, arbitrary: pollution.map((e) => asJson({ k: 'obj', entries: e }, 'prototype keys')) },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((a) => ({ label: 'random bytes', bytes: Buffer.from(a) })),
    },
  ]
  if (valid) {
    shapes.push({ weight: 10, arbitrary: mutated(valid).map((j) => asJson(j, 'mutated valid payload')) })
    shapes.push({ weight: 1, arbitrary: fc.constant(asJson(valid, 'valid payload')) })
    shapes.push({ weight: 1, arbitrary: fc.constant(asJson({ k: 'arr', items: [valid] }, 'array instead of object')) })
    shapes.push({
      weight: 1,
      arbitrary: fc.constantFrom('\ufeff', ' \n', '\u00a0').map((p) => ({ label: 'valid payload with a prefix', text: p + ser(valid) })),
    })
    shapes.push({
      weight: 1,
      arbitrary: fc.nat({ max: 100 }).map((cut) => {
        const t = ser(valid)
        return { label: 'truncated valid payload', text: t.slice(0, Math.floor((t.length * cut) / 101)) }
      }),
    })
    shapes.push({
      weight: 1,
      // Invalid UTF-8 inside a string of a valid payload.
      arbitrary: fc.constantFrom(Buffer.from([0xc0, 0xaf]), Buffer.from([0xff]), Buffer.from([0xed, 0xa0, 0x80])).map((bad) => {
        const t = Buffer.from(ser(valid))
        const q = t.indexOf(0x22, 2)
        return { label: 'invalid UTF-8 in a valid payload', bytes: q > 0 ? Buffer.concat([t.subarray(0, q + 1), bad, t.subarray(q + 1)]) : Buffer.concat([bad, t]) }
      }),
    })
  }
  return fc.tuple(fc.oneof(...shapes), fc.constantFrom(...CONTENT_TYPES), fc.nat({ max: 9 })).map(([b, ct, r]) => ({
    label: b.label,
    bytes: 'bytes' in b ? b.bytes : Buffer.from(b.text, 'utf8'),
    // Mostly JSON, as a browser would send; sometimes a wrong or missing type.
    contentType: r < 7 ? 'application/json' : ct,
  }))
}

// -----------------------------------------------------------------------------------------------
// Query strings and path ids
// -----------------------------------------------------------------------------------------------
/** A query string (without '?'): known keys with nasty or plausible values, unknown keys, junk. */
export function queryString(known: Record<string, readonly string[]>): fc.Arbitrary<string> {
  const keys = Object.keys(known)
  const pair: fc.Arbitrary<[string, string]> = fc.oneof(
    {
      weight: 6,
      arbitrary: keys.length
        ? fc.constantFrom(...keys).chain((k) => fc.tuple(fc.constant(k), fc.oneof(fc.constantFrom(...(known[k] ?? [''])), nastyString)))
        : fc.tuple(nastyKey, nastyString),
    },
    { weight: 2, arbitrary: fc.tuple(nastyKey, nastyString) },
  )
  const junk = fc.constantFrom('', '&', '&&', '=', '&=x', '&%', '&a=%E0%A4%A', '&%ZZ=1', '&a=%00', '&a[]=1&a[]=2', '&a[b]=c', '&__proto__[polluted]=1', '&constructor[prototype][x]=1')
  // Kept under ~6 KB: longer request lines are refused by Node's HTTP parser (431) before the app.
  return fc.tuple(fc.array(pair, { maxLength: 6 }), junk).map(([pairs, j]) => {
    const sp = new URLSearchParams()
    for (const [k, v] of pairs) {
      sp.append(k.slice(0, 200), v.slice(0, 400))
      if (sp.toString().length > 6000) break
    }
    return sp.toString().slice(0, 6000).replace(/%[0-9A-F]?$/, '') + j
  })
}

/** encodeURIComponent that does not throw on lone surrogates (they become U+FFFD, as on the wire). */
export function encodeSegment(s: string): string {
  return encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'))
}

export interface IdChoice {
  kind: 'own' | 'foreign' | 'missing' | 'garbage'
  /** The path segment as sent (already encoded). */
  segment: string
  id: number | null
}

const GARBAGE_IDS = ['0', '-1', '1.5', '1e3', '0x10', ' 1', '01', 'abc', 'null', 'NaN', 'Infinity', '2147483648', '99999999999999999999', '%00', '%E0%A4%A', '%', '%ZZ', '%C0%AF', '%2F', '%F0%9F%9A%80', '1;DROP', "1'", '__proto__', 'constructor', 'x'.repeat(2000)]

/** The `[id]` of a route: the user's own rows, another user's, a missing one, or garbage. */
export function idSegment(own: number[], foreign: number[]): fc.Arbitrary<IdChoice> {
  const arbs: Array<{ weight: number; arbitrary: fc.Arbitrary<IdChoice> }> = [
    { weight: 3, arbitrary: fc.integer({ min: 100_000, max: 2_147_483_647 }).map((id): IdChoice => ({ kind: 'missing', segment: String(id), id })) },
    { weight: 3, arbitrary: fc.constantFrom(...GARBAGE_IDS).map((s): IdChoice => ({ kind: 'garbage', segment: s, id: null })) },
    { weight: 1, arbitrary: nastyString.filter((s) => s.length > 0 && s.length < 3000 && s !== '.' && s !== '..').map((s): IdChoice => ({ kind: 'garbage', segment: encodeSegment(s), id: null })) },
  ]
  if (own.length) arbs.push({ weight: 6, arbitrary: fc.constantFrom(...own).map((id): IdChoice => ({ kind: 'own', segment: String(id), id })) })
  if (foreign.length) arbs.push({ weight: 3, arbitrary: fc.constantFrom(...foreign).map((id): IdChoice => ({ kind: 'foreign', segment: String(id), id })) })
  return fc.oneof(...arbs)
}
