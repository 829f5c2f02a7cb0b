// The typed Fuyi API client: one function per endpoint. Components call these, never fetch().
import { download, request, send, type Query } from './http'
import type {
  Agency,
  Breakdown,
  BreakdownBy,
  CalendarInput,
  CalendarYear,
  Case,
  CaseEvent,
  CaseList,
  CaseInput,
  Deadline,
  Hearing,
  DeadlineRow,
  ImportJob,
  Litigation,
  Meta,
  MetricDefinition,
  MetricSpec,
  Metric,
  Notification,
  Organ,
  Page,
  ReportLock,
  Stats,
  TokenPair,
  TransitionInput,
  User,
  YearlyReport,
} from './types'

export * from './types'
export { ApiError, isApiError, configureClient, buildQuery } from './http'

/** CaseFilters are the list filters shared by GET /cases and /cases/export. */
export interface CaseFilters {
  status?: string
  outcome?: string
  termination?: string
  respondent?: string
  act_type?: string
  area?: string
  handler?: string
  q?: string
  received_from?: string
  received_to?: string
  closed_from?: string
  closed_to?: string
  overdue?: boolean
  metric?: string
  from?: string
  to?: string
  organ?: string
  sort?: string
  page?: number
  page_size?: number
  /** The next_cursor of the page before: the rows after it (page is then ignored). */
  after?: string
  /** 'exact': count every match (otherwise the total stops at 10,000 with total_exact false). */
  count?: 'exact'
}

export interface LitigationFilters {
  status?: string
  kind?: string
  instance?: string
  q?: string
  metric?: string
  from?: string
  to?: string
  page?: number
  page_size?: number
}

const enc = encodeURIComponent

export const auth = {
  login: (username: string, password: string) =>
    request<TokenPair>('POST', '/auth/login', { body: { username, password }, noAuth: true }),
  logout: (refresh_token: string) => request<void>('POST', '/auth/logout', { body: { refresh_token } }),
  me: () => request<User>('GET', '/me'),
}

export const meta = {
  get: () => request<Meta>('GET', '/meta'),
  agencies: () => request<Agency[]>('GET', '/agencies'),
}

export const cases = {
  list: (f: CaseFilters) => request<CaseList>('GET', '/cases', { query: f as Query }),
  export: (f: CaseFilters, format: 'csv' | 'xlsx') => {
    const { page: _p, page_size: _s, after: _a, count: _c, ...rest } = f
    return download('/cases/export', { ...(rest as Query), format }, `cases.${format}`)
  },
  get: (id: number | string) => request<Case>('GET', `/cases/${enc(String(id))}`),
  create: (body: CaseInput) => request<Case>('POST', '/cases', { body }),
  update: (id: number, body: Partial<CaseInput> & { version: number }) =>
    request<Case>('PATCH', `/cases/${id}`, { body }),
  transition: (id: number, body: TransitionInput) => request<Case>('POST', `/cases/${id}/transitions`, { body }),
  events: (id: number | string) => request<CaseEvent[]>('GET', `/cases/${enc(String(id))}/events`),
  deadlines: (id: number | string) => request<Deadline[]>('GET', `/cases/${enc(String(id))}/deadlines`),
}

export const deadlines = {
  list: (q: { due_within_days?: number; overdue?: boolean; page?: number; page_size?: number; organ?: string }) =>
    request<Page<DeadlineRow>>('GET', '/deadlines', { query: q as Query }),
}

export const stats = {
  get: (from: string, to: string, organ?: string) => request<Stats>('GET', '/stats', { query: { from, to, organ } }),
  breakdown: (by: BreakdownBy, from: string, to: string, organ?: string) =>
    request<Breakdown>('GET', '/stats/breakdown', { query: { by, from, to, organ } }),
}

export const reports = {
  yearly: (year: number, organ?: string) =>
    request<YearlyReport>('GET', '/reports/yearly', { query: { year, format: 'json', organ } }),
  paragraph: async (year: number, lang: 'zh' | 'en', organ?: string) => {
    const res = await send('GET', '/reports/yearly', { query: { year, format: 'md', lang, organ } })
    return res.text()
  },
  download: (year: number, format: 'xlsx' | 'csv' | 'md', lang: 'zh' | 'en', organ?: string) =>
    download('/reports/yearly', { year, format, lang: format === 'md' ? lang : undefined, organ }, `report-${year}.${format}`),
  locks: async () => (await request<{ items: ReportLock[] | null }>('GET', '/reports/locks')).items ?? [],
  lock: (year: number, organ_id?: number) => request<ReportLock>('POST', '/reports/locks', { body: { year, organ_id } }),
}

