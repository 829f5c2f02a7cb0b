package deadline

import (
	"fmt"
	"strings"

	"fuyi/services/calendar"
)

// Unit is how a period's length is counted.
type Unit string

// The units.
const (
	// Working counts only working days (工作日): weekdays that are not
	// holidays, plus make-up working weekends (RL2023 Art. 88(2); RL2017 Art. 40).
	Working Unit = "working"
	// Calendar counts every day; a last day that is not a working day rolls
	// over to the next working day (CPL Art. 85).
	Calendar Unit = "calendar"
	// Month counts calendar months (same day number, clamped to the month's
	// end), then rolls over like Calendar.
	Month Unit = "month"
)

// Direction says whether the due date lies after or before the start event.
type Direction string

// The directions.
const (
	After  Direction = "after"  // due = start + length (the usual case)
	Before Direction = "before" // due = start − length (e.g. hearing notice, RL2023 Art. 51)
)

// Adjustment is a number of calendar days added to a period after it is
// counted and before roll-over, with the reason in both languages (a
// suspension, an approved extension, correction time).
type Adjustment struct {
	Days int
	ZH   string
	EN   string
}

// Period is one computation's input. The start day itself is never counted.
type Period struct {
	Start       calendar.Date
	Length      int
	Unit        Unit
	Direction   Direction // "" means After
	Event       string    // start event name (e.g. "received"), for explanations
	Adjustments []Adjustment
}

// Span is a run of consecutive non-working days that a computation skipped
// or rolled over; Name lists the holidays in it ("" for a plain weekend).
type Span struct {
	From, To calendar.Date
	Name     string
}

// Result is a computed due date with everything needed to explain it.
type Result struct {
	Period
	// Nominal is the end of the period before roll-over (for Working periods
	// it equals Due).
	Nominal calendar.Date
	// Due is the last day on which the act is on time.
	Due calendar.Date
	// Skipped are the holiday runs a working-day count stepped over.
	Skipped []Span
	// MakeUp are make-up working weekend days that a working-day count counted.
	MakeUp []calendar.Date
	// Rolled is the non-working run the nominal end fell into, if any.
	Rolled *Span
}

// Compute returns the due date of a period of length units from start
// (start day not counted). A working-day period counts only working days;
// a calendar-day period whose last day is not a working day ends on the next
// working day (CPL Art. 85; RL2023 Art. 88). It fails with an error matching
// calendar.ErrCalendarMissing when any day it must classify lies in a year
// the calendar does not cover.
func Compute(cal *calendar.Calendar, start calendar.Date, length int, unit Unit) (Result, error) {
	return ComputePeriod(cal, Period{Start: start, Length: length, Unit: unit})
}

// ComputePeriod is Compute for a full Period (direction, event name,
// adjustments).
func ComputePeriod(cal *calendar.Calendar, p Period) (Result, error) {
	if p.Direction == "" {
		p.Direction = After
	}
	if p.Length < 0 {
		return Result{}, fmt.Errorf("deadline: negative length %d", p.Length)
	}
	step := 1
	if p.Direction == Before {
		step = -1
	}
	r := Result{Period: p}
	var d calendar.Date
	switch p.Unit {
	case Working:
		var run []calendar.Date
		d = p.Start
		for n := 0; n < p.Length; {
			d = d.AddDays(step)
			kind, _, err := cal.Kind(d)
			if err != nil {
				return Result{}, err
			}
			if !kind.Working() {
				run = append(run, d)
				continue
			}
			r.flush(cal, run)
			run = run[:0]
			if kind == calendar.MakeUpWorkday {
				r.MakeUp = append(r.MakeUp, d)
			}
			n++
		}
	case Calendar:
		d = p.Start.AddDays(step * p.Length)
	case Month:
		d = p.Start.AddMonths(step * p.Length)
	default:
		return Result{}, fmt.Errorf("deadline: unknown unit %q", p.Unit)
	}
	for _, a := range p.Adjustments {
		d = d.AddDays(step * a.Days)
	}
	r.Nominal = d
	// Roll over a non-working last day: forward for ordinary periods, backward
	// for "at least N days before" periods, so the period is never shortened.
	var run []calendar.Date
	for {
		ok, err := cal.IsWorkingDay(d)
		if err != nil {
			return Result{}, err
		}
		if ok {
			break
		}
		run = append(run, d)
		d = d.AddDays(step)
	}
	if len(run) > 0 {
		s := makeSpan(cal, run)
		r.Rolled = &s
	}
	r.Due = d
	return r, nil
}

