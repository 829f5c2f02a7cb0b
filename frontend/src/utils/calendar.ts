// Parsing an admin's pasted holiday-calendar JSON before it is sent to PUT /calendar/{year}.
import type { CalendarInput } from '@/api/types'

export const CALENDAR_EXAMPLE = '{"year":2027,"source":"国办发明电〔2026〕X号","days":[{"date":"2027-01-01","name":"元旦","off":true}]}'

/** CalendarParseError names what is wrong with the pasted text. */
export class CalendarParseError extends Error {}

/**
 * parseCalendar reads {year, source, days:[{date,name,off}]} (or a bare days array with the
 * year given separately), checking every date is a real date inside the year.
 */
export function parseCalendar(text: string, fallbackYear?: number): CalendarInput {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    throw new CalendarParseError((e as Error).message)
  }
  const obj = (Array.isArray(raw) ? { days: raw } : raw) as Partial<CalendarInput> & Record<string, unknown>
  if (!obj || typeof obj !== 'object') throw new CalendarParseError('expected an object')
  const year = Number(obj.year ?? fallbackYear)
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new CalendarParseError('year: expected 2000–2100')
  if (!Array.isArray(obj.days) || !obj.days.length) throw new CalendarParseError('days: expected a non-empty list')
  const seen = new Set<string>()
  const days = obj.days.map((d, i) => {
    const day = d as { date?: unknown; name?: unknown; off?: unknown }
    const date = String(day?.date ?? '')
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
    const t = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null
    if (!m || !t || t.getUTCMonth() !== +m[2] - 1 || t.getUTCDate() !== +m[3]) {
      throw new CalendarParseError(`days[${i}].date: "${date}" is not a YYYY-MM-DD date`)
    }
    if (+m[1] !== year) throw new CalendarParseError(`days[${i}].date: ${date} is outside ${year}`)
    if (typeof day.off !== 'boolean') throw new CalendarParseError(`days[${i}].off: expected true or false`)
    if (seen.has(date)) throw new CalendarParseError(`days[${i}].date: ${date} appears twice`)
    seen.add(date)
    return { date, name: String(day.name ?? ''), off: day.off }
  })
  return { year, source: String(obj.source ?? ''), days }
}
