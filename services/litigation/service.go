// Package litigation is the litigation-defence service (行政应诉): suits by
// instance (each instance its own record, linked to the previous one), their
// hearings and who appeared for the agency, judgments and the derived loss
// (败诉), judicial/procuratorial suggestions and the organ's opinion and
// suggestion letters, their deadlines (through services/deadline, written to
// the generic deadlines table with SubjectType litigation | suggestion) and
// the litigation statistics of the yearly report. It follows the patterns of
// services/lifecycle: one transition table, one write transaction per change
// with a guarded UPDATE … WHERE id AND status AND version, an append-only
// event and a version snapshot per change, 409 on a stale version, 422
// naming the state and the allowed actions.
package litigation

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/calendar"
	"fuyi/services/deadline"
	"fuyi/services/errs"
)

// Subject types of events, versions, deadlines and suggestion links.
const (
	SubjectLitigation = "litigation"
	SubjectSuggestion = "suggestion"
	SubjectCase       = "case"
)

// CalendarSource returns the working-day calendar in force (the built-in
// years plus the admin's); tx is the transaction of the change.
type CalendarSource func(ctx context.Context, tx *gorm.DB) (*calendar.Calendar, error)

// Options configures a Service.
type Options struct {
	// Now is the clock (time.Now when nil); "today" is its date in China time.
	Now func() time.Time
	// Calendar is the calendar source; nil uses calendar.Default().
	Calendar CalendarSource
	// Rules is the deadline rules table; nil uses deadline.DefaultRules().
	Rules *deadline.Rules
}

// Service is the litigation service.
type Service struct {
	db    *models.DB
	now   func() time.Time
	cal   CalendarSource
	rules *deadline.Rules
}

// New returns a litigation service on db.
func New(db *models.DB, opts Options) *Service {
	s := &Service{db: db, now: opts.Now, cal: opts.Calendar, rules: opts.Rules}
	if s.now == nil {
		s.now = time.Now
	}
	if s.cal == nil {
		s.cal = func(context.Context, *gorm.DB) (*calendar.Calendar, error) { return calendar.Default(), nil }
	}
	if s.rules == nil {
		s.rules = deadline.DefaultRules()
	}
	return s
}

var chinaTime = time.FixedZone("CST", 8*3600)

// today is the current civil date in China.
func (s *Service) today() string { return s.now().In(chinaTime).Format(time.DateOnly) }

func notFound() error { return errs.NotFound("litigation", "应诉案件") }

func suggestionNotFound() error { return errs.NotFound("suggestion", "建议") }

func forbiddenWrite() error {
	return errs.Forbidden("当前角色无权修改应诉案件", "your role may not change litigation records")
}

// loadLitigation reads a record through q and hides it unless p may see its
// organ: another organ's record is "not found", never "forbidden".
func loadLitigation(ctx context.Context, q *gorm.DB, p *auth.Principal, id int64) (*models.LitigationCase, error) {
	var c models.LitigationCase
	if err := q.WithContext(ctx).Where("id = ?", id).Take(&c).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, notFound()
		}
		return nil, errs.Internal(err)
	}
	if !p.CanSeeOrgan(c.OrganID) {
		return nil, notFound()
	}
	return &c, nil
}

// fieldErrs collects field errors keyed by the JSON field name.
type fieldErrs map[string]errs.Msg

func (f fieldErrs) add(field, zh, en string) {
	if _, dup := f[field]; !dup {
		f[field] = errs.Msg{ZH: zh, EN: en}
	}
}

func (f fieldErrs) err() error {
	if len(f) == 0 {
		return nil
	}
	e := errs.Invalid("输入有误，请检查标注的字段", "invalid input; see the fields")
	for k, v := range f {
		e.Field(k, v.ZH, v.EN)
	}
	return e
}

func validDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// dateCheck validates one date field: required or not, format, not in the future.
func dateCheck(f fieldErrs, field, value string, required bool, today string) bool {
	if value == "" {
		if required {
			f.add(field, "必填", "required")
		}
		return false
	}
	if !validDate(value) {
		f.add(field, "日期格式应为 YYYY-MM-DD 且为有效日期："+value, "must be a valid YYYY-MM-DD date: "+value)
		return false
	}
	if value > today {
		f.add(field, "日期不能晚于今天（"+today+"）", "must not be in the future (today is "+today+")")
		return false
	}
	return true
}

func ptr[T any](v T) *T { return &v }

func actorName(p *auth.Principal) string {
	if p == nil {
		return ""
	}
	if p.DisplayName != "" {
		return p.DisplayName
	}
	return p.Username
}

func actorID(p *auth.Principal) int64 {
	if p == nil {
		return 0
	}
	return p.UserID
}

