package deadline

import (
	"fmt"

	"fuyi/services/calendar"
)

// SuggestionKind is who issued a suggestion to the agency.
type SuggestionKind string

// The suggestion kinds (domain.md §5.6).
const (
	Judicial      SuggestionKind = "judicial"      // 司法建议
	Procuratorial SuggestionKind = "procuratorial" // 检察建议
)

// Suggestion is a judicial or procuratorial suggestion awaiting a reply.
type Suggestion struct {
	Kind       SuggestionKind
	ReceivedOn calendar.Date
	// DueOn is a reply date set by the issuer; it replaces the default period.
	DueOn *calendar.Date
	// Urgent marks a procuratorial suggestion with the 15-day urgent period.
	Urgent    bool
	RepliedOn *calendar.Date
}

// LitigationFacts are the dated events of an administrative suit the office
// defends. Nil pointers are events that have not happened.
type LitigationFacts struct {
	ComplaintReceivedOn  *calendar.Date
	DefenceFiledOn       *calendar.Date
	JudgmentServedOn     *calendar.Date
	JudgmentAppealedOn   *calendar.Date
	RulingServedOn       *calendar.Date
	RulingAppealedOn     *calendar.Date
	AppealCopyReceivedOn *calendar.Date
	AppealAnswerFiledOn  *calendar.Date
	// ClosedOn (e.g. the plaintiff withdrew) makes still-open deadlines not applicable.
	ClosedOn    *calendar.Date
	Suggestions []Suggestion
}

// Litigation returns the deadlines of a suit as of today. Litigation periods
// are calendar days with roll-over (ALL Art. 101; CPL Art. 85). An appeal
// window that passes without an appeal is not_applicable (the judgment became
// final), not missed: appealing is a choice, not a duty.
func (p *Planner) Litigation(f LitigationFacts, today calendar.Date) ([]Deadline, error) {
	var out []Deadline
	simple := func(kind Kind, ref string, start, done, closed *calendar.Date) *Deadline {
		if start == nil {
			return nil
		}
		rule, ok := p.rules.Lookup(kind, Litigation, "")
		if !ok {
			return nil
		}
		per := Period{Start: *start, Length: rule.Length, Unit: rule.Unit, Event: rule.Start}
		d := p.track(kind, ref, rule, per, done, closed, today)
		out = append(out, d)
		return &out[len(out)-1]
	}
	// ALL Art. 67: evidence, normative documents and defence within 15 days.
	simple(Defence, "", f.ComplaintReceivedOn, f.DefenceFiledOn, f.ClosedOn)
	// ALL Art. 85: appeal within 15 days (judgment) / 10 days (ruling).
	for _, a := range []struct {
		kind          Kind
		served, filed *calendar.Date
	}{{AppealJudgment, f.JudgmentServedOn, f.JudgmentAppealedOn}, {AppealRuling, f.RulingServedOn, f.RulingAppealedOn}} {
		if d := simple(a.kind, "", a.served, a.filed, nil); d != nil && d.Status == Missed && a.filed == nil {
			d.Status = NotApplicable
			*d = withNote(*d, &[2]string{"上诉期届满未上诉", "window closed without an appeal"})
		}
	}
	// ALL-Interp Art. 108: answer to the other side's appeal within 15 days.
	simple(AppealAnswer, "", f.AppealCopyReceivedOn, f.AppealAnswerFiledOn, f.ClosedOn)

	for i, s := range f.Suggestions {
		ref := fmt.Sprintf("suggestion#%d", i+1)
		kind := SuggestionReply
		switch {
		case s.Kind == Procuratorial && s.Urgent:
			kind = ProcuratorialReplyUrgent
		case s.Kind == Procuratorial:
			kind = ProcuratorialReply
		case s.Kind != Judicial:
			return nil, invalid("suggestions[%d]: unknown kind %q", i, s.Kind)
		}
		if s.ReceivedOn.IsZero() {
			return nil, invalid("suggestions[%d]: received_on is required", i)
		}
		rule, ok := p.rules.Lookup(kind, Litigation, "")
		if !ok {
			continue
		}
		if s.DueOn != nil && rule.SetBy == "issuer" {
			// A reply date set by the issuer is taken as written.
			if s.DueOn.Before(s.ReceivedOn) {
				return nil, invalid("suggestions[%d]: due %s before received %s", i, s.DueOn, s.ReceivedOn)
			}
			d := p.status(kind, ref, rule, counted{Due: *s.DueOn}, s.RepliedOn, nil, today)
			d.ExplanationZH = fmt.Sprintf("%s 收到建议，建议书载明答复期限 → %s", s.ReceivedOn, s.DueOn)
			d.ExplanationEN = fmt.Sprintf("suggestion received %s; reply date set by the issuer = %s", s.ReceivedOn, s.DueOn)
			out = append(out, d)
			continue
		}
		simple(kind, ref, &s.ReceivedOn, s.RepliedOn, nil)
	}
	return out, nil
}
