package clock

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/bulk"
	"fuyi/services/calendar"
	"fuyi/services/deadline"
	"fuyi/services/errs"
)

// SubjectCase is the subject type of reconsideration-case deadline rows.
const SubjectCase = "case"

// batchSize bounds the cases per statement and per recompute transaction.
const batchSize = 500

// openStatuses are the case states in which the procedure still runs; every
// other state is a closing (pre-acceptance disposition or closing outcome).
var openStatuses = []string{"received", "correction_requested", "accepted", "suspended"}

// intakeClosings are the pre-acceptance dispositions that end the matter
// without a 不予受理 decision (their date is cases.intake_on).
var intakeClosings = []string{"abandoned", "withdrawn_before_acceptance", "referred"}

// groundOf maps the case's suspension ground codes (codes.SuspensionGrounds)
// to the deadline engine's (RL2023 Art. 39(1) items).
var groundOf = map[string]deadline.Ground{
	"mediation":                 deadline.MediationSettlement,
	"legal_question":            deadline.InterpretationAsked,
	"pending_other_case":        deadline.OtherCasePending,
	"normative_document_review": deadline.NormativeReview,
}

// RecomputeResult counts what a bulk recomputation did.
type RecomputeResult struct {
	Cases  int // cases recomputed
	Rows   int // deadline rows written
	Failed int // cases whose facts the engine refused (logged, rows left as they were)
}

// Recompute is the lifecycle.Hook: it replaces the deadline rows of after
// (a reconsideration case) in tx, as of today. Suspensions are read through
// tx except for a case just created that is not suspended (it has none), so
// the create path costs one INSERT. Facts the engine refuses are a 422.
func (s *Service) Recompute(ctx context.Context, tx *gorm.DB, before, after *models.Case) error {
	_, err := s.RecomputeRows(ctx, tx, before, after)
	return err
}

