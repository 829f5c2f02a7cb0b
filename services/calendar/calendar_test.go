package calendar

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

var d = MustParseDate

// Spot checks against the State Council notices (国务院办公厅关于YYYY年部分节假日安排的通知).
func TestDefaultSpotChecks(t *testing.T) {
	cal := Default()
	tests := []struct {
		date    string
		want    DayKind
		name    string
		comment string
	}{
		{"2024-02-04", MakeUpWorkday, "春节", "2024 notice: Sunday 02-04 worked"},
		{"2024-02-09", Workday, "", "2024: Friday before Spring Festival is a working day"},
		{"2024-02-10", Holiday, "春节", "2024 notice: Spring Festival 02-10..17"},
		{"2024-02-15", Holiday, "春节", "2024 notice: weekday inside Spring Festival"},
		{"2024-02-17", Holiday, "春节", "2024 notice: last day of Spring Festival"},
		{"2024-02-18", MakeUpWorkday, "春节", "2024 notice: Sunday 02-18 worked"},
		{"2024-09-29", MakeUpWorkday, "国庆节", "2024 notice: Sunday 09-29 worked"},
		{"2024-10-01", Holiday, "国庆节", "2024 notice: National Day 10-01..07"},
		{"2024-10-07", Holiday, "国庆节", "2024 notice: National Day last day"},
		{"2024-10-12", MakeUpWorkday, "国庆节", "2024 notice: Saturday 10-12 worked"},
		{"2025-01-26", MakeUpWorkday, "春节", "2025 notice: Sunday 01-26 worked"},
		{"2025-02-08", MakeUpWorkday, "春节", "2025 notice: Saturday 02-08 worked"},
		{"2025-01-28", Holiday, "春节", "2025 notice: Spring Festival 01-28..02-04"},
		{"2025-10-08", Holiday, "国庆节、中秋节", "2025 notice: National Day + Mid-Autumn 10-01..08"},
		{"2025-10-11", MakeUpWorkday, "国庆节、中秋节", "2025 notice: Saturday 10-11 worked"},
		{"2025-10-12", Weekend, "", "2025: ordinary Sunday"},
		{"2018-12-29", MakeUpWorkday, "元旦", "2019 notice lists Saturday 2018-12-29 as worked"},
		{"2018-12-31", Holiday, "元旦", "2019 notice: New Year 2018-12-30..2019-01-01"},
		{"2020-02-01", Holiday, "春节", "2020 supplementary notice: Spring Festival extended to 02-02"},
		{"2020-02-03", Workday, "", "2020: Monday after the extension is an ordinary working day"},
		{"2015-09-03", Holiday, "抗日战争暨世界反法西斯战争胜利70周年纪念日", "2015 supplementary notice"},
		{"2015-09-06", MakeUpWorkday, "抗日战争暨世界反法西斯战争胜利70周年纪念日", "2015 supplementary notice: Sunday worked"},
		{"2026-02-14", MakeUpWorkday, "春节", "2026 notice: Saturday 02-14 worked"},
		{"2026-02-23", Holiday, "春节", "2026 notice: Spring Festival 02-15..23"},
		{"2026-12-31", Workday, "", "2026: ordinary Thursday"},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			kind, name, err := cal.Kind(d(tt.date))
			if err != nil {
				t.Fatal(err)
			}
			if kind != tt.want || name != tt.name {
				t.Errorf("%s (%s): got kind %d %q, want %d %q", tt.date, tt.comment, kind, name, tt.want, tt.name)
			}
			working, _ := cal.IsWorkingDay(d(tt.date))
			if working != tt.want.Working() {
				t.Errorf("%s: IsWorkingDay = %v", tt.date, working)
			}
		})
	}
}

