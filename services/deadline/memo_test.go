package deadline

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"fuyi/services/calendar"
)

// TestPlannerMemoChangesNothing: one planner reused over thousands of cases
// (its memo of counted periods warm, shared by every case) plans each case
// exactly as a fresh planner does — due dates, statuses, explanations,
// articles — including periods that run into a year the calendar lacks.
func TestPlannerMemoChangesNothing(t *testing.T) {
	rules, cal := DefaultRules(), calendar.Default()
	shared := NewPlanner(rules, cal)
	r := rand.New(rand.NewPCG(9, 2026))
	epoch := calendar.MustParseDate("2016-01-01")
	today := calendar.MustParseDate("2026-10-31")
	day := func(from calendar.Date, max int) *calendar.Date {
		d := from.AddDays(r.IntN(max))
		return &d
	}
	planned := 0
	for i := 0; i < 5000; i++ {
		f := Facts{ReceivedOn: epoch.AddDays(r.IntN(4100))}
		if !f.ReceivedOn.Before(calendar.MustParseDate("2024-01-01")) && r.IntN(3) == 0 {
			f.Procedure = Simplified
		}
		switch r.IntN(6) {
		case 0: // rejected
			f.RejectedOn = day(f.ReceivedOn, 12)
		case 1: // pending
		case 2: // correction notice, corrected
			f.CorrectionNoticeOn = day(f.ReceivedOn, 6)
			f.CorrectionReceivedOn = day(*f.CorrectionNoticeOn, 20)
		default:
			f.AcceptedOn = day(f.ReceivedOn, 10)
			if r.IntN(2) == 0 {
				f.CopySentOn = day(*f.AcceptedOn, 12)
			}
			if r.IntN(4) == 0 {
				f.ExtensionDays = 30
			}
			if r.IntN(5) == 0 {
				f.Suspensions = []Suspension{{From: *day(*f.AcceptedOn, 30), Ground: MediationSettlement}}
				to := f.Suspensions[0].From.AddDays(r.IntN(80))
				f.Suspensions[0].To = &to
			}
			if r.IntN(3) > 0 {
				f.DecidedOn = day(*f.AcceptedOn, 120)
				f.ClosedOn = f.DecidedOn
			}
		}
		got, err1 := shared.Reconsideration(f, today)
		want, err2 := NewPlanner(rules, cal).Reconsideration(f, today)
		if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d %+v:\n shared %+v %v\n fresh  %+v %v", i, f, got, err1, want, err2)
		}
		if err1 == nil {
			planned++
		}
	}
	if planned < 4000 || len(shared.memo) == 0 {
		t.Fatalf("%d cases planned, %d periods remembered", planned, len(shared.memo))
	}
}