// RecomputeRows is Recompute, returning the deadline rows it wrote (the
// statistics hooks read the case's on-time flag off its decision row
// instead of reading the row back).
func (s *Service) RecomputeRows(ctx context.Context, tx *gorm.DB, before, after *models.Case) ([]models.Deadline, error) {
	var sus []models.CaseSuspension
	if before != nil || after.SuspendedOn != nil {
		if err := tx.WithContext(ctx).Where("case_id = ?", after.ID).Order("from_on, id").Find(&sus).Error; err != nil {
			return nil, errs.Internal(err)
		}
	}
	cal, err := s.Calendar(ctx, tx)
	if err != nil {
		return nil, err
	}
	rows, err := s.rowsOf(s.planner(cal), after, sus, s.Today(), s.now().UTC())
	if err != nil {
		return nil, err
	}
	if before == nil {
		err = writeRows(ctx, tx, []int64{after.ID}, rows, true)
	} else {
		err = syncRows(ctx, tx, after.ID, rows)
	}
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// RecomputeBatch replaces the deadline rows of many cases in tx (for the
// ledger import: preload the suspensions, or pass nil to have them read in
// one query per batch) and returns the rows written, case by case in the
// order of cases. created skips deleting rows (the cases are new). The
// first case whose facts the engine refuses fails the batch, naming it.
func (s *Service) RecomputeBatch(ctx context.Context, tx *gorm.DB, cases []models.Case, suspensions map[int64][]models.CaseSuspension, created bool) ([]models.Deadline, error) {
	cal, err := s.Calendar(ctx, tx)
	if err != nil {
		return nil, err
	}
	pl, today, now := s.planner(cal), s.Today(), s.now().UTC()
	var written []models.Deadline
	for start := 0; start < len(cases); start += batchSize {
		chunk := cases[start:min(start+batchSize, len(cases))]
		ids := make([]int64, len(chunk))
		for i := range chunk {
			ids[i] = chunk[i].ID
		}
		sus := suspensions
		if sus == nil {
			if sus, err = loadSuspensions(ctx, tx, ids); err != nil {
				return nil, errs.Internal(err)
			}
		}
		rows := make([]models.Deadline, 0, 5*len(chunk))
		for i := range chunk {
			r, err := s.rowsOf(pl, &chunk[i], sus[chunk[i].ID], today, now)
			if err != nil {
				return nil, fmt.Errorf("case %s (id %d): %w", chunk[i].CaseNo, chunk[i].ID, err)
			}
			rows = append(rows, r...)
		}
		if err := writeRows(ctx, tx, ids, rows, created); err != nil {
			return nil, err
		}
		written = append(written, rows...)
	}
	return written, nil
}

// PlanNew returns a function that computes the deadline rows of a case
// just created (no suspensions can exist yet), exactly as Recompute writes
// them for it, over the calendar as tx sees it, as of today. It is safe for
// concurrent use: the ledger import plans on its reading goroutine.
func (s *Service) PlanNew(ctx context.Context, tx *gorm.DB) (func(c *models.Case) ([]models.Deadline, error), error) {
	cal, err := s.Calendar(ctx, tx)
	if err != nil {
		return nil, err
	}
	pl, today, now := s.planner(cal), s.Today(), s.now().UTC()
	return func(c *models.Case) ([]models.Deadline, error) {
		return s.rowsOf(pl, c, nil, today, now)
	}, nil
}

// planner returns the deadline planner of cal, kept while cal is the
// current calendar so that its memo of counted periods serves every case.
func (s *Service) planner(cal *calendar.Calendar) *deadline.Planner {
	s.calMu.Lock()
	defer s.calMu.Unlock()
	if s.pl == nil || s.plCal != cal {
		s.pl, s.plCal = deadline.NewPlanner(s.rules, cal), cal
	}
	return s.pl
}

// RecomputeCases recomputes the given cases, batchSize per transaction.
// A case the engine refuses is logged, counted and skipped.
func (s *Service) RecomputeCases(ctx context.Context, ids []int64) (RecomputeResult, error) {
	var res RecomputeResult
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	for start := 0; start < len(ids); start += batchSize {
		chunk := ids[start:min(start+batchSize, len(ids))]
		err := s.db.Tx(ctx, func(tx *gorm.DB) error {
			var cases []models.Case
			if err := tx.Where("id IN ?", chunk).Find(&cases).Error; err != nil {
				return err
			}
			return s.recomputeLoaded(ctx, tx, cases, &res)
		})
		if err != nil {
			return res, errs.Internal(err)
		}
	}
	return res, nil
}

// allPerTx is how many cases RecomputeAll recomputes per transaction.
const allPerTx = 4 * batchSize

// RecomputeAll recomputes every reconsideration case (after an import that
// bypassed the hooks, or to repair), in id order, allPerTx cases per
// transaction: each transaction reads its cases by id range, so the
// database is read once.
func (s *Service) RecomputeAll(ctx context.Context) (RecomputeResult, error) {
	var res RecomputeResult
	var last int64
	for {
		n := 0
		err := s.db.Tx(ctx, func(tx *gorm.DB) error {
			var cases []models.Case
			if err := tx.Where("id > ?", last).Order("id").Limit(allPerTx).Find(&cases).Error; err != nil {
				return err
			}
			if n = len(cases); n == 0 {
				return nil
			}
			last = cases[n-1].ID
			return s.recomputeLoaded(bulk.WithStatements(ctx, tx), tx, cases, &res)
		})
		if err != nil {
			return res, errs.Internal(err)
		}
		if n == 0 {
			return res, nil
		}
	}
}

// recomputeLoaded replaces the deadline rows of cases, read in tx. A case
// the engine refuses is logged, counted in res and keeps its rows.
func (s *Service) recomputeLoaded(ctx context.Context, tx *gorm.DB, cases []models.Case, res *RecomputeResult) error {
	ids := make([]int64, len(cases))
	for i := range cases {
		ids[i] = cases[i].ID
	}
	sus, err := loadSuspensions(ctx, tx, ids)
	if err != nil {
		return err
	}
	cal, err := s.Calendar(ctx, tx)
	if err != nil {
		return err
	}
	pl, today, now := s.planner(cal), s.Today(), s.now().UTC()
	rows := make([]models.Deadline, 0, 5*len(cases))
	done := ids[:0:0]
	for i := range cases {
		r, err := s.rowsOf(pl, &cases[i], sus[cases[i].ID], today, now)
		if err != nil {
			s.log.Warn("deadline recompute refused", "case_id", cases[i].ID, "case_no", cases[i].CaseNo, "err", err)
			res.Failed++
			continue
		}
		rows = append(rows, r...)
		done = append(done, cases[i].ID)
	}
	if err := writeRows(ctx, tx, done, rows, false); err != nil {
		return err
	}
	res.Cases += len(done)
	res.Rows += len(rows)
	return nil
}

// RecomputeYear recomputes the cases a change of year's calendar can move:
// those with a calendar_missing deadline, or a deadline due between the
// December before the year (a notice may list it) and the January after it
// (a working-day period that crosses the year ends there).
func (s *Service) RecomputeYear(ctx context.Context, year int) (RecomputeResult, error) {
	from := fmt.Sprintf("%04d-12-01", year-1)
	to := fmt.Sprintf("%04d-01-31", year+1)
	var ids []int64
	err := s.db.Read.WithContext(ctx).Model(&models.Deadline{}).
		Where("subject_type = ? AND (status = ? OR (due_on >= ? AND due_on <= ?))", SubjectCase, string(deadline.CalendarMissing), from, to).
		Distinct("subject_id").Pluck("subject_id", &ids).Error
	if err != nil {
		return RecomputeResult{}, errs.Internal(err)
	}
	return s.RecomputeCases(ctx, ids)
}

func loadSuspensions(ctx context.Context, tx *gorm.DB, ids []int64) (map[int64][]models.CaseSuspension, error) {
	var rows []models.CaseSuspension
	for start := 0; start < len(ids); start += batchSize {
		var part []models.CaseSuspension
		if err := tx.WithContext(ctx).Where("case_id IN ?", ids[start:min(start+batchSize, len(ids))]).Order("case_id, from_on, id").Find(&part).Error; err != nil {
			return nil, err
		}
		rows = append(rows, part...)
	}
	out := make(map[int64][]models.CaseSuspension, len(rows))
	for _, r := range rows {
		out[r.CaseID] = append(out[r.CaseID], r)
	}
	return out, nil
}

// writeRows replaces the deadline rows of the cases ids with rows.
func writeRows(ctx context.Context, tx *gorm.DB, ids []int64, rows []models.Deadline, created bool) error {
	tx = tx.WithContext(ctx)
	if !created {
		for start := 0; start < len(ids); start += batchSize {
			chunk := ids[start:min(start+batchSize, len(ids))]
			if err := tx.Where("subject_type = ? AND subject_id IN ?", SubjectCase, chunk).Delete(&models.Deadline{}).Error; err != nil {
				return errs.Internal(err)
			}
		}
	}
	if err := bulk.Insert(ctx, tx, rows); err != nil {
		return errs.Internal(err)
	}
	return nil
}

// storedRow is a case's deadline row as stored: the columns syncRows compares.
type storedRow struct {
	id                      int64
	organID                 int64
	status, zh, en, article string
	dueOn, metOn            sql.NullString
	handlerID               sql.NullInt64
}

// syncRows makes the stored deadline rows of case caseID equal to rows (as
// writeRows would leave them, but for the ids and the updated_at of the rows
// that did not change): it reads the case's rows (one index range), deletes
// the kinds rows no longer has, updates the changed columns of the others
// and inserts the new kinds. A transition usually changes two or three of a
// case's rows, and an UPDATE of a status or a date rewrites only the index
// entries over the columns it sets, where deleting and reinserting every row
// rewrote all four indexes of each. updated_at is thus the time of a row's
// last change.
func syncRows(ctx context.Context, tx *gorm.DB, caseID int64, rows []models.Deadline) error {
	tx = tx.WithContext(ctx)
	q, err := tx.Raw(`SELECT id, kind, organ_id, status, due_on, met_on, handler_id, explanation_zh, explanation_en, article
		FROM deadlines WHERE subject_type = ? AND subject_id = ?`, SubjectCase, caseID).Rows()
	if err != nil {
		return errs.Internal(err)
	}
	old := map[string]storedRow{}
	for q.Next() {
		var r storedRow
		var kind string
		if err := q.Scan(&r.id, &kind, &r.organID, &r.status, &r.dueOn, &r.metOn, &r.handlerID, &r.zh, &r.en, &r.article); err != nil {
			q.Close()
			return errs.Internal(err)
		}
		old[kind] = r
	}
	if err := q.Close(); err != nil {
		return errs.Internal(err)
	}
	if err := q.Err(); err != nil {
		return errs.Internal(err)
	}
	var inserts []models.Deadline
	var set strings.Builder
	var args []any
	for i := range rows {
		d := &rows[i]
		o, ok := old[d.Kind]
		if !ok {
			inserts = append(inserts, *d)
			continue
		}
		delete(old, d.Kind)
		set.Reset()
		args = args[:0]
		col := func(name string, v any) {
			set.WriteString(name)
			set.WriteString(" = ?, ")
			args = append(args, v)
		}
		if o.organID != d.OrganID {
			col("organ_id", d.OrganID)
		}
		if o.status != d.Status {
			col("status", d.Status)
		}
		if !sameString(o.dueOn, d.DueOn) {
			col("due_on", d.DueOn)
		}
		if !sameString(o.metOn, d.MetOn) {
			col("met_on", d.MetOn)
		}
		if !sameInt(o.handlerID, d.HandlerID) {
			col("handler_id", d.HandlerID)
		}
		if o.zh != d.ExplanationZH {
			col("explanation_zh", d.ExplanationZH)
		}
		if o.en != d.ExplanationEN {
			col("explanation_en", d.ExplanationEN)
		}
		if o.article != d.Article {
			col("article", d.Article)
		}
		if len(args) == 0 {
			continue
		}
		set.WriteString("updated_at = ?")
		args = append(args, d.UpdatedAt, o.id)
		if err := tx.Exec("UPDATE deadlines SET "+set.String()+" WHERE id = ?", args...).Error; err != nil {
			return errs.Internal(err)
		}
	}
	if len(old) > 0 {
		ids := make([]int64, 0, len(old))
		for _, o := range old {
			ids = append(ids, o.id)
		}
		slices.Sort(ids)
		if err := tx.Exec("DELETE FROM deadlines WHERE id IN ?", ids).Error; err != nil {
			return errs.Internal(err)
		}
	}
	if err := bulk.Insert(ctx, tx, inserts); err != nil {
		return errs.Internal(err)
	}
	return nil
}

func sameString(a sql.NullString, b *string) bool {
	if b == nil {
		return !a.Valid
	}
	return a.Valid && a.String == *b
}

func sameInt(a sql.NullInt64, b *int64) bool {
	if b == nil {
		return !a.Valid
	}
	return a.Valid && a.Int64 == *b
}

// rowsOf plans the deadlines of c and returns them as rows, as stored: the
// explanation and article of a case deadline are not stored (they are
// rendered when read, by plan; see render.go), so ExplanationZH,
// ExplanationEN and Article are empty. Status and dates are plan's.
func (s *Service) rowsOf(pl *deadline.Planner, c *models.Case, sus []models.CaseSuspension, today calendar.Date, now time.Time) ([]models.Deadline, error) {
	ds, err := s.plan(pl, c, sus, today, false)
	if err != nil {
		return nil, err
	}
	out := make([]models.Deadline, len(ds))
	for i, d := range ds {
		out[i] = models.Deadline{
			SubjectType: SubjectCase, SubjectID: c.ID, Kind: StoredKind(d.Kind, d.Ref), OrganID: c.OrganID,
			Status: string(d.Status), DueOn: dateStr(d.DueOn), MetOn: dateStr(d.MetOn), HandlerID: c.HandlerID,
			UpdatedAt: now,
		}
	}
	return out, nil
}

// plan plans the deadlines of c as of today. On a closed case a step that
// was never recorded and is past due is not_applicable ("case closed; step
// not recorded"), not missed: the case is over, and a ledger never records
// such steps — so a closed case is never overdue. A late step that was
// recorded (met_on set) stays missed. text adds that note to the
// explanation (the writing paths, which store no explanation, skip it).
func (s *Service) plan(pl *deadline.Planner, c *models.Case, sus []models.CaseSuspension, today calendar.Date, text bool) ([]deadline.Deadline, error) {
	f, err := factsOf(c, sus)
	if err != nil {
		return nil, errs.Rule("deadline_facts", "案件日期无法计算期限："+err.Error(), "the case's dates cannot be planned: "+err.Error())
	}
	ds, err := pl.Reconsideration(f, today)
	if err != nil {
		if errors.Is(err, deadline.ErrInvalidFacts) {
			return nil, errs.Rule("deadline_facts", "案件日期无法计算期限："+err.Error(), "the case's dates cannot be planned: "+err.Error())
		}
		return nil, errs.Internal(err)
	}
	closed := !slices.Contains(openStatuses, c.Status)
	for i := range ds {
		d := &ds[i]
		if closed && d.MetOn == nil && (d.Status == deadline.Missed || d.Status == deadline.Open || d.Status == deadline.Paused) {
			d.Status = deadline.NotApplicable
			if text {
				d.ExplanationZH += "；案件已结，未记录办理日期"
				d.ExplanationEN += "; case closed, step not recorded"
			}
		}
	}
	return ds, nil
}

// planColumns are the columns of cases that plan (factsOf, the closed-case
// rule) and rowsOf read: the readers that render explanations load only
// these (a page of the deadline list reads up to 200 cases). Keep in step
// with factsOf; render_test.go compares the rendering with a plan of the
// whole row.
var planColumns = []string{"id", "organ_id", "handler_id", "case_no", "status", "regime", "procedure", "received_on",
	"correction_notice_on", "correction_due_days", "correction_received_on", "accepted_on", "copy_sent_on",
	"reply_received_on", "extension_days", "intake_on", "closed_on"}

// factsOf maps a stored case (and its suspension periods) to the engine's facts.
// A disposition whose date the record lacks (an imported 不予受理 without
// a date) falls back to the closing date, then the receipt date.
func factsOf(c *models.Case, sus []models.CaseSuspension) (deadline.Facts, error) {
	var f deadline.Facts
	var err error
	date := func(field string, v *string) *calendar.Date {
		if v == nil || *v == "" || err != nil {
			return nil
		}
		d, e := calendar.ParseDate(*v)
		if e != nil {
			err = fmt.Errorf("%s: %w", field, e)
			return nil
		}
		return &d
	}
	received := date("received_on", &c.ReceivedOn)
	if received == nil {
		if err == nil {
			err = errors.New("received_on is missing")
		}
		return f, err
	}
	f.ReceivedOn = *received
	f.Regime = deadline.Regime(c.Regime)
	f.Procedure = deadline.Procedure(c.Procedure)
	f.CorrectionNoticeOn = date("correction_notice_on", c.CorrectionNoticeOn)
	f.CorrectionDays = c.CorrectionDueDays
	f.CorrectionReceivedOn = date("correction_received_on", c.CorrectionReceivedOn)
	f.AcceptedOn = date("accepted_on", c.AcceptedOn)
	f.CopySentOn = date("copy_sent_on", c.CopySentOn)
	f.ReplyReceivedOn = date("reply_received_on", c.ReplyReceivedOn)
	f.ExtensionDays = c.ExtensionDays
	disposed := func() *calendar.Date {
		for _, v := range []*string{c.IntakeOn, c.ClosedOn} {
			if d := date("intake_on", v); d != nil {
				return d
			}
		}
		return received
	}
	switch {
	case c.Status == "not_accepted":
		f.RejectedOn = disposed()
	case slices.Contains(intakeClosings, c.Status):
		f.ClosedOn = disposed()
	case c.ClosedOn != nil:
		// Any disposing decision (incl. 终止, 调解) is DecidedOn; it also ends
		// the office's still-open steps.
		f.DecidedOn = date("closed_on", c.ClosedOn)
		f.ClosedOn = f.DecidedOn
	}
	for _, x := range sus {
		from := date("suspension from_on", &x.FromOn)
		if from == nil {
			continue
		}
		g := deadline.Ground(x.Ground)
		if m, ok := groundOf[x.Ground]; ok {
			g = m
		}
		f.Suspensions = append(f.Suspensions, deadline.Suspension{From: *from, To: date("suspension to_on", x.ToOn), Ground: g})
	}
	return f, err
}

func dateStr(d *calendar.Date) *string {
	if d == nil {
		return nil
	}
	s := d.String()
	return &s
}

// articleSep joins the Chinese and English citation in the one Article column.
const articleSep = " | "

func joinArticle(zh, en string) string {
	if zh == "" && en == "" {
		return ""
	}
	return zh + articleSep + en
}

// SplitArticle returns the Chinese and English citation of a stored Article.
func SplitArticle(a string) (zh, en string) {
	zh, en, ok := strings.Cut(a, articleSep)
	if !ok {
		return a, a
	}
	return zh, en
}

// StoredKind is the kinds column of a deadline: the kind, and for repeated
// kinds (one per suspension or opinion letter) ":" and the engine's ref, so
// the row key (subject, kind) stays unique: "suspension_lapse:suspension#2".
func StoredKind(k deadline.Kind, ref string) string {
	if ref == "" {
		return string(k)
	}
	return string(k) + ":" + ref
}

// SplitKind is the inverse of StoredKind.
func SplitKind(stored string) (kind, ref string) {
	kind, ref, _ = strings.Cut(stored, ":")
	return kind, ref
}
