package litigation

import (
	"context"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/codes"
	"fuyi/services/errs"
)

// SeedHearing is one hearing of a SeedSpec.
type SeedHearing struct {
	HeldOn        string
	AppearedRole  string // head | deputy_head | staff | lawyer | none
	AppearedName  string
	AppearedPost  string
	Summoned      bool
	AbsenceReason string
}

// SeedSpec describes a litigation record as it stands, for demo data and
// the ledger import: the dates of the steps that happened (empty = not yet)
// and the outcome. The status is derived from the latest step: closed_on →
// closed; effective_on → effective; appealed_on → appealed; served_on →
// appeal_window (second instance: effective); outcome withdrawn/
// appeal_withdrawn → withdrawn, mediated → mediated, other outcomes →
// decided; hearings → heard; defence_filed_on → defence_filed; else notified.
type SeedSpec struct {
	OrganID               int64
	Kind                  string // administrative | civil | as_respondent (codes or Chinese names)
	Instance              string // first (default) | second | retrial
	Court                 string
	CourtCaseNo           string
	Plaintiffs            []string
	DefendantAgencyID     *int64 // nil = the organ itself
	CoDefendantRole       string // default none
	ReconsiderationCaseID *int64
	PreviousInstanceID    *int64
	HandlerID             *int64
	NotifiedOn            string
	DefenceFiledOn        string
	Hearings              []SeedHearing
	ConcludedOn           string
	Outcome               string
	Form                  string // judgment | ruling (default by outcome)
	AgainstAgency         *bool
	ServedOn              string
	AppealedOn            string
	EffectiveOn           string
	ClosedOn              string
	Note                  string
}

// Seed writes one litigation record with its hearings, a "seed" event,
// version 1 and its deadlines, in the caller's transaction tx, and returns
// its id. It is how `fuyi demo` assembles the seed's litigation (first
// instance 70, second 42, retrial 7, civil 1, as respondent 1): link a
// second instance to its first with PreviousInstanceID (create the first
// one before). The clock is time.Now and the calendar the built-in one; use
// (*Service).Seed to inject them.
func Seed(ctx context.Context, tx *gorm.DB, spec SeedSpec) (int64, error) {
	return New(nil, Options{}).Seed(ctx, tx, spec)
}

// Seed is the package-level Seed with the service's clock and calendar.
func (s *Service) Seed(ctx context.Context, tx *gorm.DB, spec SeedSpec) (int64, error) {
	c, hs, err := s.materialise(tx, spec, "")
	if err != nil {
		return 0, err
	}
	if err := s.insert(ctx, tx, nil, c, "seed", map[string]any{"outcome": c.Outcome}); err != nil {
		return 0, err
	}
	if err := s.writeSeedHearings(tx, c, hs); err != nil {
		return 0, err
	}
	return c.ID, nil
}

// writeSeedHearings replaces a record's hearings with hs and re-snapshots
// nothing (the version-1 snapshot is written before; hearings are rows).
// The rollup counts them under the kind of the record as stored (c may be
// the ledger's new version of it, saved after: save moves them if the kind
// changes).
func (s *Service) writeSeedHearings(tx *gorm.DB, c *models.LitigationCase, hs []SeedHearing) error {
	var stored models.LitigationCase
	if err := tx.Select("kind").Where("id = ?", c.ID).Take(&stored).Error; err != nil {
		return errs.Internal(err)
	}
	var old []*models.Hearing
	if err := tx.Select("organ_id", "held_on", "appeared_role").Where("litigation_id = ?", c.ID).Find(&old).Error; err != nil {
		return errs.Internal(err)
	}
	if len(old) > 0 {
		if err := tx.Where("litigation_id = ?", c.ID).Delete(&models.Hearing{}).Error; err != nil {
			return errs.Internal(err)
		}
	}
	now := s.now().UTC()
	written := make([]*models.Hearing, 0, len(hs))
	for _, h := range hs {
		in := HearingInput{AppearedRole: h.AppearedRole, AppearedName: h.AppearedName, AppearedPost: h.AppearedPost,
			Summoned: h.Summoned, AbsenceReason: h.AbsenceReason}
		row := hearingRow(c, h.HeldOn, &in, now)
		if err := tx.Create(row).Error; err != nil {
			return errs.Internal(err)
		}
		written = append(written, row)
	}
	return rollupHearings(tx, stored.Kind, old, written)
}

