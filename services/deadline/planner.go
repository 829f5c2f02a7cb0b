package deadline

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"fuyi/services/calendar"
)

// Status is where a deadline stands on a given day.
type Status string

// The statuses.
const (
	Open            Status = "open"             // running, not yet done
	Met             Status = "met"              // done on or before the due date
	Missed          Status = "missed"           // done late, or not done and past due
	Paused          Status = "paused"           // clock stopped by a suspension (中止)
	NotApplicable   Status = "not_applicable"   // step not needed, not in this regime, or case closed first
	CalendarMissing Status = "calendar_missing" // a needed year's holiday notice is not loaded
)

// ErrInvalidFacts is matched by errors about contradictory or out-of-range facts.
var ErrInvalidFacts = errors.New("deadline: invalid facts")

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidFacts, fmt.Sprintf(format, a...))
}

// Deadline is one computed deadline of a case.
type Deadline struct {
	Kind Kind
	// Ref tells repeated kinds apart ("suspension#1", "opinion#2"); "" otherwise.
	Ref    string
	DueOn  *calendar.Date
	Status Status
	MetOn  *calendar.Date
	// MissingYear is the uncovered year when Status is CalendarMissing.
	MissingYear   int
	ExplanationZH string
	ExplanationEN string
	ArticleZH     string
	ArticleEN     string
}

// Suspension is one 中止 of a case, from the suspension date to the
// resumption date (To nil while still suspended).
type Suspension struct {
	From   calendar.Date
	To     *calendar.Date
	Ground Ground
}

// OpinionLetter is a 行政复议意见书 issued after a decision (RL2023 Art. 76).
type OpinionLetter struct {
	IssuedOn   calendar.Date
	ReceivedOn *calendar.Date // recipient's receipt; the issue date is used when unknown
	RepliedOn  *calendar.Date
}

// NormativeReviewFacts are the facts of an incidental review of a normative
// document (附带审查, RL2023 Art. 56–60; RL2017 Art. 26–27).
type NormativeReviewFacts struct {
	RequestedOn calendar.Date // the body received the review request (usually the application)
	Competent   bool          // the body may handle it itself (else it forwards)
	HandledOn   *calendar.Date
	ForwardedOn *calendar.Date
	// ForwardReceivedOn is the receiving body's receipt; ForwardedOn is used when unknown.
	ForwardReceivedOn *calendar.Date
	ForwardRepliedOn  *calendar.Date
	// SuspendedOn is the Art. 39(1)(9) suspension date; when nil the first
	// suspension with ground normative_review is used.
	SuspendedOn             *calendar.Date
	DrafterNoticeOn         *calendar.Date
	DrafterNoticeReceivedOn *calendar.Date
	DrafterRepliedOn        *calendar.Date
}

// Facts are what a reconsideration case's record says happened, as dates.
// Nil pointers are events that have not happened.
type Facts struct {
	Regime    Regime    // "" = RegimeFor(ReceivedOn)
	Procedure Procedure // "" = ordinary
	// ReceivedOn is the day the office received the application (required).
	ReceivedOn calendar.Date
	// CorrectionNoticeOn is the day a 补正 notice was issued;
	// CorrectionNoticeReceivedOn the applicant's receipt (issue date used when unknown).
	CorrectionNoticeOn         *calendar.Date
	CorrectionNoticeReceivedOn *calendar.Date
	// CorrectionDays is the period stated in the notice (RR2007 Art. 29: a
	// "reasonable period"); 0 = the rule's default.
	CorrectionDays int
	// CorrectionExtensionDays is an approved extension of the correction period (RL2023 Art. 31(2)).
	CorrectionExtensionDays int
	CorrectionReceivedOn    *calendar.Date
	AcceptedOn              *calendar.Date
	RejectedOn              *calendar.Date // 不予受理 decision
	CopySentOn              *calendar.Date
	CopyReceivedOn          *calendar.Date // respondent's receipt; CopySentOn used when unknown
	ReplyReceivedOn         *calendar.Date
	HearingOn               *calendar.Date
	HearingNoticeOn         *calendar.Date
	Suspensions             []Suspension
	// ExtensionDays is an approved extension of the decision period (≤ 30).
	ExtensionDays int
	// DecidedOn is the day any disposing decision (including 终止 or 驳回) was made.
	DecidedOn *calendar.Date
	// ClosedOn is the day the case was closed without (or before) a decision,
	// e.g. withdrawal; it makes still-open office deadlines not applicable.
	ClosedOn        *calendar.Date
	NormativeReview *NormativeReviewFacts
	OpinionLetters  []OpinionLetter
}

