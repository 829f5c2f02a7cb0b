// The case list's filters and their URL query string, so every filtered list is a shareable link
// (the dashboard's drill-down builds these links too).
import type { CaseFilters } from '@/api'

export const DEFAULT_SORT = '-received_on'
export const DEFAULT_PAGE_SIZE = 20

const STRING_KEYS = [
  'status',
  'outcome',
  'termination',
  'respondent',
  'act_type',
  'area',
  'handler',
  'q',
  'received_from',
  'received_to',
  'closed_from',
  'closed_to',
  'metric',
  'from',
  'to',
  'organ',
] as const

type RouteQuery = Record<string, string | null | undefined | (string | null)[]>

function first(v: RouteQuery[string]): string | undefined {
  if (Array.isArray(v)) v = v[0]
  return v === null || v === undefined || v === '' ? undefined : v
}

function positiveInt(v: string | undefined, fallback: number): number {
  const n = Number(v)
  return Number.isInteger(n) && n > 0 ? n : fallback
}

/** filtersFromQuery reads the case filters from a route query, with defaults for sort and paging. */
export function filtersFromQuery(q: RouteQuery): CaseFilters {
  const f: CaseFilters = {}
  for (const k of STRING_KEYS) {
    const v = first(q[k])
    if (v !== undefined) f[k] = v
  }
  if (first(q.overdue) === 'true') f.overdue = true
  if (first(q.count) === 'exact') f.count = 'exact'
  const after = first(q.after)
  if (after !== undefined) f.after = after
  f.sort = first(q.sort) ?? DEFAULT_SORT
  f.page = positiveInt(first(q.page), 1)
  f.page_size = Math.min(200, positiveInt(first(q.page_size), DEFAULT_PAGE_SIZE))
  return f
}

/** queryFromFilters writes filters as a route query, leaving out empty values and defaults. */
export function queryFromFilters(f: CaseFilters): Record<string, string> {
  const q: Record<string, string> = {}
  for (const k of STRING_KEYS) {
    const v = f[k]
    if (v !== undefined && v !== null && v !== '') q[k] = String(v)
  }
  if (f.overdue) q.overdue = 'true'
  if (f.count === 'exact') q.count = 'exact'
  if (f.sort && f.sort !== DEFAULT_SORT) q.sort = f.sort
  // A cursor stands for its page: the page number comes back with the rows.
  if (f.after) q.after = f.after
  else if (f.page && f.page > 1) q.page = String(f.page)
  if (f.page_size && f.page_size !== DEFAULT_PAGE_SIZE) q.page_size = String(f.page_size)
  return q
}

/** sortToTable converts "-received_on" into Element Plus table sort state. */
export function sortToTable(sort: string | undefined): { prop: string; order: 'ascending' | 'descending' } | undefined {
  if (!sort) return undefined
  return sort.startsWith('-') ? { prop: sort.slice(1), order: 'descending' } : { prop: sort, order: 'ascending' }
}

/** tableToSort converts Element Plus sort-change arguments into the API's sort parameter. */
export function tableToSort(prop: string | null, order: string | null): string {
  if (!prop || !order) return DEFAULT_SORT
  return order === 'descending' ? `-${prop}` : prop
}

/** activeFilterCount counts the filters a user set (not paging or sorting). */
export function activeFilterCount(f: CaseFilters): number {
  return STRING_KEYS.filter((k) => f[k] !== undefined && f[k] !== '').length + (f.overdue ? 1 : 0)
}