export const imports = {
  start: (file: File, opts: { dryRun: boolean; organ?: number; kind: 'cases' | 'litigation' }) => {
    const form = new FormData()
    form.append('file', file)
    if (opts.organ) form.append('organ', String(opts.organ))
    form.append('kind', opts.kind)
    return request<ImportJob>('POST', '/imports', { query: { dry_run: opts.dryRun }, form })
  },
  /** confirm runs a finished dry run for real on the same file (a new job). */
  confirm: (id: number | string, skipConflicts = false) =>
    request<ImportJob>('POST', `/imports/${enc(String(id))}/confirm`, { query: { skip_conflicts: skipConflicts || undefined } }),
  get: (id: number | string) => request<ImportJob>('GET', `/imports/${enc(String(id))}`),
}

export const litigations = {
  list: (f: LitigationFilters) => request<Page<Litigation>>('GET', '/litigations', { query: f as Query }),
  get: (id: number | string) => request<Litigation>('GET', `/litigations/${enc(String(id))}`),
  hearings: async (id: number | string) => {
    const r = await request<Hearing[] | { items: Hearing[] | null }>('GET', `/litigations/${enc(String(id))}/hearings`)
    return (Array.isArray(r) ? r : r?.items) ?? []
  },
}

export const admin = {
  users: () => request<User[]>('GET', '/admin/users'),
  createUser: (body: { username: string; display_name: string; role: string; organ_ids: number[]; password: string }) =>
    request<User>('POST', '/admin/users', { body }),
  updateUser: (id: number, body: { role?: string; organ_ids?: number[]; active?: boolean; display_name?: string }) =>
    request<User>('PATCH', `/admin/users/${id}`, { body }),
  setPassword: (id: number, password: string) => request<void>('POST', `/admin/users/${id}/password`, { body: { password } }),
  organs: () => request<Organ[]>('GET', '/admin/organs'),
  createOrgan: (body: Partial<Organ>) => request<Organ>('POST', '/admin/organs', { body }),
  updateOrgan: (id: number, body: Partial<Organ>) => request<Organ>('PATCH', `/admin/organs/${id}`, { body }),
  agencies: (organId: number) => request<Agency[]>('GET', `/admin/organs/${organId}/agencies`),
  createAgency: (organId: number, name: string) =>
    request<Agency>('POST', `/admin/organs/${organId}/agencies`, { body: { name } }),
  calendar: () => request<CalendarYear[]>('GET', '/calendar'),
  putCalendar: (body: CalendarInput) => request<CalendarYear>('PUT', `/calendar/${body.year}`, { body }),
  metricDefinitions: async () =>
    (await request<{ items: MetricDefinition[] | null }>('GET', '/metrics/definitions')).items ?? [],
  createMetricDefinition: (body: MetricDefinition) => request<MetricDefinition>('POST', '/metrics/definitions', { body }),
  updateMetricDefinition: (key: string, body: Partial<MetricDefinition>) =>
    request<MetricDefinition>('PATCH', `/metrics/definitions/${enc(key)}`, { body }),
  previewMetric: (definition: MetricSpec, from: string, to: string) =>
    request<Metric>('POST', '/metrics/preview', { body: { definition, from, to } }),
}

export const notifications = {
  list: () => request<{ items: Notification[]; unread: number }>('GET', '/notifications'),
  read: (id: number) => request<void>('POST', `/notifications/${id}/read`),
}

// ---- work queues, assignment, approvals, documents, attachments, follow-ups (issue 11) ----

export * from './workflow-types'
import type {
  ApprovalRule,
  ApprovalStep,
  AssignResult,
  Attachment,
  AuditRow,
  CaseDocument,
  DocTemplate,
  FollowupRow,
  Proposal,
  QueueInfo,
  QueuePage,
  SessionRow,
  TypicalCase,
  Workload,
} from './workflow-types'
import { fetchBlob } from './http'

export const queues = {
  list: () => request<QueueInfo[]>('GET', '/queues'),
  get: <T>(key: string, page = 1, page_size = 50) =>
    request<QueuePage<T>>('GET', `/queues/${enc(key)}`, { query: { page, page_size } }),
  workload: (organ?: number) => request<Workload[]>('GET', '/workload', { query: { organ } }),
}

export const assignments = {
  bulk: (body: { case_ids: number[]; handler_id: number | null; second_handler_id?: number | null; note?: string }) =>
    request<AssignResult>('POST', '/assignments', { body }),
  one: (id: number, body: { handler_id: number | null; second_handler_id?: number | null; version?: number; note?: string }) =>
    request<AssignResult>('POST', `/cases/${id}/assign`, { body }),
}

