package stats

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/codes"
	"fuyi/services/errs"
)

// Measures of the rollup.
const (
	mReceived    = "received"
	mAccepted    = "accepted"
	mNotAccepted = "not_accepted"
	mClosed      = "closed"
	// mOpen has one row per accepted case: day = accepted_on, ref_on =
	// closed_on ("" while open); pending_end and carried_over derive from it.
	mOpen = "open"
)

// Slices of the rollup ("" = totals).
const (
	SliceRespondent = "respondent"
	SliceActType    = "act_type"
	SliceArea       = "area"
	SliceHandler    = "handler"
	SliceMonth      = "month" // not stored: month of the totals' day
)

var storedSlices = []string{SliceRespondent, SliceActType, SliceArea, SliceHandler}

// Case flags usable in metric numerators, as bits of the rollup's flags.
const (
	FlagOnTime = 1 << iota
	FlagDeemedAccepted
	FlagPartial
	FlagRedo
	FlagHearing
	FlagCommittee
	FlagExtended
	FlagSimplified
)

// Flags are the case flags a metric numerator may require.
var Flags = codes.List{
	{Code: "on_time", ZH: "按期办结", EN: "closed within the decision deadline"},
	{Code: "deemed_accepted", ZH: "视为受理", EN: "deemed accepted"},
	{Code: "partial", ZH: "部分撤销", EN: "partial"},
	{Code: "redo", ZH: "责令重作", EN: "ordered to redo"},
	{Code: "hearing_held", ZH: "听证", EN: "hearing held"},
	{Code: "committee_consulted", ZH: "咨询委员会", EN: "committee consulted"},
	{Code: "extended", ZH: "延期", EN: "extended"},
	{Code: "simplified", ZH: "简易程序", EN: "simplified procedure"},
}

var flagBits = map[string]int{
	"on_time": FlagOnTime, "deemed_accepted": FlagDeemedAccepted, "partial": FlagPartial, "redo": FlagRedo,
	"hearing_held": FlagHearing, "committee_consulted": FlagCommittee, "extended": FlagExtended, "simplified": FlagSimplified,
}

func flagMask(flags []string) int {
	m := 0
	for _, f := range flags {
		m |= flagBits[f]
	}
	return m
}

// rkey is one cell of the rollup.
type rkey struct {
	OrganID                                                   int64
	Slice, Measure, Day, SliceKey, Outcome, Termination, Disp string
	Flags                                                     int
	RefOn, Ref2On                                             string
}

// compareRkey orders rollup keys totally (field by field).
func compareRkey(a, b rkey) int {
	return cmp.Or(cmp.Compare(a.OrganID, b.OrganID), cmp.Compare(a.Slice, b.Slice), cmp.Compare(a.Measure, b.Measure),
		cmp.Compare(a.Day, b.Day), cmp.Compare(a.SliceKey, b.SliceKey), cmp.Compare(a.Outcome, b.Outcome),
		cmp.Compare(a.Termination, b.Termination), cmp.Compare(a.Disp, b.Disp), cmp.Compare(a.Flags, b.Flags),
		cmp.Compare(a.RefOn, b.RefOn), cmp.Compare(a.Ref2On, b.Ref2On))
}

// caseFlags are the flags read from the case's own fields.
func caseFlags(c *models.Case) int {
	f := 0
	if c.DeemedAccepted {
		f |= FlagDeemedAccepted
	}
	if c.OutcomePartial {
		f |= FlagPartial
	}
	if c.OutcomeRedo {
		f |= FlagRedo
	}
	if c.HearingHeld {
		f |= FlagHearing
	}
	if c.CommitteeConsulted {
		f |= FlagCommittee
	}
	if c.ExtensionDays > 0 {
		f |= FlagExtended
	}
	if c.Procedure == "simplified" {
		f |= FlagSimplified
	}
	return f
}

func sliceKeys(c *models.Case) map[string]string {
	h := ""
	if c.HandlerID != nil {
		h = strconv.FormatInt(*c.HandlerID, 10)
	}
	return map[string]string{
		SliceRespondent: strconv.FormatInt(c.RespondentID, 10),
		SliceActType:    c.ActType,
		SliceArea:       c.Area,
		SliceHandler:    h,
	}
}

func isIntakeStatus(s string) bool {
	for _, x := range intakeStatuses {
		if x == s {
			return true
		}
	}
	return false
}

