// Types of the Fuyi REST API (/api/v1), written from the contract in docs/openapi.yaml.

export type Role = 'admin' | 'manager' | 'officer' | 'reporter'

export interface OrganRef {
  id: number
  name: string
}

export interface User {
  id: number
  username: string
  display_name: string
  role: Role
  organs: OrganRef[]
  active?: boolean
}

export interface TokenPair {
  access_token: string
  refresh_token: string
  expires_in: number
  user: User
}

export interface CodeLabel {
  code: string
  zh: string
  en: string
}

export interface Meta {
  outcomes: CodeLabel[]
  terminations: CodeLabel[]
  act_types: CodeLabel[]
  areas: CodeLabel[]
  suspension_grounds: CodeLabel[]
  applicant_types: CodeLabel[]
  channels: CodeLabel[]
  statuses: CodeLabel[]
  actions: CodeLabel[]
  deadline_kinds: CodeLabel[]
  procedures?: CodeLabel[]
  roles?: CodeLabel[]
  litigation_kinds?: CodeLabel[]
  litigation_statuses?: CodeLabel[]
  litigation_outcomes?: CodeLabel[]
  instances?: CodeLabel[]
  appeared_roles?: CodeLabel[]
  /** default_period names the dashboard's default year (e.g. the demo's showcase year). */
  default_period?: { year?: number }
}

export type MetaList = {
  [K in keyof Meta]-?: NonNullable<Meta[K]> extends CodeLabel[] ? K : never
}[keyof Meta]

