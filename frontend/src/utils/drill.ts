// Drill-down links: every dashboard number opens the list of exactly the cases it counts.
import type { RouteLocationRaw } from 'vue-router'

export interface DrillScope {
  from: string
  to: string
  organ?: string
}

/** metricLink lists the cases behind a count or metric numerator (metric=KEY&from=&to=). */
export function metricLink(metric: string, s: DrillScope, extra: Record<string, string> = {}): RouteLocationRaw {
  return { name: 'cases', query: clean({ metric, from: s.from, to: s.to, organ: s.organ, ...extra }) }
}

/** outcomeLink lists the cases closed in the period with an outcome. */
export function outcomeLink(outcome: string, s: DrillScope): RouteLocationRaw {
  return metricLink('closed', s, { outcome })
}

/** litigationLink lists the litigation cases behind a litigation metric. */
export function litigationLink(metric: string, s: DrillScope): RouteLocationRaw {
  return { name: 'litigations', query: clean({ metric, from: s.from, to: s.to, organ: s.organ }) }
}

/** overdueLink lists the open cases with a missed deadline. */
export function overdueLink(s: Pick<DrillScope, 'organ'>): RouteLocationRaw {
  return { name: 'cases', query: clean({ overdue: 'true', organ: s.organ }) }
}

/** monthRange gives the first and last day of a "YYYY-MM" month. */
export function monthRange(ym: string): { from: string; to: string } {
  const [y, m] = ym.split('-').map(Number)
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
  const mm = String(m).padStart(2, '0')
  return { from: `${y}-${mm}-01`, to: `${y}-${mm}-${String(last).padStart(2, '0')}` }
}

function clean(q: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>
}