// Planner computes a case's deadlines from its facts. It remembers the
// periods it has counted (a period's due date and explanation depend only
// on the period and the calendar), so one Planner kept for a calendar plans
// a million cases without counting the same period twice. It is safe for
// concurrent use.
type Planner struct {
	rules *Rules
	cal   *calendar.Calendar

	mu   sync.Mutex
	memo map[periodKey]counted
}

// periodKey is a Period without adjustments.
type periodKey struct {
	start     calendar.Date
	length    int
	unit      Unit
	direction Direction
	event     string
}

// counted is a computed period as the planner uses it: the due date and
// the explanation in both languages (or the calendar error).
type counted struct {
	Due    calendar.Date
	ZH, EN string
	err    error
}

// memoLimit bounds the remembered periods (about 10 years of start dates ×
// the rules' periods fit many times over).
const memoLimit = 1 << 17

// NewPlanner returns a Planner over a rules table and a calendar.
func NewPlanner(rules *Rules, cal *calendar.Calendar) *Planner {
	return &Planner{rules: rules, cal: cal}
}

// count is ComputePeriod with the explanations, remembered for periods
// without adjustments.
func (p *Planner) count(per Period) (counted, error) {
	if len(per.Adjustments) > 0 {
		return countPeriod(p.cal, per)
	}
	key := periodKey{per.Start, per.Length, per.Unit, per.Direction, per.Event}
	p.mu.Lock()
	c, ok := p.memo[key]
	p.mu.Unlock()
	if ok {
		return c, c.err
	}
	c, err := countPeriod(p.cal, per)
	c.err = err
	p.mu.Lock()
	if p.memo == nil || len(p.memo) >= memoLimit {
		p.memo = make(map[periodKey]counted)
	}
	p.memo[key] = c
	p.mu.Unlock()
	return c, err
}

func countPeriod(cal *calendar.Calendar, per Period) (counted, error) {
	r, err := ComputePeriod(cal, per)
	if err != nil {
		return counted{}, err
	}
	return counted{Due: r.Due, ZH: r.Explain("zh"), EN: r.Explain("en")}, nil
}

func (f Facts) regime() Regime {
	if f.Regime != "" {
		return f.Regime
	}
	return RegimeFor(f.ReceivedOn)
}

func (f Facts) procedure() Procedure {
	if f.Procedure == "" {
		return Ordinary
	}
	return f.Procedure
}

func (f Facts) validate() error {
	if f.ReceivedOn.IsZero() {
		return invalid("received_on is required")
	}
	r, p := f.regime(), f.procedure()
	if r != RL2017 && r != RL2023 {
		return invalid("unknown regime %q", r)
	}
	if p != Ordinary && p != Simplified {
		return invalid("unknown procedure %q", p)
	}
	if r == RL2017 && p == Simplified {
		return invalid("the simplified procedure does not exist under RL2017")
	}
	if f.ExtensionDays < 0 || f.CorrectionDays < 0 || f.CorrectionExtensionDays < 0 {
		return invalid("negative day count")
	}
	for i, s := range f.Suspensions {
		if s.From.IsZero() {
			return invalid("suspensions[%d]: from is required", i)
		}
		if s.To != nil && s.To.Before(s.From) {
			return invalid("suspensions[%d]: resumed %s before suspended %s", i, s.To, s.From)
		}
	}
	return nil
}

