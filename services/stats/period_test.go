package stats

import (
	"context"
	"fmt"
	"math/rand"
	"regexp"
	"sort"
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/codes"
)

// The reference computation: every figure of a report and of a breakdown
// straight from the cases, by the period rules of the package doc. The
// derived flags (on_time) are the memo's, as the drill-down's.

type refCase struct {
	c     models.Case
	flags int // case flags | derived flags
}

func loadRef(t *testing.T, f *fixture) []refCase {
	t.Helper()
	var cases []models.Case
	if err := f.db.Read.Order("id").Find(&cases).Error; err != nil {
		t.Fatal(err)
	}
	var memo []models.CaseStatFlags
	if err := f.db.Read.Find(&memo).Error; err != nil {
		t.Fatal(err)
	}
	derived := map[int64]int{}
	for _, m := range memo {
		derived[m.CaseID] = m.Flags
	}
	out := make([]refCase, len(cases))
	for i, c := range cases {
		fl := derived[c.ID] & FlagOnTime
		for bit, on := range map[int]bool{FlagDeemedAccepted: c.DeemedAccepted, FlagPartial: c.OutcomePartial, FlagRedo: c.OutcomeRedo,
			FlagHearing: c.HearingHeld, FlagCommittee: c.CommitteeConsulted, FlagExtended: c.ExtensionDays > 0, FlagSimplified: c.Procedure == "simplified"} {
			if on {
				fl |= bit
			}
		}
		out[i] = refCase{c: c, flags: fl}
	}
	return out
}

func within(d *string, p Period) bool { return d != nil && *d >= p.From && *d <= p.To }

// refCounts says, for the count of a spec, whether case r is counted in p.
func refCounted(r refCase, spec CountSpec, p Period) bool {
	c := r.c
	switch spec.Count {
	case mReceived:
		return within(&c.ReceivedOn, p)
	case mAccepted:
		// the accepted count knows only the deemed_accepted flag
		mask := flagMask(spec.Flags)
		return within(c.AcceptedOn, p) && mask&^FlagDeemedAccepted == 0 && (mask == 0 || c.DeemedAccepted)
	case mNotAccepted:
		return c.Status == "not_accepted" && within(c.IntakeOn, p)
	}
	if c.AcceptedOn == nil || !within(c.ClosedOn, p) {
		return false
	}
	mask := flagMask(spec.Flags)
	return r.flags&mask == mask && spec.matchesOutcome(c.Outcome, c.Termination)
}

type refFigures struct {
	received, accepted, notAccepted, closed, carried, pending int64
	outcomes, terminations, intake                            map[string]int64
	metrics                                                   map[string][2]int64
}

func newRefFigures() *refFigures {
	return &refFigures{outcomes: map[string]int64{}, terminations: map[string]int64{}, intake: map[string]int64{}, metrics: map[string][2]int64{}}
}

func refReport(cases []refCase, organs []int64, p Period, defs []Definition) *refFigures {
	out := newRefFigures()
	inOrgans := map[int64]bool{}
	for _, o := range organs {
		inOrgans[o] = true
	}
	for _, r := range cases {
		c := r.c
		if !inOrgans[c.OrganID] {
			continue
		}
		if within(&c.ReceivedOn, p) {
			out.received++
			acc := c.AcceptedOn != nil && *c.AcceptedOn <= p.To
			disp := isIntakeStatus(c.Status) && c.IntakeOn != nil && *c.IntakeOn <= p.To
			if acc {
				out.intake["accepted"]++
			}
			if disp {
				out.intake[c.Status]++
			}
			if !acc && !disp {
				out.intake["pending"]++
			}
		}
		if within(c.AcceptedOn, p) {
			out.accepted++
		}
		if c.Status == "not_accepted" && within(c.IntakeOn, p) {
			out.notAccepted++
		}
		if c.AcceptedOn != nil && within(c.ClosedOn, p) {
			out.closed++
			if codes.Outcomes.Has(c.Outcome) {
				out.outcomes[c.Outcome]++
			}
			if c.Outcome == "terminated" && codes.Terminations.Has(c.Termination) {
				out.terminations[c.Termination]++
			}
		}
		if c.AcceptedOn != nil && *c.AcceptedOn <= p.To && (c.ClosedOn == nil || *c.ClosedOn > p.To) {
			out.pending++
		}
		if c.AcceptedOn != nil && *c.AcceptedOn < p.From && (c.ClosedOn == nil || *c.ClosedOn >= p.From) {
			out.carried++
		}
		for _, d := range defs {
			m := out.metrics[d.Key]
			if refCounted(r, d.Spec.Numerator, p) {
				m[0]++
			}
			if refCounted(r, CountSpec{Count: d.Spec.Denominator}, p) {
				m[1]++
			}
			out.metrics[d.Key] = m
		}
	}
	return out
}

