import { describe, expect, it } from 'vitest'
import { ACTION_FIELDS, IRREVERSIBLE, fieldsOf } from './actions'

describe('action parameters', () => {
  it('collects what each action takes', () => {
    expect(fieldsOf('accept')).toEqual(['procedure'])
    expect(fieldsOf('extend')).toEqual(['days', 'approved_by'])
    expect(fieldsOf('decide')).toEqual(['outcome', 'partial', 'redo'])
    expect(fieldsOf('terminate')).toEqual(['termination'])
    expect(fieldsOf('suspend')).toEqual(['ground', 'reason'])
    expect(fieldsOf('nonsense')).toEqual([])
  })
  it('covers all sixteen actions and confirms the closing ones', () => {
    expect(Object.keys(ACTION_FIELDS)).toHaveLength(16)
    for (const a of ['decide', 'close', 'serve', 'terminate', 'not_accept']) expect(IRREVERSIBLE.has(a)).toBe(true)
    expect(IRREVERSIBLE.has('request_correction')).toBe(false)
  })
})
