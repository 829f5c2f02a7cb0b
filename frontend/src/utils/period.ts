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