// deemed returns the acceptance-review due date and the date from which the
// application counts as accepted absent a 不予受理 decision:
//   - RL2023 Art. 30(3): from the end of the review period (which restarts on
//     receipt of corrected materials, Art. 31(3));
//   - RL2017 Art. 17(2): from receipt by the office (of the corrected
//     materials where a 补正 notice was issued: RR2007 Art. 29 leaves the
//     correction time out of the period).
//
// pending is true while a correction notice awaits corrected materials.
func (p *Planner) deemed(f Facts) (review counted, deemedOn calendar.Date, pending bool, err error) {
	start, event := f.ReceivedOn, "received"
	if f.CorrectionNoticeOn != nil {
		if f.CorrectionReceivedOn == nil {
			return counted{}, calendar.Date{}, true, nil
		}
		start, event = *f.CorrectionReceivedOn, "correction_received"
	}
	rule, ok := p.rules.Lookup(AcceptanceReview, f.regime(), f.procedure())
	if !ok {
		return counted{}, calendar.Date{}, false, fmt.Errorf("deadline: no %s rule for %s", AcceptanceReview, f.regime())
	}
	review, err = p.count(Period{Start: start, Length: rule.Length, Unit: rule.Unit, Event: event})
	if err != nil {
		return counted{}, calendar.Date{}, false, err
	}
	if f.regime() == RL2017 {
		return review, start, false, nil
	}
	return review, review.Due, false, nil
}

// DeemedAcceptanceDate returns the date from which the application counts as
// accepted if no 不予受理 decision is made in time (RL2023 Art. 30(3): the
// last day of the review period; RL2017 Art. 17(2): the day the office
// received the application). ok is false when an application was rejected or
// a correction notice still awaits materials. An uncovered calendar year
// yields an error matching calendar.ErrCalendarMissing.
func (p *Planner) DeemedAcceptanceDate(f Facts) (date calendar.Date, ok bool, err error) {
	if err := f.validate(); err != nil {
		return calendar.Date{}, false, err
	}
	if f.RejectedOn != nil {
		return calendar.Date{}, false, nil
	}
	_, d, pending, err := p.deemed(f)
	if err != nil || pending {
		return calendar.Date{}, false, err
	}
	return d, true, nil
}