// contributions lists the rollup cells case c adds to; derived are its
// derived flags (FlagOnTime). The SQL of Rebuild states the same rules.
func contributions(c *models.Case, derived int) map[rkey]int64 {
	out := map[rkey]int64{}
	if c == nil {
		return out
	}
	slices := sliceKeys(c)
	addAll := func(k rkey) {
		out[k]++
		k.RefOn, k.Ref2On, k.Disp = "", "", ""
		for _, sl := range storedSlices {
			ks := k
			ks.Slice, ks.SliceKey = sl, slices[sl]
			out[ks]++
		}
	}
	base := rkey{OrganID: c.OrganID}
	// received, with the intake disposition dates on the totals row
	k := base
	k.Measure, k.Day = mReceived, c.ReceivedOn
	if c.AcceptedOn != nil {
		k.RefOn = *c.AcceptedOn
	}
	if isIntakeStatus(c.Status) && c.IntakeOn != nil {
		k.Disp, k.Ref2On = c.Status, *c.IntakeOn
	}
	addAll(k)
	if c.AcceptedOn != nil {
		k = base
		k.Measure, k.Day, k.Flags = mAccepted, *c.AcceptedOn, caseFlags(c)&FlagDeemedAccepted
		addAll(k)
		k = base
		k.Measure, k.Day = mOpen, *c.AcceptedOn
		if c.ClosedOn != nil {
			k.RefOn = *c.ClosedOn
		}
		out[k]++
		if c.ClosedOn != nil {
			k = base
			k.Measure, k.Day, k.Outcome, k.Termination = mClosed, *c.ClosedOn, c.Outcome, c.Termination
			k.Flags = caseFlags(c) | derived
			addAll(k)
		}
	}
	if c.Status == "not_accepted" && c.IntakeOn != nil {
		k = base
		k.Measure, k.Day = mNotAccepted, *c.IntakeOn
		addAll(k)
	}
	return out
}

// RollupHook keeps the rollup in step with a case write: inside the write's
// transaction it subtracts what before contributed and adds what after
// contributes (before nil on create, after nil on delete). It has the
// signature of a lifecycle.Hook; wire it after the deadline hook, so that
// the case's decision deadline row is current when on_time is derived.
func (s *Service) RollupHook(ctx context.Context, tx *gorm.DB, before, after *models.Case) error {
	tx = tx.WithContext(ctx).Session(&gorm.Session{NewDB: true})
	delta := map[rkey]int64{}
	if err := s.addChange(tx, before, after, delta); err != nil {
		return err
	}
	return applyDelta(tx, delta)
}

// CaseChange is one case write of a batch: Before is nil on create.
type CaseChange struct{ Before, After *models.Case }

// RollupBatch is RollupHook for the cases of one batch (a ledger import):
// the deltas of every case are merged, so each rollup cell is written once
// per batch instead of once per case.
func (s *Service) RollupBatch(ctx context.Context, tx *gorm.DB, changes []CaseChange) error {
	tx = tx.WithContext(ctx).Session(&gorm.Session{NewDB: true})
	delta := map[rkey]int64{}
	for _, ch := range changes {
		if err := s.addChange(tx, ch.Before, ch.After, delta); err != nil {
			return err
		}
	}
	return applyDelta(tx, delta)
}

// addChange adds to delta what one case write changes in the rollup, and
// keeps the case's derived flags (on time) for its next change.
func (s *Service) addChange(tx *gorm.DB, before, after *models.Case, delta map[rkey]int64) error {
	if before != nil {
		derived := 0
		if before.ID != 0 {
			var memo models.CaseStatFlags
			err := tx.Where("case_id = ?", before.ID).Limit(1).Find(&memo).Error
			if err != nil {
				return errs.Internal(err)
			}
			derived = memo.Flags
		}
		for k, n := range contributions(before, derived) {
			delta[k] -= n
		}
	}
	if after != nil {
		derived, err := s.derivedFlags(tx, after)
		if err != nil {
			return err
		}
		for k, n := range contributions(after, derived) {
			delta[k] += n
		}
		if after.ID != 0 {
			err := tx.Exec(`INSERT INTO case_stat_flags (case_id, flags) VALUES (?, ?)
				ON CONFLICT (case_id) DO UPDATE SET flags = excluded.flags`, after.ID, derived).Error
			if err != nil {
				return errs.Internal(err)
			}
		}
	} else if before != nil && before.ID != 0 {
		if err := tx.Exec("DELETE FROM case_stat_flags WHERE case_id = ?", before.ID).Error; err != nil {
			return errs.Internal(err)
		}
	}
	return nil
}

