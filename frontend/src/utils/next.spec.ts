import { describe, expect, it } from 'vitest'
import { safeNext } from './next'

describe('safeNext', () => {
  it('keeps a path with its query', () => {
    expect(safeNext('/dashboard?year=2022')).toBe('/dashboard?year=2022')
    expect(safeNext('/cases?metric=comprehensive_correction&from=2022-01-01&to=2022-12-31')).toContain('metric=')
  })
  it('refuses other origins and odd values', () => {
    expect(safeNext('//evil.example/x')).toBe('/dashboard')
    expect(safeNext('/\\evil.example')).toBe('/dashboard')
    expect(safeNext('https://evil.example/')).toBe('/dashboard')
    expect(safeNext(undefined)).toBe('/dashboard')
    expect(safeNext(['/cases'])).toBe('/dashboard')
    expect(safeNext('/login?next=/x')).toBe('/dashboard')
  })
})