// materialise validates a spec and builds the record (not yet numbered).
// prefix names fields in errors (the ledger passes its column names).
func (s *Service) materialise(tx *gorm.DB, spec SeedSpec, prefix string) (*models.LitigationCase, []SeedHearing, error) {
	f := fieldErrs{}
	name := func(n string) string { return prefix + n }
	c := &models.LitigationCase{OrganID: spec.OrganID, Court: strings.TrimSpace(spec.Court), CourtCaseNo: strings.TrimSpace(spec.CourtCaseNo),
		Plaintiffs: joinNames(spec.Plaintiffs), DefendantAgencyID: spec.DefendantAgencyID, ReconsiderationCaseID: spec.ReconsiderationCaseID,
		PreviousInstanceID: spec.PreviousInstanceID, HandlerID: spec.HandlerID, Note: strings.TrimSpace(spec.Note)}
	if spec.OrganID == 0 {
		f.add(name("organ_id"), "必填", "required")
	}
	c.Kind = parseCode(f, name("kind"), codes.LitigationKinds, spec.Kind, true)
	c.Instance = InstanceFirst
	if spec.Instance != "" {
		c.Instance = parseCode(f, name("instance"), codes.Instances, spec.Instance, true)
	}
	c.CoDefendantRole = RoleNone
	if spec.CoDefendantRole != "" {
		c.CoDefendantRole = parseCode(f, name("co_defendant_role"), codes.CoDefendantRoles, spec.CoDefendantRole, true)
	}
	if c.CourtCaseNo == "" {
		f.add(name("court_case_no"), "必填", "required")
	}
	limit(f, name("court_case_no"), c.CourtCaseNo, 120)
	limit(f, name("plaintiffs"), c.Plaintiffs, 500)
	limit(f, name("court"), c.Court, 200)
	today := s.today()
	date := func(field, v string, required bool) *string {
		v = strings.TrimSpace(v)
		if !dateCheck(f, name(field), v, required, today) {
			return nil
		}
		if c.NotifiedOn != "" && v < c.NotifiedOn {
			f.add(name(field), "不能早于收到应诉通知日期 "+c.NotifiedOn, "must not precede notified_on "+c.NotifiedOn)
		}
		return &v
	}
	if n := date("notified_on", spec.NotifiedOn, true); n != nil {
		c.NotifiedOn = *n
	}
	c.DefenceFiledOn = date("defence_filed_on", spec.DefenceFiledOn, false)
	c.ConcludedOn = date("concluded_on", spec.ConcludedOn, false)
	c.ServedOn = date("served_on", spec.ServedOn, false)
	c.AppealedOn = date("appealed_on", spec.AppealedOn, false)
	c.EffectiveOn = date("effective_on", spec.EffectiveOn, false)
	c.ClosedOn = date("closed_on", spec.ClosedOn, false)
	if o := strings.TrimSpace(spec.Outcome); o != "" {
		c.Outcome = parseCode(f, name("outcome"), codes.LitigationOutcomes, o, true)
		if c.ConcludedOn == nil && f[name("concluded_on")].ZH == "" {
			f.add(name("concluded_on"), "有裁判结果时必填", "required with an outcome")
		}
	} else if c.ConcludedOn != nil {
		f.add(name("outcome"), "有裁判日期时必填", "required with concluded_on")
	}
	if c.Outcome != "" && c.Instance == InstanceFirst && codes.SecondInstanceOutcomes.Has(c.Outcome) {
		f.add(name("outcome"), "一审案件不能作出二审结果", "a first-instance record cannot have an appeal outcome")
	}
	if c.Outcome == OutcomeReversed && spec.AgainstAgency == nil {
		f.add(name("against_agency"), "改判须说明结果是否对行政机关不利", "reversed: state whether the result is against the agency")
	}
	for _, later := range []struct {
		field string
		v     *string
	}{{"served_on", c.ServedOn}, {"appealed_on", c.AppealedOn}, {"effective_on", c.EffectiveOn}} {
		if later.v != nil && c.ConcludedOn == nil {
			f.add(name(later.field), "须先有裁判日期", "needs concluded_on")
		} else if later.v != nil && *later.v < *c.ConcludedOn {
			f.add(name(later.field), "不能早于裁判日期", "must not precede concluded_on")
		}
	}
	var hs []SeedHearing
	for i, h := range spec.Hearings {
		field := "hearings[" + strconv.Itoa(i) + "]."
		hi := HearingInput{AppearedRole: h.AppearedRole, AppearedName: h.AppearedName, Summoned: h.Summoned, AbsenceReason: h.AbsenceReason}
		hf := fieldErrs{}
		checkHearing(hf, "", &hi)
		delete(hf, "appeared_name") // ledgers rarely name the head
		for k, v := range hf {
			f.add(name(field+k), v.ZH, v.EN)
		}
		held := date(field+"held_on", h.HeldOn, true)
		if held != nil && c.ConcludedOn != nil && *held > *c.ConcludedOn {
			f.add(name(field+"held_on"), "开庭日期不能晚于裁判日期", "held_on must not follow concluded_on")
		}
		if held != nil {
			hs = append(hs, SeedHearing{HeldOn: *held, AppearedRole: hi.AppearedRole, AppearedName: hi.AppearedName,
				AppearedPost: strings.TrimSpace(h.AppearedPost), Summoned: h.Summoned, AbsenceReason: hi.AbsenceReason})
		}
	}
	if spec.OrganID != 0 && tx != nil {
		if c.DefendantAgencyID != nil {
			c.DefendantAgencyID = s.resolveAgency(tx, f, spec.OrganID, c.DefendantAgencyID, "")
		}
		c.ReconsiderationCaseID = s.resolveCase(tx, f, spec.OrganID, c.ReconsiderationCaseID, c.CoDefendantRole)
		c.PreviousInstanceID = s.resolvePrevious(tx, f, spec.OrganID, 0, c.PreviousInstanceID)
		c.HandlerID = s.resolveHandler(tx, f, spec.OrganID, c.HandlerID)
	}
	if err := f.err(); err != nil {
		return nil, nil, err
	}
	if c.Outcome != "" {
		prevLost := false
		if c.PreviousInstanceID != nil {
			var prev models.LitigationCase
			if tx.Select("lost").Where("id = ?", *c.PreviousInstanceID).Take(&prev).Error == nil {
				prevLost = prev.Lost
			}
		}
		c.AgainstAgency = spec.AgainstAgency
		c.Lost = DeriveLost(c.Outcome, spec.AgainstAgency, prevLost)
		c.JudgmentForm = defaultForm(c.Outcome)
		if form, ok := codes.JudgmentForms.Parse(spec.Form); ok {
			c.JudgmentForm = form
		}
	}
	c.Status = derivedStatus(c, len(hs) > 0)
	return c, hs, nil
}