// Reconsideration returns the deadlines of a reconsideration case as of today.
// Only deadlines whose start event has happened are listed (plus a
// not_applicable row for a step the regime lacks). Errors are invalid facts;
// a missing calendar year is reported per deadline as calendar_missing.
func (p *Planner) Reconsideration(f Facts, today calendar.Date) ([]Deadline, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	regime, proc := f.regime(), f.procedure()
	var out []Deadline
	add := func(d Deadline) { out = append(out, d) }

	// D6 correction notice: RL2023 Art. 31(1); RR2007 Art. 29.
	if rule, ok := p.rules.Lookup(CorrectionNotice, regime, proc); ok {
		per := Period{Start: f.ReceivedOn, Length: rule.Length, Unit: rule.Unit, Event: rule.Start}
		d := p.track(CorrectionNotice, "", rule, per, f.CorrectionNoticeOn, f.ClosedOn, today)
		if f.CorrectionNoticeOn == nil && (d.Status == Missed || f.AcceptedOn != nil || f.RejectedOn != nil) {
			d.Status = NotApplicable
			d.ExplanationZH += "；未发补正通知"
			d.ExplanationEN += "; no correction notice issued"
		}
		add(d)
	}

	// D7 correction reply: RL2023 Art. 31(2); RR2007 Art. 29.
	if f.CorrectionNoticeOn != nil {
		rule, _ := p.rules.Lookup(CorrectionReply, regime, proc)
		start, note := f.CorrectionNoticeOn, noteIssueDate
		if f.CorrectionNoticeReceivedOn != nil {
			start, note = f.CorrectionNoticeReceivedOn, nil
		}
		per := Period{Start: *start, Length: rule.Length, Unit: rule.Unit, Event: rule.Start}
		if f.CorrectionDays > 0 && rule.SetBy == "notice" {
			per.Length = f.CorrectionDays
		}
		if f.CorrectionExtensionDays > 0 {
			if !rule.Extendable || f.CorrectionExtensionDays > rule.MaxExtension {
				return nil, invalid("correction extension of %d days not allowed (%s)", f.CorrectionExtensionDays, rule.ArticleEN)
			}
			per.Adjustments = append(per.Adjustments, Adjustment{Days: f.CorrectionExtensionDays, ZH: "延长", EN: "extension"})
		}
		d := p.track(CorrectionReply, "", rule, per, f.CorrectionReceivedOn, f.ClosedOn, today)
		add(withNote(d, note))
	}

	// D5 acceptance review: RL2023 Art. 30, 31(3); RL2017 Art. 17.
	review, deemedOn, pending, err := p.deemed(f)
	rule, _ := p.rules.Lookup(AcceptanceReview, regime, proc)
	switch {
	case err != nil:
		add(p.missing(AcceptanceReview, "", rule, err))
	case pending:
		add(Deadline{Kind: AcceptanceReview, Status: Paused, ArticleZH: rule.ArticleZH, ArticleEN: rule.ArticleEN,
			ExplanationZH: fmt.Sprintf("%s 发出补正通知，收到补正材料后重新计算审查期限", f.CorrectionNoticeOn),
			ExplanationEN: fmt.Sprintf("correction notice issued %s; review period restarts when corrected materials arrive", f.CorrectionNoticeOn)})
	default:
		d := p.status(AcceptanceReview, "", rule, review, firstOf(f.AcceptedOn, f.RejectedOn), f.ClosedOn, today)
		if f.AcceptedOn == nil && f.RejectedOn == nil && d.Status == Missed {
			if regime == RL2023 {
				d = withNote(d, &[2]string{fmt.Sprintf("依法自%s起视为受理", deemedOn), fmt.Sprintf("deemed accepted from %s (Art. 30(3))", deemedOn)})
			} else {
				d = withNote(d, &[2]string{fmt.Sprintf("依法自收到之日%s起视为受理", deemedOn), fmt.Sprintf("deemed accepted from receipt %s (Art. 17(2))", deemedOn)})
			}
		}
		add(d)
	}
	if f.RejectedOn != nil || pending || err != nil {
		return out, nil // nothing after acceptance runs
	}

	// Effective acceptance: the explicit date, or the deemed date if earlier
	// (a late acceptance does not delay the statutory clock); without an
	// explicit acceptance, the deemed date once the review period has ended.
	var accepted *calendar.Date
	var acceptNote *[2]string
	switch {
	case f.AcceptedOn != nil && deemedOn.Before(*f.AcceptedOn):
		accepted = &deemedOn
		acceptNote = &[2]string{"以视为受理日起算", "counted from the deemed acceptance date"}
	case f.AcceptedOn != nil:
		accepted = f.AcceptedOn
	case today.After(review.Due):
		accepted = &deemedOn
		acceptNote = &[2]string{"视为受理", "deemed acceptance"}
	}
	if accepted == nil {
		return out, nil
	}

	// D8/D10 copy to respondent: RL2023 Art. 48, 54; RL2017 Art. 23.
	if rule, ok := p.rules.Lookup(RespondentCopy, regime, proc); ok {
		per := Period{Start: *accepted, Length: rule.Length, Unit: rule.Unit, Event: rule.Start}
		add(withNote(p.track(RespondentCopy, "", rule, per, f.CopySentOn, f.ClosedOn, today), acceptNote))
	}

	// D9/D11 respondent's reply: RL2023 Art. 48, 54; RL2017 Art. 23 (calendar days).
	if f.CopySentOn != nil || f.CopyReceivedOn != nil {
		rule, _ := p.rules.Lookup(RespondentReply, regime, proc)
		start, note := f.CopySentOn, noteSentDate
		if f.CopyReceivedOn != nil {
			start, note = f.CopyReceivedOn, nil
		}
		per := Period{Start: *start, Length: rule.Length, Unit: rule.Unit, Event: rule.Start}
		add(withNote(p.track(RespondentReply, "", rule, per, f.ReplyReceivedOn, f.ClosedOn, today), note))
	}

	// D12 hearing notice: RL2023 Art. 51 (no period under RL2017).
	if f.HearingOn != nil {
		if rule, ok := p.rules.Lookup(HearingNotice, regime, proc); ok {
			per := Period{Start: *f.HearingOn, Length: rule.Length, Unit: rule.Unit, Direction: rule.Direction, Event: rule.Start}
			add(p.track(HearingNotice, "", rule, per, f.HearingNoticeOn, f.ClosedOn, today))
		} else {
			add(notApplicable(HearingNotice, "", regime))
		}
	}

	// D16 suspension lapse: RL2023 Art. 41(5); RR2007 Art. 42(2).
	for i, s := range f.Suspensions {
		rule, ok := p.rules.Lookup(SuspensionLapse, regime, proc)
		if !ok || !slices.Contains(rule.Grounds, s.Ground) {
			continue
		}
		add(p.suspensionLapse(fmt.Sprintf("suspension#%d", i+1), rule, s, f.ClosedOn, today))
	}

	// D13–D15 incidental review of normative documents.
	if nr := f.NormativeReview; nr != nil {
		out = append(out, p.normativeReview(f, *nr, regime, proc, today)...)
	}

	// D17/D18 decision: RL2023 Art. 62; RL2017 Art. 31.
	if d, err := p.decision(f, *accepted, regime, proc, today); err != nil {
		return nil, err
	} else {
		add(withNote(d, acceptNote))
	}

	// D21 opinion-letter feedback: RL2023 Art. 76; RR2007 Art. 57.
	for i, o := range f.OpinionLetters {
		rule, ok := p.rules.Lookup(OpinionFeedback, regime, proc)
		if !ok {
			continue
		}
		start, note := o.IssuedOn, noteIssueDate
		if o.ReceivedOn != nil {
			start, note = *o.ReceivedOn, nil
		}
		per := Period{Start: start, Length: rule.Length, Unit: rule.Unit, Event: rule.Start}
		add(withNote(p.track(OpinionFeedback, fmt.Sprintf("opinion#%d", i+1), rule, per, o.RepliedOn, nil, today), note))
	}
	return out, nil
}

