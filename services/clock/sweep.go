package clock

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/calendar"
	"fuyi/services/deadline"
	"fuyi/services/errs"
	"fuyi/services/lifecycle"
)

// Notification kinds: reminders at 5 and at 1 working days before a due
// date, and when a deadline is missed.
const (
	NotifyDue5   = "due_5"
	NotifyDue1   = "due_1"
	NotifyMissed = "missed"
)

// missedLookback bounds the "missed" reminders to deadlines that passed
// recently: an old miss (an imported history) is not news.
const missedLookback = 30

// leaseKey is the settings row of the sweep lease: "EXPIRY|HOLDER" with the
// expiry in Unix seconds, zero-padded to 20 digits so it compares as text.
const leaseKey = "deadline_sweep_lease"

// DeemedCase is one application the sweep recorded as deemed accepted.
type DeemedCase struct {
	CaseID int64
	CaseNo string
	On     string
}

// SweepResult is what one sweep did.
type SweepResult struct {
	// Skipped: another sweep (this or another instance) holds the lease.
	Skipped bool
	// Refreshed counts cases recomputed because one of their deadlines passed.
	Refreshed int
	// Notified counts notifications created (0 when every reminder was sent before).
	Notified int
	// Deemed lists the applications recorded as deemed accepted.
	Deemed []DeemedCase
	// Failed counts cases the sweep could not process (logged).
	Failed int
}

// String is the summary printed by `fuyi sweep`.
func (r SweepResult) String() string {
	if r.Skipped {
		return "sweep skipped: another instance is sweeping"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "deemed accepted: %d\n", len(r.Deemed))
	for _, d := range r.Deemed {
		fmt.Fprintf(&b, "  %s (id %d) from %s\n", d.CaseNo, d.CaseID, d.On)
	}
	fmt.Fprintf(&b, "cases recomputed (deadline passed): %d\n", r.Refreshed)
	fmt.Fprintf(&b, "notifications created: %d\n", r.Notified)
	if r.Failed > 0 {
		fmt.Fprintf(&b, "failed: %d (see the log)\n", r.Failed)
	}
	return b.String()
}

// Sweep runs the periodic job once: (1) deemed acceptance of applications
// whose review period ended with no decision (RL2023 Art. 30(3); RL2017
// Art. 17(2)), through the case state machine; (2) status refresh: every case
// with an open deadline past due is recomputed (open → missed, and the
// post-acceptance clocks of a deemed acceptance start); (3) reminders to the
// handler at 5 and 1 working days before a due date and when missed.
// Deemed acceptance runs first so that a lapse it cures is not reported as
// missed. Several instances may call it at once: a lease row in settings
// (claimed by a guarded UPDATE) lets one sweep at a time, and each step is
// idempotent anyway (guarded transitions; notifications unique per user,
// subject, kind, due date and reminder, inserted with ON CONFLICT DO NOTHING).
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	if !s.sweepMu.TryLock() {
		return SweepResult{Skipped: true}, nil
	}
	defer s.sweepMu.Unlock()
	ok, err := s.claimLease(ctx)
	if err != nil {
		return SweepResult{}, errs.Internal(err)
	}
	if !ok {
		return SweepResult{Skipped: true}, nil
	}
	defer s.releaseLease(context.WithoutCancel(ctx))
	return s.sweep(ctx)
}