// flush records a skipped run of non-working days if it contains a holiday;
// plain weekends are not worth an explanation.
func (r *Result) flush(cal *calendar.Calendar, run []calendar.Date) {
	if len(run) == 0 {
		return
	}
	s := makeSpan(cal, run)
	if s.Name != "" {
		r.Skipped = append(r.Skipped, s)
	}
}

func makeSpan(cal *calendar.Calendar, run []calendar.Date) Span {
	from, to := run[0], run[len(run)-1]
	if to.Before(from) {
		from, to = to, from
	}
	var names []string
	for d := from; !d.After(to); d = d.AddDays(1) {
		if n, ok := cal.Holiday(d); ok && !contains(names, n) {
			names = append(names, n)
		}
	}
	return Span{From: from, To: to, Name: strings.Join(names, "、")}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Explain renders the computation as one line in "zh" (zh-CN) or "en", e.g.
//
//	2024-02-08 收件，5个工作日（跳过2月10日至17日春节假期，2月18日调休上班）→ 2024-02-21
//	received 2024-02-08 + 5 working days (skipping 2024-02-10..17 Spring Festival, counting make-up working day 2024-02-18) = 2024-02-21
func (r Result) Explain(lang string) string {
	if lang == "en" {
		return r.explainEN()
	}
	return r.explainZH()
}

func (r Result) explainZH() string {
	var b strings.Builder
	ev := eventZH(r.Event)
	fmt.Fprintf(&b, "%s %s，", r.Start, ev)
	if r.Direction == Before {
		b.WriteString("前")
	}
	switch r.Unit {
	case Working:
		fmt.Fprintf(&b, "%d个工作日", r.Length)
	case Month:
		fmt.Fprintf(&b, "%d个月", r.Length)
	default:
		fmt.Fprintf(&b, "%d日", r.Length)
	}
	for _, a := range r.Adjustments {
		fmt.Fprintf(&b, "，%s%d日", a.ZH, a.Days)
	}
	var notes []string
	if len(r.Skipped) > 0 {
		var ss []string
		for _, s := range r.Skipped {
			ss = append(ss, zhSpan(r.Start, s.From, s.To)+s.Name)
		}
		notes = append(notes, "跳过"+strings.Join(ss, "、")+"假期")
	}
	if len(r.MakeUp) > 0 {
		var ss []string
		for _, d := range r.MakeUp {
			ss = append(ss, zhDay(r.Start, d))
		}
		notes = append(notes, strings.Join(ss, "、")+"调休上班")
	}
	if r.Rolled != nil {
		what := "周末"
		if r.Rolled.Name != "" {
			what = r.Rolled.Name + "假期"
		}
		dir := "顺延至其后第一个工作日"
		if r.Direction == Before {
			dir = "提前至其前最后一个工作日"
		}
		notes = append(notes, fmt.Sprintf("期满日%s逢%s，%s", zhDay(r.Start, r.Nominal), what, dir))
	}
	if len(notes) > 0 {
		b.WriteString("（" + strings.Join(notes, "，") + "）")
	} else {
		b.WriteString(" ")
	}
	fmt.Fprintf(&b, "→ %s", r.Due)
	return b.String()
}

func (r Result) explainEN() string {
	var b strings.Builder
	op := "+"
	if r.Direction == Before {
		op = "−"
	}
	unit := "calendar days"
	switch r.Unit {
	case Working:
		unit = "working days"
	case Month:
		unit = "months"
	}
	fmt.Fprintf(&b, "%s %s %s %d %s", eventEN(r.Event), r.Start, op, r.Length, unit)
	for _, a := range r.Adjustments {
		fmt.Fprintf(&b, " %s %d days %s", op, a.Days, a.EN)
	}
	var notes []string
	if len(r.Skipped) > 0 {
		var ss []string
		for _, s := range r.Skipped {
			ss = append(ss, enSpan(s.From, s.To)+" "+enHoliday(s.Name))
		}
		notes = append(notes, "skipping "+strings.Join(ss, ", "))
	}
	if len(r.MakeUp) > 0 {
		var ss []string
		for _, d := range r.MakeUp {
			ss = append(ss, d.String())
		}
		w := "day"
		if len(ss) > 1 {
			w = "days"
		}
		notes = append(notes, fmt.Sprintf("counting make-up working %s %s", w, strings.Join(ss, ", ")))
	}
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, ", ") + ")")
	}
	if r.Rolled != nil {
		what := "a weekend"
		if r.Rolled.Name != "" {
			what = enHoliday(r.Rolled.Name) + " holiday"
		}
		dir := "rolled over to the next working day"
		if r.Direction == Before {
			dir = "moved back to the previous working day"
		}
		fmt.Fprintf(&b, " = %s (%s; %s)", r.Nominal, what, dir)
	}
	fmt.Fprintf(&b, " = %s", r.Due)
	return b.String()
}

