import { describe, expect, it } from 'vitest'
import { periodFromQuery, periodRange } from './period'

describe('periodFromQuery', () => {
  it('reads the year make run prints', () => {
    const p = periodFromQuery({ year: '2022' }, 2026)!
    expect(p.kind).toBe('year')
    expect(periodRange(p)).toEqual({ from: '2022-01-01', to: '2022-12-31' })
  })
  it('reads a quarter with or without kind', () => {
    expect(periodRange(periodFromQuery({ year: '2022', quarter: '2' }, 2026)!)).toEqual({ from: '2022-04-01', to: '2022-06-30' })
    expect(periodFromQuery({ kind: 'quarter', year: '2023', quarter: '9' }, 2026)!.quarter).toBe(4)
  })
  it('reads a custom range', () => {
    const p = periodFromQuery({ from: '2022-03-01', to: '2022-05-31' }, 2026)!
    expect(p.kind).toBe('custom')
    expect(periodRange(p)).toEqual({ from: '2022-03-01', to: '2022-05-31' })
  })
  it('ignores nothing or nonsense', () => {
    expect(periodFromQuery({}, 2026)).toBeNull()
    expect(periodFromQuery({ from: 'x', to: 'y' }, 2026)).toBeNull()
    expect(periodFromQuery({ year: '2022', kind: 'custom' }, 2026)!.kind).toBe('year')
    expect(periodFromQuery({ year: '99999' }, 2026)!.year).toBe(2026)
  })
})
