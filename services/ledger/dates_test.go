package ledger

import (
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"2022-03-05", "2022-03-05"},
		{"2022/3/5", "2022-03-05"},
		{"2022.3.5", "2022-03-05"},
		{"2022年3月5日", "2022-03-05"},
		{"2022年03月05日", "2022-03-05"},
		{"２０２２年３月５日", "2022-03-05"},
		{" 2022-3-5 ", "2022-03-05"},
		{"2022/3/5 0:00", "2022-03-05"},
		{"2022-03-05 00:00:00", "2022-03-05"},
		{"20220305", "2022-03-05"},
		{"44625", "2022-03-05"},   // Excel serial
		{"44625.5", "2022-03-05"}, // serial with a time of day
		{"2024-02-29", "2024-02-29"},
		{"1990-01-01", "1990-01-01"},
		{"2100-12-31", "2100-12-31"},
	} {
		got, err := ParseDate(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDate(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{
		"", "2022-02-30", "2023-02-29", "2022-13-01", "2022-00-10", "2022-01-00", "1989-12-31", "2101-01-01",
		"2022-3", "22-3-5", "2022/3/5 25:00x", "三月五日", "44625e0", "-44625", "NaN", "Inf", "1", "99999",
		"2022-03-05-01", "2022年3月", "2022..5", "0x1p10",
	} {
		if got, err := ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) = %q, want an error", in, got)
		} else if ce, ok := err.(*CellError); !ok || ce.ZH == "" || ce.EN == "" {
			t.Errorf("ParseDate(%q): error %v is not a bilingual *CellError", in, err)
		}
	}
}

// FuzzParseDate: never panics; an accepted date is a real YYYY-MM-DD in
// 1990–2100 that parses to itself.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2022-03-05", "2022/3/5", "2022.3.5", "2022年3月5日", "44625", "44625.25", "2022-02-30", "20220305", "2022/3/5 0:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s)
		if err != nil {
			if _, ok := err.(*CellError); !ok {
				t.Fatalf("ParseDate(%q): error of type %T", s, err)
			}
			return
		}
		d, perr := time.Parse(time.DateOnly, got)
		if perr != nil || d.Format(time.DateOnly) != got {
			t.Fatalf("ParseDate(%q) = %q: not a YYYY-MM-DD date", s, got)
		}
		if d.Year() < MinYear || d.Year() > MaxYear {
			t.Fatalf("ParseDate(%q) = %q: year out of range", s, got)
		}
		if again, err := ParseDate(got); err != nil || again != got {
			t.Fatalf("ParseDate(%q) = %q does not parse to itself (%q, %v)", s, got, again, err)
		}
		if strings.TrimSpace(s) == "" {
			t.Fatalf("ParseDate(%q) accepted a blank", s)
		}
	})
}