// refBreakdown is the breakdown by slice: each case's key per measure.
func refBreakdown(cases []refCase, organs []int64, p Period, defs []Definition, by string) map[string]*refFigures {
	out := map[string]*refFigures{}
	inOrgans := map[int64]bool{}
	for _, o := range organs {
		inOrgans[o] = true
	}
	get := func(k string) *refFigures {
		if out[k] == nil {
			out[k] = newRefFigures()
		}
		return out[k]
	}
	for _, r := range cases {
		c := r.c
		if !inOrgans[c.OrganID] {
			continue
		}
		key := func(day string) string {
			switch by {
			case SliceRespondent:
				return strconv.FormatInt(c.RespondentID, 10)
			case SliceActType:
				return c.ActType
			case SliceArea:
				return c.Area
			case SliceHandler:
				if c.HandlerID == nil {
					return ""
				}
				return strconv.FormatInt(*c.HandlerID, 10)
			}
			return day[:7]
		}
		if within(&c.ReceivedOn, p) {
			get(key(c.ReceivedOn)).received++
		}
		if within(c.AcceptedOn, p) {
			get(key(*c.AcceptedOn)).accepted++
		}
		if c.Status == "not_accepted" && within(c.IntakeOn, p) {
			get(key(*c.IntakeOn)).notAccepted++
		}
		if c.AcceptedOn != nil && within(c.ClosedOn, p) {
			g := get(key(*c.ClosedOn))
			g.closed++
			g.outcomes[c.Outcome]++
			if c.Outcome == "terminated" {
				g.terminations[c.Termination]++
			}
		}
		for _, d := range defs {
			for i, spec := range []CountSpec{d.Spec.Numerator, {Count: d.Spec.Denominator}} {
				if !refCounted(r, spec, p) {
					continue
				}
				day := map[string]*string{mReceived: &c.ReceivedOn, mAccepted: c.AcceptedOn, mNotAccepted: c.IntakeOn}[spec.Count]
				if day == nil {
					day = c.ClosedOn
				}
				g := get(key(*day))
				m := g.metrics[d.Key]
				m[i]++
				g.metrics[d.Key] = m
			}
		}
	}
	for k, g := range out {
		if g.received == 0 && g.accepted == 0 && g.notAccepted == 0 && g.closed == 0 {
			delete(out, k) // a key with metric counts only has a count too
		}
	}
	return out
}

// compareReport checks every figure of a report against the reference.
func compareReport(t *testing.T, label string, r *Report, want *refFigures) {
	t.Helper()
	rc := r.Reconsideration
	got := [6]int64{rc.Received, rc.Accepted, rc.NotAccepted, rc.Closed, rc.CarriedOver, rc.PendingEnd}
	exp := [6]int64{want.received, want.accepted, want.notAccepted, want.closed, want.carried, want.pending}
	if got != exp {
		t.Errorf("%s: received/accepted/not_accepted/closed/carried/pending = %v, want %v", label, got, exp)
	}
	for _, c := range codes.Outcomes {
		if rc.Outcomes[c.Code] != want.outcomes[c.Code] {
			t.Errorf("%s: outcome %s = %d, want %d", label, c.Code, rc.Outcomes[c.Code], want.outcomes[c.Code])
		}
	}
	for _, c := range codes.Terminations {
		if rc.Terminations[c.Code] != want.terminations[c.Code] {
			t.Errorf("%s: termination %s = %d, want %d", label, c.Code, rc.Terminations[c.Code], want.terminations[c.Code])
		}
	}
	for _, d := range IntakeDispositions {
		if rc.Intake[d] != want.intake[d] {
			t.Errorf("%s: intake %s = %d, want %d", label, d, rc.Intake[d], want.intake[d])
		}
	}
	if len(rc.Metrics) != len(want.metrics) {
		t.Errorf("%s: %d metrics, want %d", label, len(rc.Metrics), len(want.metrics))
	}
	for k, m := range want.metrics {
		if g := rc.Metrics[k]; g.Numerator != m[0] || g.Denominator != m[1] {
			t.Errorf("%s: metric %s = %d/%d, want %d/%d", label, k, g.Numerator, g.Denominator, m[0], m[1])
		}
	}
}