// appendEvent writes one append-only event row.
func appendEvent(tx *gorm.DB, p *auth.Principal, subjectType string, subjectID, organID int64, action, from, to string, effectiveOn *string, payload map[string]any, note string, now time.Time) error {
	b := []byte("{}")
	if len(payload) > 0 {
		var err error
		if b, err = json.Marshal(payload); err != nil {
			return errs.Internal(err)
		}
	}
	ev := models.LitigationEvent{
		SubjectType: subjectType, SubjectID: subjectID, OrganID: organID, Action: action,
		FromStatus: from, ToStatus: to, EffectiveOn: effectiveOn, ActorID: actorID(p), ActorName: actorName(p),
		Payload: string(b), Note: strings.TrimSpace(note), CreatedAt: now,
	}
	if err := tx.Create(&ev).Error; err != nil {
		return errs.Internal(err)
	}
	return nil
}

// snapshotLitigation writes the version row of c's current version: the
// record and its hearings as JSON.
func snapshotLitigation(tx *gorm.DB, p *auth.Principal, c *models.LitigationCase, now time.Time) error {
	var hs []models.Hearing
	if err := tx.Where("litigation_id = ?", c.ID).Order("held_on, id").Find(&hs).Error; err != nil {
		return errs.Internal(err)
	}
	b, err := json.Marshal(struct {
		Litigation *models.LitigationCase `json:"litigation"`
		Hearings   []models.Hearing       `json:"hearings"`
	}{c, hs})
	if err != nil {
		return errs.Internal(err)
	}
	v := models.LitigationVersion{SubjectType: SubjectLitigation, SubjectID: c.ID, Version: c.Version, Snapshot: string(b), ActorID: actorID(p), CreatedAt: now}
	if err := tx.Create(&v).Error; err != nil {
		return errs.Internal(err)
	}
	return nil
}

// litigationColumns are the columns a change may write (never the id, organ,
// internal number or creation data).
func litigationColumns(c *models.LitigationCase) map[string]any {
	return map[string]any{
		"kind": c.Kind, "instance": c.Instance, "court": c.Court, "court_case_no": c.CourtCaseNo,
		"plaintiffs": c.Plaintiffs, "defendant_agency_id": c.DefendantAgencyID, "co_defendant_role": c.CoDefendantRole,
		"reconsideration_case_id": c.ReconsiderationCaseID, "previous_instance_id": c.PreviousInstanceID,
		"handler_id": c.HandlerID, "status": c.Status, "version": c.Version,
		"notified_on": c.NotifiedOn, "defence_due_on": c.DefenceDueOn, "defence_filed_on": c.DefenceFiledOn,
		"suspended_on": c.SuspendedOn, "resume_to": c.ResumeTo, "concluded_on": c.ConcludedOn,
		"judgment_form": c.JudgmentForm, "served_on": c.ServedOn, "appeal_deadline_on": c.AppealDeadlineOn,
		"appealed_on": c.AppealedOn, "effective_on": c.EffectiveOn, "closed_on": c.ClosedOn,
		"outcome": c.Outcome, "against_agency": c.AgainstAgency, "lost": c.Lost, "note": c.Note,
		"updated_at": c.UpdatedAt,
	}
}

// save writes one change of a litigation record: deadlines planned first
// (they set defence_due_on and appeal_deadline_on), the guarded update (zero
// rows = stale), the rollup's change, the event, the version snapshot and
// the deadline rows, all in tx.
func (s *Service) save(ctx context.Context, tx *gorm.DB, p *auth.Principal, before, after *models.LitigationCase, action string, effectiveOn *string, payload map[string]any, note string) error {
	now := s.now().UTC()
	after.Version = before.Version + 1
	after.UpdatedAt = now
	ds, err := s.planLitigation(ctx, tx, after)
	if err != nil {
		return err
	}
	res := tx.Model(&models.LitigationCase{}).
		Where("id = ? AND status = ? AND version = ?", before.ID, before.Status, before.Version).
		Updates(litigationColumns(after))
	if res.Error != nil {
		return errs.As(res.Error)
	}
	if res.RowsAffected == 0 {
		var cur models.LitigationCase
		if err := tx.Select("version").Where("id = ?", before.ID).Take(&cur).Error; err != nil {
			return errs.Internal(err)
		}
		return errs.Stale(cur.Version)
	}
	// the guarded update matched: before is the row as it was stored
	if err := rollupCase(tx, before, after); err != nil {
		return err
	}
	if err := appendEvent(tx, p, SubjectLitigation, after.ID, after.OrganID, action, before.Status, after.Status, effectiveOn, payload, note, now); err != nil {
		return err
	}
	if err := snapshotLitigation(tx, p, after, now); err != nil {
		return err
	}
	return writeDeadlines(tx, SubjectLitigation, after.ID, after.OrganID, after.HandlerID, ds, now)
}
