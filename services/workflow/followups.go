package workflow

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/errs"
	"fuyi/services/lifecycle"
)

// Follow-up statuses (RL2023 Art. 77: order to perform, 约谈, 通报批评).
const (
	FollowupOpen        = "open"
	FollowupPerformed   = "performed"
	FollowupOverdue     = "overdue"
	FollowupInterviewed = "interviewed" // 约谈
	FollowupCriticised  = "criticised"  // 通报批评
)

// FollowupStatuses lists every follow-up status.
var FollowupStatuses = []string{FollowupOpen, FollowupPerformed, FollowupOverdue, FollowupInterviewed, FollowupCriticised}

// unperformed are the statuses of a follow-up whose decision is not yet carried out.
var unperformed = []string{FollowupOpen, FollowupOverdue, FollowupInterviewed, FollowupCriticised}

// ObligesRespondent reports whether a closing outcome obliges the respondent
// to act: 撤销并责令重作 (RL2023 Art. 64), 责令履行 (Art. 66), 变更 (Art. 63,
// carried out by the respondent), a mediation statement (Art. 73).
func ObligesRespondent(c *models.Case) bool {
	switch c.Outcome {
	case "revoked":
		return c.OutcomeRedo
	case "ordered_to_perform", "varied", "mediated":
		return true
	}
	return false
}

// FollowupHook is a lifecycle.Hook: the closing transition (decide,
// mediate) of a decision that obliges the respondent to act opens a
// performance follow-up due FollowupDays after the closing date (RR2007
// Art. 49: 60 days unless a law says otherwise).
func (s *Service) FollowupHook(ctx context.Context, tx *gorm.DB, before, after *models.Case) error {
	if before == nil || before.Status == after.Status || after.ClosedOn == nil {
		return nil
	}
	if after.Status != lifecycle.StatusDecided && after.Status != lifecycle.StatusMediated {
		return nil
	}
	if !ObligesRespondent(after) {
		return nil
	}
	var n int64
	if err := tx.WithContext(ctx).Model(&models.Followup{}).Where("case_id = ?", after.ID).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	now := s.now().UTC()
	f := models.Followup{CaseID: after.ID, OrganID: after.OrganID, RespondentID: after.RespondentID, Outcome: after.Outcome,
		Redo: after.OutcomeRedo, OpenedOn: *after.ClosedOn, DueOn: addCalendarDays(*after.ClosedOn, s.followupDays),
		Status: FollowupOpen, Version: 1, CreatedAt: now, UpdatedAt: now}
	// No timeline row of its own: the closing event is the step; the
	// follow-up's later steps (performed, 约谈, 通报批评) are on the timeline.
	return tx.WithContext(ctx).Create(&f).Error
}

// RefreshFollowups turns open follow-ups past their due date overdue. It is
// one idempotent UPDATE, safe with several instances; call it from the sweep.
func (s *Service) RefreshFollowups(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&models.Followup{}).Where("status = ? AND due_on < ?", FollowupOpen, s.today()).
			Updates(map[string]any{"status": FollowupOverdue, "status_on": s.today(), "updated_at": s.now().UTC(), "version": gorm.Expr("version + 1")})
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, errs.Internal(err)
	}
	return n, nil
}

// FollowupView is a follow-up with its case and agency.
type FollowupView struct {
	ID             int64
	CaseID         int64
	CaseNo         string
	OrganID        int64
	RespondentID   int64
	RespondentName string
	Outcome        string
	Redo           bool
	OpenedOn       string
	DueOn          string
	// Status is stored; an open follow-up past due shows overdue even
	// before the sweep has turned it.
	Status   string
	StatusOn *string
	Note     string
	Version  int64
}

// FollowupFilter narrows the follow-up list.
type FollowupFilter struct {
	OrganID  int64
	Status   string
	Open     bool // unperformed only
	CaseID   int64
	Page     int
	PageSize int
}

func (s *Service) followupQuery(ctx context.Context, p *auth.Principal, f FollowupFilter) *gorm.DB {
	organs := orEmpty(p.OrganIDs)
	if f.OrganID != 0 {
		organs = []int64{f.OrganID}
		if !p.CanSeeOrgan(f.OrganID) {
			organs = []int64{-1}
		}
	}
	q := s.db.Read.WithContext(ctx).Model(&models.Followup{}).Where("followups.organ_id IN ?", organs)
	if f.Open {
		q = q.Where("followups.status IN ?", unperformed)
	}
	if f.Status == FollowupOverdue {
		q = q.Where("(followups.status = ? OR (followups.status = ? AND followups.due_on < ?))", FollowupOverdue, FollowupOpen, s.today())
	} else if f.Status != "" {
		q = q.Where("followups.status = ?", f.Status)
	}
	if f.CaseID != 0 {
		q = q.Where("followups.case_id = ?", f.CaseID)
	}
	return q
}