// Run sweeps now and then every interval until ctx is done (serve's
// background job). Errors are logged, never fatal.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = 5 * time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		r, err := s.Sweep(ctx)
		switch {
		case err != nil:
			s.log.Error("deadline sweep", "err", err)
		case !r.Skipped && (r.Notified > 0 || r.Refreshed > 0 || len(r.Deemed) > 0 || r.Failed > 0):
			s.log.Info("deadline sweep", "deemed", len(r.Deemed), "recomputed", r.Refreshed, "notified", r.Notified, "failed", r.Failed)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Service) claimLease(ctx context.Context) (bool, error) {
	now := time.Now()
	q := s.db.Write.WithContext(ctx)
	seed := models.Setting{Key: leaseKey, Value: fmt.Sprintf("%020d|", 0), UpdatedAt: now.UTC()}
	if err := q.Clauses(clause.OnConflict{DoNothing: true}).Create(&seed).Error; err != nil {
		return false, err
	}
	res := q.Model(&models.Setting{}).
		Where("key = ? AND (substr(value, 1, 20) < ? OR substr(value, 22) = ?)", leaseKey, fmt.Sprintf("%020d", now.Unix()), s.holder).
		Updates(map[string]any{"value": fmt.Sprintf("%020d|%s", now.Add(s.leaseFor).Unix(), s.holder), "updated_at": now.UTC()})
	if res.Error != nil {
		return false, res.Error
	}
	return res.RowsAffected == 1, nil
}

func (s *Service) releaseLease(ctx context.Context) {
	err := s.db.Write.WithContext(ctx).Model(&models.Setting{}).
		Where("key = ? AND substr(value, 22) = ?", leaseKey, s.holder).
		Updates(map[string]any{"value": fmt.Sprintf("%020d|", 0), "updated_at": time.Now().UTC()}).Error
	if err != nil {
		s.log.Error("release sweep lease", "err", err)
	}
}