// decision computes D17/D18. The period runs from acceptance; an approved
// extension (≤ max_extension) adds calendar days; every suspension that
// begins before the running end adds the days from suspension to
// resumption (To − From: the suspension day itself is not counted, the
// resumption day is); an open suspension pauses the clock.
func (p *Planner) decision(f Facts, accepted calendar.Date, regime Regime, proc Procedure, today calendar.Date) (Deadline, error) {
	rule, ok := p.rules.Lookup(Decision, regime, proc)
	if !ok {
		return notApplicable(Decision, "", regime), nil
	}
	per := Period{Start: accepted, Length: rule.Length, Unit: rule.Unit, Event: rule.Start}
	if f.ExtensionDays > 0 {
		if !rule.Extendable {
			return Deadline{}, invalid("the %s decision period cannot be extended (%s)", proc, rule.ArticleEN)
		}
		if f.ExtensionDays > rule.MaxExtension {
			return Deadline{}, invalid("extension of %d days exceeds %d (%s)", f.ExtensionDays, rule.MaxExtension, rule.ArticleEN)
		}
		per.Adjustments = append(per.Adjustments, Adjustment{Days: f.ExtensionDays, ZH: "延长", EN: "extension"})
	}
	if rule.Pausable {
		end := accepted.AddDays(rule.Length + f.ExtensionDays) // calendar-day rule: end before roll-over
		suspended := 0
		for _, s := range mergeSuspensions(f.Suspensions, accepted) {
			if s.From.After(end) {
				break // began after the period had run out
			}
			if s.To == nil {
				remaining := end.Sub(s.From)
				return Deadline{Kind: Decision, Status: Paused, ArticleZH: rule.ArticleZH, ArticleEN: rule.ArticleEN,
					ExplanationZH: fmt.Sprintf("%s 起中止审理，审理期限剩余%d日，恢复审理后续行计算", s.From, remaining),
					ExplanationEN: fmt.Sprintf("suspended since %s with %d days of the period left; the clock resumes on resumption", s.From, remaining)}, nil
			}
			n := s.To.Sub(s.From)
			suspended += n
			end = end.AddDays(n)
		}
		if suspended > 0 {
			per.Adjustments = append(per.Adjustments, Adjustment{Days: suspended, ZH: "加中止期间", EN: "suspended"})
		}
	}
	return p.track(Decision, "", rule, per, f.DecidedOn, f.ClosedOn, today), nil
}

