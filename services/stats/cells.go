package stats

import (
	"context"
	"encoding/json"
	"fmt"
	"math/bits"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/errs"
)

// ---- covering a period with cells ----

// periodRange is an inclusive range of periods of one grain.
type periodRange [2]string

// cover is a set of cells' periods by grain that together make up a range of
// days exactly once.
type cover [nGrains][]periodRange

// epoch is a date before any case's: cumulative sums start there.
const epoch = "0000-01-01"

func parseDay(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

func formatDay(t time.Time) string { return t.Format(time.DateOnly) }

func formatMonth(t time.Time) string { return t.Format("2006-01") }

func firstOfMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func isMonthEnd(t time.Time) bool { return t.AddDate(0, 0, 1).Day() == 1 }

// coverOf covers the days [from, to] (valid dates) with the fewest cells:
// the days of a partial month at either end, whole months, and whole years
// when years is set (a breakdown by month needs months).
func coverOf(from, to string, years bool) cover {
	var c cover
	if from > to {
		return c
	}
	f, t := parseDay(from), parseDay(to)
	fm, tm := firstOfMonth(f), firstOfMonth(t)
	if fm.Equal(tm) {
		if f.Day() == 1 && isMonthEnd(t) {
			c[gMonth] = append(c[gMonth], periodRange{formatMonth(fm), formatMonth(fm)})
		} else {
			c[gDay] = append(c[gDay], periodRange{from, to})
		}
		return c
	}
	mFrom, mTo := fm, tm
	if f.Day() != 1 {
		c[gDay] = append(c[gDay], periodRange{from, formatDay(fm.AddDate(0, 1, -1))})
		mFrom = fm.AddDate(0, 1, 0)
	}
	if !isMonthEnd(t) {
		c[gDay] = append(c[gDay], periodRange{formatDay(tm), to})
		mTo = tm.AddDate(0, -1, 0)
	}
	if mFrom.After(mTo) {
		return c
	}
	yFrom, yTo := mFrom.Year(), mTo.Year()
	if mFrom.Month() != time.January {
		yFrom++
	}
	if mTo.Month() != time.December {
		yTo--
	}
	if !years || yFrom > yTo {
		c[gMonth] = append(c[gMonth], periodRange{formatMonth(mFrom), formatMonth(mTo)})
		return c
	}
	c[gYear] = append(c[gYear], periodRange{fmt.Sprintf("%04d", yFrom), fmt.Sprintf("%04d", yTo)})
	if mFrom.Month() != time.January {
		c[gMonth] = append(c[gMonth], periodRange{formatMonth(mFrom), fmt.Sprintf("%04d-12", yFrom-1)})
	}
	if mTo.Month() != time.December {
		c[gMonth] = append(c[gMonth], periodRange{fmt.Sprintf("%04d-01", yTo+1), formatMonth(mTo)})
	}
	return c
}

// PeriodCover covers the days [from, to] (valid "YYYY-MM-DD" dates) as the
// rollups read a period, each day exactly once: ranges of whole years
// ("YYYY", index 0), whole months ("YYYY-MM", 1) and days (2, the partial
// months at either end). Nothing when from > to. The litigation rollup reads
// its cells by it.
func PeriodCover(from, to string) [3][][2]string {
	var out [3][][2]string
	for g, rs := range coverOf(from, to, true) {
		for _, r := range rs {
			out[g] = append(out[g], [2]string(r))
		}
	}
	return out
}

// coverBefore covers every day before day.
func coverBefore(day string) cover {
	if day <= epoch {
		return cover{}
	}
	return coverOf(epoch, formatDay(parseDay(day).AddDate(0, 0, -1)), true)
}

// unionCells is the UNION ALL of one SELECT sel(grain) per range of c over the
// cell table of its grain, each filtered by where (with args) and the range.
// It is "" when c is empty.
func unionCells(c cover, sel func(grain int) string, where string, args []any) (string, []any) {
	var parts []string
	var out []any
	for g := 0; g < nGrains; g++ {
		for _, r := range c[g] {
			parts = append(parts, "SELECT "+sel(g)+" FROM "+cellTables[g]+" WHERE "+where+" AND period BETWEEN ? AND ?")
			out = append(append(out, args...), r[0], r[1])
		}
	}
	return strings.Join(parts, " UNION ALL "), out
}

// ---- totals ----

// closedGroup is the closed cases of one (outcome, termination) cell, with
// how many of them carry each flag.
type closedGroup struct {
	Outcome     string
	Termination string
	N           int64
	F           [nFlags]int64
}

// measureTotals are the aggregated cells a report or a breakdown row needs.
type measureTotals struct {
	received, accepted, acceptedDeemed, notAccepted int64
	// other are the totals-only measures: the other intake statuses and double.
	other  map[string]int64
	closed []closedGroup
}

func (m *measureTotals) add(measure, outcome, termination string, v cellVal) {
	switch measure {
	case mReceived:
		m.received += v[0]
	case mAccepted:
		m.accepted += v[0]
		m.acceptedDeemed += v[1+bits.TrailingZeros(FlagDeemedAccepted)]
	case mNotAccepted:
		m.notAccepted += v[0]
	case mClosed:
		// a few groups a key: a linear search beats a map
		for i := range m.closed {
			if g := &m.closed[i]; g.Outcome == outcome && g.Termination == termination {
				g.N += v[0]
				for b := range g.F {
					g.F[b] += v[1+b]
				}
				return
			}
		}
		g := closedGroup{Outcome: outcome, Termination: termination, N: v[0]}
		copy(g.F[:], v[1:])
		m.closed = append(m.closed, g)
	default:
		if m.other == nil {
			m.other = map[string]int64{}
		}
		m.other[measure] += v[0]
	}
}

func (m *measureTotals) empty() bool {
	return m.received == 0 && m.accepted == 0 && m.notAccepted == 0 && m.closedTotal() == 0
}

func (m *measureTotals) closedTotal() int64 {
	var n int64
	for _, g := range m.closed {
		n += g.N
	}
	return n
}

// count evaluates a count spec (a named count with its conditions) on the
// totals; ok is false when the cells cannot answer it: a closed count that
// needs two or more flags at once (the cells count each flag on its own).
func (m *measureTotals) count(spec CountSpec) (n int64, ok bool) {
	mask := flagMask(spec.Flags)
	switch spec.Count {
	case mReceived:
		return m.received, true
	case mNotAccepted:
		return m.notAccepted, true
	case mAccepted:
		// accepted cells carry deemed_accepted only (ValidateSpec allows no
		// other flag on the accepted count)
		switch mask {
		case 0:
			return m.accepted, true
		case FlagDeemedAccepted:
			return m.acceptedDeemed, true
		}
		return 0, true
	}
	if bits.OnesCount(uint(mask)) > 1 {
		return 0, false
	}
	for _, g := range m.closed {
		if !spec.matchesOutcome(g.Outcome, g.Termination) {
			continue
		}
		if mask == 0 {
			n += g.N
		} else {
			n += g.F[bits.TrailingZeros(uint(mask))]
		}
	}
	return n, true
}

// breakdownMeasures are the measures of a breakdown row; reportMeasures add
// the intake dispositions a report needs.
var (
	breakdownMeasures = []string{mReceived, mAccepted, mNotAccepted, mClosed}
	reportMeasures    = append([]string{mReceived, mAccepted, mClosed, mDouble}, intakeStatuses...)
)

// flagsUsed are the flag bits the definitions' numerators need.
func flagsUsed(defs []Definition) int {
	m := 0
	for _, d := range defs {
		m |= flagMask(d.Spec.Numerator.Flags)
	}
	return m
}

// Statement is one SQL statement with its arguments (gorm's: a slice
// argument expands an IN list).
type Statement struct {
	SQL  string
	Args []any
}

// cellStatement is the query of the cells of period p of one slice (see
// totals) as one JSON array of [k, measure, outcome, termination, count,
// the per-flag counts of the bits read]; SQL is "" when p is empty.
func (s *Service) cellStatement(p Period, organIDs []int64, slice string, measures []string, need int) (st Statement, bitsRead []int) {
	if len(organIDs) == 0 {
		organIDs = []int64{-1}
	}
	stored, key := slice, "slice_key"
	switch slice {
	case "":
		key = "''"
	case SliceMonth:
		stored, key = "", "substr(period, 1, 7)"
	}
	cols := "count"
	for b := 0; b < nFlags; b++ {
		if need&(1<<b) != 0 {
			bitsRead = append(bitsRead, b)
			cols += ", " + flagColumns[b]
		}
	}
	c := coverOf(p.From, p.To, slice != SliceMonth)
	var days []periodRange
	if stored != "" {
		// the slices have no day cells: the days of partial months come
		// from the cases
		days, c[gDay] = c[gDay], nil
	}
	u, args := unionCells(c, func(int) string {
		return key + " AS k, measure, outcome, termination, " + cols
	}, "organ_id IN ? AND slice = ? AND measure IN ?", []any{organIDs, stored, measures})
	for _, r := range days {
		q, a := edgeSQL(r, organIDs, slice, measures, bitsRead)
		if u != "" {
			u += " UNION ALL "
		}
		u, args = u+q, append(args, a...)
	}
	if u == "" {
		return Statement{}, nil
	}
	return Statement{s.jsonArraySQL(u, "k, measure, outcome, termination, "+cols), args}, bitsRead
}

// sliceKeySQL is a stored slice's key of a case in SQL, as sliceKeys.
var sliceKeySQL = map[string]string{
	SliceRespondent: "CAST(cases.respondent_id AS TEXT)",
	SliceActType:    "cases.act_type",
	SliceArea:       "cases.area",
	SliceHandler:    "COALESCE(CAST(cases.handler_id AS TEXT), '')",
}

// edgeSQL selects what the cells of the days r of a stored slice would hold,
// from the cases (an index range on the measure's date for each measure):
// rows of k, measure, outcome, termination, count and the per-flag counts
// of bitsRead. The rules are delta.addCase's.
func edgeSQL(r periodRange, organIDs []int64, slice string, measures []string, bitsRead []int) (string, []any) {
	key := sliceKeySQL[slice]
	flags := func(measure string) string {
		out := ""
		for _, b := range bitsRead {
			switch {
			case measure == mClosed, measure == mAccepted && 1<<b == FlagDeemedAccepted:
				out += ", SUM(" + flagSQL(Flags[b].Code, false) + ")"
			default:
				out += ", 0"
			}
			out += " AS " + flagColumns[b]
		}
		return out
	}
	where := map[string]string{
		mReceived:    "cases.received_on BETWEEN ? AND ?",
		mAccepted:    "cases.accepted_on BETWEEN ? AND ?",
		mNotAccepted: "cases.status = '" + mNotAccepted + "' AND cases.intake_on BETWEEN ? AND ?",
		mClosed:      "cases.accepted_on IS NOT NULL AND cases.closed_on BETWEEN ? AND ?",
	}
	var parts []string
	var args []any
	for _, m := range measures {
		sel, group := "'' AS outcome, '' AS termination", "1"
		if m == mClosed {
			sel, group = "cases.outcome AS outcome, cases.termination AS termination", "1, 3, 4"
		}
		from := "cases"
		if m == mClosed {
			from += " LEFT JOIN case_stat_flags f ON f.case_id = cases.id"
		}
		parts = append(parts, "SELECT "+key+" AS k, '"+m+"' AS measure, "+sel+", COUNT(*) AS count"+flags(m)+
			" FROM "+from+" WHERE cases.organ_id IN ? AND "+where[m]+" GROUP BY "+group)
		args = append(args, organIDs, r[0], r[1])
	}
	return strings.Join(parts, " UNION ALL "), args
}

// totals aggregates the measures of period p of one slice ("" = totals,
// "month" = totals by month) by slice key (key "" when slice is ""), from
// the year, month and day cells that cover p; of the per-flag counts it
// reads those of the flag bits in need (the others stay 0). The cells are
// summed here rather than by a GROUP BY: SQLite's sorter costs more than
// the rows.
func (s *Service) totals(ctx context.Context, db *gorm.DB, p Period, organIDs []int64, slice string, measures []string, need int) (map[string]*measureTotals, error) {
	st, bitsRead := s.cellStatement(p, organIDs, slice, measures, need)
	out := map[string]*measureTotals{}
	if st.SQL == "" {
		return out, nil
	}
	var last *measureTotals
	lastKey := ""
	var v cellVal
	err := s.jsonRows(ctx, db, st, 4, func(str []string, num []int64) error {
		if len(str) != 4 || len(num) != 1+len(bitsRead) {
			return fmt.Errorf("stats: cell row %v %v", str, num)
		}
		if last == nil || str[0] != lastKey {
			if last = out[str[0]]; last == nil {
				last = &measureTotals{}
				out[str[0]] = last
			}
			lastKey = str[0]
		}
		v[0] = num[0]
		for i, b := range bitsRead {
			v[1+b] = num[1+i]
		}
		last.add(str[1], str[2], str[3], v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// jsonArraySQL selects the columns cols of the rows of query q as one JSON
// array of arrays built by the database: thousands of cell rows cost
// go-sqlite3 a cgo call per column and row, and encoding/json's reflection
// as much again, far more than the database's JSON and decodeRows.
func (s *Service) jsonArraySQL(q, cols string) string {
	if s.db.Dialect == models.Postgres {
		return "SELECT CAST(COALESCE(json_agg(json_build_array(" + cols + ")), '[]') AS TEXT) FROM (" + q + ") u"
	}
	return "SELECT json_group_array(json_array(" + cols + ")) FROM (" + q + ") u"
}

// jsonRows runs a jsonArraySQL statement and hands fn each row: its first
// nStr columns are strings, the others integers.
func (s *Service) jsonRows(ctx context.Context, db *gorm.DB, st Statement, nStr int, fn func(str []string, num []int64) error) error {
	var doc []byte
	rows, err := db.WithContext(ctx).Raw(st.SQL, st.Args...).Rows()
	if err != nil {
		return errs.Internal(err)
	}
	defer rows.Close()
	if rows.Next() {
		err = rows.Scan(&doc)
	}
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		return errs.Internal(err)
	}
	if err := decodeRows(doc, nStr, fn); err != nil {
		return errs.Internal(err)
	}
	return nil
}

// decodeRows decodes a JSON array of arrays whose first nStr elements are
// strings and the others integers, calling fn with each row (the slices are
// reused between calls; equal strings are one string).
func decodeRows(doc []byte, nStr int, fn func(str []string, num []int64) error) error {
	i := 0
	ws := func() {
		for i < len(doc) && (doc[i] == ' ' || doc[i] == '\n' || doc[i] == '\t' || doc[i] == '\r') {
			i++
		}
	}
	expect := func(c byte) error {
		ws()
		if i >= len(doc) || doc[i] != c {
			return fmt.Errorf("stats: JSON rows: %q expected at %d", c, i)
		}
		i++
		return nil
	}
	str := make([]string, 0, nStr)
	var num []int64
	// the same few codes and keys recur in every row
	intern := map[string]string{}
	if err := expect('['); err != nil {
		return err
	}
	for first := true; ; first = false {
		ws()
		if i < len(doc) && doc[i] == ']' {
			return nil
		}
		if !first {
			if err := expect(','); err != nil {
				return err
			}
		}
		if err := expect('['); err != nil {
			return err
		}
		str, num = str[:0], num[:0]
		for col := 0; ; col++ {
			ws()
			if i < len(doc) && doc[i] == ']' {
				i++
				break
			}
			if col > 0 {
				if err := expect(','); err != nil {
					return err
				}
				ws()
			}
			start := i
			if i < len(doc) && doc[i] == '"' {
				escaped := false
				for i++; i < len(doc) && doc[i] != '"'; i++ {
					if doc[i] == '\\' {
						escaped = true
						i++
					}
				}
				if i >= len(doc) {
					return fmt.Errorf("stats: JSON rows: unterminated string at %d", start)
				}
				i++
				v, ok := intern[string(doc[start+1:i-1])] // no allocation for the lookup
				if !ok {
					v = string(doc[start+1 : i-1])
					intern[v] = v
				}
				if escaped {
					if err := json.Unmarshal(doc[start:i], &v); err != nil {
						return err
					}
				}
				str = append(str, v)
				continue
			}
			neg := i < len(doc) && doc[i] == '-'
			if neg {
				i++
			}
			var v int64
			for ; i < len(doc) && doc[i] >= '0' && doc[i] <= '9'; i++ {
				v = v*10 + int64(doc[i]-'0')
			}
			if i == start || neg && i == start+1 || i-start > 19 {
				return fmt.Errorf("stats: JSON rows: integer expected at %d", start)
			}
			if neg {
				v = -v
			}
			num = append(num, v)
		}
		if len(str) != nStr {
			return fmt.Errorf("stats: JSON rows: %d strings, want %d", len(str), nStr)
		}
		if err := fn(str, num); err != nil {
			return err
		}
	}
}

// counter evaluates count specs on the totals of one slice, reading the cases
// table (once per spec) for the specs the cells cannot answer.
type counter struct {
	s      *Service
	ctx    context.Context
	db     *gorm.DB
	p      Period
	organs []int64
	slice  string
	joint  map[string]map[string]int64
}

func (c *counter) count(spec CountSpec, key string, t *measureTotals) (int64, error) {
	if n, ok := t.count(spec); ok {
		return n, nil
	}
	b, _ := json.Marshal(spec)
	m, ok := c.joint[string(b)]
	if !ok {
		var err error
		if m, err = c.s.directCounts(c.ctx, c.db, spec, c.p, c.organs, c.slice); err != nil {
			return 0, err
		}
		if c.joint == nil {
			c.joint = map[string]map[string]int64{}
		}
		c.joint[string(b)] = m
	}
	return m[key], nil
}

// metric computes definition d on the totals of key.
func (c *counter) metric(d Definition, key string, t *measureTotals) (Metric, error) {
	num, err := c.count(d.Spec.Numerator, key, t)
	if err != nil {
		return Metric{}, err
	}
	den, err := c.count(CountSpec{Count: d.Spec.Denominator}, key, t)
	if err != nil {
		return Metric{}, err
	}
	return NewMetric(d.Key, d.NameZH, d.NameEN, num, den), nil
}

// directCounts counts the cases of a count spec in period p by slice key
// straight from the cases table, with the drill-down's conditions (an index
// range over the period's cases of that count).
func (s *Service) directCounts(ctx context.Context, db *gorm.DB, spec CountSpec, p Period, organIDs []int64, slice string) (map[string]int64, error) {
	key := "''"
	switch slice {
	case SliceRespondent:
		key = "CAST(cases.respondent_id AS TEXT)"
	case SliceActType:
		key = "cases.act_type"
	case SliceArea:
		key = "cases.area"
	case SliceHandler:
		key = "COALESCE(CAST(cases.handler_id AS TEXT), '')"
	case SliceMonth:
		day := map[string]string{mReceived: "cases.received_on", mAccepted: "cases.accepted_on", mNotAccepted: "cases.intake_on"}[spec.Count]
		if day == "" {
			day = "cases.closed_on"
		}
		key = MonthExpr(day)
	}
	where, args := s.countSQL(spec, p)
	var rows []struct {
		K string
		N int64
	}
	q := db.WithContext(ctx).Session(&gorm.Session{NewDB: true}).Table("cases").Select(key+" AS k, COUNT(*) AS n").
		Where("cases.organ_id IN ?", append([]int64{-1}, organIDs...)).Where(where, args...)
	if slice != "" {
		q = q.Group(key)
	}
	err := q.Scan(&rows).Error
	if err != nil {
		return nil, errs.Internal(err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.K] += r.N
	}
	return out, nil
}

// ---- the period-end dependent figures ----

// invertedSpan is a span that ends before it starts.
type invertedSpan struct {
	Kind, EndOn, StartOn string
	N                    int64
}

// spanFigures are what a report reads from the spans and the open measure.
type spanFigures struct {
	// straddle counts by kind the forward spans with start < from ≤ end ≤ to.
	straddle map[string]int64
	inverted []invertedSpan
	// openTo and openBefore are the open measure summed up to the period's
	// end and before its start.
	openTo, openBefore int64
}

// spanStatements are the queries of a report's period-end dependent
// figures: the forward spans that straddle p's start and end by its end, by
// kind (an index range per grain and bucket: see topDayBucket; SQL "" when
// there is none), the organs' inverted spans, and the open measure summed
// up to p's end (w "to") and before its start (w "before").
func spanStatements(p Period, organIDs []int64) (straddle, inverted, open Statement) {
	if len(organIDs) == 0 {
		organIDs = []int64{-1}
	}
	f, t := parseDay(p.From), parseDay(p.To)
	var parts []string
	add := func(grain string, bucket int, lo, hi, before string) {
		parts = append(parts, "SELECT kind, count FROM case_stat_span WHERE organ_id IN ? AND grain = ? AND bucket = ? AND end_on BETWEEN ? AND ? AND start_on < ?")
		straddle.Args = append(straddle.Args, organIDs, grain, bucket, lo, hi, before)
	}
	dayFrom := f
	if f.Day() == 1 {
		// From the start of a month: the spans that cross into the period's
		// whole months are month spans; the day spans only serve the days of
		// a partial last month.
		last := firstOfMonth(t)
		if !isMonthEnd(t) {
			last = last.AddDate(0, -1, 0)
		}
		if !last.Before(f) {
			for b := 1; b <= topMonthBucket; b++ {
				hi := last
				if lim := f.AddDate(0, 1<<b-2, 0); b < topMonthBucket && lim.Before(hi) {
					hi = lim
				}
				add("m", b, formatMonth(f), formatMonth(hi), formatMonth(f))
			}
		}
		dayFrom = last.AddDate(0, 1, 0)
	}
	if !dayFrom.After(t) {
		for b := 1; b <= topDayBucket; b++ {
			hi := t
			if lim := f.AddDate(0, 0, 1<<b-2); b < topDayBucket && lim.Before(hi) {
				hi = lim
			}
			if hi.Before(dayFrom) {
				continue
			}
			add("d", b, formatDay(dayFrom), formatDay(hi), p.From)
		}
	}
	if len(parts) > 0 {
		straddle.SQL = "SELECT kind, SUM(count) AS n FROM (" + strings.Join(parts, " UNION ALL ") + ") u GROUP BY kind"
	}
	inverted = Statement{`SELECT kind, end_on, start_on, SUM(count) AS n FROM case_stat_span
		WHERE organ_id IN ? AND grain = 'd' AND bucket = 0 GROUP BY kind, end_on, start_on`, []any{organIDs}}
	where := "organ_id IN ? AND slice = '' AND measure = '" + mOpen + "'"
	u1, a1 := unionCells(coverOf(epoch, p.To, true), func(int) string { return "'to' AS w, count" }, where, []any{organIDs})
	u2, a2 := unionCells(coverBefore(p.From), func(int) string { return "'before' AS w, count" }, where, []any{organIDs})
	if u2 != "" {
		u1, a1 = u1+" UNION ALL "+u2, append(a1, a2...)
	}
	open = Statement{"SELECT w, SUM(count) AS n FROM (" + u1 + ") u GROUP BY w", a1}
	return straddle, inverted, open
}

// ReportStatements are the rollup queries Report runs for the
// reconsideration figures of p over organs when the metric definitions
// need the per-flag counts of the bits need (FlagOnTime for the built-in
// ones): for the benchmark's in-process floor and the query plans.
func (s *Service) ReportStatements(p Period, organIDs []int64, need int) []Statement {
	cells, _ := s.cellStatement(p, organIDs, "", reportMeasures, need)
	straddle, inverted, open := spanStatements(p, organIDs)
	out := []Statement{cells}
	if straddle.SQL != "" {
		out = append(out, straddle)
	}
	return append(out, inverted, open)
}

// readSpanFigures runs spanStatements.
func (s *Service) readSpanFigures(ctx context.Context, db *gorm.DB, p Period, organIDs []int64) (*spanFigures, error) {
	out := &spanFigures{straddle: map[string]int64{}}
	straddle, inverted, open := spanStatements(p, organIDs)
	q := db.WithContext(ctx).Session(&gorm.Session{NewDB: true})
	if straddle.SQL != "" {
		var rows []struct {
			Kind string
			N    int64
		}
		if err := q.Raw(straddle.SQL, straddle.Args...).Scan(&rows).Error; err != nil {
			return nil, errs.Internal(err)
		}
		for _, r := range rows {
			out.straddle[r.Kind] = r.N
		}
	}
	if err := q.Raw(inverted.SQL, inverted.Args...).Scan(&out.inverted).Error; err != nil {
		return nil, errs.Internal(err)
	}
	var sums []struct {
		W string
		N int64
	}
	if err := q.Raw(open.SQL, open.Args...).Scan(&sums).Error; err != nil {
		return nil, errs.Internal(err)
	}
	for _, o := range sums {
		if o.W == "to" {
			out.openTo = o.N
		} else {
			out.openBefore = o.N
		}
	}
	return out, nil
}

// disposedBy is, of the cases received in p whose disposition of kind took
// place on a day in p, how many took place by p.To — the number of kind
// among the received of p as of its end: the cells count those disposed of
// in p (inP); less those received before p (the straddling spans); plus
// those received in p but disposed of before it, less those disposed of in
// p but received after it (inverted spans).
func (sf *spanFigures) disposedBy(kind string, inP int64, p Period) int64 {
	n := inP - sf.straddle[kind]
	for _, v := range sf.inverted {
		if v.Kind != kind {
			continue
		}
		if v.EndOn < p.From && v.StartOn >= p.From && v.StartOn <= p.To {
			n += v.N
		}
		if v.EndOn >= p.From && v.EndOn <= p.To && v.StartOn > p.To {
			n -= v.N
		}
	}
	return n
}

// pendingEnd and carriedOver: accepted by the day less closed by the day
// (the open sums), plus the cases closed by the day but accepted after it
// (inverted closings).
func (sf *spanFigures) pendingEnd(p Period) int64 {
	n := sf.openTo
	for _, v := range sf.inverted {
		if v.Kind == kindClosed && v.EndOn <= p.To && v.StartOn > p.To {
			n += v.N
		}
	}
	return n
}

func (sf *spanFigures) carriedOver(p Period) int64 {
	n := sf.openBefore
	for _, v := range sf.inverted {
		if v.Kind == kindClosed && v.EndOn < p.From && v.StartOn >= p.From {
			n += v.N
		}
	}
	return n
}
