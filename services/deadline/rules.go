// Package deadline computes statutory deadlines for reconsideration
// (行政复议) and litigation (行政应诉) cases. The rules are data
// (rules.yaml); the counting follows CPL Art. 85 and RL2023 Art. 88 over the
// working-day calendar of services/calendar. The package is pure: no
// database, no clock (callers pass "today").
package deadline

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"sync"

	"gopkg.in/yaml.v3"

	"fuyi/services/calendar"
)

// Regime is the body of law a case is governed by.
type Regime string

// The regimes.
const (
	// RL2017 is the 1999 law as amended 2009/2017 with its 2007 implementing
	// regulation (RR2007): cases received before 2024-01-01.
	RL2017 Regime = "rl2017"
	// RL2023 is the law revised 2023-09-01, in force 2024-01-01.
	RL2023 Regime = "rl2023"
	// Litigation is administrative litigation (行政诉讼法), calendar days
	// under CPL Art. 85 (ALL Art. 101).
	Litigation Regime = "litigation"
)

// RL2023Effective is the day RL2023 came into force.
var RL2023Effective = calendar.Date{Y: 2024, M: 1, D: 1}

// RegimeFor returns the reconsideration regime for an application received
// on the given date: RL2023 from 2024-01-01, RL2017 before. (Transitional
// treatment of cases straddling the date is unconfirmed in the sources; Fuyi
// keys on the receipt date throughout.)
func RegimeFor(receivedOn calendar.Date) Regime {
	if receivedOn.Before(RL2023Effective) {
		return RL2017
	}
	return RL2023
}

// Procedure is the reconsideration procedure (RL2023 Art. 36).
type Procedure string

// The procedures. RL2017 has only the ordinary procedure.
const (
	Ordinary   Procedure = "ordinary"
	Simplified Procedure = "simplified"
)

// Kind names a deadline.
type Kind string

// The deadline kinds (domain.md §3 D-numbers in comments).
const (
	AcceptanceReview         Kind = "acceptance_review"          // D5
	CorrectionNotice         Kind = "correction_notice"          // D6
	CorrectionReply          Kind = "correction_reply"           // D7
	RespondentCopy           Kind = "respondent_copy"            // D8, D10
	RespondentReply          Kind = "respondent_reply"           // D9, D11
	HearingNotice            Kind = "hearing_notice"             // D12
	NormativeReviewHandle    Kind = "normative_review_handle"    // D13
	NormativeReviewForward   Kind = "normative_review_forward"   // D13
	DrafterNotice            Kind = "drafter_notice"             // D14
	DrafterReply             Kind = "drafter_reply"              // D14
	ForwardedReviewReply     Kind = "forwarded_review_reply"     // D15
	SuspensionLapse          Kind = "suspension_lapse"           // D16
	Decision                 Kind = "decision"                   // D17, D18
	OpinionFeedback          Kind = "opinion_feedback"           // D21
	Defence                  Kind = "defence"                    // ALL Art. 67
	AppealJudgment           Kind = "appeal_judgment"            // ALL Art. 85
	AppealRuling             Kind = "appeal_ruling"              // ALL Art. 85
	AppealAnswer             Kind = "appeal_answer"              // ALL-Interp Art. 108
	SuggestionReply          Kind = "suggestion_reply"           // ALL-Interp Art. 149
	ProcuratorialReply       Kind = "procuratorial_reply"        // public-interest interp. Art. 21
	ProcuratorialReplyUrgent Kind = "procuratorial_reply_urgent" // same, urgent: 15 days
)

// Ground is a suspension ground (RL2023 Art. 39(1); RR2007 Art. 41).
type Ground string

// The suspension grounds.
const (
	PartyDied           Ground = "party_died"             // Art. 39(1)(1)
	PartyIncapacitated  Ground = "party_incapacitated"    // Art. 39(1)(2)
	PartyMissing        Ground = "party_missing"          // Art. 39(1)(3)
	PartyOrgTerminated  Ground = "party_org_terminated"   // Art. 39(1)(4)
	ForceMajeure        Ground = "force_majeure"          // Art. 39(1)(5)
	MediationSettlement Ground = "mediation_settlement"   // Art. 39(1)(6), RL2023 only
	InterpretationAsked Ground = "interpretation_pending" // Art. 39(1)(7)
	OtherCasePending    Ground = "other_case_pending"     // Art. 39(1)(8)
	NormativeReview     Ground = "normative_review"       // Art. 39(1)(9)
	OtherGround         Ground = "other"                  // Art. 39(1)(10)
)

var knownGrounds = []Ground{PartyDied, PartyIncapacitated, PartyMissing, PartyOrgTerminated, ForceMajeure,
	MediationSettlement, InterpretationAsked, OtherCasePending, NormativeReview, OtherGround}

// Rule is one statutory period under one regime (and procedure).
type Rule struct {
	Kind      Kind      `yaml:"kind"`
	Regime    Regime    `yaml:"regime"`
	Procedure Procedure `yaml:"procedure"` // "" = any procedure
	Length    int       `yaml:"length"`
	Unit      Unit      `yaml:"unit"`
	Direction Direction `yaml:"direction"` // "" = After
	// Start is the event the period runs from (start day not counted).
	Start string `yaml:"start"`
	// Pausable periods move by the days a case is suspended.
	Pausable bool `yaml:"pausable"`
	// Extendable periods may be extended by up to MaxExtension calendar days.
	Extendable   bool `yaml:"extendable"`
	MaxExtension int  `yaml:"max_extension"`
	// SetBy is "notice" or "issuer" when a case-specific period or due date
	// overrides Length.
	SetBy string `yaml:"set_by"`
	// Grounds limits a suspension_lapse rule to these suspension grounds.
	Grounds   []Ground `yaml:"grounds"`
	ArticleZH string   `yaml:"article_zh"`
	ArticleEN string   `yaml:"article_en"`
	Note      string   `yaml:"note"`
}

