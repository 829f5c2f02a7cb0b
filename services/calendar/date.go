package calendar

import (
	"fmt"
	"strconv"
	"time"
)

// Date is a civil calendar date (year, month, day) with no time of day and no
// time zone. Statutory periods are counted in dates, not instants. The zero
// Date is "no date" (see IsZero).
type Date struct {
	Y int
	M time.Month
	D int
}

// NewDate returns the date y-m-d, normalising out-of-range values the way
// time.Date does (2024-02-30 becomes 2024-03-01).
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the civil date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Y: y, M: m, D: d}
}

// ParseDate parses an ISO date "YYYY-MM-DD" and rejects impossible dates
// such as 2023-02-29.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("calendar: invalid date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// MustParseDate is ParseDate for constants in tests and tables; it panics on error.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String formats d as "YYYY-MM-DD"; the zero Date formats as "".
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Y, int(d.M), d.D)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time { return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, time.UTC) }

// AddDays returns d plus n calendar days (n may be negative).
func (d Date) AddDays(n int) Date { return NewDate(d.Y, d.M, d.D+n) }

// AddMonths returns the same day n months later; when that month is shorter
// the result is its last day (2024-01-31 + 1 month = 2024-02-29), the usual
// reading of month periods (CPL Art. 85).
func (d Date) AddMonths(n int) Date {
	first := NewDate(d.Y, d.M+time.Month(n), 1)
	last := first.AddDays(daysIn(first.Y, first.M) - 1)
	if d.D > last.D {
		return last
	}
	return Date{Y: first.Y, M: first.M, D: d.D}
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

// IsWeekend reports whether d is a Saturday or Sunday.
func (d Date) IsWeekend() bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Y != e.Y:
		return cmpInt(d.Y, e.Y)
	case d.M != e.M:
		return cmpInt(int(d.M), int(e.M))
	default:
		return cmpInt(d.D, e.D)
	}
}

// Sub returns the number of calendar days from e to d (d - e).
func (d Date) Sub(e Date) int {
	return int(d.Time().Sub(e.Time()).Hours() / 24)
}

// MarshalText implements encoding.TextMarshaler ("YYYY-MM-DD").
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it accepts "YYYY-MM-DD".
func (d *Date) UnmarshalText(b []byte) error {
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// shortMD formats d as "MM-DD".
func (d Date) shortMD() string { return fmt.Sprintf("%02d-%02d", int(d.M), d.D) }

// itoa is strconv.Itoa, kept short for the formatters.
func itoa(n int) string { return strconv.Itoa(n) }