// mergeSuspensions sorts suspensions, clips them to start no earlier than
// from, and merges overlaps; an open suspension swallows all later ones.
func mergeSuspensions(ss []Suspension, from calendar.Date) []Suspension {
	var in []Suspension
	for _, s := range ss {
		if s.To != nil && !s.To.After(from) {
			continue
		}
		if s.From.Before(from) {
			s.From = from
		}
		in = append(in, s)
	}
	slices.SortFunc(in, func(a, b Suspension) int { return a.From.Compare(b.From) })
	var out []Suspension
	for _, s := range in {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.To == nil {
				break
			}
			if !s.From.After(*last.To) {
				if s.To == nil || s.To.After(*last.To) {
					last.To = s.To
				}
				continue
			}
		}
		out = append(out, s)
	}
	return out
}

func (p *Planner) suspensionLapse(ref string, rule Rule, s Suspension, closed *calendar.Date, today calendar.Date) Deadline {
	per := Period{Start: s.From, Length: rule.Length, Unit: rule.Unit, Event: rule.Start}
	r, err := p.count(per)
	if err != nil {
		return p.missing(SuspensionLapse, ref, rule, err)
	}
	d := p.status(SuspensionLapse, ref, rule, r, nil, nil, today)
	due := r.Due
	switch {
	case s.To != nil && !s.To.After(due):
		d.Status, d.MetOn = Met, s.To
		d = withNote(d, &[2]string{"期满前已恢复审理", "resumed before the lapse"})
	case closed != nil && (s.To == nil || closed.Before(*s.To)):
		if closed.Before(due) {
			d.Status = NotApplicable
			d = withNote(d, &[2]string{"案件已先行结案", "case closed earlier"})
		} else {
			d.Status, d.MetOn = Met, closed
			d = withNote(d, &[2]string{"中止满60日后已终止", "terminated after the lapse"})
		}
	case s.To != nil:
		d.Status = Missed
		d = withNote(d, &[2]string{"中止满60日原因未消除，应当终止而恢复审理", "resumed after the lapse instead of terminating"})
	case today.After(due):
		d.Status = Missed
		d = withNote(d, &[2]string{"中止满60日原因仍未消除，应当终止", "cause persists after 60 days: terminate"})
	}
	return d
}

func (p *Planner) normativeReview(f Facts, nr NormativeReviewFacts, regime Regime, proc Procedure, today calendar.Date) []Deadline {
	var out []Deadline
	run := func(kind Kind, ref string, start *calendar.Date, note *[2]string, done *calendar.Date) {
		rule, ok := p.rules.Lookup(kind, regime, proc)
		if !ok || start == nil {
			return
		}
		per := Period{Start: *start, Length: rule.Length, Unit: rule.Unit, Event: rule.Start}
		out = append(out, withNote(p.track(kind, ref, rule, per, done, f.ClosedOn, today), note))
	}
	if !nr.Competent {
		// RL2023 Art. 56, 57 / RL2017 Art. 26: forward within 7 working days;
		// RL2023 Art. 60: the receiving body replies within 60 days.
		run(NormativeReviewForward, "", &nr.RequestedOn, nil, nr.ForwardedOn)
		start, note := nr.ForwardReceivedOn, (*[2]string)(nil)
		if start == nil {
			start, note = nr.ForwardedOn, noteSentDate
		}
		run(ForwardedReviewReply, "", start, note, nr.ForwardRepliedOn)
		return out
	}
	// RL2023 Art. 56, 57 / RL2017 Art. 26: handle within 30 days.
	run(NormativeReviewHandle, "", &nr.RequestedOn, nil, nr.HandledOn)
	// RL2023 Art. 58: notify the drafter within 3 working days of the
	// suspension; the drafter replies within 10 working days of the notice.
	susp := nr.SuspendedOn
	if susp == nil {
		for _, s := range f.Suspensions {
			if s.Ground == NormativeReview {
				susp = &s.From
				break
			}
		}
	}
	run(DrafterNotice, "", susp, nil, nr.DrafterNoticeOn)
	start, note := nr.DrafterNoticeReceivedOn, (*[2]string)(nil)
	if start == nil {
		start, note = nr.DrafterNoticeOn, noteSentDate
	}
	run(DrafterReply, "", start, note, nr.DrafterRepliedOn)
	return out
}