// Rules is a validated, immutable rules table.
type Rules struct {
	all []Rule
}

// KnownStarts are the start events a rule may name.
var KnownStarts = []string{
	"received", "accepted", "correction_notice_received", "correction_received", "copy_received",
	"suspended", "opinion_received", "complaint_received", "judgment_served", "ruling_served",
	"suggestion_received", "hearing", "review_requested", "drafter_notice_received",
	"forward_received", "appeal_copy_received",
}

// LoadRules parses and validates a rules table in the rules.yaml format.
// Unknown fields, unknown units/regimes/start events/grounds, missing
// articles and duplicate (kind, regime, procedure) rows are errors.
func LoadRules(b []byte) (*Rules, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var rules []Rule
	if err := dec.Decode(&rules); err != nil {
		return nil, fmt.Errorf("deadline: rules: %w", err)
	}
	type key struct {
		k Kind
		r Regime
		p Procedure
	}
	seen := map[key]bool{}
	for i := range rules {
		r := &rules[i]
		if r.Direction == "" {
			r.Direction = After
		}
		if err := r.validate(); err != nil {
			return nil, fmt.Errorf("deadline: rules[%d] (%s/%s): %w", i, r.Kind, r.Regime, err)
		}
		k := key{r.Kind, r.Regime, r.Procedure}
		if seen[k] {
			return nil, fmt.Errorf("deadline: rules[%d]: duplicate %s/%s/%s", i, r.Kind, r.Regime, r.Procedure)
		}
		seen[k] = true
	}
	return &Rules{all: rules}, nil
}

func (r Rule) validate() error {
	switch {
	case r.Kind == "":
		return fmt.Errorf("missing kind")
	case r.Regime != RL2017 && r.Regime != RL2023 && r.Regime != Litigation:
		return fmt.Errorf("unknown regime %q", r.Regime)
	case r.Procedure != "" && r.Procedure != Ordinary && r.Procedure != Simplified:
		return fmt.Errorf("unknown procedure %q", r.Procedure)
	case r.Regime == RL2017 && r.Procedure == Simplified:
		return fmt.Errorf("RL2017 has no simplified procedure")
	case r.Unit != Working && r.Unit != Calendar && r.Unit != Month:
		return fmt.Errorf("unknown unit %q", r.Unit)
	case r.Direction != After && r.Direction != Before:
		return fmt.Errorf("unknown direction %q", r.Direction)
	case r.Length <= 0:
		return fmt.Errorf("length must be positive")
	case !slices.Contains(KnownStarts, r.Start):
		return fmt.Errorf("unknown start event %q", r.Start)
	case r.Extendable != (r.MaxExtension > 0):
		return fmt.Errorf("extendable requires max_extension > 0 and vice versa")
	case r.SetBy != "" && r.SetBy != "notice" && r.SetBy != "issuer":
		return fmt.Errorf("unknown set_by %q", r.SetBy)
	case r.ArticleZH == "" || r.ArticleEN == "":
		return fmt.Errorf("missing article")
	case len(r.Grounds) > 0 && r.Kind != SuspensionLapse:
		return fmt.Errorf("grounds only apply to %s", SuspensionLapse)
	}
	for _, g := range r.Grounds {
		if !slices.Contains(knownGrounds, g) {
			return fmt.Errorf("unknown ground %q", g)
		}
	}
	return nil
}

//go:embed rules.yaml
var rulesYAML []byte

var defaultRules = sync.OnceValue(func() *Rules {
	r, err := LoadRules(rulesYAML)
	if err != nil {
		panic(err)
	}
	return r
})

// DefaultRules returns the built-in rules table (rules.yaml).
func DefaultRules() *Rules { return defaultRules() }

// All returns a copy of every rule, in file order.
func (rs *Rules) All() []Rule {
	out := make([]Rule, len(rs.all))
	for i, r := range rs.all {
		out[i] = r.clone()
	}
	return out
}

func (r Rule) clone() Rule {
	r.Grounds = slices.Clone(r.Grounds)
	return r
}

// Lookup returns the rule for kind under regime and procedure: an exact
// procedure match first, then a rule for any procedure. ok is false when the
// step does not exist in that regime (e.g. simplified procedure under RL2017).
func (rs *Rules) Lookup(kind Kind, regime Regime, proc Procedure) (Rule, bool) {
	if proc == "" {
		proc = Ordinary
	}
	if regime == RL2017 && proc == Simplified {
		return Rule{}, false // RL2017 has no simplified procedure.
	}
	var general *Rule
	for i := range rs.all {
		r := &rs.all[i]
		if r.Kind != kind || r.Regime != regime {
			continue
		}
		if r.Procedure == proc {
			return r.clone(), true
		}
		if r.Procedure == "" {
			general = r
		}
	}
	if general != nil {
		return general.clone(), true
	}
	return Rule{}, false
}
