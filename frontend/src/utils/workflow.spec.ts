import { describe, expect, it } from 'vitest'
import { canDecide, chainSteps, currentStep, daysUntil, dueLevel, formatSteps, humanSize, isImage, nearestDueProposals, parseSteps, sortByDue, splitFieldErrors } from './workflow'

describe('sortByDue', () => {
  it('puts the nearest due date first and rows without one last', () => {
    const rows = [
      { id: 1, next_due_on: null, received_on: '2024-01-01' },
      { id: 2, next_due_on: '2024-03-01', received_on: '2024-01-05' },
      { id: 3, next_due_on: '2024-02-01', received_on: '2024-01-09' },
      { id: 4, next_due_on: null, received_on: '2023-12-01' },
    ]
    expect(sortByDue(rows).map((r) => r.id)).toEqual([3, 2, 4, 1])
  })
})

describe('due dates', () => {
  it('counts days until a date', () => {
    expect(daysUntil('2024-03-05', '2024-03-01')).toBe(4)
    expect(daysUntil('2024-02-28', '2024-03-01')).toBe(-2)
    expect(daysUntil(null, '2024-03-01')).toBeNull()
  })
  it('colours overdue and near dates', () => {
    expect(dueLevel('2024-02-28', '2024-03-01')).toBe('danger')
    expect(dueLevel('2024-03-04', '2024-03-01')).toBe('warning')
    expect(dueLevel('2024-04-04', '2024-03-01')).toBe('info')
    expect(dueLevel('2024-04-04', '2024-03-01', true)).toBe('danger')
  })
})

describe('approval chain', () => {
  const steps = [{ role: 'manager' }, { role: 'admin' }]
  it('marks the current step of a pending proposal', () => {
    const s = chainSteps({ steps, chain: [{ step: 1, decision: 'approve', user_id: 2, name: '王', role: 'manager', at: '' }], status: 'pending', step: 2 })
    expect(s.map((x) => x.state)).toEqual(['done', 'current'])
    expect(s[0].entry?.name).toBe('王')
  })
  it('marks a returned step', () => {
    const s = chainSteps({ steps, chain: [{ step: 1, decision: 'return', user_id: 2, name: '王', role: 'manager', comment: '补充事实', at: '' }], status: 'returned', step: 1 })
    expect(s.map((x) => x.state)).toEqual(['returned', 'waiting'])
  })
  it('is all done when approved', () => {
    expect(chainSteps({ steps, chain: [], status: 'approved', step: 2 }).every((x) => x.state === 'done')).toBe(true)
  })
  it('lets only the current step decide', () => {
    const p = { status: 'pending', steps, step: 1, proposed_by: 3 }
    expect(canDecide(p, { id: 2, role: 'manager' })).toBe(true)
    expect(canDecide(p, { id: 1, role: 'admin' })).toBe(false)
    expect(canDecide({ ...p, status: 'returned' }, { id: 2, role: 'manager' })).toBe(false)
    expect(canDecide({ ...p, steps: [{ user_id: 9 }] }, { id: 9, role: 'officer' })).toBe(true)
    expect(canDecide(p, null)).toBe(false)
  })
  it('parses and formats chains', () => {
    expect(parseSteps('manager, admin')).toEqual([{ role: 'manager' }, { role: 'admin' }])
    expect(parseSteps('manager → #12')).toEqual([{ role: 'manager' }, { user_id: 12 }])
    expect(parseSteps('boss')).toBeNull()
    expect(parseSteps('')).toEqual([])
    expect(formatSteps([{ role: 'manager' }, { user_id: 12 }])).toBe('manager, #12')
  })
})

describe('attachments', () => {
  it('formats sizes and knows images', () => {
    expect(humanSize(512)).toBe('512 B')
    expect(humanSize(2048)).toBe('2.0 KB')
    expect(humanSize(3 * 1024 * 1024)).toBe('3.0 MB')
    expect(isImage('image/png')).toBe(true)
    expect(isImage('application/pdf')).toBe(false)
  })
})

describe('proposals close to a due date', () => {
  it('orders by the nearest due date, none last, and keeps at most limit', () => {
    const rows = [
      { id: 1, next_due_on: null },
      { id: 2, next_due_on: '2024-03-04' },
      { id: 3, next_due_on: '2024-03-02' },
      { id: 4, next_due_on: '2024-03-04' },
    ]
    expect(nearestDueProposals(rows).map((r) => r.id)).toEqual([3, 2, 4, 1])
    expect(nearestDueProposals(rows, 2).map((r) => r.id)).toEqual([3, 2])
  })
  it('finds the step a proposal waits at', () => {
    const steps = [{ role: 'manager' }, { user_id: 7 }]
    expect(currentStep({ steps, step: 2 })).toEqual({ user_id: 7 })
    expect(currentStep({ steps, step: 3 })).toBeUndefined()
    expect(currentStep({ steps: [], step: 1 })).toBeUndefined()
  })
})

describe('splitFieldErrors', () => {
  it('keeps the form fields and joins the others', () => {
    const r = splitFieldErrors({ body: 'bad body', number_pattern: 'needs {seq}', organ: 'unknown' }, ['body', 'number_pattern'])
    expect(r.fields).toEqual({ body: 'bad body', number_pattern: 'needs {seq}' })
    expect(r.general).toBe('unknown')
    expect(splitFieldErrors({}, ['body'])).toEqual({ fields: {}, general: '' })
  })
})