func compareBreakdown(t *testing.T, label string, b *Breakdown, want map[string]*refFigures) {
	t.Helper()
	seen := map[string]bool{}
	for _, row := range b.Rows {
		seen[row.Key] = true
		w := want[row.Key]
		if w == nil {
			t.Errorf("%s: row %q not in the reference: %+v", label, row.Key, row)
			continue
		}
		got := [4]int64{row.Received, row.Accepted, row.NotAccepted, row.Closed}
		if exp := [4]int64{w.received, w.accepted, w.notAccepted, w.closed}; got != exp {
			t.Errorf("%s %q: received/accepted/not_accepted/closed = %v, want %v", label, row.Key, got, exp)
		}
		for _, c := range codes.Outcomes {
			if row.Outcomes[c.Code] != w.outcomes[c.Code] {
				t.Errorf("%s %q: outcome %s = %d, want %d", label, row.Key, c.Code, row.Outcomes[c.Code], w.outcomes[c.Code])
			}
		}
		for _, c := range codes.Terminations {
			if row.Terminations[c.Code] != w.terminations[c.Code] {
				t.Errorf("%s %q: termination %s = %d, want %d", label, row.Key, c.Code, row.Terminations[c.Code], w.terminations[c.Code])
			}
		}
		for k, m := range row.Metrics {
			if wm := w.metrics[k]; m.Numerator != wm[0] || m.Denominator != wm[1] {
				t.Errorf("%s %q: metric %s = %d/%d, want %d/%d", label, row.Key, k, m.Numerator, m.Denominator, wm[0], wm[1])
			}
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("%s: row %q missing", label, k)
		}
	}
}

// randomPeriod draws a period of 2018–2025: single days, partial months,
// whole months, quarters, years, several years, and ranges that start or end
// on a month boundary or not.
func randomPeriod(rng *rand.Rand) Period {
	day := func() time.Time { return time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.Intn(8*365)) }
	f := day()
	var t time.Time
	switch rng.Intn(8) {
	case 0: // a single day
		t = f
	case 1: // within a month
		t = f.AddDate(0, 0, rng.Intn(20))
	case 2: // whole months
		f = firstOfMonth(f)
		t = f.AddDate(0, 1+rng.Intn(5), -1)
	case 3: // whole years
		f = time.Date(f.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		t = f.AddDate(1+rng.Intn(3), 0, -1)
	case 4: // from a month start to any day
		f = firstOfMonth(f)
		t = f.AddDate(0, 0, rng.Intn(500))
	case 5: // from any day to a month end
		t = firstOfMonth(f.AddDate(0, rng.Intn(30), 0)).AddDate(0, 1, -1)
	default: // any days, up to several years apart
		t = f.AddDate(0, 0, rng.Intn(1500))
	}
	return Period{From: formatDay(f), To: formatDay(t)}
}

