// Pure helpers of the work queues, approvals and follow-ups (no Vue, no fetch).
import type { ApprovalStep, ChainEntry, Proposal, QueueCase } from '@/api/workflow-types'

/** sortByDue orders queue rows by the nearest due date first; rows without one go last, oldest receipt first. */
export function sortByDue<T extends Pick<QueueCase, 'next_due_on' | 'received_on' | 'id'>>(rows: T[]): T[] {
  return [...rows].sort((a, b) => {
    if (a.next_due_on && b.next_due_on && a.next_due_on !== b.next_due_on) return a.next_due_on < b.next_due_on ? -1 : 1
    if (a.next_due_on && !b.next_due_on) return -1
    if (!a.next_due_on && b.next_due_on) return 1
    if (a.received_on !== b.received_on) return a.received_on < b.received_on ? -1 : 1
    return a.id - b.id
  })
}

/** daysUntil is the number of calendar days from today (YYYY-MM-DD) to date; negative when past. */
export function daysUntil(date: string | null | undefined, today: string): number | null {
  if (!date) return null
  const d = Date.parse(`${date.slice(0, 10)}T00:00:00Z`)
  const t = Date.parse(`${today.slice(0, 10)}T00:00:00Z`)
  if (Number.isNaN(d) || Number.isNaN(t)) return null
  return Math.round((d - t) / 86_400_000)
}

/** dueLevel colours a due date: overdue, within 5 days, or fine. */
export function dueLevel(date: string | null | undefined, today: string, overdue = false): 'danger' | 'warning' | 'info' {
  const n = daysUntil(date, today)
  if (overdue || (n !== null && n < 0)) return 'danger'
  if (n !== null && n <= 5) return 'warning'
  return 'info'
}

export interface ChainStep {
  index: number
  step: ApprovalStep
  state: 'done' | 'current' | 'waiting' | 'returned' | 'rejected'
  entry?: ChainEntry
}

/** chainSteps lays a proposal's approval chain out step by step with each step's state. */
export function chainSteps(p: Pick<Proposal, 'steps' | 'chain' | 'status' | 'step'>): ChainStep[] {
  const steps = p.steps ?? []
  const chain = p.chain ?? []
  return steps.map((step, i) => {
    const index = i + 1
    // the latest decision taken at this step (a proposal proposed again starts a new round)
    const entry = [...chain].reverse().find((e) => e.step === index)
    let state: ChainStep['state'] = 'waiting'
    if (p.status === 'approved') state = 'done'
    else if (p.status === 'pending') state = index < p.step ? 'done' : index === p.step ? 'current' : 'waiting'
    else if (entry && entry.decision === 'return' && index === p.step) state = 'returned'
    else if (entry && entry.decision === 'reject' && index === p.step) state = 'rejected'
    else if (index < p.step) state = 'done'
    return { index, step, state, entry }
  })
}

/** canDecide reports whether a user may decide the proposal's current step (the server has the last word). */
export function canDecide(p: Pick<Proposal, 'status' | 'steps' | 'step' | 'proposed_by'>, user: { id: number; role: string } | null): boolean {
  if (!user || p.status !== 'pending') return false
  const st = p.steps?.[p.step - 1]
  if (!st) return false
  if (st.user_id) return st.user_id === user.id
  return st.role === user.role
}

/** parseSteps reads an approval chain typed as "manager, admin, #12" (roles, or #user-id). */
export function parseSteps(text: string): ApprovalStep[] | null {
  const parts = text
    .split(/[,，\s→>]+/)
    .map((s) => s.trim())
    .filter(Boolean)
  const out: ApprovalStep[] = []
  for (const p of parts) {
    const m = /^#(\d+)$/.exec(p)
    if (m) out.push({ user_id: Number(m[1]) })
    else if (/^(officer|manager|admin)$/.test(p)) out.push({ role: p })
    else return null
  }
  return out
}

/** formatSteps is the inverse of parseSteps. */
export function formatSteps(steps: ApprovalStep[]): string {
  return steps.map((s) => (s.user_id ? `#${s.user_id}` : (s.role ?? ''))).join(', ')
}

/** humanSize formats a byte count (B, KB, MB). */
export function humanSize(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

/** isImage: attachments previewed in an <img>; the rest that are previewable (PDF) open in a new tab. */
export function isImage(contentType: string): boolean {
  return /^image\/(png|jpeg|gif|webp|bmp)$/.test(contentType)
}

/** currentStep is the approval step a pending proposal waits at (undefined when none). */
export function currentStep(p: Pick<Proposal, 'steps' | 'step'>): ApprovalStep | undefined {
  return p.steps?.[p.step - 1]
}

/** nearestDueProposals orders proposals by their case's next due date, nearest first (none last), keeping at most limit. */
export function nearestDueProposals<T extends Pick<Proposal, 'next_due_on' | 'id'>>(rows: T[], limit = 10): T[] {
  return [...rows]
    .sort((a, b) => {
      if (a.next_due_on && b.next_due_on && a.next_due_on !== b.next_due_on) return a.next_due_on < b.next_due_on ? -1 : 1
      if (a.next_due_on && !b.next_due_on) return -1
      if (!a.next_due_on && b.next_due_on) return 1
      return a.id - b.id
    })
    .slice(0, limit)
}

/** splitFieldErrors keeps a form's own fields of a server error; messages for other fields are joined into general. */
export function splitFieldErrors(fields: Record<string, string>, known: readonly string[]): { fields: Record<string, string>; general: string } {
  const own: Record<string, string> = {}
  const rest: string[] = []
  for (const [k, v] of Object.entries(fields ?? {})) {
    if (known.includes(k)) own[k] = own[k] ? `${own[k]}；${v}` : v
    else rest.push(v)
  }
  return { fields: own, general: rest.join('；') }
}
