// Package calendar holds the Chinese working-day calendar: the State Council's
// yearly holiday notices (法定节假日 and the make-up working weekends, 调休) for
// 2015–2026, admin-imported later years, and the civil Date type the
// deadline engine counts in.
//
// A Calendar is immutable and safe for concurrent use. A date in a year the
// calendar does not cover is an error (ErrCalendarMissing), never a guess.
package calendar

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	_ "embed"
)

// ErrCalendarMissing is matched (errors.Is) by every MissingYearError: the
// holiday notice for the year a computation needs has not been loaded.
var ErrCalendarMissing = errors.New("calendar: holiday calendar missing")

// MissingYearError reports the year whose holiday notice is missing.
type MissingYearError struct {
	Year int
}

// Error names the missing year.
func (e *MissingYearError) Error() string {
	return fmt.Sprintf("calendar: holiday calendar for %d missing", e.Year)
}

// Unwrap returns ErrCalendarMissing.
func (e *MissingYearError) Unwrap() error { return ErrCalendarMissing }

// MissingYear returns the year named by err if it is (or wraps) a
// MissingYearError.
func MissingYear(err error) (int, bool) {
	var m *MissingYearError
	if errors.As(err, &m) {
		return m.Year, true
	}
	return 0, false
}

// Day is one date named in a holiday notice, with the holiday it belongs to
// (e.g. "春节"); a make-up working day carries the name of the holiday it
// compensates.
type Day struct {
	Date Date
	Name string
}

// Year is the State Council notice for one year: the days off (Off) and the
// weekend days worked instead (Work). Days not listed follow the ordinary
// week (Monday–Friday working). A notice may list late-December days of the
// previous year (the 2019 notice lists 2018-12-29..31). Source names the
// notice (document number and/or URL).
type Year struct {
	Year   int
	Off    []Day
	Work   []Day
	Source string
}

// DayKind classifies a covered date.
type DayKind int

// The kinds of day.
const (
	Workday       DayKind = iota // ordinary Monday–Friday
	Weekend                      // ordinary Saturday/Sunday
	Holiday                      // off by the notice (法定节假日 or bridging day)
	MakeUpWorkday                // weekend day worked by the notice (调休上班)
)

// Working reports whether a day of kind k is a working day (工作日).
func (k DayKind) Working() bool { return k == Workday || k == MakeUpWorkday }

type entry struct {
	off  bool
	name string
}

// Calendar is an immutable set of yearly holiday notices.
type Calendar struct {
	years map[int]Year
	days  map[Date]entry
}

// New builds a Calendar from years after validating each (see ValidateYear).
// A later Year with the same Year number replaces an earlier one.
func New(years ...Year) (*Calendar, error) {
	return (&Calendar{}).with(years)
}

// With returns a new Calendar with years added or replaced (by Year number);
// c is unchanged. It is how admin-imported notices join the built-in ones.
func (c *Calendar) With(years ...Year) (*Calendar, error) {
	return c.with(years)
}

func (c *Calendar) with(years []Year) (*Calendar, error) {
	all := make(map[int]Year, len(c.years)+len(years))
	for k, v := range c.years {
		all[k] = v
	}
	for _, y := range years {
		if err := ValidateYear(y); err != nil {
			return nil, err
		}
		all[y.Year] = cloneYear(y)
	}
	n := &Calendar{years: all, days: make(map[Date]entry)}
	for _, yn := range n.Years() { // ascending: a later notice wins on overlap
		y := all[yn]
		for _, d := range y.Off {
			n.days[d.Date] = entry{off: true, name: d.Name}
		}
		for _, d := range y.Work {
			n.days[d.Date] = entry{off: false, name: d.Name}
		}
	}
	return n, nil
}

func cloneYear(y Year) Year {
	y.Off = slices.Clone(y.Off)
	y.Work = slices.Clone(y.Work)
	return y
}

//go:embed cn_holidays.txt
var builtinText []byte

var builtin = sync.OnceValue(func() *Calendar {
	years, err := ParseText(builtinText)
	if err != nil {
		panic("calendar: built-in cn_holidays.txt: " + err.Error())
	}
	c, err := New(years...)
	if err != nil {
		panic("calendar: built-in cn_holidays.txt: " + err.Error())
	}
	return c
})

// Default returns the built-in calendar (the State Council notices for
// 2015–2026, from cn_holidays.txt). It is shared and immutable.
func Default() *Calendar { return builtin() }

// Covers reports whether the notice for year is loaded.
func (c *Calendar) Covers(year int) bool {
	_, ok := c.years[year]
	return ok
}

