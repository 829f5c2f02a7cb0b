package deadline

import (
	"errors"
	"strings"
	"testing"

	"fuyi/services/calendar"
)

var d = calendar.MustParseDate

func TestCompute(t *testing.T) {
	cal := calendar.Default()
	tests := []struct {
		article string
		name    string
		start   string
		length  int
		unit    Unit
		dir     Direction
		want    string
	}{
		{"RL2023 Art. 30 + 88(2)", "Spring Festival 2024 skipped, make-up Sunday 02-18 counted", "2024-02-08", 5, Working, After, "2024-02-21"},
		{"RL2023 Art. 30 + 88(2)", "make-up Sunday 2024-02-04 counted", "2024-02-02", 5, Working, After, "2024-02-08"},
		{"RL2023 Art. 48", "National Day 2024 skipped, make-up 09-29 counted", "2024-09-20", 10, Working, After, "2024-10-10"},
		{"RL2023 Art. 48", "working days across New Year 2025", "2024-12-25", 10, Working, After, "2025-01-09"},
		{"RL2023 Art. 54(1)", "Dragon Boat 2024-06-10 skipped", "2024-06-06", 5, Working, After, "2024-06-14"},
		{"RL2017 Art. 17, 40", "make-up Saturday 2018-12-29 (2019 notice) is the last day", "2018-12-24", 5, Working, After, "2018-12-29"},
		{"ALL Art. 67", "National Day 2024: 10-05 rolls to 10-08", "2024-09-20", 15, Calendar, After, "2024-10-08"},
		{"ALL Art. 85", "National Day 2025: 10-08 rolls to 10-09", "2025-09-23", 15, Calendar, After, "2025-10-09"},
		{"ALL Art. 85", "make-up Saturday 2025-10-11 is the last day, no roll-over", "2025-10-01", 10, Calendar, After, "2025-10-11"},
		{"ALL Art. 67", "make-up Saturday 2024-10-12 is the last day, no roll-over", "2024-09-27", 15, Calendar, After, "2024-10-12"},
		{"RL2017 Art. 23", "Mid-Autumn/National Day 2023 rolls to make-up Saturday 10-07", "2023-09-20", 10, Calendar, After, "2023-10-07"},
		{"RL2023 Art. 62(1)", "60 days across New Year, ordinary Saturday rolls to Monday", "2024-11-05", 60, Calendar, After, "2025-01-06"},
		{"RL2017 Art. 31", "Labour Day 2023: 04-30 rolls to 05-04", "2023-03-01", 60, Calendar, After, "2023-05-04"},
		{"RL2023 Art. 62(1)", "ordinary weekday, no roll-over", "2024-02-20", 60, Calendar, After, "2024-04-22"},
		{"RL2023 Art. 51", "hearing notice counts back over make-up 2024-10-12", "2024-10-14", 5, Working, Before, "2024-10-08"},
		{"RL2023 Art. 51", "hearing notice counts back over Spring Festival 2024", "2024-02-19", 5, Working, Before, "2024-02-06"},
		{"SPC/SPP Interp. Art. 21", "2 months ending on National Day 2024 rolls over", "2024-08-01", 2, Month, After, "2024-10-08"},
		{"SPC/SPP Interp. Art. 21", "2 months from 07-31 end on 09-30", "2024-07-31", 2, Month, After, "2024-09-30"},
	}
	for _, tt := range tests {
		t.Run(tt.article+"/"+tt.name, func(t *testing.T) {
			r, err := ComputePeriod(cal, Period{Start: d(tt.start), Length: tt.length, Unit: tt.unit, Direction: tt.dir})
			if err != nil {
				t.Fatal(err)
			}
			if r.Due.String() != tt.want {
				t.Errorf("%s: due %s, want %s\n%s", tt.article, r.Due, tt.want, r.Explain("en"))
			}
		})
	}
}

