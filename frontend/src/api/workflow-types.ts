// Types of the work-queue, assignment, approval, document, attachment, follow-up and audit endpoints.

export interface QueueInfo {
  key: string
  name: string
  count: number
}

export interface QueueCase {
  id: number
  case_no: string
  status: string
  applicant: string
  respondent_id: number
  respondent_name: string
  received_on: string
  handler_id: number | null
  handler_name: string
  next_due_on: string | null
  next_due_kind: string
  days_waiting: number
  overdue: boolean
  version: number
}

export interface Workload {
  handler_id: number
  handler_name: string
  open: number
  due_soon: number
  overdue: number
}

export interface ApprovalStep {
  role?: string
  user_id?: number
}

export interface ChainEntry {
  step: number
  decision: string
  user_id: number
  name: string
  role: string
  comment?: string
  at: string
}

export interface Proposal {
  id: number
  case_id: number
  case_no: string
  organ_id: number
  action: string
  params: Record<string, unknown>
  effective_on: string
  from_status: string
  status: 'pending' | 'returned' | 'rejected' | 'approved' | string
  step: number
  steps: ApprovalStep[]
  chain: ChainEntry[]
  proposed_by: number
  proposer_name: string
  note: string
  comment: string
  version: number
  next_due_on: string | null
  next_due_kind: string
  created_at: string
  updated_at: string
}

export interface ApprovalRule {
  organ_id: number
  action: string
  steps: ApprovalStep[]
  version: number
  updated_at: string
}

export interface FollowupRow {
  id: number
  case_id: number
  case_no: string
  organ_id: number
  respondent_id: number
  respondent_name: string
  outcome: string
  redo: boolean
  opened_on: string
  due_on: string
  status: string
  status_on: string | null
  note: string
  version: number
}

export interface QueuePage<T> {
  key: string
  items: T[]
  total: number
  page: number
  page_size: number
}

export interface DocTemplate {
  organ_id: number
  kind: string
  title: string
  body: string
  number_pattern: string
  organ_name: string
  seal_text: string
  customised: boolean
  version: number
}

export interface CaseDocument {
  id: number
  case_id: number
  kind: string
  number: string
  title: string
  created_by: number
  created_by_name: string
  created_at: string
}

export interface Attachment {
  id: number
  case_id: number
  kind: string
  file_name: string
  content_type: string
  size: number
  sha256: string
  doc_date: string | null
  note: string
  created_by: number
  created_by_name: string
  created_at: string
  previewable: boolean
}

export interface TypicalCase {
  case_id: number
  case_no: string
  organ_id: number
  summary: string
  flagged_by: number
  flagged_at: string
}

export interface AssignResult {
  [k: string]: unknown
}

export interface AuditRow {
  id: number
  at: string
  actor_id: number
  actor_name: string
  client_ip: string
  action: string
  subject: string
  organ_id: number
  before: string
  after: string
  prev_hash: string
  hash: string
}

export interface SessionRow {
  id: string
  started_at: string
  last_used_at: string
  expires_at: string
  client_ip: string
  user_agent: string
}
