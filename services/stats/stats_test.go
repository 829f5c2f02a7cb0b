package stats

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/errs"
)

// The period rules of DESIGN §5, hand-computed.
func TestPeriodRules(t *testing.T) {
	f := newFixture(t)
	f.put(
		// accepted 2021, closed 2022: carried over into 2022 and closed in 2022
		f.cs("2021-11-20", "2021-11-25", "2022-02-10", "revoked", ""),
		// accepted 2021, still open at the end of 2022
		f.cs("2021-12-01", "2021-12-06", "", "", ""),
		// received 2021-12-30, accepted 2022: received in 2021, accepted in 2022
		f.cs("2021-12-30", "2022-01-05", "2022-03-01", "upheld", ""),
		// an ordinary 2022 case closed in 2022 by termination after correction
		f.cs("2022-03-01", "2022-03-05", "2022-04-01", "terminated", "withdrawn_after_correction"),
		f.cs("2022-03-02", "2022-03-05", "2022-04-02", "terminated", "withdrawn_voluntary"),
		// accepted 2022, closed 2023: pending at end of 2022
		f.cs("2022-12-01", "2022-12-06", "2023-01-20", "upheld", ""),
		// received 2022, accepted 2023: received in 2022, pending intake at 2022's end
		f.cs("2022-12-28", "2023-01-04", "", "", ""),
		// pre-acceptance dispositions
		intake(f.cs("2022-05-01", "", "", "", ""), "not_accepted", "2022-05-06"),
		intake(f.cs("2022-12-29", "", "", "", ""), "not_accepted", "2023-01-03"), // refused in 2023
		intake(f.cs("2022-06-01", "", "", "", ""), "abandoned", "2022-06-20"),
		intake(f.cs("2022-07-01", "", "", "", ""), "withdrawn_before_acceptance", "2022-07-02"),
		intake(f.cs("2022-08-01", "", "", "", ""), "referred", "2022-08-03"),
	)
	type want struct {
		received, accepted, notAccepted, closed, carried, pending int64
		outcomes                                                  map[string]int64
		intake                                                    map[string]int64
	}
	tests := []struct {
		name     string
		from, to string
		want     want
	}{
		{"2021", "2021-01-01", "2021-12-31", want{3, 2, 0, 0, 0, 2, map[string]int64{},
			map[string]int64{"accepted": 2, "pending": 1}}},
		{"2022: carry-over closed counts in 2022", "2022-01-01", "2022-12-31", want{9, 4, 1, 4, 2, 2,
			map[string]int64{"revoked": 1, "upheld": 1, "terminated": 2},
			map[string]int64{"accepted": 3, "not_accepted": 1, "abandoned": 1, "withdrawn_before_acceptance": 1, "referred": 1, "pending": 2}}},
		{"2023", "2023-01-01", "2023-12-31", want{0, 1, 1, 1, 2, 2, map[string]int64{"upheld": 1}, map[string]int64{}}},
		{"Q1 2022", "2022-01-01", "2022-03-31", want{2, 3, 0, 2, 2, 3, map[string]int64{"revoked": 1, "upheld": 1},
			map[string]int64{"accepted": 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := f.report(tt.from, tt.to)
			r := rep.Reconsideration
			got := [6]int64{r.Received, r.Accepted, r.NotAccepted, r.Closed, r.CarriedOver, r.PendingEnd}
			w := tt.want
			if got != [6]int64{w.received, w.accepted, w.notAccepted, w.closed, w.carried, w.pending} {
				t.Errorf("counts = %+v, want %+v", got, w)
			}
			for _, c := range codes.Outcomes {
				if r.Outcomes[c.Code] != tt.want.outcomes[c.Code] {
					t.Errorf("outcome %s = %d, want %d", c.Code, r.Outcomes[c.Code], tt.want.outcomes[c.Code])
				}
			}
			for _, d := range IntakeDispositions {
				if r.Intake[d] != tt.want.intake[d] {
					t.Errorf("intake %s = %d, want %d", d, r.Intake[d], tt.want.intake[d])
				}
			}
			if !r.Balanced() {
				t.Errorf("unbalanced: %+v", r.Balance)
			}
			for _, k := range DrillKeys(metricKeys(rep)) {
				if got, want := f.drillCount(k, Period{tt.from, tt.to}, []int64{f.organ}), figure(rep, k); got != want {
					t.Errorf("drill-down %s: %d cases, figure %d", k, got, want)
				}
			}
		})
	}
	r := f.report("2022-01-01", "2022-12-31").Reconsideration
	if m := r.Metrics["comprehensive_correction"]; m.Numerator != 2 || m.Denominator != 4 || m.Display != "50.0%" {
		t.Errorf("comprehensive_correction = %+v", m)
	}
	if r.Terminations["withdrawn_after_correction"] != 1 || r.Terminations["withdrawn_voluntary"] != 1 {
		t.Errorf("terminations = %v", r.Terminations)
	}
}

func metricKeys(r *Report) []string {
	var out []string
	for k := range r.Reconsideration.Metrics {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// figure returns the report's number for a drill-down key.
func figure(r *Report, key string) int64 {
	rc := r.Reconsideration
	switch key {
	case "received":
		return rc.Received
	case "accepted":
		return rc.Accepted
	case "not_accepted":
		return rc.NotAccepted
	case "closed":
		return rc.Closed
	case "pending_end":
		return rc.PendingEnd
	case "carried_over":
		return rc.CarriedOver
	}
	for i := 0; i < len(key); i++ {
		if key[i] == ':' {
			kind, code := key[:i], key[i+1:]
			switch kind {
			case "outcome":
				return rc.Outcomes[code]
			case "termination":
				return rc.Terminations[code]
			case "intake":
				return rc.Intake[code]
			}
			if code == "denominator" {
				return rc.Metrics[kind].Denominator
			}
		}
	}
	return rc.Metrics[key].Numerator
}

// A report that does not balance says where.
func TestBalanceDetection(t *testing.T) {
	f := newFixture(t)
	f.put(f.cs("2022-03-01", "2022-03-05", "2022-04-01", "upheld", ""))
	if r := f.report("2022-01-01", "2022-12-31"); !r.Reconsideration.Balanced() {
		t.Fatalf("clean data unbalanced: %+v", r.Reconsideration.Balance)
	}
	// a closed case without an outcome; a case closed before it was accepted
	// (accepted 2023, closed 2022); a case both accepted and refused.
	f.put(
		f.cs("2022-03-01", "2022-03-05", "2022-04-01", "", ""),
		f.cs("2022-03-01", "2023-01-05", "2022-12-01", "upheld", ""),
		f.cs("2022-05-01", "2022-05-05", "", "", ""),
	)
	c := f.cs("2022-06-01", "2022-06-03", "", "", "")
	c.Status, c.IntakeOn = "not_accepted", sp("2022-06-04")
	f.put(c)
	r := f.report("2022-01-01", "2022-12-31").Reconsideration
	bad := map[string]bool{}
	for _, b := range r.Balance {
		if !b.OK {
			bad[b.Name] = true
			if b.DetailZH == "" || b.DetailEN == "" {
				t.Errorf("balance %s has no detail", b.Name)
			}
		}
	}
	for _, name := range []string{"carry_over", "outcomes", "intake"} {
		if !bad[name] {
			t.Errorf("balance %s should fail: %+v", name, r.Balance)
		}
	}
	if bad["terminations"] {
		t.Errorf("terminations should balance")
	}
}

// The rollup maintained by the hooks equals direct aggregates (the drill-down
// counts) on random data with random edits, and Rebuild reproduces it.
func TestRollupMatchesDirectAggregates(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewSource(7))
	ctx := context.Background()
	day := func(y int) string {
		return time_(y, 1+rng.Intn(12), 1+rng.Intn(28))
	}
	var all []*models.Case
	for i := 0; i < 160; i++ {
		all = append(all, randomCase(f, rng, day))
	}
	f.put(all...)
	// deadlines rows for some closed cases decide on_time
	for i, c := range all {
		if c.ClosedOn != nil && i%3 == 0 {
			status := "met"
			if i%2 == 0 {
				status = "missed"
			}
			if err := f.db.Write.Create(&models.Deadline{SubjectType: "case", SubjectID: c.ID, Kind: "decision", OrganID: c.OrganID, Status: status}).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	// random edits through the hooks
	for i := 0; i < 200; i++ {
		c := all[rng.Intn(len(all))]
		n := randomCase(f, rng, day)
		n.ID, n.CaseNo, n.Seq, n.OrganID, n.CreatedAt = c.ID, c.CaseNo, c.Seq, c.OrganID, c.CreatedAt
		f.put(n)
		all[indexOf(all, c)] = n
	}
	check := func(label string) map[string]int64 {
		snap := map[string]int64{}
		for _, organs := range [][]int64{{f.organ}, {f.organ, f.organ2}, {f.organ2}} {
			for y := 2020; y <= 2023; y++ {
				for _, p := range []Period{YearPeriod(y), {From: time_(y, 3, 1), To: time_(y, 8, 15)}} {
					r, err := f.svc.Report(ctx, p, organs)
					if err != nil {
						t.Fatal(err)
					}
					for _, k := range DrillKeys(metricKeys(r)) {
						want := figure(r, k)
						if got := f.drillCount(k, p, organs); got != want {
							t.Errorf("%s %v %v %s: rollup %d, direct %d", label, organs, p, k, want, got)
						}
						snap[p.From+p.To+k] += want
					}
					if !r.Reconsideration.Balanced() {
						t.Errorf("%s: random valid data unbalanced: %+v", label, r.Reconsideration.Balance)
					}
				}
			}
		}
		// breakdowns sum to the totals
		for _, by := range BreakdownDims {
			b, err := f.svc.Breakdown(ctx, by, YearPeriod(2022), []int64{f.organ, f.organ2}, "zh")
			if err != nil {
				t.Fatal(err)
			}
			r, _ := f.svc.Report(ctx, YearPeriod(2022), []int64{f.organ, f.organ2})
			var rec, cl, up int64
			for _, row := range b.Rows {
				rec, cl, up = rec+row.Received, cl+row.Closed, up+row.Outcomes["upheld"]
			}
			if rec != r.Reconsideration.Received || cl != r.Reconsideration.Closed || up != r.Reconsideration.Outcomes["upheld"] {
				t.Errorf("%s breakdown %s sums %d/%d/%d, report %d/%d/%d", label, by, rec, cl, up,
					r.Reconsideration.Received, r.Reconsideration.Closed, r.Reconsideration.Outcomes["upheld"])
			}
		}
		return snap
	}
	before := check("hooks")
	if t.Failed() {
		return
	}
	if err := f.svc.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	after := check("rebuilt")
	for k, v := range before {
		if after[k] != v {
			t.Errorf("rebuild changed %s: %d → %d", k, v, after[k])
		}
	}
	// the on_time metric saw both deadline rows and the fallback
	r, _ := f.svc.Report(ctx, Period{From: "2020-01-01", To: "2023-12-31"}, []int64{f.organ, f.organ2})
	if m := r.Reconsideration.Metrics["on_time"]; m.Numerator == 0 || m.Numerator == m.Denominator {
		t.Errorf("on_time %+v: want some but not all on time", m)
	}
}

func indexOf(all []*models.Case, c *models.Case) int {
	for i, x := range all {
		if x == c {
			return i
		}
	}
	return -1
}

func time_(y, m, d int) string {
	return models_date(y, m, d)
}

func randomCase(f *fixture, rng *rand.Rand, day func(int) string) *models.Case {
	y := 2020 + rng.Intn(4)
	rec := day(y)
	c := f.cs(rec, "", "", "", "")
	if rng.Intn(5) == 0 {
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
	switch r := rng.Intn(10); {
	case r < 2:
		d := addDays(rec, rng.Intn(20))
		intake(c, intakeStatuses[rng.Intn(len(intakeStatuses))], d)
	case r < 3:
		// still under review
	default:
		acc := addDays(rec, rng.Intn(15))
		c.AcceptedOn, c.Status = &acc, "accepted"
		c.DeemedAccepted = rng.Intn(5) == 0
		if rng.Intn(4) != 0 {
			cl := addDays(acc, 10+rng.Intn(120))
			c.ClosedOn, c.Status = &cl, "decided"
			c.Outcome = codes.Outcomes[rng.Intn(len(codes.Outcomes))].Code
			if c.Outcome == "terminated" {
				c.Termination = codes.Terminations[rng.Intn(len(codes.Terminations))].Code
			}
			c.OutcomePartial = c.Outcome == "revoked" && rng.Intn(2) == 0
		}
	}
	return c
}

// Metric definitions are data: a new definition changes the report without
// code; an invalid one names its field; a locked one cannot change.
func TestMetricDefinitions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.put(
		f.cs("2022-01-10", "2022-01-12", "2022-02-01", "mediated", ""),
		f.cs("2022-01-10", "2022-01-12", "2022-02-01", "terminated", "withdrawn_after_mediation"),
		f.cs("2022-01-10", "2022-01-12", "2022-02-01", "upheld", ""),
	)
	if _, ok := f.report("2022-01-01", "2022-12-31").Reconsideration.Metrics["mediation"]; ok {
		t.Fatal("mediation metric before it was defined")
	}
	_, err := f.svc.CreateDefinition(ctx, DefinitionInput{Key: "mediation", NameZH: "调解率", NameEN: "mediation rate",
		Spec: &Spec{Numerator: CountSpec{Count: "closed", Outcomes: []string{"mediated"}, Terminations: []string{"withdrawn_after_mediation"}}, Denominator: "closed"}})
	if err != nil {
		t.Fatal(err)
	}
	m := f.report("2022-01-01", "2022-12-31").Reconsideration.Metrics["mediation"]
	if m.Numerator != 2 || m.Denominator != 3 || m.Display != "66.7%" || m.Rate == nil || *m.Rate != 0.6667 {
		t.Errorf("mediation = %+v", m)
	}
	if got := f.drillCount("mediation", YearPeriod(2022), []int64{f.organ}); got != 2 {
		t.Errorf("mediation drill-down = %d", got)
	}
	bad := []struct {
		in    DefinitionInput
		field string
	}{
		{DefinitionInput{Key: "x", NameZH: "x", Spec: &Spec{Numerator: CountSpec{Outcomes: []string{"won"}}}}, "definition.numerator.outcomes[0]"},
		{DefinitionInput{Key: "x", NameZH: "x", Spec: &Spec{Numerator: CountSpec{Terminations: []string{"bored"}}}}, "definition.numerator.terminations[0]"},
		{DefinitionInput{Key: "x", NameZH: "x", Spec: &Spec{Numerator: CountSpec{Flags: []string{"fast"}}}}, "definition.numerator.flags[0]"},
		{DefinitionInput{Key: "x", NameZH: "x", Spec: &Spec{Denominator: "everything"}}, "definition.denominator"},
		{DefinitionInput{Key: "x", NameZH: "x", Spec: &Spec{Numerator: CountSpec{Count: "received", Outcomes: []string{"upheld"}}}}, "definition.numerator.outcomes"},
		{DefinitionInput{Key: "Bad Key", NameZH: "x", Spec: &Spec{}}, "key"},
		{DefinitionInput{Key: "closed", NameZH: "x", Spec: &Spec{}}, "key"},
		{DefinitionInput{Key: "x", NameZH: "x", Spec: &Spec{}, EffectiveFrom: "2022-13-01"}, "effective_from"},
	}
	for _, b := range bad {
		_, err := f.svc.CreateDefinition(ctx, b.in)
		e := errs.As(err)
		if e.Kind != errs.KindInvalid || e.Fields[b.field].EN == "" {
			t.Errorf("%+v: got %v, want 400 on %s", b.in, err, b.field)
		}
	}
	// lock 2022: the definitions in force in 2022 can no longer change
	rep := &auth.Principal{UserID: 9, Role: auth.RoleReporter, OrganIDs: []int64{f.organ}}
	if _, err := f.svc.Lock(ctx, rep, f.organ, 2022, ""); err != nil {
		t.Fatal(err)
	}
	name := "调解结案率"
	if _, err := f.svc.UpdateDefinition(ctx, "mediation", DefinitionPatch{NameZH: &name}); !errs.IsKind(err, errs.KindConflict) {
		t.Errorf("changing a locked definition: %v, want 409", err)
	}
	end := "2022-12-31"
	if _, err := f.svc.UpdateDefinition(ctx, "mediation", DefinitionPatch{EffectiveTo: &end}); err != nil {
		t.Errorf("closing a locked definition after the locked year: %v", err)
	}
	early := "2022-06-30"
	if _, err := f.svc.UpdateDefinition(ctx, "mediation", DefinitionPatch{EffectiveTo: &early}); !errs.IsKind(err, errs.KindConflict) {
		t.Errorf("cutting a locked year short: %v, want 409", err)
	}
	// a new version from 2023 changes 2023, not 2022
	if _, err := f.svc.CreateDefinition(ctx, DefinitionInput{Key: "mediation", NameZH: "调解率", EffectiveFrom: "2023-01-01",
		Spec: &Spec{Numerator: CountSpec{Outcomes: []string{"mediated"}}}}); err != nil {
		t.Fatal(err)
	}
	if m := f.report("2022-01-01", "2022-12-31").Reconsideration.Metrics["mediation"]; m.Numerator != 2 {
		t.Errorf("2022 mediation changed: %+v", m)
	}
	pm, err := f.svc.Preview(ctx, Spec{Numerator: CountSpec{Outcomes: []string{"mediated"}}}, YearPeriod(2022), []int64{f.organ})
	if err != nil || pm.Numerator != 1 || pm.Denominator != 3 {
		t.Errorf("preview = %+v, %v", pm, err)
	}
}

func TestRounding(t *testing.T) {
	tests := []struct {
		num, den int64
		dec      int
		want     string
	}{
		{71, 182, 1, "39.0%"}, {71, 182, 0, "39%"}, {32, 182, 1, "17.6%"},
		{1, 8, 0, "13%"},    // 12.5 → 13 (half-up, not half-even)
		{1, 200, 0, "1%"},   // 0.5 → 1
		{1, 400, 1, "0.3%"}, // 0.25 → 0.3
		{5, 8, 0, "63%"},    // 62.5 → 63
		{0, 5, 1, "0.0%"}, {1, 0, 1, "—"}, {2, 3, 1, "66.7%"},
	}
	for _, tt := range tests {
		if got := Percent(tt.num, tt.den, tt.dec); got != tt.want {
			t.Errorf("Percent(%d, %d, %d) = %s, want %s", tt.num, tt.den, tt.dec, got, tt.want)
		}
	}
	if m := NewMetric("k", "", "", 71, 182); m.Rate == nil || *m.Rate != 0.3901 {
		t.Errorf("rate 71/182 = %v", m.Rate)
	}
	if m := NewMetric("k", "", "", 0, 0); m.Rate != nil {
		t.Errorf("rate with zero denominator = %v, want nil", *m.Rate)
	}
}

// A locked year refuses a write that would change its figures, unless an
// admin overrides with a reason, which is recorded.
func TestPeriodLock(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.cs("2022-03-01", "2022-03-05", "2022-04-01", "upheld", "")
	open := f.cs("2022-11-01", "2022-11-03", "", "", "")
	f.put(c, open)
	officer := &auth.Principal{UserID: 3, Role: auth.RoleOfficer, OrganIDs: []int64{f.organ}}
	if _, err := f.svc.Lock(ctx, officer, f.organ, 2022, ""); !errs.IsKind(err, errs.KindForbidden) {
		t.Errorf("officer lock: %v", err)
	}
	other := &auth.Principal{UserID: 4, Role: auth.RoleReporter, OrganIDs: []int64{f.organ2}}
	if _, err := f.svc.Lock(ctx, other, f.organ, 2022, ""); !errs.IsKind(err, errs.KindNotFound) {
		t.Errorf("other organ lock: %v", err)
	}
	rep := &auth.Principal{UserID: 5, Role: auth.RoleReporter, OrganIDs: []int64{f.organ}}
	lock, err := f.svc.Lock(ctx, rep, f.organ, 2022, "published")
	if err != nil {
		t.Fatal(err)
	}
	if r := f.report("2022-01-01", "2022-12-31"); len(r.Locks) != 1 || r.Locks[0].Year != 2022 {
		t.Errorf("report locks = %+v", r.Locks)
	}
	tests := []struct {
		name   string
		change func(c *models.Case)
		target *models.Case
		locked bool
	}{
		{"note only", func(c *models.Case) { c.Note = "补充说明" }, c, false},
		{"outcome", func(c *models.Case) { c.Outcome = "revoked" }, c, true},
		{"closing date within the month", func(c *models.Case) { c.ClosedOn = sp("2022-04-20") }, c, false},
		{"closing date into another month", func(c *models.Case) { c.ClosedOn = sp("2022-05-20") }, c, true},
		{"respondent", func(c *models.Case) { c.RespondentID = f.agency[0] + f.agency[1] + f.agency[2] - c.RespondentID }, c, true},
		{"open 2022 case closed in 2023", func(c *models.Case) { c.ClosedOn, c.Outcome, c.Status = sp("2023-02-01"), "upheld", "decided" }, open, false},
		{"2022 case closed in 2022 after all", func(c *models.Case) { c.ClosedOn = sp("2022-12-30") }, open, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := *tt.target
			tt.change(&n)
			err := f.save(ctx, &n)
			if tt.locked {
				if e := errs.As(err); e.Kind != errs.KindRule || e.Code != "period_locked" {
					t.Fatalf("got %v, want 422 period_locked", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unlocked change refused: %v", err)
			}
			*tt.target = n
		})
	}
	n := *c
	n.Outcome = "revoked"
	if err := f.save(WithLockOverride(ctx, "更正录入错误", 1), &n); err != nil {
		t.Fatalf("override: %v", err)
	}
	var ov []models.ReportLockOverride
	f.db.Read.Find(&ov)
	if len(ov) != 1 || ov[0].Reason != "更正录入错误" || ov[0].CaseID != c.ID || ov[0].Year != 2022 {
		t.Errorf("override record = %+v", ov)
	}
	if err := f.svc.Unlock(ctx, rep, lock.ID, "x"); !errs.IsKind(err, errs.KindForbidden) {
		t.Errorf("reporter unlock: %v", err)
	}
	admin := &auth.Principal{UserID: 1, Role: auth.RoleAdmin, OrganIDs: []int64{f.organ}}
	if err := f.svc.Unlock(ctx, admin, lock.ID, ""); !errs.IsKind(err, errs.KindInvalid) {
		t.Errorf("unlock without reason: %v", err)
	}
	if err := f.svc.Unlock(ctx, admin, lock.ID, "重新核对"); err != nil {
		t.Fatal(err)
	}
}

// RollupBatch (the ledger import's form of the hook) gives the same rollup as
// the per-case hook: every figure equals its direct aggregate, after a batch
// of creates and a batch of edits and deletes in which a case may appear
// twice, with derived flags given by the caller (Derived) for some cases and
// read from the deadlines for the others.
func TestRollupBatchMatchesDirectAggregates(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewSource(11))
	ctx := context.Background()
	day := func(y int) string { return time_(y, 1+rng.Intn(12), 1+rng.Intn(28)) }
	flag := func(v int) *int { return &v }
	var changes []CaseChange
	var all []*models.Case
	for i := 0; i < 120; i++ {
		c := randomCase(f, rng, day)
		c.CaseNo, c.Seq = fmt.Sprintf("批〔%d〕%d号", i, i), i+1
		if err := f.db.Write.Create(c).Error; err != nil {
			t.Fatal(err)
		}
		ch := CaseChange{After: c}
		if i%3 == 0 {
			ch.Derived = flag(rng.Intn(2) * FlagOnTime)
		} else if c.ClosedOn != nil && i%3 == 1 {
			status := []string{"met", "missed"}[rng.Intn(2)]
			if err := f.db.Write.Create(&models.Deadline{SubjectType: "case", SubjectID: c.ID, Kind: "decision", OrganID: c.OrganID, Status: status}).Error; err != nil {
				t.Fatal(err)
			}
		}
		changes = append(changes, ch)
		all = append(all, c)
	}
	if err := f.db.Tx(ctx, func(tx *gorm.DB) error { return f.svc.RollupBatch(ctx, tx, changes) }); err != nil {
		t.Fatal(err)
	}
	compare := func(label string) {
		checked := 0
		for y := 2020; y <= 2023; y++ {
			for _, p := range []Period{YearPeriod(y), {From: time_(y, 2, 11), To: time_(y, 9, 3)}} {
				r, err := f.svc.Report(ctx, p, []int64{f.organ, f.organ2})
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range DrillKeys(metricKeys(r)) {
					if want, got := figure(r, k), f.drillCount(k, p, []int64{f.organ, f.organ2}); want != got {
						t.Errorf("%s %v %s: batch rollup %d, direct %d", label, p, k, want, got)
					}
					checked++
				}
			}
		}
		if checked == 0 {
			t.Fatal("nothing compared")
		}
	}
	compare("creates")
	// edits and deletes: each change's Before is the case as the previous
	// change of the batch left it.
	changes = nil
	current := map[int64]*models.Case{}
	for _, c := range all {
		current[c.ID] = c
	}
	var deleted []int64
	for i := 0; i < 80; i++ {
		old := all[rng.Intn(40)] // a small pool, so cases recur in the batch
		before := current[old.ID]
		if before == nil {
			continue
		}
		if i%10 == 9 {
			changes = append(changes, CaseChange{Before: before})
			delete(current, old.ID)
			deleted = append(deleted, old.ID)
			continue
		}
		n := randomCase(f, rng, day)
		n.ID, n.CaseNo, n.Seq, n.OrganID, n.CreatedAt = before.ID, before.CaseNo, before.Seq, before.OrganID, before.CreatedAt
		if n.OrganID == f.organ2 {
			n.RespondentID = 999
		} else {
			n.RespondentID = f.agency[rng.Intn(len(f.agency))]
		}
		ch := CaseChange{Before: before, After: n}
		if i%2 == 0 {
			ch.Derived = flag(rng.Intn(2) * FlagOnTime)
		}
		changes = append(changes, ch)
		current[n.ID] = n
	}
	err := f.db.Tx(ctx, func(tx *gorm.DB) error {
		for _, c := range current {
			if err := tx.Session(&gorm.Session{NewDB: true}).Save(c).Error; err != nil {
				return err
			}
		}
		if len(deleted) > 0 {
			if err := tx.Session(&gorm.Session{NewDB: true}).Where("id IN ?", deleted).Delete(&models.Case{}).Error; err != nil {
				return err
			}
		}
		return f.svc.RollupBatch(ctx, tx, changes)
	})
	if err != nil {
		t.Fatal(err)
	}
	compare("edits")
	// the memo holds exactly the live cases, with the last derived flags
	var memo []models.CaseStatFlags
	if err := f.db.Read.Find(&memo).Error; err != nil {
		t.Fatal(err)
	}
	if len(memo) != len(current) {
		t.Errorf("memo has %d rows, %d live cases", len(memo), len(current))
	}
	for _, ch := range changes {
		if ch.After != nil && ch.Derived != nil && ch.After.ClosedOn != nil && ch.After.AcceptedOn != nil && current[ch.After.ID] == ch.After {
			for _, m := range memo {
				if m.CaseID == ch.After.ID && m.Flags != *ch.Derived {
					t.Errorf("case %d: memo %d, Derived %d", m.CaseID, m.Flags, *ch.Derived)
				}
			}
		}
	}
}