func TestExplain(t *testing.T) {
	cal := calendar.Default()
	tests := []struct {
		article string
		p       Period
		zh, en  string
	}{
		{"RL2023 Art. 30", Period{Start: d("2024-02-08"), Length: 5, Unit: Working, Event: "received"},
			"2024-02-08 收件，5个工作日（跳过2月10日至17日春节假期，2月18日调休上班）→ 2024-02-21",
			"received 2024-02-08 + 5 working days (skipping 2024-02-10..17 Spring Festival, counting make-up working day 2024-02-18) = 2024-02-21"},
		{"ALL Art. 67", Period{Start: d("2024-09-20"), Length: 15, Unit: Calendar, Event: "complaint_received"},
			"2024-09-20 收到起诉状副本，15日（期满日10月5日逢国庆节假期，顺延至其后第一个工作日）→ 2024-10-08",
			"complaint received 2024-09-20 + 15 calendar days = 2024-10-05 (National Day holiday; rolled over to the next working day) = 2024-10-08"},
		{"RL2023 Art. 48", Period{Start: d("2024-12-25"), Length: 10, Unit: Working, Event: "copy_received"},
			"2024-12-25 被申请人收到申请书副本，10个工作日（跳过2025年1月1日元旦假期）→ 2025-01-09",
			"application copy received 2024-12-25 + 10 working days (skipping 2025-01-01 New Year's Day) = 2025-01-09"},
		{"RL2023 Art. 62(1)", Period{Start: d("2024-02-20"), Length: 60, Unit: Calendar, Event: "accepted",
			Adjustments: []Adjustment{{Days: 30, ZH: "延长", EN: "extension"}}},
			"2024-02-20 受理，60日，延长30日 → 2024-05-20",
			"accepted 2024-02-20 + 60 calendar days + 30 days extension = 2024-05-20"},
	}
	for _, tt := range tests {
		t.Run(tt.article, func(t *testing.T) {
			r, err := ComputePeriod(cal, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Explain("zh"); got != tt.zh {
				t.Errorf("zh:\n got %s\nwant %s", got, tt.zh)
			}
			if got := r.Explain("en"); got != tt.en {
				t.Errorf("en:\n got %s\nwant %s", got, tt.en)
			}
		})
	}
}

func TestComputeCalendarMissing(t *testing.T) {
	cal := calendar.Default()
	tests := []struct {
		article string
		start   string
		length  int
		unit    Unit
	}{
		{"ALL Art. 67: calendar period ending in 2027", "2026-12-20", 15, Calendar},
		{"RL2023 Art. 30: working days running into 2027", "2026-12-28", 5, Working},
		{"RL2023 Art. 30: start before 2015", "2014-12-30", 5, Working},
	}
	for _, tt := range tests {
		t.Run(tt.article, func(t *testing.T) {
			_, err := Compute(cal, d(tt.start), tt.length, tt.unit)
			if !errors.Is(err, calendar.ErrCalendarMissing) {
				t.Fatalf("err = %v, want ErrCalendarMissing", err)
			}
		})
	}
	// An imported 2027 notice makes the same computation succeed.
	y, err := calendar.ParseYear([]byte(`{"year":2027,"source":"test","days":[{"date":"2027-01-01","name":"元旦","off":true}]}`))
	if err != nil {
		t.Fatal(err)
	}
	cal2, _ := cal.With(y)
	r, err := Compute(cal2, d("2026-12-28"), 5, Working)
	if err != nil || r.Due.String() != "2027-01-05" || !strings.Contains(r.Explain("en"), "New Year's Day") {
		t.Errorf("with 2027: %v %v %s", r.Due, err, r.Explain("en"))
	}
}

func TestComputeRejectsBadInput(t *testing.T) {
	if _, err := Compute(calendar.Default(), d("2024-01-02"), -1, Calendar); err == nil {
		t.Error("negative length accepted")
	}
	if _, err := Compute(calendar.Default(), d("2024-01-02"), 5, "fortnights"); err == nil {
		t.Error("unknown unit accepted")
	}
}