var (
	noteIssueDate = &[2]string{"收到日期未知，按发出日期计算", "receipt date unknown; counted from the issue date"}
	noteSentDate  = &[2]string{"收到日期未知，按发送日期计算", "receipt date unknown; counted from the date sent"}
)

// track computes a period and its status as of today. done is the day the
// act was performed; cancelled (case closed) makes a still-open deadline
// not applicable.
func (p *Planner) track(kind Kind, ref string, rule Rule, per Period, done, cancelled *calendar.Date, today calendar.Date) Deadline {
	r, err := p.count(per)
	if err != nil {
		d := p.missing(kind, ref, rule, err)
		// A step done no later than the earliest the due date can be is met
		// whatever the missing year's holidays: counting forward, N working or
		// calendar days never end before start + N calendar days.
		if done != nil && (per.Direction == "" || per.Direction == After) && (per.Unit == Working || per.Unit == Calendar) &&
			!done.After(per.Start.AddDays(per.Length)) {
			d.Status, d.MetOn = Met, done
			d.ExplanationZH = fmt.Sprintf("%s；已于%s办理，早于最早可能的期限届满日%s", d.ExplanationZH, done, per.Start.AddDays(per.Length))
			d.ExplanationEN = fmt.Sprintf("%s; done on %s, before the earliest possible due date %s", d.ExplanationEN, done, per.Start.AddDays(per.Length))
		}
		return d
	}
	return p.status(kind, ref, rule, r, done, cancelled, today)
}

func (p *Planner) status(kind Kind, ref string, rule Rule, r counted, done, cancelled *calendar.Date, today calendar.Date) Deadline {
	due := r.Due
	d := Deadline{Kind: kind, Ref: ref, DueOn: &due, ArticleZH: rule.ArticleZH, ArticleEN: rule.ArticleEN,
		ExplanationZH: r.ZH, ExplanationEN: r.EN}
	switch {
	case done != nil:
		d.MetOn = done
		d.Status = Met
		if done.After(due) {
			d.Status = Missed
		}
	case cancelled != nil && !cancelled.After(due):
		d.Status = NotApplicable
		d = withNote(d, &[2]string{fmt.Sprintf("案件已于%s结案", cancelled), fmt.Sprintf("case closed %s", cancelled)})
	case cancelled != nil || today.After(due):
		d.Status = Missed
	default:
		d.Status = Open
	}
	return d
}

// missing turns a calendar error into a calendar_missing deadline. Any
// other error (which cannot come from valid rules) is reported the same way
// with the error text, rather than guessing a date.
func (p *Planner) missing(kind Kind, ref string, rule Rule, err error) Deadline {
	d := Deadline{Kind: kind, Ref: ref, Status: CalendarMissing, ArticleZH: rule.ArticleZH, ArticleEN: rule.ArticleEN}
	if y, ok := calendar.MissingYear(err); ok {
		d.MissingYear = y
		d.ExplanationZH = fmt.Sprintf("%d年节假日安排尚未导入，无法计算期限", y)
		d.ExplanationEN = fmt.Sprintf("holiday calendar for %d not loaded; deadline not computed", y)
		return d
	}
	d.ExplanationZH, d.ExplanationEN = err.Error(), err.Error()
	return d
}

func notApplicable(kind Kind, ref string, regime Regime) Deadline {
	return Deadline{Kind: kind, Ref: ref, Status: NotApplicable,
		ExplanationZH: fmt.Sprintf("%s 无此期限规定", regimeZH[regime]),
		ExplanationEN: fmt.Sprintf("no such period under %s", regime)}
}

var regimeZH = map[Regime]string{RL2017: "原《行政复议法》", RL2023: "《行政复议法》(2023)", Litigation: "《行政诉讼法》"}

func withNote(d Deadline, note *[2]string) Deadline {
	if note != nil {
		d.ExplanationZH += "；" + note[0]
		d.ExplanationEN += "; " + note[1]
	}
	return d
}

func firstOf(ds ...*calendar.Date) *calendar.Date {
	var first *calendar.Date
	for _, d := range ds {
		if d != nil && (first == nil || d.Before(*first)) {
			first = d
		}
	}
	return first
}