// Per-year counts of days off and make-up weekend days in each notice; a
// drift in cn_holidays.txt changes these.
func TestDefaultYearCounts(t *testing.T) {
	want := []struct{ year, off, work int }{
		{2015, 26, 5}, {2016, 24, 6}, {2017, 24, 5}, {2018, 23, 6}, {2019, 24, 7}, {2020, 30, 6},
		{2021, 31, 7}, {2022, 31, 7}, {2023, 27, 7}, {2024, 28, 8}, {2025, 28, 5}, {2026, 33, 6},
	}
	cal := Default()
	if got := cal.Years(); len(got) != len(want) || got[0] != 2015 || got[len(got)-1] != 2026 {
		t.Fatalf("Years() = %v", got)
	}
	for _, w := range want {
		y, ok := cal.Year(w.year)
		if !ok {
			t.Fatalf("%d not covered", w.year)
		}
		if len(y.Off) != w.off || len(y.Work) != w.work || !strings.Contains(y.Source, "gov.cn") {
			t.Errorf("%d: off %d work %d source %q; want off %d work %d", w.year, len(y.Off), len(y.Work), y.Source, w.off, w.work)
		}
	}
}

func TestMissingYear(t *testing.T) {
	cal := Default()
	for _, s := range []string{"2014-12-31", "2027-01-04"} {
		_, err := cal.IsWorkingDay(d(s))
		if !errors.Is(err, ErrCalendarMissing) {
			t.Fatalf("%s: err = %v, want ErrCalendarMissing", s, err)
		}
		if y, ok := MissingYear(err); !ok || y != d(s).Y {
			t.Errorf("%s: MissingYear = %d %v", s, y, ok)
		}
		if !strings.Contains(err.Error(), s[:4]) {
			t.Errorf("error %q does not name the year", err)
		}
	}
}

func TestWithImportedYear(t *testing.T) {
	y, err := ParseYear([]byte(`{"year":2027,"source":"test notice","days":[
		{"date":"2027-01-01","name":"元旦","off":true},
		{"date":"2027-02-06","name":"春节","off":false},
		{"date":"2026-12-31","name":"元旦","isOffDay":true}]}`))
	if err != nil {
		t.Fatal(err)
	}
	base := Default()
	cal, err := base.With(y)
	if err != nil {
		t.Fatal(err)
	}
	if base.Covers(2027) {
		t.Fatal("With mutated the receiver")
	}
	if k, _, _ := cal.Kind(d("2027-02-06")); k != MakeUpWorkday {
		t.Errorf("2027-02-06 kind %d", k)
	}
	if ok, _ := cal.IsWorkingDay(d("2026-12-31")); ok {
		t.Error("2026-12-31 should be off under the imported 2027 notice")
	}
	if ok, _ := base.IsWorkingDay(d("2026-12-31")); !ok {
		t.Error("base calendar changed")
	}
	// Replacing a year drops the old notice's days.
	cal2, err := cal.With(Year{Year: 2027, Source: "replacement", Off: []Day{{d("2027-01-01"), "元旦"}}})
	if err != nil {
		t.Fatal(err)
	}
	if k, _, _ := cal2.Kind(d("2027-02-06")); k != Weekend {
		t.Errorf("after replacement 2027-02-06 kind %d, want Weekend", k)
	}
	if ok, _ := cal2.IsWorkingDay(d("2026-12-31")); !ok {
		t.Error("after replacement 2026-12-31 should be an ordinary Thursday")
	}
}

func TestParseYearErrors(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"bad json", `{`, "invalid notice JSON"},
		{"unknown field", `{"year":2027,"source":"s","days":[],"x":1}`, "unknown field"},
		{"no source", `{"year":2027,"days":[{"date":"2027-01-01","name":"元旦","off":true}]}`, "source"},
		{"no days", `{"year":2027,"source":"s","days":[]}`, "days: empty"},
		{"bad date", `{"year":2027,"source":"s","days":[{"date":"2027-02-30","name":"元旦","off":true}]}`, "days[0].date"},
		{"missing off", `{"year":2027,"source":"s","days":[{"date":"2027-01-01","name":"元旦"}]}`, "days[0].off 2027-01-01"},
		{"other year", `{"year":2027,"source":"s","days":[{"date":"2028-01-01","name":"元旦","off":true}]}`, "not in 2027"},
		{"previous November", `{"year":2027,"source":"s","days":[{"date":"2026-11-30","name":"元旦","off":true}]}`, "not in 2027"},
		{"duplicate", `{"year":2027,"source":"s","days":[{"date":"2027-01-01","name":"元旦","off":true},{"date":"2027-01-01","name":"元旦","off":true}]}`, "listed twice"},
		{"make-up on weekday", `{"year":2027,"source":"s","days":[{"date":"2027-01-04","name":"元旦","off":false}]}`, "must be a Saturday or Sunday"},
		{"no name", `{"year":2027,"source":"s","days":[{"date":"2027-01-01","name":"","off":true}]}`, "missing holiday name"},
		{"year out of range", `{"year":27,"source":"s","days":[{"date":"0027-01-01","name":"元旦","off":true}]}`, "year: 27 out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseYear([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want containing %q", err, tt.want)
			}
		})
	}
}

