// Inputs that used to reach Prisma and come back as HTTP 500: ids beyond the id columns' range and
// days the database cannot store; and URLs whose percent-encoding is not UTF-8 (answered 400 by proxy.ts).
import { describe, expect, it } from 'vitest'
import { idParam, MAX_DB_ID, parseId } from '@/lib/http/route'
import { ValidationError } from '@/lib/errors'
import { orderQuerySchema } from '@/lib/schemas/orders'
import { notificationQuerySchema } from '@/lib/schemas/notifications'
import { isWellEncodedPath } from '@/proxy'

describe('idParam', () => {
  it('accepts plain positive integers within the id columns', () => {
    expect(idParam('1')).toBe(1)
    expect(idParam(String(MAX_DB_ID))).toBe(MAX_DB_ID)
  })
  it.each(['0', '-1', '1.5', '1e3', ' 12', '0x10', '012', '', 'abc', String(MAX_DB_ID + 1), '99999999999999999999', undefined])('refuses %j as a field error (pages: not found)', (v) => {
    expect(parseId(v)).toBeNull()
    expect(() => idParam(v)).toThrow(ValidationError)
    try {
      idParam(v)
    } catch (e) {
      expect((e as ValidationError).fields).toEqual({ id: ['id.invalid'] })
    }
  })
})

describe('day filters', () => {
  it.each(['0000-01-01', '1989-12-31', '2101-01-01', '2026-02-31', '2026-13-01', '2026-00-10', '9999-99-99'])('refuse %s', (d) => {
    for (const schema of [orderQuerySchema, notificationQuerySchema]) {
      const res = schema.safeParse({ from: d })
      expect(res.success).toBe(false)
      expect(res.error!.issues[0]!.path).toEqual(['from'])
    }
  })
  it.each(['2026-02-28', '2028-02-29', '1990-01-01', '2100-12-31'])('accept %s', (d) => {
    expect(orderQuerySchema.safeParse({ to: d }).success).toBe(true)
    expect(notificationQuerySchema.safeParse({ to: d }).success).toBe(true)
  })
})

describe('proxy: URL encoding', () => {
  it.each(['/api/stocks/%E0%A4%A', '/api/channels/%', '/api/channels/%ZZ', '/stocks/%C0%AF'])('%s is malformed', (p) => expect(isWellEncodedPath(p)).toBe(false))
  it.each(['/api/stocks/1', '/api/stocks/%E4%B8%AD', '/stocks/%20x'])('%s is fine', (p) => expect(isWellEncodedPath(p)).toBe(true))
})