export interface Agency {
  id: number
  name: string
  organ_id: number
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

/**
 * CaseList is one page of GET /cases: total is exact when total_exact, otherwise a lower bound ("more than
 * total"); next_cursor, null on the last page, is the `after` of the next page.
 */
export interface CaseList extends Page<Case> {
  total_exact: boolean
  next_cursor: string | null
}

export interface Applicant {
  name: string
  type?: string
  id_number?: string
  phone?: string
}

export interface Case {
  id: number
  organ_id: number
  organ_name: string
  case_no: string
  status: string
  version: number
  regime: 'rl2017' | 'rl2023'
  applicant: string
  applicant_type: string
  applicants: Applicant[] | null
  third_parties: { name: string }[] | null
  agent: string | null
  respondent_id: number
  respondent_name: string
  act_type: string
  area: string | null
  act_document_no: string | null
  act_date: string | null
  request: string | null
  channel: string | null
  procedure: 'ordinary' | 'simplified' | null
  handler_id: number | null
  handler_name: string | null
  received_on: string
  correction_notice_on: string | null
  correction_received_on: string | null
  accepted_on: string | null
  deemed_accepted: boolean
  not_accepted_on: string | null
  closed_on: string | null
  served_on: string | null
  archived_on: string | null
  outcome: string | null
  outcome_partial: boolean
  outcome_redo: boolean
  termination: string | null
  extension_days: number | null
  hearing_held: boolean
  committee_consulted: boolean
  compensation_claimed: boolean
  compensation_awarded: boolean
  note: string | null
  allowed_actions: string[]
  created_at: string
  updated_at: string
}

/** CaseInput is the body of POST /cases and (with version) PATCH /cases/{id}. */
export interface CaseInput {
  organ_id?: number
  applicant: string
  applicant_type: string
  respondent: number | string
  act_type: string
  area?: string
  act_document_no?: string
  act_date?: string | null
  received_on: string
  channel?: string
  request?: string
  agent?: string
  note?: string
  handler_id?: number | null
  version?: number
}

export type Action =
  | 'request_correction'
  | 'receive_correction'
  | 'abandon'
  | 'accept'
  | 'not_accept'
  | 'withdraw'
  | 'refer'
  | 'suspend'
  | 'resume'
  | 'extend'
  | 'convert_procedure'
  | 'decide'
  | 'mediate'
  | 'terminate'
  | 'serve'
  | 'close'

export interface TransitionInput {
  action: Action | string
  effective_on: string
  version: number
  note?: string
  procedure?: 'ordinary' | 'simplified'
  reason?: string
  ground?: string
  days?: number
  approved_by?: string
  outcome?: string
  partial?: boolean
  redo?: boolean
  termination?: string
}

export interface CaseEvent {
  id: number
  action: string
  from_status: string | null
  to_status: string
  effective_on: string
  actor_name: string
  created_at: string
  note: string | null
  payload: Record<string, unknown> | null
}

export type DeadlineStatus = 'open' | 'met' | 'missed' | 'paused' | 'not_applicable' | 'calendar_missing'

export interface Deadline {
  kind: string
  due_on: string | null
  status: DeadlineStatus
  met_on: string | null
  explanation: string
  article?: string
}

export interface DeadlineRow {
  case_id: number
  case_no: string
  kind: string
  due_on: string
  status: DeadlineStatus
  handler_name: string | null
  respondent_name: string | null
}

export interface Metric {
  name?: string
  numerator: number
  denominator: number
  rate: number | null
}

export interface Stats {
  period: { from: string; to: string }
  reconsideration: {
    received: number
    accepted: number
    not_accepted: number
    closed: number
    carried_over: number
    pending_end: number
    outcomes: Record<string, number>
    terminations: Record<string, number>
    metrics: Record<string, Metric>
    balance?: { name: string; ok: boolean; left: number; right: number; detail_zh: string; detail_en: string }[]
  }
  litigation: {
    first_instance: number
    second_instance: number
    retrial: number
    civil: number
    as_respondent: number
    concluded_first_instance: number
    lost_first_instance: number
    metrics: Record<string, Metric>
    suggestions: { received: number; replied: number; replied_on_time: number }
  }
  overdue?: number
}

export type BreakdownBy = 'respondent' | 'act_type' | 'area' | 'handler' | 'month'

export interface BreakdownRow {
  key: string
  label: string
  received: number
  closed: number
  outcomes: Record<string, number>
  metrics: Record<string, Metric>
}

export interface Breakdown {
  by: BreakdownBy
  rows: BreakdownRow[]
}

export interface YearlyReport extends Stats {
  year?: number
  paragraph?: string
  text?: string
}

export interface ReportLock {
  id: number
  year: number
  organ_id: number
  locked_by: number
  reason: string
  locked_at: string
}

/** ImportProblem is one finding of a ledger import (row, column, message in the request's language). */
export interface ImportProblem {
  row: number
  column?: string
  field?: string
  message: string
}

export interface ImportResult {
  written: boolean
  ok: boolean
  organ_id: number
  organ_name: string
  rows: number
  created: number
  updated: number
  unchanged: number
  skipped: number
  agencies_created: string[]
  conflicts: { row: number; case_id: number; case_no: string; message: string }[]
  errors: ImportProblem[]
  warnings: ImportProblem[]
  error_count: number
  warning_count: number
  bad_rows: number
  refused?: string
}

export interface ImportJob {
  id: number
  organ_id: number
  organ_name: string
  kind: string
  dry_run: boolean
  status: 'queued' | 'running' | 'done' | 'failed'
  phase?: string
  file_name: string
  total_rows: number
  processed_rows: number
  result: ImportResult | null
  error?: string
}

export interface Litigation {
  id: number
  court_case_no: string
  kind: string
  instance: string
  court: string
  plaintiffs: string
  defendant_name: string
  status: string
  outcome: string | null
  lost: boolean | null
  notified_on: string | null
  concluded_on: string | null
  version: number
  allowed_actions: string[]
  hearings?: Hearing[]
  [extra: string]: unknown
}

export interface Hearing {
  id: number
  held_on: string
  appeared_role: string | null
  appeared_name: string | null
  summoned: boolean
  absence_reason: string | null
}

export interface Organ {
  id: number
  name: string
  case_no_pattern?: string
  [extra: string]: unknown
}

export interface CalendarYear {
  year: number
  source: string
  builtin: boolean
  off_days: number
  work_days: number
}

export interface CalendarInput {
  year: number
  source: string
  days: { date: string; name: string; off: boolean }[]
}

/** MetricSpec is a metric's formula: what the numerator counts, over which denominator. */
export interface MetricSpec {
  numerator: { count: string; outcomes?: string[]; terminations?: string[]; flags?: string[] }
  denominator: string
}

export interface MetricDefinition {
  id?: number
  key: string
  name: string
  name_en?: string
  definition: MetricSpec
  effective_from?: string | null
  effective_to?: string | null
  builtin?: boolean
  version?: number
}

export interface Notification {
  id: number
  case_id: number
  case_no: string
  kind: string
  message: string
  created_at: string
  read_at: string | null
}