// randomIntakeCase is randomCase with intake lags from days to years, some
// dates inverted (disposed or closed before received or accepted), some
// cases both accepted and disposed of before acceptance, some never disposed.
func randomIntakeCase(f *fixture, rng *rand.Rand) *models.Case {
	rec := time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.Intn(8*365))
	c := f.cs(formatDay(rec), "", "", "", "")
	if rng.Intn(4) == 0 {
		c.OrganID, c.RespondentID = f.organ2, 999
	}
	c.ActType = codes.ActTypes[rng.Intn(4)].Code
	c.Area = []string{"", "public_security", "urban_management"}[rng.Intn(3)]
	if rng.Intn(2) == 0 {
		h := int64(1 + rng.Intn(3))
		c.HandlerID = &h
	}
	c.Procedure = []string{"ordinary", "simplified"}[rng.Intn(2)]
	c.ExtensionDays = []int{0, 0, 30}[rng.Intn(3)]
	c.HearingHeld = rng.Intn(4) == 0
	c.CommitteeConsulted = rng.Intn(6) == 0
	lag := func() int {
		switch r := rng.Intn(20); {
		case r < 12:
			return rng.Intn(8)
		case r < 15:
			return 8 + rng.Intn(60)
		case r < 17:
			return 60 + rng.Intn(900)
		case r < 18:
			return 2000 + rng.Intn(4500) // in the top day and month buckets, some beyond their would-be bounds
		default:
			return -1 - rng.Intn(40) // inverted
		}
	}
	at := func(d time.Time, n int) *string { s := formatDay(d.AddDate(0, 0, n)); return &s }
	switch r := rng.Intn(10); {
	case r < 2:
		c.Status, c.IntakeOn = intakeStatuses[rng.Intn(len(intakeStatuses))], at(rec, lag())
	case r < 3:
		// never disposed
	default:
		acc := parseDay(*at(rec, lag()))
		c.AcceptedOn, c.Status = at(acc, 0), "accepted"
		c.DeemedAccepted = rng.Intn(5) == 0
		if rng.Intn(12) == 0 { // accepted and also disposed of before acceptance
			c.Status, c.IntakeOn = intakeStatuses[rng.Intn(len(intakeStatuses))], at(rec, lag())
		}
		if rng.Intn(4) != 0 {
			n := 10 + rng.Intn(200)
			if rng.Intn(15) == 0 {
				n = -1 - rng.Intn(30) // closed before accepted
			}
			c.ClosedOn = at(acc, n)
			if c.Status == "accepted" {
				c.Status = "decided"
			}
			c.Outcome = codes.Outcomes[rng.Intn(len(codes.Outcomes))].Code
			if c.Outcome == "terminated" {
				c.Termination = codes.Terminations[rng.Intn(len(codes.Terminations))].Code
			}
			c.OutcomePartial = c.Outcome == "revoked" && rng.Intn(2) == 0
			c.OutcomeRedo = c.Outcome == "revoked" && rng.Intn(3) == 0
		}
	}
	return c
}

