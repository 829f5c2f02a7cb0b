import { describe, expect, it } from 'vitest'
import { formatDate, formatDateTime, formatRate, percentHalfUp, rateValue } from './format'

describe('percentHalfUp', () => {
  it('rounds the seed rate 71/182 half-up', () => {
    expect(percentHalfUp(71, 182, 1)).toBe('39.0')
    expect(percentHalfUp(71, 182, 0)).toBe('39')
  })
  it('rounds exact halves up, not to even', () => {
    expect(percentHalfUp(1, 8, 0)).toBe('13') // 12.5
    expect(percentHalfUp(1, 8, 1)).toBe('12.5')
    expect(percentHalfUp(1, 16, 1)).toBe('6.3') // 6.25
    expect(percentHalfUp(5, 200, 0)).toBe('3') // 2.5
  })
  it('handles the other seed rate and edges', () => {
    expect(percentHalfUp(32, 182, 1)).toBe('17.6')
    expect(percentHalfUp(0, 5, 1)).toBe('0.0')
    expect(percentHalfUp(5, 5, 1)).toBe('100.0')
    expect(percentHalfUp(1, 3, 2)).toBe('33.33')
    expect(percentHalfUp(2, 3, 1)).toBe('66.7')
  })
  it('returns null for a zero denominator', () => {
    expect(percentHalfUp(0, 0)).toBeNull()
  })
})

describe('formatRate', () => {
  it('formats a metric from its fraction', () => {
    expect(formatRate({ numerator: 71, denominator: 182, rate: 0.3901 })).toBe('39.0%')
    expect(formatRate({ numerator: 71, denominator: 182, rate: 0.3901 }, 0)).toBe('39%')
  })
  it('shows a dash when undefined', () => {
    expect(formatRate({ numerator: 0, denominator: 0, rate: null })).toBe('—')
    expect(formatRate(null)).toBe('—')
  })
  it('falls back to the rate when no fraction is given', () => {
    expect(formatRate({ numerator: 0, denominator: 0, rate: 0.125 })).toBe('12.5%')
    expect(formatRate({ numerator: 0, denominator: 0, rate: 0.12345 })).toBe('12.3%')
  })
  it('gives chart values', () => {
    expect(rateValue({ numerator: 71, denominator: 182, rate: null })).toBe(39)
    expect(rateValue({ numerator: 0, denominator: 0, rate: null })).toBeNull()
  })
})

describe('formatDate', () => {
  it('writes Chinese dates without leading zeros', () => {
    expect(formatDate('2022-03-05', 'zh-CN')).toBe('2022年3月5日')
    expect(formatDate('2022-12-31', 'zh-CN')).toBe('2022年12月31日')
  })
  it('writes English dates', () => {
    expect(formatDate('2022-03-05', 'en')).toBe('Mar 5, 2022')
  })
  it('uses only the date part of a timestamp, whatever the time zone', () => {
    expect(formatDate('2022-03-05T23:30:00+08:00', 'zh-CN')).toBe('2022年3月5日')
  })
  it('shows a dash for no date and passes through garbage', () => {
    expect(formatDate(null, 'zh-CN')).toBe('—')
    expect(formatDate('soon', 'en')).toBe('soon')
  })
  it('formats timestamps with local time', () => {
    const d = new Date(2022, 2, 5, 14, 7)
    expect(formatDateTime(d.toISOString(), 'zh-CN')).toBe('2022年3月5日 14:07')
  })
})