// Followups lists follow-ups of p's organs, nearest due first.
func (s *Service) Followups(ctx context.Context, p *auth.Principal, f FollowupFilter) ([]FollowupView, int64, error) {
	if p == nil {
		return nil, 0, errs.Unauthenticated("请先登录", "authentication required")
	}
	if f.Status != "" && !slices.Contains(FollowupStatuses, f.Status) {
		return nil, 0, errs.InvalidField("status", "未知的履行状态："+f.Status, "unknown follow-up status: "+f.Status)
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	if f.PageSize <= 0 || f.PageSize > 200 {
		f.PageSize = 50
	}
	q := s.followupQuery(ctx, p, f)
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, errs.Internal(err)
	}
	var rows []models.Followup
	if err := q.Session(&gorm.Session{}).Order("followups.due_on, followups.id").Offset((f.Page - 1) * f.PageSize).Limit(f.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, errs.Internal(err)
	}
	vs, err := s.followupViews(ctx, rows)
	return vs, total, err
}

func (s *Service) followupViews(ctx context.Context, rows []models.Followup) ([]FollowupView, error) {
	out := make([]FollowupView, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	var caseIDs, agIDs []int64
	for _, r := range rows {
		caseIDs, agIDs = append(caseIDs, r.CaseID), append(agIDs, r.RespondentID)
	}
	q := s.db.Read.WithContext(ctx)
	var cs []models.Case
	if err := q.Select("id", "case_no").Where("id IN ?", caseIDs).Find(&cs).Error; err != nil {
		return nil, errs.Internal(err)
	}
	nos := map[int64]string{}
	for _, c := range cs {
		nos[c.ID] = c.CaseNo
	}
	ag, err := agencyNames(ctx, q, agIDs)
	if err != nil {
		return nil, err
	}
	today := s.today()
	for _, r := range rows {
		st := r.Status
		if st == FollowupOpen && r.DueOn < today {
			st = FollowupOverdue
		}
		out = append(out, FollowupView{ID: r.ID, CaseID: r.CaseID, CaseNo: nos[r.CaseID], OrganID: r.OrganID, RespondentID: r.RespondentID,
			RespondentName: ag[r.RespondentID], Outcome: r.Outcome, Redo: r.Redo, OpenedOn: r.OpenedOn, DueOn: r.DueOn,
			Status: st, StatusOn: r.StatusOn, Note: r.Note, Version: r.Version})
	}
	return out, nil
}

// FollowupUpdate changes a follow-up: its status (performed, interviewed,
// criticised, open), the date of that step, the due date, a note.
type FollowupUpdate struct {
	Version  int64
	Status   *string
	StatusOn *string
	DueOn    *string
	Note     *string
}

// UpdateFollowup records a supervision step (officers, managers, admins);
// the change is on the case's timeline ("followup").
func (s *Service) UpdateFollowup(ctx context.Context, p *auth.Principal, id int64, in FollowupUpdate) (*FollowupView, error) {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var f models.Followup
		if err := tx.Where("id = ?", id).Take(&f).Error; err != nil || !p.CanSeeOrgan(f.OrganID) {
			if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
				return errs.Internal(err)
			}
			return errs.NotFound("follow-up", "履行监督事项")
		}
		if !p.CanWriteCases() {
			return forbidden()
		}
		if in.Version != f.Version {
			return errs.Stale(f.Version)
		}
		upd := map[string]any{}
		bad := errs.Invalid("输入有误", "invalid input")
		if in.Status != nil {
			if !slices.Contains([]string{FollowupOpen, FollowupPerformed, FollowupInterviewed, FollowupCriticised}, *in.Status) {
				bad.Field("status", "履行状态只能是 open、performed、interviewed 或 criticised", "status is open, performed, interviewed or criticised")
			}
			upd["status"] = *in.Status
			day := s.today()
			if in.StatusOn != nil && *in.StatusOn != "" {
				day = *in.StatusOn
			}
			if _, err := time.Parse(time.DateOnly, day); err != nil || day > s.today() {
				bad.Field("status_on", "日期格式应为 YYYY-MM-DD 且不晚于今天", "must be a YYYY-MM-DD date, not in the future")
			}
			upd["status_on"] = day
		}
		if in.DueOn != nil {
			if _, err := time.Parse(time.DateOnly, *in.DueOn); err != nil {
				bad.Field("due_on", "日期格式应为 YYYY-MM-DD", "must be a YYYY-MM-DD date")
			}
			upd["due_on"] = *in.DueOn
		}
		if in.Note != nil {
			upd["note"] = strings.TrimSpace(*in.Note)
		}
		if len(bad.Fields) > 0 {
			return bad
		}
		if len(upd) == 0 {
			return nil
		}
		upd["version"], upd["updated_at"] = f.Version+1, s.now().UTC()
		res := tx.Model(&models.Followup{}).Where("id = ? AND version = ?", f.ID, f.Version).Updates(upd)
		if res.Error != nil {
			return errs.Internal(res.Error)
		}
		if res.RowsAffected == 0 {
			return errs.Stale(f.Version)
		}
		c, err := lifecycle.LoadCase(ctx, tx, p, f.CaseID)
		if err != nil {
			return err
		}
		payload := map[string]any{"followup_id": f.ID}
		for k, v := range upd {
			if k != "version" && k != "updated_at" {
				payload[k] = v
			}
		}
		note := ""
		if in.Note != nil {
			note = *in.Note
		}
		return s.cases.AppendEvent(ctx, tx, p, c, "followup", nil, payload, note)
	})
	if err != nil {
		return nil, err
	}
	vs, _, err := s.Followups(ctx, p, FollowupFilter{CaseID: s.caseOfFollowup(ctx, id)})
	if err != nil || len(vs) == 0 {
		return nil, internal(errors.Join(err, errors.New("follow-up vanished")))
	}
	return &vs[0], nil
}