// applyDelta upserts the non-zero deltas. Cells that drop to zero stay (they
// add nothing to any sum); Rebuild removes them.
func applyDelta(tx *gorm.DB, delta map[rkey]int64) error {
	// Upsert in one fixed key order: concurrent transactions that touch the
	// same cells then lock them in the same order and cannot deadlock on
	// PostgreSQL (a map's iteration order is random).
	keys := make([]rkey, 0, len(delta))
	for k, d := range delta {
		if d != 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compareRkey)
	// At most rowsPerStatement cells per statement keeps the bound variables
	// (12 a cell) under SQLite's and PostgreSQL's limits for a batch import.
	const rowsPerStatement = 1000
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), rowsPerStatement)]
		keys = keys[len(chunk):]
		var sb strings.Builder
		args := make([]any, 0, len(chunk)*12)
		for i, k := range chunk {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?)")
			args = append(args, k.OrganID, k.Slice, k.Measure, k.Day, k.SliceKey, k.Outcome, k.Termination, k.Disp, k.Flags, k.RefOn, k.Ref2On, delta[k])
		}
		q := `INSERT INTO case_stat_daily (organ_id, slice, measure, day, slice_key, outcome, termination, disposition, flags, ref_on, ref2_on, count) VALUES ` +
			sb.String() + ` ON CONFLICT (organ_id, slice, measure, day, slice_key, outcome, termination, disposition, flags, ref_on, ref2_on)
		DO UPDATE SET count = case_stat_daily.count + excluded.count`
		if err := tx.Exec(q, args...).Error; err != nil {
			return errs.Internal(fmt.Errorf("stats rollup: %w", err))
		}
	}
	return nil
}

// DecisionDays is the fallback decision period when a case has no decision
// deadline row: 60 days ordinary, 30 simplified (RL2023 Art. 62, 64), plus
// the extension days. Suspensions are counted only through the deadline row.
func DecisionDays(procedure string, extension int) int {
	if procedure == "simplified" {
		return 30 + extension
	}
	return 60 + extension
}

// derivedFlags computes the flags that do not sit on the case row: on_time =
// the case's decision deadline (kind decision) has status met; without such
// a row, closed_on ≤ accepted_on + DecisionDays. onTimeSQL states the same.
func (s *Service) derivedFlags(tx *gorm.DB, c *models.Case) (int, error) {
	if c.AcceptedOn == nil || c.ClosedOn == nil {
		return 0, nil
	}
	if c.ID != 0 {
		var rows []models.Deadline
		err := tx.Where("subject_type = ? AND subject_id = ? AND kind = ?", "case", c.ID, "decision").Limit(1).Find(&rows).Error
		if err != nil {
			return 0, errs.Internal(err)
		}
		if len(rows) > 0 {
			if rows[0].Status == "met" {
				return FlagOnTime, nil
			}
			return 0, nil
		}
	}
	acc, err1 := time.Parse("2006-01-02", *c.AcceptedOn)
	if err1 != nil {
		return 0, nil
	}
	due := acc.AddDate(0, 0, DecisionDays(c.Procedure, c.ExtensionDays)).Format("2006-01-02")
	if *c.ClosedOn <= due {
		return FlagOnTime, nil
	}
	return 0, nil
}

// onTimeSQL is the SQL of derivedFlags over the cases table.
func (s *Service) onTimeSQL() string {
	dl := "SELECT 1 FROM deadlines d WHERE d.subject_type = 'case' AND d.subject_id = cases.id AND d.kind = 'decision'"
	days := "(CASE WHEN cases.procedure = 'simplified' THEN 30 ELSE 60 END + cases.extension_days)"
	return "(EXISTS (" + dl + " AND d.status = 'met') OR (NOT EXISTS (" + dl + ") AND cases.closed_on <= " + s.addDays("cases.accepted_on", days) + "))"
}

// addDays is the dialect helper for "date string + n days" as a date string.
func (s *Service) addDays(dateExpr, daysExpr string) string {
	if s.db.Dialect == models.Postgres {
		return "to_char(CAST(" + dateExpr + " AS date) + CAST(" + daysExpr + " AS integer), 'YYYY-MM-DD')"
	}
	return "date(" + dateExpr + ", '+' || " + daysExpr + " || ' days')"
}

// MonthExpr is the one dialect helper for month bucketing: dates are
// "YYYY-MM-DD" strings, so the month is the first seven characters on both
// SQLite and PostgreSQL.
func MonthExpr(col string) string { return "substr(" + col + ", 1, 7)" }

