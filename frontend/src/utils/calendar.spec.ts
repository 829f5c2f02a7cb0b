import { describe, expect, it } from 'vitest'
import { CALENDAR_EXAMPLE, CalendarParseError, parseCalendar } from './calendar'

describe('parseCalendar', () => {
  it('parses the documented example', () => {
    const c = parseCalendar(CALENDAR_EXAMPLE)
    expect(c.year).toBe(2027)
    expect(c.days).toEqual([{ date: '2027-01-01', name: '元旦', off: true }])
  })
  it('accepts a bare list with the year given', () => {
    expect(parseCalendar('[{"date":"2027-02-06","name":"春节调休","off":false}]', 2027).days[0].off).toBe(false)
  })
  it('names what is wrong', () => {
    expect(() => parseCalendar('{')).toThrow(CalendarParseError)
    expect(() => parseCalendar('{"year":2027,"days":[{"date":"2027-02-30","off":true}]}')).toThrow(/2027-02-30/)
    expect(() => parseCalendar('{"year":2027,"days":[{"date":"2028-01-01","off":true}]}')).toThrow(/outside 2027/)
    expect(() => parseCalendar('{"year":2027,"days":[{"date":"2027-01-01"}]}')).toThrow(/off/)
    expect(() => parseCalendar('{"year":2027,"days":[]}')).toThrow(/days/)
    expect(() =>
      parseCalendar('{"year":2027,"days":[{"date":"2027-01-01","off":true},{"date":"2027-01-01","off":true}]}'),
    ).toThrow(/twice/)
  })
})
