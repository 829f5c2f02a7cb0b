package deadline

import (
	"errors"
	"testing"

	"fuyi/services/calendar"
)

// FuzzCompute checks the counting rules (CPL Art. 85; RL2023 Art. 88) for any
// start date in 2015–2026 and any length: the due date is after the start, is
// a working day, a working-day period contains exactly length working days,
// a calendar period only rolls over non-working days, and recomputation is
// stable. Seeds: testdata/fuzz/FuzzCompute plus the f.Add rows.
func FuzzCompute(f *testing.F) {
	f.Add(uint16(3325), uint8(5), uint8(0))  // 2024-02-08 + 5 working days
	f.Add(uint16(3550), uint8(15), uint8(1)) // 2024-09-20 + 15 calendar days
	f.Add(uint16(1456), uint8(60), uint8(1)) // 2018-12-27 + 60 calendar days
	f.Add(uint16(4380), uint8(2), uint8(2))  // months
	cal := calendar.Default()
	epoch := calendar.MustParseDate("2015-01-01")
	f.Fuzz(func(t *testing.T, offset uint16, length uint8, unitSel uint8) {
		start := epoch.AddDays(int(offset) % 4383) // through 2026-12-31
		n := int(length)%120 + 1
		unit := []Unit{Working, Calendar, Month}[int(unitSel)%3]
		if unit == Month {
			n = n%6 + 1
		}
		r, err := Compute(cal, start, n, unit)
		if errors.Is(err, calendar.ErrCalendarMissing) {
			return // ran into 2027
		}
		if err != nil {
			t.Fatal(err)
		}
		if !r.Due.After(start) {
			t.Fatalf("%s + %d %s: due %s not after start", start, n, unit, r.Due)
		}
		if ok, _ := cal.IsWorkingDay(r.Due); !ok {
			t.Fatalf("%s + %d %s: due %s is not a working day", start, n, unit, r.Due)
		}
		switch unit {
		case Working:
			count := 0
			for x := start.AddDays(1); !x.After(r.Due); x = x.AddDays(1) {
				if ok, _ := cal.IsWorkingDay(x); ok {
					count++
				}
			}
			if count != n {
				t.Fatalf("%s + %d working days: due %s spans %d working days", start, n, r.Due, count)
			}
		default:
			if r.Due.Before(r.Nominal) {
				t.Fatalf("due %s before nominal end %s", r.Due, r.Nominal)
			}
			for x := r.Nominal; x.Before(r.Due); x = x.AddDays(1) {
				if ok, _ := cal.IsWorkingDay(x); ok {
					t.Fatalf("rolled over working day %s", x)
				}
			}
		}
		again, err := Compute(cal, start, n, unit)
		if err != nil || again.Due != r.Due || again.Explain("en") != r.Explain("en") {
			t.Fatalf("recomputation differs: %v %v", again.Due, err)
		}
	})
}
