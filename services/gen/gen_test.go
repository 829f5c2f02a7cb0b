package gen

import (
	"fmt"
	"hash/fnv"
	"testing"

	"fuyi/services/calendar"
)

func digest(t *testing.T, p *Plan) (uint64, []Case) {
	t.Helper()
	h := fnv.New64a()
	var all []Case
	if err := p.EachCase(0, func(c *Case) error {
		fmt.Fprintf(h, "%+v\n", *c)
		all = append(all, *c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return h.Sum64(), all
}

// The same seed and end date give the same cases, and every case's dates
// are in a possible order with a status that matches them.
func TestDistrictDeterministicAndConsistent(t *testing.T) {
	sc, err := ScaleByName("district")
	if err != nil {
		t.Fatal(err)
	}
	until := calendar.MustParseDate("2026-10-31")
	a, cases := digest(t, NewPlan(sc, 2026, until))
	b, _ := digest(t, NewPlan(sc, 2026, until))
	if a != b {
		t.Fatal("two runs with the same seed differ")
	}
	if len(cases) != 5000 {
		t.Fatalf("%d cases, want 5000", len(cases))
	}
	closed, open := 0, 0
	for _, c := range cases {
		if c.ReceivedOn < "2016-11-01" || c.ReceivedOn > "2026-10-31" {
			t.Fatalf("%s received %s outside the ten years", c.CaseNo, c.ReceivedOn)
		}
		if c.AcceptedOn != "" && c.AcceptedOn < c.ReceivedOn || c.ClosedOn != "" && c.ClosedOn < c.AcceptedOn ||
			c.ServedOn != "" && c.ServedOn < c.ClosedOn || c.ArchivedOn != "" && c.ArchivedOn < c.ServedOn {
			t.Fatalf("%s dates out of order: %+v", c.CaseNo, c)
		}
		if (c.ClosedOn != "") != (c.Outcome != "") || (c.Outcome == "terminated") != (c.Termination != "") {
			t.Fatalf("%s outcome does not match its closing: %+v", c.CaseNo, c)
		}
		if c.Outcome == "confirmed_void" && c.Regime != "rl2023" {
			t.Fatalf("%s: confirmed_void under the old law", c.CaseNo)
		}
		if c.Intake == "accepted" && c.ClosedOn == "" {
			open++
		}
		if c.ClosedOn != "" {
			closed++
		}
	}
	if closed < 4000 || open == 0 {
		t.Fatalf("closed %d, open %d: not a realistic mix", closed, open)
	}
}