export const approvals = {
  rules: (organ?: number) =>
    request<{ rules: ApprovalRule[] | null; approvable_actions: string[] }>('GET', '/approval-rules', { query: { organ } }),
  putRule: (action: string, steps: ApprovalStep[], version: number, organ?: number) =>
    request<ApprovalRule>('PUT', `/approval-rules/${enc(action)}`, { query: { organ }, body: { steps, version } }),
  propose: (caseId: number, body: TransitionInput) => request<Proposal>('POST', `/cases/${caseId}/proposals`, { body }),
  list: (q: { status?: string; due_within_days?: number; awaiting?: 'me' }) => request<Proposal[]>('GET', '/proposals', { query: q as Query }),
  ofCase: (caseId: number | string) => request<Proposal[]>('GET', `/cases/${enc(String(caseId))}/proposals`),
  decide: (id: number, decision: 'approve' | 'return' | 'reject', version: number, comment: string) =>
    request<Proposal>('POST', `/proposals/${id}/${decision}`, { body: { version, comment } }),
}

export const documents = {
  templates: (organ?: number) => request<DocTemplate[]>('GET', '/document-templates', { query: { organ } }),
  putTemplate: (
    kind: string,
    body: { title: string; body: string; number_pattern: string; organ_name: string; seal_text: string; version: number },
    organ?: number,
  ) => request<DocTemplate>('PUT', `/document-templates/${enc(kind)}`, { query: { organ }, body }),
  generate: (caseId: number, kind: string) => request<CaseDocument>('POST', `/cases/${caseId}/documents`, { body: { kind } }),
  ofCase: (caseId: number | string) => request<CaseDocument[]>('GET', `/cases/${enc(String(caseId))}/documents`),
  /** html fetches the printable page with the session's token (a blob, for a blob: URL). */
  html: (id: number) => fetchBlob(`/documents/${id}`, { format: 'html' }),
  docx: (id: number) => download(`/documents/${id}`, { format: 'docx' }, `document-${id}.docx`),
}

export const attachments = {
  list: (caseId: number | string) => request<Attachment[]>('GET', `/cases/${enc(String(caseId))}/attachments`),
  upload: (caseId: number, file: File, kind: string, docDate?: string, note?: string) => {
    const form = new FormData()
    form.append('file', file)
    form.append('kind', kind)
    if (docDate) form.append('doc_date', docDate)
    if (note) form.append('note', note)
    return request<Attachment>('POST', `/cases/${caseId}/attachments`, { form })
  },
  download: (a: Attachment) => download(`/cases/${a.case_id}/attachments/${a.id}`, {}, a.file_name),
  preview: (a: Attachment) => fetchBlob(`/cases/${a.case_id}/attachments/${a.id}`, { inline: 1 }),
}

export const followups = {
  list: (q: { status?: string; open?: boolean; case?: number; page?: number; page_size?: number }) =>
    request<QueuePage<FollowupRow>>('GET', '/followups', { query: q as Query }),
  update: (id: number, body: { version: number; status?: string; status_on?: string; due_on?: string; note?: string }) =>
    request<FollowupRow>('PATCH', `/followups/${id}`, { body }),
  setTypical: (caseId: number, summary: string) => request<TypicalCase>('PUT', `/cases/${caseId}/typical`, { body: { summary } }),
  clearTypical: (caseId: number) => request<void>('DELETE', `/cases/${caseId}/typical`),
  typical: () => request<TypicalCase[]>('GET', '/typical-cases'),
  circularHtml: (year: number) => fetchBlob('/circulars', { year, format: 'html' }),
  circularXlsx: (year: number) => download('/circulars', { year, format: 'xlsx' }, `circular-${year}.xlsx`),
}

export const account = {
  sessions: async () => (await request<{ items: SessionRow[] | null }>('GET', '/me/sessions')).items ?? [],
  revoke: (id: string) => request<void>('DELETE', `/me/sessions/${enc(id)}`),
  changePassword: (old_password: string, new_password: string) =>
    request<void>('POST', '/me/password', { body: { old_password, new_password } }),
}

export const audit = {
  search: (q: { actor?: string; action?: string; subject?: string; from?: string; to?: string; page?: number; page_size?: number }) =>
    request<{ items: AuditRow[] | null; total: number; page: number; page_size: number }>('GET', '/audit', { query: q as Query }),
}