// Years returns the covered years in ascending order.
func (c *Calendar) Years() []int {
	ys := make([]int, 0, len(c.years))
	for y := range c.years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

// Year returns a copy of the notice for year.
func (c *Calendar) Year(year int) (Year, bool) {
	y, ok := c.years[year]
	if !ok {
		return Year{}, false
	}
	return cloneYear(y), true
}

// Kind classifies d and returns the holiday name for Holiday and
// MakeUpWorkday days. It fails with a MissingYearError when d's year is not
// covered.
func (c *Calendar) Kind(d Date) (DayKind, string, error) {
	if !c.Covers(d.Y) {
		return 0, "", &MissingYearError{Year: d.Y}
	}
	if e, ok := c.days[d]; ok {
		if e.off {
			return Holiday, e.name, nil
		}
		if d.IsWeekend() {
			return MakeUpWorkday, e.name, nil
		}
		return Workday, "", nil
	}
	if d.IsWeekend() {
		return Weekend, "", nil
	}
	return Workday, "", nil
}

// IsWorkingDay reports whether d is a working day: a weekday that is not a
// holiday, or a make-up working weekend day. It fails with a
// MissingYearError when d's year is not covered.
func (c *Calendar) IsWorkingDay(d Date) (bool, error) {
	k, _, err := c.Kind(d)
	if err != nil {
		return false, err
	}
	return k.Working(), nil
}

// Holiday returns the holiday name when d is a day off under a loaded notice.
func (c *Calendar) Holiday(d Date) (string, bool) {
	if e, ok := c.days[d]; ok && e.off {
		return e.name, true
	}
	return "", false
}

// HolidayNameEN translates a holiday name used in the notices; unknown names
// are returned unchanged.
func HolidayNameEN(zh string) string {
	if en, ok := holidayEN[zh]; ok {
		return en
	}
	return zh
}

var holidayEN = map[string]string{
	"元旦":      "New Year's Day",
	"春节":      "Spring Festival",
	"清明节":     "Qingming Festival",
	"劳动节":     "Labour Day",
	"端午节":     "Dragon Boat Festival",
	"中秋节":     "Mid-Autumn Festival",
	"国庆节":     "National Day",
	"中秋节、国庆节": "Mid-Autumn Festival and National Day",
	"国庆节、中秋节": "National Day and Mid-Autumn Festival",
	"抗日战争暨世界反法西斯战争胜利70周年纪念日": "70th Anniversary of the Victory of the War of Resistance",
}

// ValidateYear checks a notice: a plausible year; every date inside that year
// or in the previous December; no date listed twice; names present; every
// make-up working day on a weekend. The error names the date and the reason.
func ValidateYear(y Year) error {
	if y.Year < 1949 || y.Year > 9999 {
		return &FieldError{Field: "year", Reason: fmt.Sprintf("%d out of range", y.Year)}
	}
	seen := map[Date]string{}
	check := func(field string, i int, d Day) error {
		f := fmt.Sprintf("%s[%d]", field, i)
		inYear := d.Date.Y == y.Year
		prevDec := d.Date.Y == y.Year-1 && d.Date.M == time.December
		switch {
		case d.Date.IsZero():
			return &FieldError{Field: f, Reason: "missing date"}
		case !inYear && !prevDec:
			return &FieldError{Field: f, Date: d.Date, Reason: fmt.Sprintf("not in %d (or December %d)", y.Year, y.Year-1)}
		case d.Name == "":
			return &FieldError{Field: f, Date: d.Date, Reason: "missing holiday name"}
		}
		if prev, dup := seen[d.Date]; dup {
			return &FieldError{Field: f, Date: d.Date, Reason: "listed twice (also " + prev + ")"}
		}
		seen[d.Date] = f
		return nil
	}
	for i, d := range y.Off {
		if err := check("off", i, d); err != nil {
			return err
		}
	}
	for i, d := range y.Work {
		if err := check("work", i, d); err != nil {
			return err
		}
		if !d.Date.IsWeekend() {
			return &FieldError{Field: fmt.Sprintf("work[%d]", i), Date: d.Date,
				Reason: "a make-up working day must be a Saturday or Sunday, not " + d.Date.Weekday().String()}
		}
	}
	return nil
}

// FieldError is a validation failure in an imported notice.
type FieldError struct {
	Field  string
	Date   Date
	Reason string
}

// Error names the field, the date if any, and the reason.
func (e *FieldError) Error() string {
	if e.Date.IsZero() {
		return fmt.Sprintf("calendar: %s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("calendar: %s %s: %s", e.Field, e.Date, e.Reason)
}