func (s *Service) sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	var organs []int64
	if err := s.db.Read.WithContext(ctx).Model(&models.Organ{}).Order("id").Pluck("id", &organs).Error; err != nil {
		return res, errs.Internal(err)
	}
	cal, err := s.Calendar(ctx, nil)
	if err != nil {
		return res, err
	}
	today := s.Today()
	for _, organ := range organs {
		if err := s.deemAccept(ctx, cal, organ, today, &res); err != nil {
			return res, err
		}
		if err := s.refresh(ctx, organ, today, &res); err != nil {
			return res, err
		}
		if err := s.notify(ctx, cal, organ, today, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// deemAccept records deemed acceptance for the organ's applications still
// under review whose acceptance review period has ended without a decision:
// an `accept` transition with deemed=true dated the statutory date
// (RL2023 Art. 30(3): the last day of the review period; RL2017 Art. 17(2):
// the day of receipt), procedure ordinary, by the system. A case changed
// meanwhile (409/422) is left alone: idempotent.
func (s *Service) deemAccept(ctx context.Context, cal *calendar.Calendar, organ int64, today calendar.Date, res *SweepResult) error {
	cases := s.caseService()
	if cases == nil {
		return nil
	}
	var rows []models.Case
	err := s.db.Read.WithContext(ctx).Where("organ_id = ? AND status = ? AND received_on < ?", organ, "received", today.String()).
		Order("id").Find(&rows).Error
	if err != nil {
		return errs.Internal(err)
	}
	pl := deadline.NewPlanner(s.rules, cal)
	for i := range rows {
		// Shutting down: stop here; the next sweep (any instance) carries on.
		if err := ctx.Err(); err != nil {
			return err
		}
		c := &rows[i]
		f, err := factsOf(c, nil)
		if err != nil {
			continue
		}
		ds, err := pl.Reconsideration(f, today)
		if err != nil || !reviewLapsed(ds) {
			continue
		}
		on, ok, err := pl.DeemedAcceptanceDate(f)
		if err != nil || !ok {
			continue
		}
		system := &auth.Principal{Username: "system", DisplayName: "系统", Role: auth.RoleAdmin, OrganIDs: []int64{c.OrganID}}
		_, err = cases.Transition(ctx, system, c.ID, lifecycle.TransitionInput{
			Action: lifecycle.ActAccept, EffectiveOn: on.String(), Version: c.Version,
			Procedure: lifecycle.ProcedureOrdinary, Deemed: true,
			Note: "审查期限届满未作出不予受理决定，依法视为受理（系统自动记录） / review period lapsed without a decision: deemed accepted (recorded by the system)",
		})
		switch {
		case err == nil:
			res.Deemed = append(res.Deemed, DeemedCase{CaseID: c.ID, CaseNo: c.CaseNo, On: on.String()})
		case errs.IsKind(err, errs.KindConflict) || errs.IsKind(err, errs.KindRule):
			// another sweep or a user got there first
		default:
			s.log.Error("deemed acceptance", "case_id", c.ID, "case_no", c.CaseNo, "err", err)
			res.Failed++
		}
	}
	return nil
}

// reviewLapsed reports whether the acceptance review ran out with no
// decision (the engine's acceptance_review is missed and not done).
func reviewLapsed(ds []deadline.Deadline) bool {
	for _, d := range ds {
		if d.Kind == deadline.AcceptanceReview {
			return d.Status == deadline.Missed && d.MetOn == nil
		}
	}
	return false
}

// refresh recomputes the organ's cases that have an open deadline past due
// (an index range scan on ix_deadline_open).
func (s *Service) refresh(ctx context.Context, organ int64, today calendar.Date, res *SweepResult) error {
	var ids []int64
	err := s.db.Read.WithContext(ctx).Model(&models.Deadline{}).
		Where("organ_id = ? AND status = ? AND due_on < ? AND subject_type = ?", organ, string(deadline.Open), today.String(), SubjectCase).
		Distinct("subject_id").Pluck("subject_id", &ids).Error
	if err != nil {
		return errs.Internal(err)
	}
	if len(ids) == 0 {
		return nil
	}
	r, err := s.RecomputeCases(ctx, ids)
	res.Refreshed += r.Cases
	res.Failed += r.Failed
	return err
}

// dueRow is a deadline with its case number, for reminders.
type dueRow struct {
	models.Deadline
	CaseNo *string
}

// notify creates the organ's reminders: due_5 when 2–5 working days are
// left, due_1 when 1 or 0, missed for a deadline missed in the last
// missedLookback days and still not done. Each exactly once.
func (s *Service) notify(ctx context.Context, cal *calendar.Calendar, organ int64, today calendar.Date, res *SweepResult) error {
	q := s.db.Read.WithContext(ctx)
	var soon, missed []dueRow
	sel := "deadlines.*, cases.case_no AS case_no"
	join := "LEFT JOIN cases ON deadlines.subject_type = 'case' AND cases.id = deadlines.subject_id"
	if err := q.Table("deadlines").Select(sel).Joins(join).
		Where("deadlines.organ_id = ? AND deadlines.status = ? AND deadlines.due_on >= ? AND deadlines.due_on <= ? AND deadlines.handler_id IS NOT NULL",
			organ, string(deadline.Open), today.String(), today.AddDays(21).String()).
		Find(&soon).Error; err != nil {
		return errs.Internal(err)
	}
	if err := q.Table("deadlines").Select(sel).Joins(join).
		Where("deadlines.organ_id = ? AND deadlines.status = ? AND deadlines.due_on >= ? AND deadlines.due_on < ? AND deadlines.met_on IS NULL AND deadlines.handler_id IS NOT NULL",
			organ, string(deadline.Missed), today.AddDays(-missedLookback).String(), today.String()).
		Find(&missed).Error; err != nil {
		return errs.Internal(err)
	}
	var out []models.Notification
	now := s.now().UTC()
	for _, d := range soon {
		due, err := calendar.ParseDate(*d.DueOn)
		if err != nil {
			continue
		}
		n, err := WorkingDaysUntil(cal, today, due)
		if err != nil || n > 5 {
			continue
		}
		kind := NotifyDue5
		if n <= 1 {
			kind = NotifyDue1
		}
		out = append(out, message(d, kind, n, now))
	}
	for _, d := range missed {
		out = append(out, message(d, NotifyMissed, 0, now))
	}
	if len(out) == 0 {
		return nil
	}
	r := s.db.Write.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(out, batchSize)
	if r.Error != nil {
		return errs.Internal(r.Error)
	}
	res.Notified += int(r.RowsAffected)
	return nil
}

// WorkingDaysUntil counts the working days after today up to and including
// due (0 when due is today or earlier).
func WorkingDaysUntil(cal *calendar.Calendar, today, due calendar.Date) (int, error) {
	n := 0
	for d := today.AddDays(1); !d.After(due); d = d.AddDays(1) {
		ok, err := cal.IsWorkingDay(d)
		if err != nil {
			return 0, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

func message(d dueRow, kind string, left int, now time.Time) models.Notification {
	k, _ := SplitKind(d.Kind)
	zhKind, enKind := KindLabel(k)
	var subjZH, subjEN string
	if d.CaseNo != nil {
		subjZH, subjEN = "案件"+*d.CaseNo+"的"+zhKind+"期限", "case "+*d.CaseNo+": "+enKind
	} else {
		subjZH, subjEN = zhKind+"期限", enKind
	}
	due := *d.DueOn
	var zh, en string
	switch {
	case kind == NotifyMissed:
		zh = fmt.Sprintf("%s已于%s届满，尚未办理", subjZH, due)
		en = fmt.Sprintf("%s was due %s and is overdue", subjEN, due)
	case left == 0:
		zh = fmt.Sprintf("%s今日（%s）届满", subjZH, due)
		en = fmt.Sprintf("%s is due today (%s)", subjEN, due)
	default:
		zh = fmt.Sprintf("%s将于%s届满（还有%d个工作日）", subjZH, due, left)
		en = fmt.Sprintf("%s is due %s (%d working days left)", subjEN, due, left)
	}
	return models.Notification{UserID: *d.HandlerID, OrganID: d.OrganID, SubjectType: d.SubjectType, SubjectID: d.SubjectID,
		DeadlineKind: d.Kind, DueOn: due, Kind: kind, MessageZH: zh, MessageEN: en, CreatedAt: now}
}

// KindLabel returns the Chinese and English name of a deadline kind.
func KindLabel(kind string) (zh, en string) {
	if l, ok := kindLabels[kind]; ok {
		return l[0], l[1]
	}
	return kind, strings.ReplaceAll(kind, "_", " ")
}

var kindLabels = map[string][2]string{
	"acceptance_review":          {"受理审查", "acceptance review"},
	"correction_notice":          {"补正通知", "correction notice"},
	"correction_reply":           {"补正", "correction reply"},
	"respondent_copy":            {"发送答复通知", "copy to respondent"},
	"respondent_reply":           {"被申请人答复", "respondent's reply"},
	"hearing_notice":             {"听证通知", "hearing notice"},
	"normative_review_handle":    {"规范性文件审查处理", "normative document review"},
	"normative_review_forward":   {"规范性文件转送", "normative document forwarding"},
	"drafter_notice":             {"通知制定机关", "notice to the drafter"},
	"drafter_reply":              {"制定机关答复", "drafter's reply"},
	"forwarded_review_reply":     {"转送审查答复", "reply on forwarded review"},
	"suspension_lapse":           {"中止满60日", "suspension lapse (60 days)"},
	"decision":                   {"复议决定", "decision"},
	"opinion_feedback":           {"意见书反馈", "opinion letter feedback"},
	"defence":                    {"提交答辩状", "defence"},
	"appeal_judgment":            {"判决上诉", "appeal against judgment"},
	"appeal_ruling":              {"裁定上诉", "appeal against ruling"},
	"appeal_answer":              {"上诉答辩", "answer to appeal"},
	"suggestion_reply":           {"司法建议回复", "reply to judicial suggestion"},
	"procuratorial_reply":        {"检察建议回复", "reply to procuratorial suggestion"},
	"procuratorial_reply_urgent": {"检察建议回复（紧急）", "reply to procuratorial suggestion (urgent)"},
}
