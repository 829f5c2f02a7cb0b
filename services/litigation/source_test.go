package litigation

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"fuyi/models"
)

// LitigationFigures (the report's litigation block) equals the same figures
// of Stats on random suits, hearings and suggestions, for several periods
// and organ scopes.
func TestLitigationFiguresMatchStats(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewSource(9))
	other := models.Organ{Name: "密云区人民政府", ShortName: "密", CaseNoPattern: "{short}政复〔{year}〕{seq}号"}
	must(t, f.db.Write.Create(&other).Error)
	day := func() string {
		return time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.Intn(3*365)).Format(time.DateOnly)
	}
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
	for i := 0; i < 300; i++ {
		c := models.LitigationCase{OrganID: organ(), InternalNo: fmt.Sprintf("应诉%d", i), Year: 2022, Seq: i + 1,
			Kind:        []string{KindAdministrative, KindAdministrative, KindCivil, KindAsRespondent}[rng.Intn(4)],
			Instance:    []string{InstanceFirst, InstanceFirst, InstanceSecond, InstanceRetrial}[rng.Intn(4)],
			CourtCaseNo: fmt.Sprintf("（2022）京0117行初%d号", i), Status: StatusNotified, NotifiedOn: day(), ConcludedOn: opt(),
			Lost: rng.Intn(3) == 0}
		must(t, f.db.Write.Create(&c).Error)
		for h := rng.Intn(3); h > 0; h-- {
			must(t, f.db.Write.Create(&models.Hearing{LitigationID: c.ID, OrganID: c.OrganID, HeldOn: day(),
				AppearedRole: []string{"head", "deputy_head", "staff", "lawyer"}[rng.Intn(4)]}).Error)
		}
	}
	for i := 0; i < 80; i++ {
		must(t, f.db.Write.Create(&models.Suggestion{OrganID: organ(), Type: []string{"judicial", "procuratorial", "opinion_letter"}[rng.Intn(3)],
			Direction: "received", OnDate: day(), DueOn: opt(), RepliedOn: opt()}).Error)
	}
	compared := 0
	for _, organs := range [][]int64{{f.organ.ID}, {f.organ.ID, other.ID}, {other.ID}} {
		for _, p := range [][2]string{{"2022-01-01", "2022-12-31"}, {"2021-03-15", "2023-02-01"}, {"2022-07-01", "2022-07-01"}, {"", ""}} {
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
				t.Errorf("%v %v: figures %v, Stats %v", organs, p, g, w)
			}
			if lr := got.Metrics["loss_rate"]; lr.Numerator != want.LostFirstInstance || lr.Denominator != want.ConcludedFirstInstance {
				t.Errorf("%v %v: loss rate %+v", organs, p, lr)
			}
			if w[0]+w[5]+w[8]+w[9] > 0 {
				compared++
			}
		}
	}
	if compared < 6 {
		t.Fatalf("only %d scopes had figures to compare", compared)
	}
}
