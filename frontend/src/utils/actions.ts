// Which parameters each case transition collects, and which need a confirmation first.
import type { Action } from '@/api/types'

export type ActionField = 'procedure' | 'reason' | 'ground' | 'days' | 'approved_by' | 'outcome' | 'partial' | 'redo' | 'termination'

/** ACTION_FIELDS lists the extra parameters of each action (besides effective_on, version and note). */
export const ACTION_FIELDS: Record<Action, ActionField[]> = {
  request_correction: [],
  receive_correction: [],
  abandon: [],
  accept: ['procedure'],
  not_accept: ['reason'],
  withdraw: [],
  refer: ['reason'],
  suspend: ['ground', 'reason'],
  resume: [],
  extend: ['days', 'approved_by'],
  convert_procedure: ['procedure'],
  decide: ['outcome', 'partial', 'redo'],
  mediate: [],
  terminate: ['termination'],
  serve: [],
  close: [],
}

/** REQUIRED_FIELDS are the parameters that may not be empty. */
export const REQUIRED_FIELDS: ActionField[] = ['procedure', 'reason', 'ground', 'days', 'approved_by', 'outcome', 'termination']

/** IRREVERSIBLE actions end or decide something and ask for a confirmation before they are sent. */
export const IRREVERSIBLE = new Set<string>(['abandon', 'not_accept', 'withdraw', 'refer', 'decide', 'mediate', 'terminate', 'serve', 'close'])

/** fieldsOf returns the parameters of an action (none for an unknown action). */
export function fieldsOf(action: string): ActionField[] {
  return ACTION_FIELDS[action as Action] ?? []
}

/** DECIDE_OUTCOMES are the outcomes a decision can carry (mediation and termination have their own actions). */
export const DECIDE_EXCLUDED = new Set(['mediated', 'terminated'])

/** FLAGGED_OUTCOMES may be partial / ordered to redo. */
export const FLAGGED_OUTCOMES = new Set(['revoked', 'varied', 'confirmed_unlawful'])
