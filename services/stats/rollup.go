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
	return s.RollupBatch(ctx, tx, []CaseChange{{Before: before, After: after}})
}

// CaseChange is one case write of a batch: Before is nil on create, After is
// nil on delete.
type CaseChange struct {
	Before, After *models.Case
	// Derived, when non-nil, is After's derived flags (FlagOnTime when the
	// case was closed within its decision deadline) as the caller already
	// knows them — a ledger import computes the deadlines itself — and no
	// deadline row is read for the case. Only the derived bits count, and
	// only for a closed case (accepted_on and closed_on set).
	Derived *int
}

// derivedMask are the flag bits that do not sit on the case row.
const derivedMask = FlagOnTime

// memoChunk bounds the ids of one IN list (bound variables per statement).
const memoChunk = 500

// RollupBatch is RollupHook for the cases of one batch (a ledger import),
// set-based: the derived-flag memo of every Before case is read in one query
// per memoChunk ids, the decision deadlines of the After cases without
// Derived likewise, the memo is written with multi-row upserts and the
// rollup deltas of every case are merged, so each rollup cell is written
// once per batch with one multi-row upsert per memoChunk cells. Changes are
// applied in order: a case may appear more than once.
func (s *Service) RollupBatch(ctx context.Context, tx *gorm.DB, changes []CaseChange) error {
	tx = tx.WithContext(ctx).Session(&gorm.Session{NewDB: true})
	memo, err := readMemo(tx, changes)
	if err != nil {
		return err
	}
	derived, err := s.derivedBatch(tx, changes)
	if err != nil {
		return err
	}
	delta := map[rkey]int64{}
	touched := map[int64]bool{}
	for i, ch := range changes {
		if ch.Before != nil {
			d := 0
			if ch.Before.ID != 0 {
				d = memo[ch.Before.ID]
			}
			for k, n := range contributions(ch.Before, d) {
				delta[k] -= n
			}
		}
		if ch.After != nil {
			for k, n := range contributions(ch.After, derived[i]) {
				delta[k] += n
			}
			if ch.After.ID != 0 {
				memo[ch.After.ID] = derived[i]
				touched[ch.After.ID] = true
			}
		} else if ch.Before != nil && ch.Before.ID != 0 {
			delete(memo, ch.Before.ID)
			touched[ch.Before.ID] = true
		}
	}
	if err := writeMemo(tx, memo, touched); err != nil {
		return err
	}
	return applyDelta(tx, delta)
}

// readMemo reads the memoised derived flags of the batch's Before cases.
func readMemo(tx *gorm.DB, changes []CaseChange) (map[int64]int, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, ch := range changes {
		if ch.Before != nil && ch.Before.ID != 0 && !seen[ch.Before.ID] {
			seen[ch.Before.ID] = true
			ids = append(ids, ch.Before.ID)
		}
	}
	memo := make(map[int64]int, len(ids))
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), memoChunk)]
		ids = ids[len(chunk):]
		var rows []models.CaseStatFlags
		if err := tx.Where("case_id IN ?", chunk).Find(&rows).Error; err != nil {
			return nil, errs.Internal(err)
		}
		for _, r := range rows {
			memo[r.CaseID] = r.Flags
		}
	}
	return memo, nil
}

// writeMemo upserts the memo rows of the touched cases still in memo and
// deletes the others, in case_id order (deadlock-free on PostgreSQL).
func writeMemo(tx *gorm.DB, memo map[int64]int, touched map[int64]bool) error {
	var ups, dels []int64
	for id := range touched {
		if _, ok := memo[id]; ok {
			ups = append(ups, id)
		} else {
			dels = append(dels, id)
		}
	}
	slices.Sort(ups)
	slices.Sort(dels)
	for len(ups) > 0 {
		chunk := ups[:min(len(ups), memoChunk)]
		ups = ups[len(chunk):]
		var sb strings.Builder
		args := make([]any, 0, 2*len(chunk))
		for i, id := range chunk {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString("(?,?)")
			args = append(args, id, memo[id])
		}
		err := tx.Exec(`INSERT INTO case_stat_flags (case_id, flags) VALUES `+sb.String()+`
			ON CONFLICT (case_id) DO UPDATE SET flags = excluded.flags`, args...).Error
		if err != nil {
			return errs.Internal(err)
		}
	}
	for len(dels) > 0 {
		chunk := dels[:min(len(dels), memoChunk)]
		dels = dels[len(chunk):]
		if err := tx.Exec("DELETE FROM case_stat_flags WHERE case_id IN ?", chunk).Error; err != nil {
			return errs.Internal(err)
		}
	}
	return nil
}

// derivedBatch returns the derived flags of each change's After case (0
// without one): Derived when given, else from the decision deadlines read
// in one query per memoChunk cases, else the DecisionDays fallback.
func (s *Service) derivedBatch(tx *gorm.DB, changes []CaseChange) ([]int, error) {
	out := make([]int, len(changes))
	var ids []int64
	for _, ch := range changes {
		if c := ch.After; c != nil && ch.Derived == nil && c.ID != 0 && c.AcceptedOn != nil && c.ClosedOn != nil {
			ids = append(ids, c.ID)
		}
	}
	status := map[int64]string{}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), memoChunk)]
		ids = ids[len(chunk):]
		var rows []models.Deadline
		err := tx.Select("subject_id, status").Where("subject_type = ? AND kind = ? AND subject_id IN ?", "case", "decision", chunk).
			Find(&rows).Error
		if err != nil {
			return nil, errs.Internal(err)
		}
		for _, r := range rows {
			status[r.SubjectID] = r.Status
		}
	}
	for i, ch := range changes {
		c := ch.After
		if c == nil || c.AcceptedOn == nil || c.ClosedOn == nil {
			continue
		}
		switch st, ok := status[c.ID]; {
		case ch.Derived != nil:
			out[i] = *ch.Derived & derivedMask
		case ok:
			if st == "met" {
				out[i] = FlagOnTime
			}
		default:
			out[i] = fallbackOnTime(c)
		}
	}
	return out, nil
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
	return fallbackOnTime(c), nil
}

// fallbackOnTime is on_time without a decision deadline row: closed_on ≤
// accepted_on + DecisionDays (c accepted and closed).
func fallbackOnTime(c *models.Case) int {
	acc, err := time.Parse("2006-01-02", *c.AcceptedOn)
	if err != nil {
		return 0
	}
	due := acc.AddDate(0, 0, DecisionDays(c.Procedure, c.ExtensionDays)).Format("2006-01-02")
	if *c.ClosedOn <= due {
		return FlagOnTime
	}
	return 0
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