// Rebuild recomputes the rollup (and the derived-flag memo) of the given
// organs — all organs when none are given — from the cases table, in one
// transaction, with INSERT … SELECT aggregates. Use it after bulk imports
// that bypass the hooks, or to repair.
func (s *Service) Rebuild(ctx context.Context, organIDs ...int64) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		ex := func(q string, args ...any) error {
			return tx.Session(&gorm.Session{NewDB: true}).Exec(q, args...).Error
		}
		organCond, caseCond := "1=1", "1=1"
		var oargs []any
		if len(organIDs) > 0 {
			organCond, caseCond = "organ_id IN ?", "cases.organ_id IN ?"
			oargs = []any{organIDs}
		}
		if err := ex("DELETE FROM case_stat_daily WHERE "+organCond, oargs...); err != nil {
			return err
		}
		memoCond := "1=1"
		if len(organIDs) > 0 {
			memoCond = "case_id IN (SELECT id FROM cases WHERE " + caseCond + ")"
		}
		if err := ex("DELETE FROM case_stat_flags WHERE "+memoCond, oargs...); err != nil {
			return err
		}
		if err := ex(`INSERT INTO case_stat_flags (case_id, flags) SELECT cases.id,
			CASE WHEN cases.accepted_on IS NOT NULL AND cases.closed_on IS NOT NULL AND `+s.onTimeSQL()+` THEN 1 ELSE 0 END
			FROM cases WHERE `+caseCond, oargs...); err != nil {
			return err
		}
		caseFlagsSQL := fmt.Sprintf(`(CASE WHEN cases.deemed_accepted THEN %d ELSE 0 END + CASE WHEN cases.outcome_partial THEN %d ELSE 0 END
			+ CASE WHEN cases.outcome_redo THEN %d ELSE 0 END + CASE WHEN cases.hearing_held THEN %d ELSE 0 END
			+ CASE WHEN cases.committee_consulted THEN %d ELSE 0 END + CASE WHEN cases.extension_days > 0 THEN %d ELSE 0 END
			+ CASE WHEN cases.procedure = 'simplified' THEN %d ELSE 0 END)`,
			FlagDeemedAccepted, FlagPartial, FlagRedo, FlagHearing, FlagCommittee, FlagExtended, FlagSimplified)
		intakeIn := "('" + strings.Join(intakeStatuses, "','") + "')"
		disp := "CASE WHEN cases.status IN " + intakeIn + " AND cases.intake_on IS NOT NULL THEN cases.status ELSE '' END"
		ref2 := "CASE WHEN cases.status IN " + intakeIn + " AND cases.intake_on IS NOT NULL THEN cases.intake_on ELSE '' END"
		type spec struct {
			measure, day, outcome, termination, disp, flags, ref, ref2, where string
			totalsOnly                                                        bool
		}
		specs := []spec{
			{mReceived, "cases.received_on", "''", "''", disp, "0", "COALESCE(cases.accepted_on, '')", ref2, "1=1", false},
			{mAccepted, "cases.accepted_on", "''", "''", "''", fmt.Sprintf("CASE WHEN cases.deemed_accepted THEN %d ELSE 0 END", FlagDeemedAccepted), "''", "''", "cases.accepted_on IS NOT NULL", false},
			{mNotAccepted, "cases.intake_on", "''", "''", "''", "0", "''", "''", "cases.status = 'not_accepted' AND cases.intake_on IS NOT NULL", false},
			{mClosed, "cases.closed_on", "cases.outcome", "cases.termination", "''", caseFlagsSQL + " + COALESCE(f.flags, 0)", "''", "''", "cases.accepted_on IS NOT NULL AND cases.closed_on IS NOT NULL", false},
			{mOpen, "cases.accepted_on", "''", "''", "''", "0", "COALESCE(cases.closed_on, '')", "''", "cases.accepted_on IS NOT NULL", true},
		}
		sliceExpr := map[string]string{
			SliceRespondent: "CAST(cases.respondent_id AS TEXT)",
			SliceActType:    "cases.act_type",
			SliceArea:       "cases.area",
			SliceHandler:    "COALESCE(CAST(cases.handler_id AS TEXT), '')",
		}
		for _, sp := range specs {
			slices := append([]string{""}, storedSlices...)
			if sp.totalsOnly {
				slices = []string{""}
			}
			for _, sl := range slices {
				key, disp, ref, ref2 := "''", sp.disp, sp.ref, sp.ref2
				if sl != "" {
					key, disp, ref, ref2 = sliceExpr[sl], "''", "''", "''"
				}
				sel := fmt.Sprintf("cases.organ_id, '%s', '%s', %s, %s, %s, %s, %s, %s, %s, %s",
					sl, sp.measure, sp.day, key, sp.outcome, sp.termination, disp, sp.flags, ref, ref2)
				q := `INSERT INTO case_stat_daily (organ_id, slice, measure, day, slice_key, outcome, termination, disposition, flags, ref_on, ref2_on, count)
					SELECT ` + sel + `, COUNT(*) FROM cases LEFT JOIN case_stat_flags f ON f.case_id = cases.id
					WHERE ` + caseCond + ` AND ` + sp.where + `
					GROUP BY ` + strings.Join(groupCols(sel), ", ")
				if err := ex(q, oargs...); err != nil {
					return errs.Internal(fmt.Errorf("rebuild %s/%s: %w", sp.measure, sl, err))
				}
			}
		}
		return nil
	})
}

// groupCols turns a select list of expressions into GROUP BY positions.
func groupCols(sel string) []string {
	n := 0
	depth := 0
	for _, r := range sel {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				n++
			}
		}
	}
	out := make([]string, n+1)
	for i := range out {
		out[i] = strconv.Itoa(i + 1)
	}
	return out
}