func (s *Service) caseOfFollowup(ctx context.Context, id int64) int64 {
	var f models.Followup
	_ = s.db.Read.WithContext(ctx).Select("case_id").Where("id = ?", id).Take(&f).Error
	return f.CaseID
}

// TypicalCaseView is a case flagged as typical.
type TypicalCaseView struct {
	CaseID    int64
	CaseNo    string
	OrganID   int64
	Summary   string
	FlaggedBy int64
	FlaggedAt time.Time
}

// SetTypical flags case id as a typical case (典型案例) with a summary, or
// clears the flag when summary is nil (managers and admins). On the timeline.
func (s *Service) SetTypical(ctx context.Context, p *auth.Principal, caseID int64, summary *string) (*TypicalCaseView, error) {
	var out *TypicalCaseView
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		c, err := lifecycle.LoadCase(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if !p.IsManager() {
			return forbidden()
		}
		if err := tx.Where("case_id = ?", c.ID).Delete(&models.TypicalCase{}).Error; err != nil {
			return errs.Internal(err)
		}
		if summary == nil {
			return s.cases.AppendEvent(ctx, tx, p, c, "typical_clear", nil, map[string]any{}, "")
		}
		sum := strings.TrimSpace(*summary)
		if sum == "" || len([]rune(sum)) > 5000 {
			return errs.InvalidField("summary", "请填写典型案例摘要（不超过5000字）", "summary is required (at most 5000 characters)")
		}
		t := models.TypicalCase{CaseID: c.ID, OrganID: c.OrganID, Summary: sum, FlaggedBy: p.UserID, FlaggedAt: s.now().UTC()}
		if err := tx.Create(&t).Error; err != nil {
			return errs.Internal(err)
		}
		out = &TypicalCaseView{CaseID: c.ID, CaseNo: c.CaseNo, OrganID: c.OrganID, Summary: sum, FlaggedBy: p.UserID, FlaggedAt: t.FlaggedAt}
		return s.cases.AppendEvent(ctx, tx, p, c, "typical", nil, map[string]any{"summary": sum}, "")
	})
	return out, err
}

// TypicalCases lists the typical cases of p's organs, newest first.
func (s *Service) TypicalCases(ctx context.Context, p *auth.Principal, organID int64) ([]TypicalCaseView, error) {
	if p == nil {
		return nil, errs.Unauthenticated("请先登录", "authentication required")
	}
	organs := orEmpty(p.OrganIDs)
	if organID != 0 {
		o, err := organFor(p, organID)
		if err != nil {
			return nil, err
		}
		organs = []int64{o}
	}
	type row struct {
		models.TypicalCase
		CaseNo string
	}
	var rows []row
	if err := s.db.Read.WithContext(ctx).Table("typical_cases").Select("typical_cases.*, cases.case_no AS case_no").
		Joins("JOIN cases ON cases.id = typical_cases.case_id").Where("typical_cases.organ_id IN ?", organs).
		Order("typical_cases.flagged_at DESC").Scan(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out := make([]TypicalCaseView, 0, len(rows))
	for _, r := range rows {
		out = append(out, TypicalCaseView{CaseID: r.CaseID, CaseNo: r.CaseNo, OrganID: r.OrganID, Summary: r.Summary, FlaggedBy: r.FlaggedBy, FlaggedAt: r.FlaggedAt})
	}
	return out, nil
}
