package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/errs"
	"fuyi/services/lifecycle"
	"fuyi/services/telemetry"
)

// ApprovableActions are the actions an organ may put under approval. accept
// is not among them: deemed acceptance (RL2023 Art. 30(3)) happens by law.
var ApprovableActions = []string{lifecycle.ActNotAccept, lifecycle.ActRefer, lifecycle.ActSuspend, lifecycle.ActExtend,
	lifecycle.ActConvertProcedure, lifecycle.ActDecide, lifecycle.ActMediate, lifecycle.ActTerminate}

// Step is one step of an approval chain: a role (any user of it in the
// case's organ) or one user.
type Step struct {
	Role   string `json:"role,omitempty"`
	UserID int64  `json:"user_id,omitempty"`
}

// Rule is an organ's approval chain for one action.
type Rule struct {
	OrganID   int64
	Action    string
	Steps     []Step
	Version   int64
	UpdatedAt time.Time
}

// Proposal statuses.
const (
	ProposalPending  = "pending"
	ProposalReturned = "returned"
	ProposalRejected = "rejected"
	ProposalApproved = "approved"
)

// ChainEntry is one decision on a proposal.
type ChainEntry struct {
	Step     int    `json:"step"` // 1-based; 0 = the proposal itself
	Decision string `json:"decision"`
	UserID   int64  `json:"user_id"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Comment  string `json:"comment,omitempty"`
	At       string `json:"at"`
}

// ProposalView is a proposal as callers see it.
type ProposalView struct {
	ID           int64
	CaseID       int64
	CaseNo       string
	OrganID      int64
	Action       string
	Params       map[string]any
	EffectiveOn  string
	FromStatus   string
	Status       string
	Step         int // 1-based step it waits at (pending)
	Steps        []Step
	Chain        []ChainEntry
	ProposedBy   int64
	ProposerName string
	Note         string
	Comment      string
	Version      int64
	// NextDueOn / NextDueKind: the case's nearest open deadline (the clock
	// keeps running while the proposal waits).
	NextDueOn   *string
	NextDueKind string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ApprovalRules returns the organ's approval chains (any user of the organ).
func (s *Service) ApprovalRules(ctx context.Context, p *auth.Principal, organID int64) ([]Rule, error) {
	organ, err := organFor(p, organID)
	if err != nil {
		return nil, err
	}
	var rows []models.ApprovalRule
	if err := s.db.Read.WithContext(ctx).Where("organ_id = ?", organ).Order("action").Find(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out := make([]Rule, 0, len(rows))
	for _, r := range rows {
		out = append(out, ruleOf(&r))
	}
	return out, nil
}

func ruleOf(r *models.ApprovalRule) Rule {
	var steps []Step
	_ = json.Unmarshal([]byte(r.Steps), &steps)
	return Rule{OrganID: r.OrganID, Action: r.Action, Steps: steps, Version: r.Version, UpdatedAt: r.UpdatedAt}
}

// PutApprovalRule sets (steps non-empty) or removes (steps empty) the chain
// of one action of an organ (admins only). version is the rule's current
// version (0 when creating); a stale one is a 409.
func (s *Service) PutApprovalRule(ctx context.Context, p *auth.Principal, organID int64, action string, steps []Step, version int64) (*Rule, error) {
	if !p.IsAdmin() {
		return nil, forbidden()
	}
	organ, err := organFor(p, organID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(ApprovableActions, action) {
		return nil, errs.NotFound("approval rule", "审批规则")
	}
	if len(steps) > 5 {
		return nil, errs.InvalidField("steps", "审批环节最多5步", "at most 5 steps")
	}
	var out *Rule
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		for i, st := range steps {
			switch {
			case st.Role != "" && st.UserID != 0, st.Role == "" && st.UserID == 0:
				return errs.InvalidField("steps", "每一步须指定角色或人员之一", "each step names a role or a user, not both")
			case st.Role != "" && !slices.Contains([]string{auth.RoleOfficer, auth.RoleManager, auth.RoleAdmin}, st.Role):
				return errs.InvalidField("steps", "审批角色只能是 officer、manager 或 admin", "a step role is officer, manager or admin")
			case st.UserID != 0:
				ok, err := eligible(ctx, tx, organ, st.UserID)
				if err != nil {
					return err
				}
				if !ok {
					return errs.InvalidField("steps", "第"+itoa(i+1)+"步的审批人不是本机关的在职工作人员", "the user of step "+itoa(i+1)+" is not an active user of the organ")
				}
			}
		}
		var cur models.ApprovalRule
		err := tx.Where("organ_id = ? AND action = ?", organ, action).Take(&cur).Error
		exists := err == nil
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return errs.Internal(err)
		}
		if exists && version != cur.Version || !exists && version != 0 {
			return errs.Stale(cur.Version)
		}
		if len(steps) == 0 {
			if exists {
				if err := tx.Delete(&models.ApprovalRule{}, cur.ID).Error; err != nil {
					return errs.Internal(err)
				}
			}
			out = &Rule{OrganID: organ, Action: action, Steps: []Step{}}
			return nil
		}
		b, _ := json.Marshal(steps)
		now := s.now().UTC()
		if exists {
			res := tx.Model(&models.ApprovalRule{}).Where("id = ? AND version = ?", cur.ID, cur.Version).
				Updates(map[string]any{"steps": string(b), "version": cur.Version + 1, "updated_by": p.UserID, "updated_at": now})
			if res.Error != nil {
				return errs.Internal(res.Error)
			}
			if res.RowsAffected == 0 {
				return errs.Stale(cur.Version)
			}
			cur.Steps, cur.Version, cur.UpdatedAt = string(b), cur.Version+1, now
		} else {
			cur = models.ApprovalRule{OrganID: organ, Action: action, Steps: string(b), Version: 1, UpdatedBy: p.UserID, UpdatedAt: now}
			if err := tx.Create(&cur).Error; err != nil {
				return errs.Conflict("duplicate", "审批规则已被他人创建，请刷新", "the rule was just created by someone else; reload")
			}
		}
		r := ruleOf(&cur)
		out = &r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// approvalKey marks a context in which the approval workflow executes an
// approved proposal of one case: Guard lets exactly that transition through.
type approvalKey struct{}

type approvalMark struct {
	caseID int64
	action string
}

// Guard is the lifecycle.Guard of the approval workflow: a direct
// transition whose action the case's organ put under approval is refused
// with 422 approval_required; only an approved proposal executes it.
func (s *Service) Guard(ctx context.Context, tx *gorm.DB, c *models.Case, action string, _ *auth.Principal) error {
	if m, ok := ctx.Value(approvalKey{}).(approvalMark); ok && m.caseID == c.ID && m.action == action {
		return nil
	}
	var r models.ApprovalRule
	err := tx.WithContext(ctx).Where("organ_id = ? AND action = ?", c.OrganID, action).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return errs.Internal(err)
	}
	label := codes.Actions.Label(action, "zh")
	return errs.Rule("approval_required",
		"「"+label+"」须经审批：请提交审批（POST /api/v1/cases/{id}/proposals），批准后自动执行",
		action+" needs approval in this organ: propose it (POST /api/v1/cases/{id}/proposals); it executes once approved").
		With("action", action).With("steps", ruleOf(&r).Steps)
}

// ProposeInput proposes one transition: the action, its parameters, the
// effective date and the case version the proposer saw.
type ProposeInput = lifecycle.TransitionInput

// params of a transition, as stored on the proposal.
type proposalParams struct {
	Procedure   string `json:"procedure,omitempty"`
	Deemed      bool   `json:"deemed,omitempty"`
	Reason      string `json:"reason,omitempty"`
	Ground      string `json:"ground,omitempty"`
	Days        int    `json:"days,omitempty"`
	ApprovedBy  string `json:"approved_by,omitempty"`
	Outcome     string `json:"outcome,omitempty"`
	Partial     bool   `json:"partial,omitempty"`
	Redo        bool   `json:"redo,omitempty"`
	Termination string `json:"termination,omitempty"`
}

// Propose creates a proposal waiting at step 1 of the organ's chain for
// in.Action. The transition is validated now (state, parameters, dates) by a
// rolled-back trial run; a case has at most one pending proposal. The
// proposal is on the case's timeline ("propose").
func (s *Service) Propose(ctx context.Context, p *auth.Principal, caseID int64, in ProposeInput) (*ProposalView, error) {
	in.Approval = nil
	in.Note = strings.TrimSpace(in.Note)
	var id int64
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		c, err := lifecycle.LoadCase(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if !p.CanWriteCases() {
			return forbidden()
		}
		var rule models.ApprovalRule
		err = tx.Where("organ_id = ? AND action = ?", c.OrganID, in.Action).Take(&rule).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return errs.Rule("approval_not_required", "该操作无须审批，请直接执行", "this action needs no approval; perform it directly").With("action", in.Action)
		}
		if err != nil {
			return errs.Internal(err)
		}
		var pending int64
		if err := tx.Model(&models.Proposal{}).Where("case_id = ? AND status = ?", c.ID, ProposalPending).Count(&pending).Error; err != nil {
			return errs.Internal(err)
		}
		if pending > 0 {
			return errs.Conflict("proposal_pending", "本案已有待审批的事项", "the case already has a pending proposal")
		}
		// Trial run: the state machine validates the action; rolled back.
		if err := tx.SavePoint("proposal_trial").Error; err != nil {
			return errs.Internal(err)
		}
		trialCtx := context.WithValue(ctx, approvalKey{}, approvalMark{caseID: c.ID, action: in.Action})
		_, terr := s.cases.TransitionTx(trialCtx, tx, p, c.ID, in)
		if err := tx.RollbackTo("proposal_trial").Error; err != nil {
			return errs.Internal(err)
		}
		if terr != nil {
			return terr
		}
		pp, _ := json.Marshal(proposalParams{Procedure: in.Procedure, Deemed: in.Deemed, Reason: strings.TrimSpace(in.Reason), Ground: in.Ground,
			Days: in.Days, ApprovedBy: strings.TrimSpace(in.ApprovedBy), Outcome: in.Outcome, Partial: in.Partial, Redo: in.Redo, Termination: in.Termination})
		now := s.now().UTC()
		chain, _ := json.Marshal([]ChainEntry{{Step: 0, Decision: "propose", UserID: p.UserID, Name: principalName(p), Role: p.Role, Comment: in.Note, At: now.Format(time.RFC3339)}})
		pr := models.Proposal{CaseID: c.ID, OrganID: c.OrganID, Action: in.Action, Params: string(pp), EffectiveOn: in.EffectiveOn,
			CaseVersion: c.Version, FromStatus: c.Status, Status: ProposalPending, Step: 0, Steps: rule.Steps, Chain: string(chain),
			ProposedBy: p.UserID, ProposerName: principalName(p), Note: in.Note, Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&pr).Error; err != nil {
			return errs.Internal(err)
		}
		id = pr.ID
		return s.cases.AppendEvent(ctx, tx, p, c, "propose", ptr(in.EffectiveOn),
			map[string]any{"proposal_id": pr.ID, "action": in.Action, "params": json.RawMessage(pp), "steps": json.RawMessage(rule.Steps)}, in.Note)
	})
	if err != nil {
		return nil, err
	}
	return s.Proposal(ctx, p, id)
}

// Decision on a proposal.
const (
	DecideApprove = "approve"
	DecideReturn  = "return"
	DecideReject  = "reject"
)

// DecideProposal records the decision of the approver of the step the
// proposal waits at: approve (next step; at the last step the action is
// executed through the state machine, in the same transaction, its event
// carrying the whole chain), return with a comment to the proposer (who may
// propose again), or reject. version is the proposal's version.
func (s *Service) DecideProposal(ctx context.Context, p *auth.Principal, id int64, decision string, version int64, comment string) (*ProposalView, error) {
	comment = strings.TrimSpace(comment)
	if !slices.Contains([]string{DecideApprove, DecideReturn, DecideReject}, decision) {
		return nil, errs.InvalidField("decision", "未知的审批意见", "unknown decision")
	}
	executed := ""
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		pr, err := loadProposal(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if decision != DecideApprove && comment == "" {
			return errs.InvalidField("comment", "退回或不予批准须写明意见", "a comment is required to return or reject")
		}
		if pr.Status != ProposalPending {
			return errs.Rule("proposal_closed", "该审批事项已办结（"+pr.Status+"）", "the proposal is no longer pending ("+pr.Status+")").With("status", pr.Status)
		}
		if version != 0 && version != pr.Version {
			return errs.Stale(pr.Version)
		}
		var steps []Step
		_ = json.Unmarshal([]byte(pr.Steps), &steps)
		if pr.Step >= len(steps) {
			return errs.Internal(errors.New("proposal step out of range"))
		}
		if !canDecide(p, steps[pr.Step]) {
			return errs.Forbidden("您不是本审批环节的审批人", "you are not the approver of this step").With("step", pr.Step+1)
		}
		if p.UserID == pr.ProposedBy {
			return errs.Forbidden("不能审批本人提交的事项", "you may not approve your own proposal")
		}
		var chain []ChainEntry
		_ = json.Unmarshal([]byte(pr.Chain), &chain)
		now := s.now().UTC()
		chain = append(chain, ChainEntry{Step: pr.Step + 1, Decision: decision, UserID: p.UserID, Name: principalName(p), Role: p.Role, Comment: comment, At: now.Format(time.RFC3339)})
		cb, _ := json.Marshal(chain)
		upd := map[string]any{"chain": string(cb), "version": pr.Version + 1, "updated_at": now}
		last := pr.Step == len(steps)-1
		switch {
		case decision == DecideApprove && !last:
			upd["step"] = pr.Step + 1
		case decision == DecideApprove:
			upd["status"], upd["decided_on"] = ProposalApproved, s.today()
		case decision == DecideReturn:
			upd["status"], upd["comment"], upd["decided_on"] = ProposalReturned, comment, s.today()
		default:
			upd["status"], upd["comment"], upd["decided_on"] = ProposalRejected, comment, s.today()
		}
		res := tx.Model(&models.Proposal{}).Where("id = ? AND version = ? AND status = ?", pr.ID, pr.Version, ProposalPending).Updates(upd)
		if res.Error != nil {
			return errs.Internal(res.Error)
		}
		if res.RowsAffected == 0 {
			return errs.Stale(pr.Version + 1)
		}
		c, err := lifecycle.LoadCase(ctx, tx, p, pr.CaseID)
		if err != nil {
			return err
		}
		evAction := "proposal_" + decision
		if err := s.cases.AppendEvent(ctx, tx, p, c, evAction, nil,
			map[string]any{"proposal_id": pr.ID, "action": pr.Action, "step": pr.Step + 1, "steps": len(steps), "decision": decision}, comment); err != nil {
			return err
		}
		if decision != DecideApprove || !last {
			return nil
		}
		// The last approval executes the action. The proposal was validated
		// against the case as it stood; if the case has since moved to
		// another state the approval cannot stand.
		if c.Status != pr.FromStatus {
			return errs.Conflict("case_changed", "案件状态已变化（"+pr.FromStatus+" → "+c.Status+"），请退回后重新提交",
				"the case moved from "+pr.FromStatus+" to "+c.Status+" since the proposal; return it and propose again").With("current_status", c.Status)
		}
		var pp proposalParams
		_ = json.Unmarshal([]byte(pr.Params), &pp)
		in := lifecycle.TransitionInput{Action: pr.Action, EffectiveOn: pr.EffectiveOn, Version: c.Version, Note: pr.Note,
			Procedure: pp.Procedure, Deemed: pp.Deemed, Reason: pp.Reason, Ground: pp.Ground, Days: pp.Days, ApprovedBy: pp.ApprovedBy,
			Outcome: pp.Outcome, Partial: pp.Partial, Redo: pp.Redo, Termination: pp.Termination,
			Approval: map[string]any{"proposal_id": pr.ID, "chain": chain}}
		if pr.Action == lifecycle.ActExtend || pr.Action == lifecycle.ActConvertProcedure {
			if in.ApprovedBy == "" {
				in.ApprovedBy = principalName(p)
			}
		}
		execCtx := context.WithValue(ctx, approvalKey{}, approvalMark{caseID: c.ID, action: pr.Action})
		if _, err := s.cases.TransitionTx(execCtx, tx, p, c.ID, in); err != nil {
			return err
		}
		executed = pr.Action
		return nil
	})
	if err != nil {
		return nil, err
	}
	if executed != "" {
		telemetry.TransitionsTotal.WithLabelValues(executed).Inc()
	}
	return s.Proposal(ctx, p, id)
}

func canDecide(p *auth.Principal, st Step) bool {
	if st.UserID != 0 {
		return p.UserID == st.UserID
	}
	return p.Role == st.Role
}

func loadProposal(ctx context.Context, q *gorm.DB, p *auth.Principal, id int64) (*models.Proposal, error) {
	var pr models.Proposal
	if err := q.WithContext(ctx).Where("id = ?", id).Take(&pr).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, errs.NotFound("proposal", "审批事项")
		}
		return nil, errs.Internal(err)
	}
	if !p.CanSeeOrgan(pr.OrganID) {
		return nil, errs.NotFound("proposal", "审批事项")
	}
	return &pr, nil
}

// Proposal returns one proposal p may see.
func (s *Service) Proposal(ctx context.Context, p *auth.Principal, id int64) (*ProposalView, error) {
	pr, err := loadProposal(ctx, s.db.Read, p, id)
	if err != nil {
		return nil, err
	}
	vs, err := s.proposalViews(ctx, []models.Proposal{*pr})
	if err != nil {
		return nil, err
	}
	return &vs[0], nil
}

// ProposalFilter narrows the proposal list.
type ProposalFilter struct {
	CaseID int64
	Status string // "" = all
	// AwaitingMe keeps the pending proposals whose current step p may decide.
	AwaitingMe bool
	// DueWithinDays keeps pending proposals whose case has an open deadline
	// due within that many calendar days (or overdue); 0 = no such filter.
	DueWithinDays int
}

// Proposals lists proposals of p's organs, newest first (at most 500).
func (s *Service) Proposals(ctx context.Context, p *auth.Principal, f ProposalFilter) ([]ProposalView, error) {
	if p == nil {
		return nil, errs.Unauthenticated("请先登录", "authentication required")
	}
	q := s.db.Read.WithContext(ctx).Model(&models.Proposal{}).Where("organ_id IN ?", orEmpty(p.OrganIDs))
	if f.CaseID != 0 {
		if _, err := lifecycle.LoadCase(ctx, s.db.Read, p, f.CaseID); err != nil {
			return nil, err
		}
		q = q.Where("case_id = ?", f.CaseID)
	}
	if f.Status != "" {
		if !slices.Contains([]string{ProposalPending, ProposalReturned, ProposalRejected, ProposalApproved}, f.Status) {
			return nil, errs.InvalidField("status", "未知的审批状态："+f.Status, "unknown proposal status: "+f.Status)
		}
		q = q.Where("status = ?", f.Status)
	}
	if f.AwaitingMe {
		q = q.Where("status = ?", ProposalPending)
	}
	if f.DueWithinDays > 0 {
		limit := addCalendarDays(s.today(), f.DueWithinDays)
		q = q.Where("status = ?", ProposalPending).Where(`EXISTS (SELECT 1 FROM deadlines d WHERE d.subject_type = 'case' AND d.subject_id = proposals.case_id
			AND d.status IN ('open', 'missed') AND d.met_on IS NULL AND d.due_on <= ?)`, limit)
	}
	var rows []models.Proposal
	if err := q.Order("id DESC").Limit(500).Find(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	if f.AwaitingMe {
		kept := rows[:0]
		for _, r := range rows {
			var steps []Step
			_ = json.Unmarshal([]byte(r.Steps), &steps)
			if r.Step < len(steps) && canDecide(p, steps[r.Step]) && r.ProposedBy != p.UserID {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	return s.proposalViews(ctx, rows)
}

func (s *Service) proposalViews(ctx context.Context, rows []models.Proposal) ([]ProposalView, error) {
	out := make([]ProposalView, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.CaseID)
	}
	q := s.db.Read.WithContext(ctx)
	var cs []models.Case
	if err := q.Select("id", "case_no").Where("id IN ?", ids).Find(&cs).Error; err != nil {
		return nil, errs.Internal(err)
	}
	nos := map[int64]string{}
	for _, c := range cs {
		nos[c.ID] = c.CaseNo
	}
	due, err := nextDue(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		v := ProposalView{ID: r.ID, CaseID: r.CaseID, CaseNo: nos[r.CaseID], OrganID: r.OrganID, Action: r.Action,
			EffectiveOn: r.EffectiveOn, FromStatus: r.FromStatus, Status: r.Status, Step: r.Step + 1,
			ProposedBy: r.ProposedBy, ProposerName: r.ProposerName, Note: r.Note, Comment: r.Comment, Version: r.Version,
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Params: map[string]any{}, Steps: []Step{}, Chain: []ChainEntry{}}
		_ = json.Unmarshal([]byte(r.Params), &v.Params)
		_ = json.Unmarshal([]byte(r.Steps), &v.Steps)
		_ = json.Unmarshal([]byte(r.Chain), &v.Chain)
		if d, ok := due[r.CaseID]; ok {
			v.NextDueOn, v.NextDueKind = ptr(d.on), d.kind
		}
		out = append(out, v)
	}
	return out, nil
}

type dueInfo struct{ on, kind string }

// nextDue maps case ids to their nearest open (or overdue) deadline.
func nextDue(ctx context.Context, q *gorm.DB, caseIDs []int64) (map[int64]dueInfo, error) {
	out := map[int64]dueInfo{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	var rows []models.Deadline
	if err := q.WithContext(ctx).Select("subject_id", "kind", "due_on").
		Where("subject_type = 'case' AND subject_id IN ? AND status IN ('open', 'missed') AND met_on IS NULL AND due_on IS NOT NULL", caseIDs).
		Order("due_on, kind").Find(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	for _, r := range rows {
		if _, ok := out[r.SubjectID]; !ok && r.DueOn != nil {
			out[r.SubjectID] = dueInfo{on: *r.DueOn, kind: r.Kind}
		}
	}
	return out, nil
}

func orEmpty(ids []int64) []int64 {
	if len(ids) == 0 {
		return []int64{-1}
	}
	return ids
}

func addCalendarDays(date string, n int) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
