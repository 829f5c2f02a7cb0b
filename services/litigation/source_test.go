package litigation

import (
	"fmt"
	"maps"
	"math/rand"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/ledger"
)

// LitigationFigures (the report's litigation block, read from the rollup)
// equals the same figures of Stats (counted from the rows) on random suits,
// hearings and suggestions, for many periods and organ scopes: after a
// rebuild from rows inserted directly, then after random writes through the
// service (creates, hearings added and edited, conclusions, re-kinding and
// other edits, ledger imports and re-imports that replace a suit's hearings).
// The cells the writes maintained are those Rebuild and migration 9 build.
func TestLitigationFiguresMatchStats(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewSource(9))
	other := models.Organ{Name: "密云区人民政府", ShortName: "密", CaseNoPattern: "{short}政复〔{year}〕{seq}号"}
	must(t, f.db.Write.Create(&other).Error)
	both := &auth.Principal{UserID: f.officer.ID, Username: "officer", Role: auth.RoleOfficer, OrganIDs: []int64{f.organ.ID, other.ID}}
	base := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	day := func() string { return base.AddDate(0, 0, rng.Intn(3*365)).Format(time.DateOnly) }
	opt := func() *string {
		if rng.Intn(3) == 0 {
			return nil
		}
		d := day()
		return &d
	}
	organ := func() int64 {
		if rng.Intn(3) == 0 {
			return other.ID
		}
		return f.organ.ID
	}
	kinds := []string{KindAdministrative, KindAdministrative, KindCivil, KindAsRespondent}
	instances := []string{InstanceFirst, InstanceFirst, InstanceSecond, InstanceRetrial}
	roles := []string{"head", "deputy_head", "staff", "lawyer", "none"}
	for i := 0; i < 300; i++ {
		c := models.LitigationCase{OrganID: organ(), InternalNo: fmt.Sprintf("应诉%d", i), Year: 2022, Seq: i + 1,
			Kind: kinds[rng.Intn(4)], Instance: instances[rng.Intn(4)],
			CourtCaseNo: fmt.Sprintf("（2022）京0117行初%d号", i), Status: StatusNotified, NotifiedOn: day(), ConcludedOn: opt(),
			Lost: rng.Intn(3) == 0}
		must(t, f.db.Write.Create(&c).Error)
		for h := rng.Intn(3); h > 0; h-- {
			must(t, f.db.Write.Create(&models.Hearing{LitigationID: c.ID, OrganID: c.OrganID, HeldOn: day(),
				AppearedRole: roles[rng.Intn(4)]}).Error)
		}
	}
	for i := 0; i < 80; i++ {
		must(t, f.db.Write.Create(&models.Suggestion{OrganID: organ(), Type: []string{"judicial", "procuratorial", "opinion_letter"}[rng.Intn(3)],
			Direction: "received", OnDate: day(), DueOn: opt(), RepliedOn: opt()}).Error)
	}

	periods := [][2]string{
		{"2022-01-01", "2022-12-31"},                     // a year
		{"2021-03-15", "2023-02-01"},                     // partial months at both ends, several years
		{"2022-07-01", "2022-07-01"},                     // a day
		{"2022-02-10", "2022-02-20"},                     // days inside one month
		{"2022-02-01", "2022-02-28"},                     // a whole month
		{"2021-11-01", "2022-03-31"},                     // whole months across a year end
		{"2021-01-01", "2023-12-31"},                     // whole years
		{"2021-06-30", "2022-07-01"},                     // one day of each end month
		{"", ""}, {"", "2022-05-17"}, {"2022-05-17", ""}, // open-ended
		{"2022-05-17", "2022-05-16"}, // empty
	}
	for i := 0; i < 12; i++ {
		a, b := day(), day()
		if a > b {
			a, b = b, a
		}
		periods = append(periods, [2]string{a, b})
	}
	compare := func(label string) int {
		t.Helper()
		compared := 0
		for _, organs := range [][]int64{{f.organ.ID}, {f.organ.ID, other.ID}, {other.ID}} {
			for _, p := range periods {
				got, err := f.s.LitigationFigures(f.ctx, p[0], p[1], organs)
				must(t, err)
				want, err := f.s.Stats(f.ctx, organs, p[0], p[1])
				must(t, err)
				g := [12]int64{got.FirstInstance, got.SecondInstance, got.Retrial, got.Civil, got.AsRespondent, got.ConcludedFirstInstance,
					got.LostFirstInstance, got.Metrics["head_appearance"].Numerator, got.Metrics["head_appearance"].Denominator,
					got.Suggestions.Received, got.Suggestions.Replied, got.Suggestions.RepliedOnTime}
				w := [12]int64{want.FirstInstance, want.SecondInstance, want.Retrial, want.Civil, want.AsRespondent, want.ConcludedFirstInstance,
					want.LostFirstInstance, want.HearingsWithHead, want.Hearings,
					want.Suggestions.Received, want.Suggestions.Replied, want.Suggestions.RepliedOnTime}
				if g != w {
					t.Errorf("%s %v %v: figures %v, Stats %v", label, organs, p, g, w)
				}
				if lr := got.Metrics["loss_rate"]; lr.Numerator != want.LostFirstInstance || lr.Denominator != want.ConcludedFirstInstance {
					t.Errorf("%s %v %v: loss rate %+v", label, organs, p, lr)
				}
				if w[0]+w[1]+w[3]+w[5]+w[6]+w[7]+w[8] > 0 {
					compared++
				}
			}
		}
		return compared
	}
	// the rows above bypassed the service: build the rollup from them
	must(t, f.s.Rebuild(f.ctx))
	if n := compare("rebuilt"); n < 40 {
		t.Fatalf("only %d scopes had figures to compare", n)
	}

	// writes through the service, dated up to the fixture's today (2023-03-01)
	today := "2023-03-01"
	after := func(d string, maxDays int) string {
		t0, _ := time.Parse(time.DateOnly, d)
		return min(t0.AddDate(0, 0, rng.Intn(maxDays+1)).Format(time.DateOnly), today)
	}
	kindsSeen := map[string]bool{}
	for i := 0; i < 80; i++ {
		nd := base.AddDate(0, 0, rng.Intn(780)).Format(time.DateOnly)
		inst := instances[rng.Intn(4)]
		v, err := f.s.Create(f.ctx, both, CreateInput{OrganID: organ(), Kind: kinds[rng.Intn(4)], Instance: inst,
			CourtCaseNo: fmt.Sprintf("（2022）京01行%d号", i), NotifiedOn: nd})
		must(t, err)
		last := nd
		if rng.Intn(2) == 0 {
			last = after(last, 60)
			v, err = f.s.Transition(f.ctx, both, v.ID, TransitionInput{Action: ActHear, EffectiveOn: last, Version: v.Version,
				Hearing: HearingInput{AppearedRole: roles[rng.Intn(len(roles))], AppearedName: "张某"}})
			must(t, err)
		}
		if rng.Intn(3) != 0 {
			last = after(last, 120)
			in := TransitionInput{Action: ActDecide, EffectiveOn: last, Version: v.Version, Outcome: OutcomeClaimsRejected}
			if inst == InstanceFirst {
				in.Outcome = []string{OutcomeClaimsRejected, OutcomeRevoked, OutcomeSuitDismissed, OutcomeConfirmedUnlawful}[rng.Intn(4)]
			} else {
				in.Outcome = []string{OutcomeAppealRejected, OutcomeReversed}[rng.Intn(2)]
				in.AgainstAgency = ptr(rng.Intn(2) == 0)
			}
			v, err = f.s.Transition(f.ctx, both, v.ID, in)
			must(t, err)
			if rng.Intn(3) == 0 {
				// a hearing entered after the judgment, held before it
				v, err = f.s.AddHearing(f.ctx, both, v.ID, v.Version, HearingInput{HeldOn: nd, AppearedRole: roles[rng.Intn(len(roles))], AppearedName: "李某"})
				must(t, err)
			}
		}
		if hs, _ := f.s.Hearings(f.ctx, both, v.ID); len(hs) > 0 && rng.Intn(2) == 0 {
			h := hs[rng.Intn(len(hs))]
			patch := HearingPatch{Version: h.Version, AppearedRole: ptr(roles[rng.Intn(len(roles))])}
			if v.ConcludedOn == nil {
				patch.HeldOn = ptr(after(nd, 30))
			}
			v, err = f.s.UpdateHearing(f.ctx, both, v.ID, h.ID, patch)
			must(t, err)
		}
		if rng.Intn(2) == 0 {
			// re-kinding moves the suit and its hearings; a new instance
			// or receipt date moves the suit
			patch := Patch{Version: v.Version, Kind: ptr(kinds[rng.Intn(4)])}
			if rng.Intn(2) == 0 {
				patch.Instance = ptr(instances[rng.Intn(4)])
			}
			if rng.Intn(2) == 0 {
				patch.NotifiedOn = ptr(base.AddDate(0, 0, rng.Intn(365)).Format(time.DateOnly))
			}
			if patch.NotifiedOn != nil && (v.ConcludedOn != nil || len(v.Hearings) > 0) {
				patch.NotifiedOn = nil
			}
			v, err = f.s.Update(f.ctx, both, v.ID, patch)
			must(t, err)
			kindsSeen[v.Kind] = true
		}
	}
	if len(kindsSeen) < 3 {
		t.Fatalf("re-kinding reached only %v", kindsSeen)
	}
	// ledger imports: new suits with hearings, then a re-import that changes
	// their kind, conclusion and hearings (old hearing rows deleted)
	header := "court_case_no,kind,instance,notified_on,hearing_on,head_appeared,concluded_on,outcome\n"
	ledgerRow := func(i int, kind string) string {
		nd := base.AddDate(0, 0, rng.Intn(700)).Format(time.DateOnly)
		row := fmt.Sprintf("（2022）京02行%d号,%s,first,%s,", i, kind, nd)
		if rng.Intn(3) != 0 {
			row += after(nd, 30) + "," + []string{"是", "否"}[rng.Intn(2)]
		} else {
			row += ","
		}
		if rng.Intn(2) == 0 {
			row += "," + after(nd, 200) + "," + []string{"claims_rejected", "revoked"}[rng.Intn(2)]
		} else {
			row += ",,"
		}
		return row + "\n"
	}
	for round := 0; round < 2; round++ {
		for _, o := range []int64{f.organ.ID, other.ID} {
			var sb strings.Builder
			sb.WriteString(header)
			for i := 0; i < 15; i++ {
				sb.WriteString(ledgerRow(int(o)*100+i, kinds[rng.Intn(4)]))
			}
			res, err := f.s.ImportLedger(f.ctx, ledger.ImportOptions{Path: writeFile(t, "lit.csv", sb.String()), OrganID: o}, nil)
			must(t, err)
			if !res.Written || (round == 1 && res.Updated == 0) {
				t.Fatalf("ledger round %d: %+v", round, res)
			}
		}
	}
	compare("incremental")

	snap := snapshotRollup(t, f.db)
	must(t, f.s.Rebuild(f.ctx))
	if got := snapshotRollup(t, f.db); !maps.Equal(snap, got) {
		t.Errorf("Rebuild built other cells than the writes: %d vs %d", len(got), len(snap))
	}
	// one organ's rebuild leaves the other's cells alone
	must(t, f.s.Rebuild(f.ctx, other.ID))
	if got := snapshotRollup(t, f.db); !maps.Equal(snap, got) {
		t.Errorf("Rebuild of one organ changed the cells: %d vs %d", len(got), len(snap))
	}
	// migration 9 on the same rows builds the same cells
	err := f.db.Write.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("DROP TABLE litigation_stat").Error; err != nil {
			return err
		}
		for _, m := range models.Migrations() {
			if m.Version == 9 {
				return m.Up(tx.Session(&gorm.Session{NewDB: true}))
			}
		}
		return fmt.Errorf("no migration 9")
	})
	must(t, err)
	if got := snapshotRollup(t, f.db); !maps.Equal(snap, got) {
		t.Errorf("migration 9 built other cells than the writes: %d vs %d", len(got), len(snap))
	}
	compare("migration 9")
}

// snapshotRollup lists the non-zero cells of the litigation rollup.
func snapshotRollup(t *testing.T, db *models.DB) map[string][3]int64 {
	t.Helper()
	var cells []models.LitigationStatCell
	must(t, db.Read.Find(&cells).Error)
	out := map[string][3]int64{}
	for _, c := range cells {
		if v := [3]int64{c.Count, c.Lost, c.Head}; v != ([3]int64{}) {
			out[fmt.Sprintf("%d|%d|%s|%s|%s|%s", c.OrganID, c.Grain, c.Period, c.Measure, c.Kind, c.Instance)] = v
		}
	}
	if len(out) == 0 {
		t.Fatal("the litigation rollup is empty")
	}
	return out
}