// Every figure of the report and of every breakdown equals the reference
// computation over the cases table, for random periods (single days, partial
// and whole months, years, several years), after random creates, edits and
// deletes through the hook and the batch, after Rebuild, and after migration
// 7 rebuilt the rollup from the cases.
func TestRollupMatchesPeriodRules(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewSource(2026))
	ctx := context.Background()
	// metric definitions beyond the built-in ones: two flags at once (read
	// from the cases table), one flag other than on_time, deemed acceptance.
	for _, in := range []DefinitionInput{
		{Key: "hearing_on_time", NameZH: "听证按期", Spec: &Spec{Numerator: CountSpec{Count: "closed", Flags: []string{"on_time", "hearing_held"}}}},
		{Key: "revoked_partial", NameZH: "部分撤销", Spec: &Spec{Numerator: CountSpec{Count: "closed", Outcomes: []string{"revoked"}, Flags: []string{"partial"}}}},
		{Key: "deemed", NameZH: "视为受理率", Spec: &Spec{Numerator: CountSpec{Count: "accepted", Flags: []string{"deemed_accepted"}}, Denominator: "received"}},
		{Key: "refusal", NameZH: "不予受理率", Spec: &Spec{Numerator: CountSpec{Count: "not_accepted"}, Denominator: "received"}},
	} {
		if _, err := f.svc.CreateDefinition(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	var live []*models.Case
	for i := 0; i < 260; i++ {
		live = append(live, randomIntakeCase(f, rng))
	}
	f.put(live...)
	for i, c := range live {
		if c.ClosedOn != nil && i%3 == 0 {
			status := []string{"met", "missed"}[i%2]
			if err := f.db.Write.Create(&models.Deadline{SubjectType: "case", SubjectID: c.ID, Kind: "decision", OrganID: c.OrganID, Status: status}).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	// write every case again, so that its memoised on_time follows its
	// deadline row (Rebuild recomputes the memo from the deadlines)
	f.put(live...)
	edit := func(old *models.Case) *models.Case {
		n := randomIntakeCase(f, rng)
		n.ID, n.CaseNo, n.Seq, n.OrganID, n.CreatedAt = old.ID, old.CaseNo, old.Seq, old.OrganID, old.CreatedAt
		if n.OrganID == f.organ2 {
			n.RespondentID = 999
		} else if n.RespondentID == 999 {
			n.RespondentID = f.agency[0]
		}
		return n
	}
	// edits through the hook
	for i := 0; i < 120; i++ {
		j := rng.Intn(len(live))
		n := edit(live[j])
		f.put(n)
		live[j] = n
	}
	// deletes through the hook
	for i := 0; i < 15; i++ {
		j := rng.Intn(len(live))
		old := live[j]
		err := f.db.Tx(ctx, func(tx *gorm.DB) error {
			if err := tx.Session(&gorm.Session{NewDB: true}).Delete(&models.Case{}, old.ID).Error; err != nil {
				return err
			}
			return f.svc.RollupHook(ctx, tx, old, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		live = append(live[:j], live[j+1:]...)
	}
	// a batch of edits and creates
	var changes []CaseChange
	err := f.db.Tx(ctx, func(tx *gorm.DB) error {
		for i := 0; i < 60; i++ {
			if i%4 == 0 {
				c := randomIntakeCase(f, rng)
				if err := tx.Session(&gorm.Session{NewDB: true}).Create(c).Error; err != nil {
					return err
				}
				changes = append(changes, CaseChange{After: c})
				live = append(live, c)
				continue
			}
			j := rng.Intn(len(live))
			n := edit(live[j])
			if err := tx.Session(&gorm.Session{NewDB: true}).Save(n).Error; err != nil {
				return err
			}
			changes = append(changes, CaseChange{Before: live[j], After: n})
			live[j] = n
		}
		return f.svc.RollupBatch(ctx, tx, changes)
	})
	if err != nil {
		t.Fatal(err)
	}

	organSets := [][]int64{{f.organ}, {f.organ2}, {f.organ, f.organ2}}
	periods := []Period{YearPeriod(2022), {From: "2019-12-31", To: "2020-01-01"}, {From: "2018-01-01", To: "2025-12-31"}}
	for i := 0; i < 30; i++ {
		periods = append(periods, randomPeriod(rng))
	}
	// (33 periods so far)
	// periods that start inside some case's intake (or its closing before
	// acceptance), from any day or from a month's first, and end anywhere
	for tries := 0; len(periods) < 80; tries++ {
		if tries > 100000 {
			t.Fatalf("random cases without the spans the periods need (%d periods)", len(periods))
		}
		c := live[rng.Intn(len(live))]
		start, end := c.ReceivedOn, ""
		switch {
		case c.IntakeOn != nil && rng.Intn(2) == 0:
			end = *c.IntakeOn
		case c.AcceptedOn != nil:
			end = *c.AcceptedOn
		}
		if c.AcceptedOn != nil && c.ClosedOn != nil && *c.ClosedOn < *c.AcceptedOn {
			start, end = *c.ClosedOn, *c.AcceptedOn
		}
		if end == "" || end <= start {
			continue
		}
		s, e := parseDay(start), parseDay(end)
		lag := int(e.Sub(s).Hours() / 24)
		long := len(periods) < 39 // the first periods of this kind: spans longer than any bucket's bound but the top's
		if long && lag < 1<<topDayBucket+40 {
			continue
		}
		from := s.AddDate(0, 0, 1+rng.Intn(lag))
		if long {
			from = s.AddDate(0, 0, 1+rng.Intn(lag-1<<topDayBucket))
		}
		if (long || rng.Intn(3) == 0) && firstOfMonth(from).After(s) {
			from = firstOfMonth(from)
		}
		to := from.AddDate(0, 0, rng.Intn(3)*rng.Intn(int(e.Sub(from).Hours()/24)+40))
		if long {
			to = e.AddDate(0, 0, rng.Intn(40))
		}
		if rng.Intn(3) == 0 {
			to = firstOfMonth(to).AddDate(0, 1, -1)
		}
		periods = append(periods, Period{From: formatDay(from), To: formatDay(to)})
	}
	check := func(label string) {
		t.Helper()
		cases := loadRef(t, f)
		for i, p := range periods {
			organs := organSets[i%len(organSets)]
			defs, err := f.svc.definitionsFor(ctx, f.db.Read, p)
			if err != nil {
				t.Fatal(err)
			}
			r, err := f.svc.Report(ctx, p, organs)
			if err != nil {
				t.Fatal(err)
			}
			compareReport(t, fmt.Sprintf("%s %v %v", label, organs, p), r, refReport(cases, organs, p, defs))
			for _, by := range BreakdownDims {
				b, err := f.svc.Breakdown(ctx, by, p, organs, "zh")
				if err != nil {
					t.Fatal(err)
				}
				compareBreakdown(t, fmt.Sprintf("%s %v %v by %s", label, organs, p, by), b, refBreakdown(cases, organs, p, defs, by))
			}
		}
	}
	check("hooks")
	if t.Failed() {
		return
	}
	// the data exercise every path: straddling spans of both grains and of
	// the top buckets, and every kind of inverted span
	var spans []models.CaseStatSpan
	if err := f.db.Read.Where("count <> 0").Find(&spans).Error; err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range spans {
		seen[fmt.Sprintf("%s%d", s.Grain, min(s.Bucket, 1))] = true
		if s.Bucket == 0 {
			seen["inverted "+s.Kind] = true
		}
		if s.Grain == "d" && s.Bucket == topDayBucket || s.Grain == "m" && s.Bucket >= 5 {
			seen["long "+s.Grain] = true
		}
	}
	for _, k := range []string{"d0", "d1", "m1", "long d", "long m", "inverted accepted", "inverted closed", "inverted double"} {
		if !seen[k] {
			t.Errorf("no span of kind %q in the random data: %v", k, seen)
		}
	}
	snap := snapshotCells(t, f)
	if err := f.svc.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	check("rebuilt")
	if got := snapshotCells(t, f); !sameSnapshot(snap, got) {
		t.Errorf("Rebuild changed the non-zero cells: %d before, %d after", len(snap), len(got))
	}
	// migration 7 on the same cases builds the same rollup
	err = f.db.Write.Transaction(func(tx *gorm.DB) error {
		for _, q := range []string{"DROP TABLE case_stat_year", "DROP TABLE case_stat_month", "DROP TABLE case_stat_span", "DROP INDEX ix_case_organ_intake"} {
			if err := tx.Exec(q).Error; err != nil {
				return err
			}
		}
		for _, m := range models.Migrations() {
			if m.Version == 7 {
				return m.Up(tx.Session(&gorm.Session{NewDB: true}))
			}
		}
		return fmt.Errorf("no migration 7")
	})
	if err != nil {
		t.Fatal(err)
	}
	check("migration 7")
	if got := snapshotCells(t, f); !sameSnapshot(snap, got) {
		t.Errorf("migration 7 built other cells than the hooks: %d vs %d", len(got), len(snap))
	}
}

// snapshotCells lists every non-zero cell and span.
func snapshotCells(t *testing.T, f *fixture) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tab := range cellTables {
		var cells []models.CaseStatCell
		if err := f.db.Read.Table(tab).Find(&cells).Error; err != nil {
			t.Fatal(err)
		}
		for _, c := range cells {
			v := fmt.Sprintf("%d %d %d %d %d %d %d %d %d", c.Count, c.FOnTime, c.FDeemedAccepted, c.FPartial, c.FRedo,
				c.FHearingHeld, c.FCommitteeConsulted, c.FExtended, c.FSimplified)
			if v != "0 0 0 0 0 0 0 0 0" {
				out[fmt.Sprintf("%s|%d|%s|%s|%s|%s|%s|%s", tab, c.OrganID, c.Slice, c.Measure, c.Period, c.SliceKey, c.Outcome, c.Termination)] = v
			}
		}
	}
	var spans []models.CaseStatSpan
	if err := f.db.Read.Find(&spans).Error; err != nil {
		t.Fatal(err)
	}
	for _, s := range spans {
		if s.Count != 0 {
			out[fmt.Sprintf("span|%d|%s|%d|%s|%s|%s", s.OrganID, s.Grain, s.Bucket, s.EndOn, s.StartOn, s.Kind)] = strconv.FormatInt(s.Count, 10)
		}
	}
	return out
}

func sameSnapshot(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// coverOf covers every day of a period exactly once.
func TestCoverOf(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for i := 0; i < 2000; i++ {
		p := randomPeriod(rng)
		for _, years := range []bool{true, false} {
			c := coverOf(p.From, p.To, years)
			var got []string
			for g := 0; g < nGrains; g++ {
				for _, r := range c[g] {
					if r[0] > r[1] || len(r[0]) != periodLen[g] {
						t.Fatalf("%v: bad range %v at grain %d", p, r, g)
					}
					for d := parseDay(p.From).AddDate(0, 0, -40); !d.After(parseDay(p.To).AddDate(0, 0, 40)); d = d.AddDate(0, 0, 1) {
						if k := prefix(formatDay(d), periodLen[g]); k >= r[0] && k <= r[1] {
							got = append(got, formatDay(d))
						}
					}
				}
			}
			sort.Strings(got)
			var want []string
			for d := parseDay(p.From); !d.After(parseDay(p.To)); d = d.AddDate(0, 0, 1) {
				want = append(want, formatDay(d))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%v (years %v): cover %v gives %d days, want %d", p, years, c, len(got), len(want))
			}
			if !years && len(c[gYear]) > 0 {
				t.Fatalf("%v: years without years", p)
			}
		}
	}
	if c := coverOf("2025-01-01", "2025-12-31", true); len(c[gYear]) != 1 || len(c[gMonth])+len(c[gDay]) != 0 {
		t.Errorf("a year is one year cell: %v", c)
	}
}

// The rollup queries of a report and of a breakdown search the primary keys
// of the cell and span tables, and the cases (the days of a breakdown's
// partial months) by an organ and date index: no table is scanned (SQLite's
// plans; the PostgreSQL planner chooses by its statistics).
func TestRollupQueriesSearchNoScan(t *testing.T) {
	f := newFixture(t)
	if f.db.Dialect == models.Postgres {
		t.Skip("query plans checked on SQLite")
	}
	rng := rand.New(rand.NewSource(3))
	for i := 0; i < 40; i++ {
		f.put(randomIntakeCase(f, rng))
	}
	scan := regexp.MustCompile(`\bSCAN (cases|case_stat_\w+)\b`)
	search := regexp.MustCompile(`\bSEARCH (case_stat_\w+ USING PRIMARY KEY|cases USING INDEX ix_case_organ_\w+) \(organ_id=\?`)
	organs := []int64{f.organ, f.organ2}
	for _, p := range []Period{YearPeriod(2022), {From: "2021-03-15", To: "2023-07-09"}, {From: "2022-02-01", To: "2022-02-17"}, {From: "2020-06-01", To: "2024-05-31"}} {
		sts := f.svc.ReportStatements(p, organs, FlagOnTime)
		for _, by := range BreakdownDims {
			st, _ := f.svc.cellStatement(p, organs, by, breakdownMeasures, FlagOnTime)
			sts = append(sts, st)
		}
		for _, st := range sts {
			rows, err := f.db.Read.Raw("EXPLAIN QUERY PLAN "+st.SQL, st.Args...).Rows()
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			rows.Close()
			searches := 0
			for _, line := range plan {
				if scan.MatchString(line) {
					t.Errorf("%v: %s\nplan: %q", p, line, plan)
				}
				if search.MatchString(line) {
					searches++
				}
			}
			if searches == 0 {
				t.Errorf("%v: no primary-key search in %q", p, plan)
			}
		}
	}
}