func enHoliday(names string) string {
	var out []string
	for _, n := range strings.Split(names, "、") {
		out = append(out, calendar.HolidayNameEN(n))
	}
	// "中秋节、国庆节" is one holiday name with its own translation.
	if en := calendar.HolidayNameEN(names); en != names {
		return en
	}
	return strings.Join(out, " / ")
}

// zhDay formats d as "2月10日", with the year when it differs from ref's.
func zhDay(ref, d calendar.Date) string {
	if d.Y != ref.Y {
		return fmt.Sprintf("%d年%d月%d日", d.Y, int(d.M), d.D)
	}
	return fmt.Sprintf("%d月%d日", int(d.M), d.D)
}

// zhSpan formats a run as "2月10日至17日" / "9月29日至10月6日".
func zhSpan(ref, from, to calendar.Date) string {
	switch {
	case from == to:
		return zhDay(ref, from)
	case from.Y == to.Y && from.M == to.M:
		return fmt.Sprintf("%s至%d日", zhDay(ref, from), to.D)
	case from.Y == to.Y && from.Y == ref.Y:
		return fmt.Sprintf("%s至%d月%d日", zhDay(ref, from), int(to.M), to.D)
	default:
		return fmt.Sprintf("%d年%d月%d日至%d年%d月%d日", from.Y, int(from.M), from.D, to.Y, int(to.M), to.D)
	}
}

// enSpan formats a run as "2024-02-10..17" / "2024-09-29..10-06".
func enSpan(from, to calendar.Date) string {
	switch {
	case from == to:
		return from.String()
	case from.Y == to.Y && from.M == to.M:
		return fmt.Sprintf("%s..%02d", from, to.D)
	case from.Y == to.Y:
		return fmt.Sprintf("%s..%02d-%02d", from, int(to.M), to.D)
	default:
		return from.String() + ".." + to.String()
	}
}

var events = map[string][2]string{
	"received":                   {"收件", "received"},
	"accepted":                   {"受理", "accepted"},
	"correction_notice_received": {"收到补正通知", "correction notice received"},
	"correction_received":        {"收到补正材料", "corrected materials received"},
	"copy_received":              {"被申请人收到申请书副本", "application copy received"},
	"suspended":                  {"中止", "suspended"},
	"opinion_received":           {"收到行政复议意见书", "opinion letter received"},
	"complaint_received":         {"收到起诉状副本", "complaint received"},
	"judgment_served":            {"判决书送达", "judgment served"},
	"ruling_served":              {"裁定书送达", "ruling served"},
	"suggestion_received":        {"收到建议", "suggestion received"},
	"hearing":                    {"听证日", "hearing"},
	"review_requested":           {"提出附带审查申请", "review requested"},
	"drafter_notice_received":    {"制定机关收到通知", "drafting body notified"},
	"forward_received":           {"接受转送", "forwarded review received"},
	"appeal_copy_received":       {"收到上诉状副本", "appeal copy received"},
}

func eventZH(e string) string {
	if l, ok := events[e]; ok {
		return l[0]
	}
	return "起算"
}

func eventEN(e string) string {
	if l, ok := events[e]; ok {
		return l[1]
	}
	return "start"
}