// derivedStatus is the state a record with these facts stands in.
func derivedStatus(c *models.LitigationCase, heard bool) string {
	switch {
	case c.ClosedOn != nil:
		return StatusClosed
	case c.EffectiveOn != nil:
		return StatusEffective
	case c.AppealedOn != nil:
		return StatusAppealed
	case c.ServedOn != nil && c.Instance == InstanceSecond:
		return StatusEffective
	case c.ServedOn != nil:
		return StatusAppealWindow
	case c.Outcome == OutcomeWithdrawn || c.Outcome == OutcomeAppealWithdrawn:
		return StatusWithdrawn
	case c.Outcome == OutcomeMediated:
		return StatusMediated
	case c.Outcome != "":
		return StatusDecided
	case heard:
		return StatusHeard
	case c.DefenceFiledOn != nil:
		return StatusDefenceFiled
	}
	return StatusNotified
}

// SuggestionSeedSpec describes a suggestion for demo data.
type SuggestionSeedSpec struct {
	OrganID           int64
	Type              string // judicial | procuratorial | opinion_letter | suggestion_letter
	Number            string
	IssuerOrRecipient string
	Subject           string
	OnDate            string
	DueOn             string // a date written in the suggestion; "" = statutory default
	RepliedOn         string
	Reply             string
	Adopted           *bool
	Links             []Link
}

// SeedSuggestion writes one suggestion (with its reply when RepliedOn is
// set) in tx and returns its id; e.g. the seed's one judicial-suggestion reply.
func SeedSuggestion(ctx context.Context, tx *gorm.DB, spec SuggestionSeedSpec) (int64, error) {
	return New(nil, Options{}).SeedSuggestion(ctx, tx, spec)
}

// SeedSuggestion is the package-level SeedSuggestion with the service's clock.
func (s *Service) SeedSuggestion(ctx context.Context, tx *gorm.DB, spec SuggestionSeedSpec) (int64, error) {
	f := fieldErrs{}
	g := &models.Suggestion{OrganID: spec.OrganID, Number: strings.TrimSpace(spec.Number),
		IssuerOrRecipient: strings.TrimSpace(spec.IssuerOrRecipient), Subject: strings.TrimSpace(spec.Subject),
		Reply: strings.TrimSpace(spec.Reply), Adopted: spec.Adopted}
	g.Type = parseCode(f, "type", codes.SuggestionTypes, spec.Type, true)
	g.Direction = directionOf(g.Type)
	if dateCheck(f, "received_or_issued_on", spec.OnDate, true, s.today()) {
		g.OnDate = spec.OnDate
	}
	s.setDue(f, g, spec.DueOn)
	if spec.RepliedOn != "" && dateCheck(f, "replied_on", spec.RepliedOn, false, s.today()) {
		g.RepliedOn = ptr(spec.RepliedOn)
	}
	links := s.checkLinks(tx, f, spec.OrganID, spec.Links)
	if err := f.err(); err != nil {
		return 0, err
	}
	if err := s.insertSuggestion(ctx, tx, nil, g, links); err != nil {
		return 0, err
	}
	return g.ID, nil
}
