package stats

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/codes"
	"fuyi/services/errs"
)

// Measures of the rollup cells; the intake statuses other than not_accepted
// (abandoned, withdrawn_before_acceptance, referred) are measures too, on
// their intake_on, in the totals only.
const (
	mReceived    = "received"
	mAccepted    = "accepted"
	mNotAccepted = "not_accepted"
	mClosed      = "closed"
	// mOpen counts +1 on the accepted_on of every accepted case and −1 on
	// the closed_on of every accepted and closed case (totals only): its sum
	// over all days up to T is the number accepted by T less the number
	// closed by T.
	mOpen = "open"
	// mDouble counts, on the later of the two dates, the cases that were
	// both accepted and disposed of before acceptance (an inconsistency the
	// intake balance shows); totals only.
	mDouble = "double"
	// kindClosed is the span kind of an inverted closing (closed_on before
	// accepted_on).
	kindClosed = "closed"
)

// Slices of the rollup ("" = totals).
const (
	SliceRespondent = "respondent"
	SliceActType    = "act_type"
	SliceArea       = "area"
	SliceHandler    = "handler"
	SliceMonth      = "month" // not stored: the totals by month of their period
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

// Flags are the case flags a metric numerator may require, in bit order;
// cell column "f_" + code counts the cases of the cell with the flag.
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

// nFlags is the number of flag bits (and of per-flag cell columns).
const nFlags = 8

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

// flagColumns are the per-flag count columns of the cells, in bit order.
var flagColumns = func() []string {
	out := make([]string, len(Flags))
	for i, f := range Flags {
		out[i] = "f_" + f.Code
	}
	return out
}()

// Grains of the cells: a cell's period is the first periodLen[grain]
// characters of a date.
const (
	gYear = iota
	gMonth
	gDay
	nGrains
)

var (
	cellTables = [nGrains]string{"case_stat_year", "case_stat_month", "case_stat_daily"}
	periodLen  = [nGrains]int{4, 7, 10}
)

// prefix is SQL's substr(s, 1, n).
func prefix(s string, n int) string {
	if len(s) < n {
		return s
	}
	return s[:n]
}

// cellKey is one cell of the rollup.
type cellKey struct {
	Grain                                                  int
	OrganID                                                int64
	Slice, Measure, Period, SliceKey, Outcome, Termination string
}

// cellVal is a cell's count followed by its per-flag counts.
type cellVal [1 + nFlags]int64

func compareCellKey(a, b cellKey) int {
	return cmp.Or(cmp.Compare(a.Grain, b.Grain), cmp.Compare(a.OrganID, b.OrganID), cmp.Compare(a.Slice, b.Slice),
		cmp.Compare(a.Measure, b.Measure), cmp.Compare(a.Period, b.Period), cmp.Compare(a.SliceKey, b.SliceKey),
		cmp.Compare(a.Outcome, b.Outcome), cmp.Compare(a.Termination, b.Termination))
}

// Span grains and buckets. A span is the interval from a case's start date
// to its end date: received_on → the date of an intake disposition (kind
// accepted, an intake status, or double), or, inverted, accepted_on →
// closed_on when it closed before it was accepted (kind closed). A forward
// span (end after start) of length L days has day bucket bits.Len(L), capped
// at topDayBucket; when it crosses a month boundary it also has a month span
// of length M months in month bucket bits.Len(M), capped at topMonthBucket.
// A bucket b < top holds lengths ≤ 2^b − 1, so the spans of bucket b that
// straddle a date F (start < F ≤ end) all end in [F, F + 2^b − 2]: an index
// range per bucket finds them, reading at most about twice as many rows as
// it counts. Inverted spans (end before start, day bucket 0) are rare and
// read whole.
const (
	topDayBucket   = 12
	topMonthBucket = 7
)

// spanKey is one row of case_stat_span.
type spanKey struct {
	OrganID              int64
	Grain                string
	Bucket               int
	EndOn, StartOn, Kind string
}

func compareSpanKey(a, b spanKey) int {
	return cmp.Or(cmp.Compare(a.OrganID, b.OrganID), cmp.Compare(a.Grain, b.Grain), cmp.Compare(a.Bucket, b.Bucket),
		cmp.Compare(a.EndOn, b.EndOn), cmp.Compare(a.StartOn, b.StartOn), cmp.Compare(a.Kind, b.Kind))
}

// delta is what a batch of case writes changes in the rollup.
type delta struct {
	cells map[cellKey]cellVal
	spans map[spanKey]int64
}

func newDelta() *delta {
	return &delta{cells: map[cellKey]cellVal{}, spans: map[spanKey]int64{}}
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

// sliceKeys are the case's keys in storedSlices order.
func sliceKeys(c *models.Case) [4]string {
	h := ""
	if c.HandlerID != nil {
		h = strconv.FormatInt(*c.HandlerID, 10)
	}
	return [4]string{strconv.FormatInt(c.RespondentID, 10), c.ActType, c.Area, h}
}

func isIntakeStatus(s string) bool {
	for _, x := range intakeStatuses {
		if x == s {
			return true
		}
	}
	return false
}

// intakeDisposition is the case's pre-acceptance disposition ("" without
// one): its status when that is an intake status with an intake_on.
func intakeDisposition(c *models.Case) string {
	if isIntakeStatus(c.Status) && c.IntakeOn != nil {
		return c.Status
	}
	return ""
}

// addCase adds n times what case c contributes to the rollup; derived are its
// derived flags (FlagOnTime). The SQL of Rebuild states the same rules.
func (d *delta) addCase(c *models.Case, derived int, n int64) {
	if c == nil {
		return
	}
	keys := sliceKeys(c)
	cell := func(measure, day, outcome, termination string, flags int, sliced bool, n int64) {
		var v cellVal
		v[0] = n
		for b := 0; b < nFlags; b++ {
			if flags&(1<<b) != 0 {
				v[1+b] = n
			}
		}
		// The finest grain only (apply adds each cell's change to its
		// coarser grains: fewer map updates when a batch's cases share
		// days): days for the totals, months for the slices.
		k := cellKey{Grain: gDay, OrganID: c.OrganID, Measure: measure, Period: day, Outcome: outcome, Termination: termination}
		d.addCell(k, v)
		if sliced {
			k.Grain, k.Period = gMonth, prefix(day, periodLen[gMonth])
			for i, sl := range storedSlices {
				k.Slice, k.SliceKey = sl, keys[i]
				d.addCell(k, v)
			}
		}
	}
	cell(mReceived, c.ReceivedOn, "", "", 0, true, n)
	if c.AcceptedOn != nil {
		acc := *c.AcceptedOn
		cell(mAccepted, acc, "", "", caseFlags(c)&FlagDeemedAccepted, true, n)
		cell(mOpen, acc, "", "", 0, false, n)
		d.addSpan(c.OrganID, mAccepted, c.ReceivedOn, acc, n)
		if c.ClosedOn != nil {
			closed := *c.ClosedOn
			cell(mClosed, closed, c.Outcome, c.Termination, caseFlags(c)|derived, true, n)
			cell(mOpen, closed, "", "", 0, false, -n)
			if closed < acc {
				d.addSpan(c.OrganID, kindClosed, acc, closed, n)
			}
		}
	}
	if disp := intakeDisposition(c); disp != "" {
		on := *c.IntakeOn
		cell(disp, on, "", "", 0, disp == mNotAccepted, n)
		d.addSpan(c.OrganID, disp, c.ReceivedOn, on, n)
		if c.AcceptedOn != nil {
			later := max(*c.AcceptedOn, on)
			cell(mDouble, later, "", "", 0, false, n)
			d.addSpan(c.OrganID, mDouble, c.ReceivedOn, later, n)
		}
	}
}

func (d *delta) addCell(k cellKey, v cellVal) {
	cur := d.cells[k]
	for i := range cur {
		cur[i] += v[i]
	}
	d.cells[k] = cur
}

// addSpan adds n spans of kind from start to end (see topDayBucket).
func (d *delta) addSpan(organID int64, kind, start, end string, n int64) {
	switch {
	case end == start:
		return
	case end < start:
		d.spans[spanKey{organID, "d", 0, end, start, kind}] += n
		return
	}
	d.spans[spanKey{organID, "d", dayBucket(start, end), end, start, kind}] += n
	if kind != kindClosed && prefix(end, 7) > prefix(start, 7) {
		d.spans[spanKey{organID, "m", monthBucket(start, end), prefix(end, 7), prefix(start, 7), kind}] += n
	}
}

// dayBucket is the day bucket of a forward span (topDayBucket when a date
// does not parse, as the SQL's NULL length).
func dayBucket(start, end string) int {
	s, err1 := time.Parse(time.DateOnly, start)
	e, err2 := time.Parse(time.DateOnly, end)
	if err1 != nil || err2 != nil {
		return topDayBucket
	}
	return min(bits.Len(uint(e.Sub(s)/(24*time.Hour))), topDayBucket)
}

// monthBucket is the month bucket of a span crossing a month boundary.
func monthBucket(start, end string) int {
	ms, ok1 := monthNumber(start)
	me, ok2 := monthNumber(end)
	if !ok1 || !ok2 || me <= ms {
		return topMonthBucket
	}
	return min(bits.Len(uint(me-ms)), topMonthBucket)
}

// monthNumber is year × 12 + month of a "YYYY-MM…" date.
func monthNumber(d string) (int, bool) {
	if len(d) < 7 {
		return 0, false
	}
	y, err1 := strconv.Atoi(d[:4])
	m, err2 := strconv.Atoi(d[5:7])
	return y*12 + m, err1 == nil && err2 == nil
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
// once per batch, by multi-row upserts (cellsPerStatement cells a statement). Changes are
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
	return s.prepare(changes, memo, derived).Write(ctx, tx)
}

// PreparedRollup is the rollup change of a batch of new cases, computed
// ahead of its transaction (PrepareCreated): Write applies it.
type PreparedRollup struct {
	s        *Service
	memo     map[int64]int
	stored   map[int64]int // the memo rows as the database holds them (see writeMemo)
	touched  map[int64]bool
	cellArgs [nGrains][]any // the upsert arguments of each grain's cells, in key order
	spanArgs []any
}

// PrepareCreated computes, without the database, what RollupBatch would
// write for changes that all create cases (Before nil, After with its id)
// whose derived flags the caller knows (Derived set on every closed case):
// no memo nor deadline needs reading for them. The ledger import prepares its batches on its reading goroutine
// while its transaction writes the batch before. ok is false (nothing
// prepared) when a change does not qualify: use RollupBatch.
func (s *Service) PrepareCreated(changes []CaseChange) (p *PreparedRollup, ok bool) {
	derived := make([]int, len(changes))
	for i, ch := range changes {
		c := ch.After
		if ch.Before != nil || c == nil || c.ID == 0 {
			return nil, false
		}
		if c.AcceptedOn == nil || c.ClosedOn == nil {
			continue // no derived flag (as derivedBatch)
		}
		if ch.Derived == nil {
			return nil, false
		}
		derived[i] = *ch.Derived & derivedMask
	}
	return s.prepare(changes, map[int64]int{}, derived), true
}

// prepare merges the changes' contributions (memo: the derived flags of
// the Before cases; derived: those of each After case) into the memo rows
// and the cell and span upserts to write.
func (s *Service) prepare(changes []CaseChange, memo map[int64]int, derived []int) *PreparedRollup {
	// stored is the memo as the database holds it: a row that keeps its
	// value is not written again.
	stored := maps.Clone(memo)
	d := newDelta()
	touched := map[int64]bool{}
	for i, ch := range changes {
		if ch.Before != nil {
			f := 0
			if ch.Before.ID != 0 {
				f = memo[ch.Before.ID]
			}
			d.addCase(ch.Before, f, -1)
		}
		if ch.After != nil {
			d.addCase(ch.After, derived[i], 1)
			if ch.After.ID != 0 {
				memo[ch.After.ID] = derived[i]
				touched[ch.After.ID] = true
			}
		} else if ch.Before != nil && ch.Before.ID != 0 {
			delete(memo, ch.Before.ID)
			touched[ch.Before.ID] = true
		}
	}
	p := &PreparedRollup{s: s, memo: memo, stored: stored, touched: touched}
	p.cellArgs, p.spanArgs = d.upsertArgs()
	return p
}

// Write applies the prepared change in tx: the memo rows, then the cells
// and spans (see apply).
func (p *PreparedRollup) Write(ctx context.Context, tx *gorm.DB) error {
	tx = tx.WithContext(ctx).Session(&gorm.Session{NewDB: true})
	if err := writeMemo(tx, p.memo, p.stored, p.touched); err != nil {
		return err
	}
	return p.s.apply(ctx, tx, p.cellArgs, p.spanArgs)
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

// writeMemo upserts the memo rows of the touched cases still in memo whose
// value is not the stored one and deletes the others, in case_id order
// (deadlock-free on PostgreSQL).
func writeMemo(tx *gorm.DB, memo, stored map[int64]int, touched map[int64]bool) error {
	var ups, dels []int64
	for id := range touched {
		if f, ok := memo[id]; ok {
			if was, ok := stored[id]; ok && was == f {
				continue
			}
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

// apply upserts the non-zero changes: the finest cells and, summed from
// them, the coarser ones, each table coarsest grain first, then the
// spans, each in key order, so that concurrent transactions lock the rows
// they share in the same order and cannot deadlock on PostgreSQL (a map's
// iteration order is random). Cells that drop to zero stay (they add
// nothing to any sum); Rebuild removes them. The statements go to the
// transaction's connection directly, prepared once (prepareUpserts): gorm's
// handling of thousands of bound variables, and SQLite's preparing a
// statement per write, cost more than the upserts.
func (s *Service) apply(ctx context.Context, tx *gorm.DB, cellArgs [nGrains][]any, spanArgs []any) error {
	ex := s.newBatchExec(ctx, tx)
	for g := gYear; g <= gDay; g++ {
		if err := ex.upsert(cellUpserts[g], cellArgs[g]); err != nil {
			return errs.Internal(fmt.Errorf("stats rollup: %w", err))
		}
	}
	if err := ex.upsert(spanUpsert, spanArgs); err != nil {
		return errs.Internal(fmt.Errorf("stats rollup: %w", err))
	}
	return nil
}

// upsertArgs completes d with the coarser cells (summed from the finest
// ones) and returns the arguments of the non-zero cells' upserts, per
// grain, and of the spans', each in key order (see apply).
func (d *delta) upsertArgs() (cellArgs [nGrains][]any, spanArgs []any) {
	fine := make([]cellKey, 0, len(d.cells))
	for k, v := range d.cells {
		if v != (cellVal{}) && (k.Grain == gDay || k.Grain == gMonth && k.Slice != "") {
			fine = append(fine, k)
		}
	}
	for _, k := range fine {
		for g := gYear; g < k.Grain; g++ {
			kg := k
			kg.Grain, kg.Period = g, prefix(k.Period, periodLen[g])
			d.addCell(kg, d.cells[k])
		}
	}
	keys := make([]cellKey, 0, len(d.cells))
	for k, v := range d.cells {
		if v != (cellVal{}) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compareCellKey)
	for _, k := range keys {
		g := k.Grain
		cellArgs[g] = append(cellArgs[g], k.OrganID, k.Slice, k.Measure, k.Period, k.SliceKey, k.Outcome, k.Termination)
		for _, x := range d.cells[k] {
			cellArgs[g] = append(cellArgs[g], x)
		}
	}
	spans := make([]spanKey, 0, len(d.spans))
	for k, n := range d.spans {
		if n != 0 {
			spans = append(spans, k)
		}
	}
	slices.SortFunc(spans, compareSpanKey)
	spanArgs = make([]any, 0, 7*len(spans))
	for _, k := range spans {
		spanArgs = append(spanArgs, k.OrganID, k.Grain, k.Bucket, k.EndOn, k.StartOn, k.Kind, d.spans[k])
	}
	return cellArgs, spanArgs
}

// upsertShape is a multi-row upsert: head, rows of width placeholders, tail.
type upsertShape struct {
	head  string
	width int
	tail  string
}

// cellUpsert is the upsert of the cells of grain g.
func cellUpsert(g int) upsertShape {
	table := cellTables[g]
	set := "count = " + table + ".count + excluded.count"
	for _, f := range flagColumns {
		set += ", " + f + " = " + table + "." + f + " + excluded." + f
	}
	return upsertShape{"INSERT INTO " + table + " (organ_id, slice, measure, period, slice_key, outcome, termination, count, " +
		strings.Join(flagColumns, ", ") + ") VALUES ", 8 + nFlags,
		" ON CONFLICT (organ_id, slice, measure, period, slice_key, outcome, termination) DO UPDATE SET " + set}
}

// cellUpserts are cellUpsert of each grain, built once.
var cellUpserts = [nGrains]upsertShape{cellUpsert(gYear), cellUpsert(gMonth), cellUpsert(gDay)}

var spanUpsert = upsertShape{"INSERT INTO case_stat_span (organ_id, grain, bucket, end_on, start_on, kind, count) VALUES ", 7,
	" ON CONFLICT (organ_id, grain, bucket, end_on, start_on, kind) DO UPDATE SET count = case_stat_span.count + excluded.count"}

// upsertKey names one rendered upsert statement.
type upsertKey struct {
	head string
	n    int
	pg   bool
}

// upsertSQL memoises upsertShape.sql (every case write renders its few
// statements; the texts are a fixed set).
var upsertSQL sync.Map // upsertKey → string

// sql is the statement of n rows, with PostgreSQL's numbered placeholders.
func (u upsertShape) sql(n int, pg bool) string {
	k := upsertKey{u.head, n, pg}
	if q, ok := upsertSQL.Load(k); ok {
		return q.(string)
	}
	q := u.render(n, pg)
	upsertSQL.Store(k, q)
	return q
}

func (u upsertShape) render(n int, pg bool) string {
	var sb strings.Builder
	sb.Grow(len(u.head) + len(u.tail) + n*u.width*5)
	sb.WriteString(u.head)
	p := 0
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('(')
		for j := 0; j < u.width; j++ {
			if j > 0 {
				sb.WriteByte(',')
			}
			p++
			if pg {
				sb.WriteByte('$')
				sb.WriteString(strconv.Itoa(p))
			} else {
				sb.WriteByte('?')
			}
		}
		sb.WriteByte(')')
	}
	sb.WriteString(u.tail)
	return sb.String()
}

// chunkRows are the row counts of the prepared upserts: a change of n rows
// goes in chunks of the largest of them not above n, so that every chunk
// runs a statement prepared once, when the service starts (256 rows of 16
// bound variables stay under SQLite's and PostgreSQL's limits).
var chunkRows = []int{256, 64, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}

// prepareUpserts prepares the upserts of every shape and chunk size on the
// write pool (run before any transaction holds SQLite's one connection).
// Without them (a database not yet migrated), upsert prepares each
// statement as it runs it.
func (s *Service) prepareUpserts() {
	pool, err := s.db.Write.DB()
	if err != nil {
		return
	}
	pg := s.db.Dialect == models.Postgres
	stmts := map[string]*sql.Stmt{}
	for _, u := range []upsertShape{cellUpserts[gYear], cellUpserts[gMonth], cellUpserts[gDay], spanUpsert} {
		for _, n := range chunkRows {
			q := u.sql(n, pg)
			st, err := pool.Prepare(q)
			if err != nil {
				for _, st := range stmts {
					st.Close()
				}
				return
			}
			stmts[q] = st
		}
	}
	s.upserts = stmts
}

// batchExec runs multi-row upserts on a transaction's connection.
type batchExec struct {
	ctx     context.Context
	conn    gorm.ConnPool
	tx      *sql.Tx // nil when the connection is not a *sql.Tx
	pg      bool
	upserts map[string]*sql.Stmt
	// packed carries a chunk's values to the SQLite write connection in
	// one argument (models.Packed); nil: value by value.
	packed *models.Packed
}

func (s *Service) newBatchExec(ctx context.Context, tx *gorm.DB) *batchExec {
	e := &batchExec{ctx: ctx, conn: tx.Statement.ConnPool, pg: s.db.Dialect == models.Postgres, upserts: s.upserts}
	if p, ok := e.conn.(*gorm.PreparedStmtTX); ok {
		e.conn = p.Tx // the transaction itself, not gorm's statement cache
	}
	e.tx, _ = e.conn.(*sql.Tx)
	if !e.pg {
		e.packed = &models.Packed{}
	}
	return e
}

// upsert inserts args as rows of u's width, in order.
func (e *batchExec) upsert(u upsertShape, args []any) error {
	for len(args) > 0 {
		n := len(args) / u.width
		for _, c := range chunkRows {
			if c <= n {
				n = c
				break
			}
		}
		q := u.sql(n, e.pg)
		chunk := args[:n*u.width]
		args = args[n*u.width:]
		if e.packed != nil {
			e.packed.Reset()
			if e.packed.AddAll(chunk) == nil {
				done, err := e.packed.Exec(e.ctx, e.conn, q)
				if err != nil {
					return err
				}
				if done {
					continue
				}
			}
			e.packed = nil // not the SQLite write connection, or a value it cannot pack
		}
		var err error
		if st := e.upserts[q]; st != nil && e.tx != nil {
			_, err = e.tx.StmtContext(e.ctx, st).ExecContext(e.ctx, chunk...)
		} else {
			_, err = e.conn.ExecContext(e.ctx, q, chunk...)
		}
		if err != nil {
			return err
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

// fallbackOnTime is on_time without a decision deadline row: closed_on ≤
// accepted_on + DecisionDays (c accepted and closed).
func fallbackOnTime(c *models.Case) int {
	acc, err := time.Parse(time.DateOnly, *c.AcceptedOn)
	if err != nil {
		return 0
	}
	due := acc.AddDate(0, 0, DecisionDays(c.Procedure, c.ExtensionDays)).Format(time.DateOnly)
	if *c.ClosedOn <= due {
		return FlagOnTime
	}
	return 0
}

// onTimeSQL is the SQL of the derived on_time flag over the cases table, as
// derivedBatch: the case's decision deadline (kind decision) has status
// met; without such a row, closed_on ≤ accepted_on + DecisionDays.
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
