// Period picker model: a year, a quarter of a year, or a custom range, as from/to dates.

export type PeriodKind = 'year' | 'quarter' | 'custom'

export interface Period {
  kind: PeriodKind
  year: number
  quarter: number
  from: string
  to: string
}

/** periodRange returns the inclusive from/to dates (YYYY-MM-DD) of a period. */
export function periodRange(p: Period): { from: string; to: string } {
  if (p.kind === 'year') return { from: `${p.year}-01-01`, to: `${p.year}-12-31` }
  if (p.kind === 'quarter') {
    const q = Math.min(4, Math.max(1, p.quarter))
    const startMonth = (q - 1) * 3 + 1
    const endMonth = startMonth + 2
    const lastDay = new Date(Date.UTC(p.year, endMonth, 0)).getUTCDate()
    return {
      from: `${p.year}-${String(startMonth).padStart(2, '0')}-01`,
      to: `${p.year}-${String(endMonth).padStart(2, '0')}-${String(lastDay).padStart(2, '0')}`,
    }
  }
  return { from: p.from, to: p.to }
}

const KINDS: PeriodKind[] = ['year', 'quarter', 'custom']
const ISO = /^\d{4}-\d{2}-\d{2}$/

/**
 * periodFromQuery reads a dashboard period from the URL: ?year=2022, ?year=2022&quarter=2,
 * ?from=2022-01-01&to=2022-06-30, each optionally with kind=. Null when the URL names none.
 */
export function periodFromQuery(q: Record<string, unknown>, now = new Date().getFullYear()): Period | null {
  const str = (v: unknown) => (typeof v === 'string' ? v : '')
  const from = str(q.from)
  const to = str(q.to)
  const range = ISO.test(from) && ISO.test(to)
  const year = Number(str(q.year)) || 0
  const quarter = Number(str(q.quarter)) || 0
  if (!year && !range) return null
  let kind = str(q.kind) as PeriodKind
  if (!KINDS.includes(kind)) kind = range && !year ? 'custom' : quarter ? 'quarter' : 'year'
  if (kind === 'custom' && !range) kind = 'year'
  return {
    kind,
    year: year >= 1990 && year <= 2100 ? year : now,
    quarter: Math.min(4, Math.max(1, quarter || 1)),
    from: kind === 'custom' ? from : '',
    to: kind === 'custom' ? to : '',
  }
}