func TestFormatRoundTrip(t *testing.T) {
	cal := Default()
	var years []Year
	for _, y := range cal.Years() {
		yr, _ := cal.Year(y)
		years = append(years, yr)
		// JSON round trip.
		b, err := FormatYear(yr)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseYear(b)
		if err != nil {
			t.Fatalf("%d: %v", y, err)
		}
		if len(back.Off) != len(yr.Off) || len(back.Work) != len(yr.Work) || back.Source != yr.Source {
			t.Errorf("%d: JSON round trip changed the notice", y)
		}
	}
	text := FormatText(years)
	again, err := ParseText(text)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(FormatText(again), text) {
		t.Error("text round trip not stable")
	}
	c2, err := New(again...)
	if err != nil {
		t.Fatal(err)
	}
	for day := d("2015-01-01"); day.Y <= 2026; day = day.AddDays(1) {
		k1, n1, _ := cal.Kind(day)
		k2, n2, _ := c2.Kind(day)
		if k1 != k2 || n1 != n2 {
			t.Fatalf("%s differs after round trip", day)
		}
	}
}

func TestParseTextErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"holiday before year", "  元旦 off 01-01\n", "before any year"},
		{"bad year line", "yr 2024\n", "want \"year YYYY"},
		{"date before section", "year 2024 s\n  元旦 01-01 off 01-02\n", "before off/work"},
		{"bad range", "year 2024 s\n  元旦 off 01-05..01-01\n", "bad range"},
		{"weekday make-up", "year 2024 s\n  元旦 work 01-02\n", "Saturday or Sunday"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseText([]byte(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDate(t *testing.T) {
	if _, err := ParseDate("2023-02-29"); err == nil {
		t.Error("2023-02-29 accepted")
	}
	if got := d("2024-02-08").AddDays(13).String(); got != "2024-02-21" {
		t.Errorf("AddDays = %s", got)
	}
	if got := d("2024-12-25").AddDays(10).String(); got != "2025-01-04" {
		t.Errorf("AddDays across the year = %s", got)
	}
	if got := d("2025-01-04").Sub(d("2024-12-25")); got != 10 {
		t.Errorf("Sub = %d", got)
	}
	if got := d("2024-03-10").Sub(d("2024-03-11")); got != -1 {
		t.Errorf("Sub negative = %d", got)
	}
	months := []struct {
		from string
		n    int
		want string
	}{
		{"2024-01-31", 1, "2024-02-29"}, {"2023-12-31", 2, "2024-02-29"}, {"2025-12-31", 2, "2026-02-28"},
		{"2024-03-15", 2, "2024-05-15"}, {"2024-11-30", 3, "2025-02-28"},
	}
	for _, m := range months {
		if got := d(m.from).AddMonths(m.n).String(); got != m.want {
			t.Errorf("%s + %d months = %s, want %s", m.from, m.n, got, m.want)
		}
	}
	if d("2024-02-18").Weekday() != time.Sunday || !d("2024-02-18").IsWeekend() {
		t.Error("2024-02-18 is a Sunday")
	}
	if !d("2024-01-01").Before(d("2024-01-02")) || !d("2025-01-01").After(d("2024-12-31")) {
		t.Error("Before/After")
	}
	var z Date
	if err := z.UnmarshalText([]byte("2024-02-08")); err != nil || z != d("2024-02-08") {
		t.Errorf("UnmarshalText = %v %v", z, err)
	}
	if (Date{}).String() != "" || !(Date{}).IsZero() {
		t.Error("zero Date")
	}
}
