import { describe, expect, it } from 'vitest'
import { activeFilterCount, filtersFromQuery, queryFromFilters, sortToTable, tableToSort } from './filters'
import { metricLink, monthRange, outcomeLink } from './drill'
import { periodRange } from './period'

describe('filters ↔ query', () => {
  it('reads defaults from an empty query', () => {
    expect(filtersFromQuery({})).toEqual({ sort: '-received_on', page: 1, page_size: 20 })
  })
  it('reads the drill-down query', () => {
    const f = filtersFromQuery({ metric: 'comprehensive_correction', from: '2022-01-01', to: '2022-12-31', page: '3' })
    expect(f).toMatchObject({ metric: 'comprehensive_correction', from: '2022-01-01', to: '2022-12-31', page: 3 })
  })
  it('ignores bad paging, empty values and caps page size', () => {
    const f = filtersFromQuery({ page: '-2', page_size: '100000', q: '', status: null, overdue: 'yes' })
    expect(f.page).toBe(1)
    expect(f.page_size).toBe(200)
    expect(f.q).toBeUndefined()
    expect(f.status).toBeUndefined()
    expect(f.overdue).toBeUndefined()
  })
  it('takes the first of repeated values', () => {
    expect(filtersFromQuery({ status: ['accepted', 'closed'] }).status).toBe('accepted')
  })
  it('round-trips', () => {
    const q = { q: '张三', status: 'accepted', overdue: 'true', sort: 'case_no', page: '2', page_size: '50', received_from: '2022-01-01' }
    expect(queryFromFilters(filtersFromQuery(q))).toEqual(q)
  })
  it('keeps the cursor and the exact count in the URL, the cursor instead of the page number', () => {
    const f = filtersFromQuery({ status: 'closed', after: 'abc.def', count: 'exact', page: '7' })
    expect(f).toMatchObject({ status: 'closed', after: 'abc.def', count: 'exact' })
    expect(queryFromFilters(f)).toEqual({ status: 'closed', after: 'abc.def', count: 'exact' })
    expect(filtersFromQuery({ count: 'all' }).count).toBeUndefined()
    expect(queryFromFilters({ ...f, after: undefined })).toEqual({ status: 'closed', count: 'exact', page: '7' })
  })
  it('leaves defaults out of the URL', () => {
    expect(queryFromFilters({ sort: '-received_on', page: 1, page_size: 20, q: '' })).toEqual({})
  })
  it('counts active filters', () => {
    expect(activeFilterCount({ q: 'x', overdue: true, page: 2 })).toBe(2)
  })
  it('maps table sort state', () => {
    expect(sortToTable('-received_on')).toEqual({ prop: 'received_on', order: 'descending' })
    expect(sortToTable('case_no')).toEqual({ prop: 'case_no', order: 'ascending' })
    expect(tableToSort('closed_on', 'descending')).toBe('-closed_on')
    expect(tableToSort('closed_on', 'ascending')).toBe('closed_on')
    expect(tableToSort(null, null)).toBe('-received_on')
  })
})

describe('drill-down links', () => {
  const s = { from: '2022-01-01', to: '2022-12-31' }
  it('builds metric links without empty values', () => {
    expect(metricLink('comprehensive_correction', s)).toEqual({
      name: 'cases',
      query: { metric: 'comprehensive_correction', from: '2022-01-01', to: '2022-12-31' },
    })
    expect(metricLink('received', { ...s, organ: '2' }, { respondent: '7' })).toEqual({
      name: 'cases',
      query: { metric: 'received', from: '2022-01-01', to: '2022-12-31', organ: '2', respondent: '7' },
    })
  })
  it('builds outcome links over closed cases', () => {
    expect(outcomeLink('revoked', s)).toEqual({ name: 'cases', query: { metric: 'closed', from: '2022-01-01', to: '2022-12-31', outcome: 'revoked' } })
  })
  it('computes month ranges', () => {
    expect(monthRange('2024-02')).toEqual({ from: '2024-02-01', to: '2024-02-29' })
    expect(monthRange('2022-12')).toEqual({ from: '2022-12-01', to: '2022-12-31' })
  })
})

describe('periodRange', () => {
  it('covers a year, a quarter, a custom range', () => {
    expect(periodRange({ kind: 'year', year: 2022, quarter: 1, from: '', to: '' })).toEqual({ from: '2022-01-01', to: '2022-12-31' })
    expect(periodRange({ kind: 'quarter', year: 2024, quarter: 1, from: '', to: '' })).toEqual({ from: '2024-01-01', to: '2024-03-31' })
    expect(periodRange({ kind: 'quarter', year: 2022, quarter: 2, from: '', to: '' })).toEqual({ from: '2022-04-01', to: '2022-06-30' })
    expect(periodRange({ kind: 'quarter', year: 2022, quarter: 4, from: '', to: '' })).toEqual({ from: '2022-10-01', to: '2022-12-31' })
    expect(periodRange({ kind: 'custom', year: 2022, quarter: 1, from: '2022-02-01', to: '2022-02-10' })).toEqual({ from: '2022-02-01', to: '2022-02-10' })
  })
})
