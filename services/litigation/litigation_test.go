package litigation

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/models/modelstest"
	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/errs"
)

type fixture struct {
	db      *models.DB
	s       *Service
	p       *auth.Principal
	organ   models.Organ
	agency  models.Agency
	officer models.User
	ctx     context.Context
}

// newFixture gives an organ with one agency, an officer granted it, and a
// service whose clock reads 2023-03-01 in China.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := modelstest.Open(t)
	ctx := context.Background()
	f := &fixture{db: db, ctx: ctx}
	f.organ = models.Organ{Name: "平谷区人民政府", ShortName: "平", CaseNoPattern: "{short}政复〔{year}〕{seq}号"}
	must(t, db.Write.Create(&f.organ).Error)
	f.agency = models.Agency{OrganID: f.organ.ID, Name: "区市场监督管理局"}
	must(t, db.Write.Create(&f.agency).Error)
	f.officer = models.User{Username: "officer", DisplayName: "王承办", PasswordHash: "x", Role: auth.RoleOfficer, Active: true}
	must(t, db.Write.Create(&f.officer).Error)
	must(t, db.Write.Create(&models.UserOrgan{UserID: f.officer.ID, OrganID: f.organ.ID}).Error)
	f.p = &auth.Principal{UserID: f.officer.ID, Username: "officer", Role: auth.RoleOfficer, OrganIDs: []int64{f.organ.ID}}
	now := time.Date(2023, 3, 1, 9, 0, 0, 0, chinaTime)
	f.s = New(db, Options{Now: func() time.Time { return now }})
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) create(t *testing.T, in CreateInput) *View {
	t.Helper()
	if in.Kind == "" {
		in.Kind = KindAdministrative
	}
	if in.NotifiedOn == "" {
		in.NotifiedOn = "2022-03-01"
	}
	v, err := f.s.Create(f.ctx, f.p, in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return v
}

func (f *fixture) do(t *testing.T, v *View, in TransitionInput) *View {
	t.Helper()
	in.Version = v.Version
	out, err := f.s.Transition(f.ctx, f.p, v.ID, in)
	if err != nil {
		t.Fatalf("%s: %v", in.Action, err)
	}
	return out
}

func kindOf(err error) errs.Kind { return errs.As(err).Kind }

// Every (state, action) pair: allowed pairs move to the table's target,
// the others are refused with 422 naming the state and the allowed actions.
func TestTransitionTableEveryStateAndAction(t *testing.T) {
	f := newFixture(t)
	for _, st := range Table {
		if !codes.LitigationActions.Has(st.Action) {
			t.Errorf("action %s has no label in codes.LitigationActions", st.Action)
		}
		for _, from := range st.From {
			if !codes.LitigationStatuses.Has(from) {
				t.Errorf("state %s has no label", from)
			}
		}
	}
	n := 0
	for _, instance := range []string{InstanceFirst, InstanceSecond} {
		for _, state := range codes.LitigationStatuses.Codes() {
			for _, tr := range Table {
				n++
				v := f.create(t, CreateInput{Instance: instance, CourtCaseNo: "（2022）京0117行初" + itoa(n) + "号", Court: "平谷区人民法院"})
				// Put the record in the state with the dates that state implies.
				upd := map[string]any{"status": state, "resume_to": "", "appeal_deadline_on": nil}
				switch state {
				case StatusSuspended:
					upd["resume_to"], upd["suspended_on"] = StatusDefenceFiled, "2022-03-10"
				case StatusAppealWindow:
					upd["concluded_on"], upd["served_on"], upd["appeal_deadline_on"], upd["judgment_form"] = "2022-06-01", "2022-06-05", "2022-06-20", "judgment"
				}
				must(t, f.db.Write.Model(&models.LitigationCase{}).Where("id = ?", v.ID).Updates(upd).Error)
				in := TransitionInput{Action: tr.Action, EffectiveOn: "2022-07-01", Version: v.Version,
					Outcome: OutcomeClaimsRejected, Hearing: HearingInput{AppearedRole: "staff"},
					CourtCaseNo: "（2022）京03行终" + itoa(n) + "号"}
				out, err := f.s.Transition(f.ctx, f.p, v.ID, in)
				allowed := slices.Contains(tr.From, state) && !(tr.Action == ActAppeal && instance == InstanceSecond)
				if !allowed {
					if err == nil || kindOf(err) != errs.KindRule {
						t.Fatalf("%s/%s from %s: want 422, got %v", instance, tr.Action, state, err)
					}
					e := errs.As(err)
					if e.Details["current_status"] != state || e.Details["allowed_actions"] == nil {
						t.Fatalf("%s from %s: refusal lacks state/allowed actions: %+v", tr.Action, state, e.Details)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s/%s from %s: %v", instance, tr.Action, state, err)
				}
				want := tr.To
				switch tr.Action {
				case ActResume:
					want = StatusDefenceFiled
				case ActServe:
					want = map[string]string{InstanceFirst: StatusAppealWindow, InstanceSecond: StatusEffective}[instance]
				}
				if out.Status != want {
					t.Fatalf("%s/%s from %s: status %s, want %s", instance, tr.Action, state, out.Status, want)
				}
			}
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// Stale versions are 409; another organ's record is 404; a reporter may not write.
func TestVersionScopeAndRole(t *testing.T) {
	f := newFixture(t)
	v := f.create(t, CreateInput{CourtCaseNo: "（2022）京0117行初1号"})
	_, err := f.s.Transition(f.ctx, f.p, v.ID, TransitionInput{Action: ActFileDefence, EffectiveOn: "2022-03-10", Version: v.Version + 5})
	if kindOf(err) != errs.KindConflict {
		t.Fatalf("stale: %v", err)
	}
	other := &auth.Principal{UserID: 99, Role: auth.RoleManager, OrganIDs: []int64{f.organ.ID + 1}}
	if _, err := f.s.Get(f.ctx, other, v.ID); kindOf(err) != errs.KindNotFound {
		t.Fatalf("other organ get: %v", err)
	}
	if _, err := f.s.Transition(f.ctx, other, v.ID, TransitionInput{Action: ActFileDefence, EffectiveOn: "2022-03-10", Version: v.Version}); kindOf(err) != errs.KindNotFound {
		t.Fatalf("other organ transition: %v", err)
	}
	rep := &auth.Principal{UserID: 98, Role: auth.RoleReporter, OrganIDs: []int64{f.organ.ID}}
	if _, err := f.s.Transition(f.ctx, rep, v.ID, TransitionInput{Action: ActFileDefence, EffectiveOn: "2022-03-10", Version: v.Version}); kindOf(err) != errs.KindForbidden {
		t.Fatalf("reporter: %v", err)
	}
	if _, err := f.s.Create(f.ctx, f.p, CreateInput{Kind: KindAdministrative, CourtCaseNo: "（2022）京0117行初1号", NotifiedOn: "2022-03-02"}); kindOf(err) != errs.KindConflict {
		t.Fatalf("duplicate court case number: %v", err)
	}
	// PATCH with version.
	note := "补充说明"
	if _, err := f.s.Update(f.ctx, f.p, v.ID, Patch{Version: v.Version, Note: &note}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Update(f.ctx, f.p, v.ID, Patch{Version: v.Version, Note: &note}); kindOf(err) != errs.KindConflict {
		t.Fatalf("stale patch: %v", err)
	}
}

// The scenario: a first-instance suit after an upheld
// reconsideration (co-defendants, ALL Art. 26(2)), a hearing where the
// deputy head appeared, a judgment revoking the act (a loss), and an appeal
// that opens a linked second-instance record.
func TestCoDefendantScenario(t *testing.T) {
	f := newFixture(t)
	rc := models.Case{OrganID: f.organ.ID, CaseNo: "平政复〔2021〕30号", Year: 2021, Seq: 30, Status: "decided", Version: 1, Regime: "rl2017",
		Applicant: "张三", ApplicantType: "citizen", RespondentID: f.agency.ID, ActType: "penalty", ReceivedOn: "2021-09-01",
		ClosedOn: ptr("2021-11-20"), Outcome: "upheld"}
	must(t, f.db.Write.Create(&rc).Error)

	// ALL Art. 26(2): upheld → co-defendants, so "sole defendant" is refused.
	_, err := f.s.Create(f.ctx, f.p, CreateInput{Kind: "行政诉讼", CourtCaseNo: "（2022）京0117行初5号", NotifiedOn: "2022-01-10",
		CoDefendantRole: RoleSoleDefendant, ReconsiderationCaseID: &rc.ID})
	if e := errs.As(err); e.Kind != errs.KindInvalid || e.Fields["co_defendant_role"].EN == "" {
		t.Fatalf("sole defendant after upheld: %v", err)
	}
	v := f.create(t, CreateInput{Kind: "行政诉讼", Instance: "一审", Court: "北京市平谷区人民法院", CourtCaseNo: "（2022）京0117行初5号",
		Plaintiffs: []string{"张三"}, DefendantAgencyID: &f.agency.ID, CoDefendantRole: RoleReconsiderationBody,
		ReconsiderationCaseID: &rc.ID, HandlerID: &f.officer.ID, NotifiedOn: "2022-01-10"})
	if v.Status != StatusNotified || v.InternalNo != "平应诉〔2022〕1号" || v.ReconsiderationCaseNo != "平政复〔2021〕30号" {
		t.Fatalf("created %+v", v)
	}
	// ALL Art. 67: 15 calendar days; 2022-01-25 is a Tuesday.
	if v.DefenceDueOn == nil || *v.DefenceDueOn != "2022-01-25" {
		t.Fatalf("defence due %v", v.DefenceDueOn)
	}
	v = f.do(t, v, TransitionInput{Action: ActFileDefence, EffectiveOn: "2022-01-20"})
	v = f.do(t, v, TransitionInput{Action: ActHear, EffectiveOn: "2022-04-12", Hearing: HearingInput{AppearedRole: "deputy_head", AppearedName: "李副区长", Summoned: true}})
	if v.Status != StatusHeard || len(v.Hearings) != 1 || !v.Hearings[0].HeadAppeared {
		t.Fatalf("after hearing %+v", v)
	}
	v = f.do(t, v, TransitionInput{Action: ActDecide, EffectiveOn: "2022-06-15", Outcome: "撤销"})
	if !v.Lost || v.Outcome != OutcomeRevoked || v.JudgmentForm != "judgment" {
		t.Fatalf("decided %+v", v)
	}
	v = f.do(t, v, TransitionInput{Action: ActServe, EffectiveOn: "2022-06-20"})
	// ALL Art. 85: 15 days from service of a judgment → 2022-07-05.
	if v.Status != StatusAppealWindow || v.AppealDeadlineOn == nil || *v.AppealDeadlineOn != "2022-07-05" {
		t.Fatalf("served %+v", v)
	}
	v = f.do(t, v, TransitionInput{Action: ActAppeal, EffectiveOn: "2022-07-01", CourtCaseNo: "（2022）京03行终88号", Court: "北京市第三中级人民法院", NotifiedOn: "2022-07-20"})
	if v.Status != StatusAppealed || len(v.Next) != 1 || v.Next[0].Instance != InstanceSecond {
		t.Fatalf("appealed %+v", v)
	}
	second, err := f.s.Get(f.ctx, f.p, v.Next[0].ID)
	must(t, err)
	if second.PreviousInstanceID == nil || *second.PreviousInstanceID != v.ID || second.CoDefendantRole != RoleReconsiderationBody ||
		second.NotifiedOn != "2022-07-20" || second.Status != StatusNotified || second.Previous == nil {
		t.Fatalf("second instance %+v", second)
	}
	// The second instance upholds: the loss stands (follows the first instance).
	second = f.do(t, second, TransitionInput{Action: ActDecide, EffectiveOn: "2022-10-10", Outcome: OutcomeAppealRejected})
	if !second.Lost {
		t.Fatal("appeal rejected should follow the first-instance loss")
	}
	second = f.do(t, second, TransitionInput{Action: ActServe, EffectiveOn: "2022-10-12"})
	if second.Status != StatusEffective {
		t.Fatalf("second instance served: %s", second.Status)
	}

	fig, err := f.s.Stats(f.ctx, f.p.OrganIDs, "2022-01-01", "2022-12-31")
	must(t, err)
	if fig.FirstInstance != 1 || fig.SecondInstance != 1 || fig.ConcludedFirstInstance != 1 || fig.LostFirstInstance != 1 ||
		fig.Metrics.LossRate.Rate == nil || *fig.Metrics.LossRate.Rate != 1 ||
		fig.Metrics.HeadAppearance.Numerator != 1 || fig.Metrics.HeadAppearance.Denominator != 1 {
		t.Fatalf("stats %+v", fig)
	}
	if len(fig.ByAgency) != 1 || fig.ByAgency[0].AgencyID != f.agency.ID || fig.ByAgency[0].LostFirstInstance != 1 || fig.ByAgency[0].Received != 2 {
		t.Fatalf("by agency %+v", fig.ByAgency)
	}
	evs, err := f.s.Events(f.ctx, f.p, v.ID)
	must(t, err)
	acts := []string{}
	for _, e := range evs {
		acts = append(acts, e.Action)
	}
	if !slices.Equal(acts, []string{"create", ActFileDefence, ActHear, ActDecide, ActServe, ActAppeal}) {
		t.Fatalf("events %v", acts)
	}
	var nv int64
	must(t, f.db.Read.Model(&models.LitigationVersion{}).Where("subject_type = ? AND subject_id = ?", SubjectLitigation, v.ID).Count(&nv).Error)
	if nv != 6 {
		t.Fatalf("versions %d", nv)
	}
	ds, err := f.s.Deadlines(f.ctx, f.p, v.ID, "en")
	must(t, err)
	kinds := map[string]string{}
	for _, d := range ds {
		kinds[d.Kind] = d.Status
	}
	if kinds["defence"] != "met" || kinds["appeal_judgment"] != "met" {
		t.Fatalf("deadlines %+v", ds)
	}
}

// The loss rate's numerator leaves out withdrawal and dismissal (domain
// §5.4); its denominator is every concluded first instance (domain §9).
func TestLossRateExcludesWithdrawalAndDismissal(t *testing.T) {
	f := newFixture(t)
	specs := []struct {
		instance, outcome string
		lost              bool
	}{
		{InstanceFirst, OutcomeWithdrawn, false},
		{InstanceFirst, OutcomeSuitDismissed, false},
		{InstanceFirst, OutcomeClaimsRejected, false},
		{InstanceFirst, OutcomeMediated, false},
		{InstanceFirst, OutcomeConfirmedUnlawful, true},
		{InstanceFirst, OutcomeOrderedToPay, true},
		{InstanceSecond, OutcomeRevoked, true}, // not first instance: not in the loss rate
	}
	err := f.db.Tx(f.ctx, func(tx *gorm.DB) error {
		for i, sp := range specs {
			id, err := f.s.Seed(f.ctx, tx, SeedSpec{OrganID: f.organ.ID, Kind: KindAdministrative, Instance: sp.instance,
				CourtCaseNo: "L" + itoa(i), NotifiedOn: "2022-02-01", ConcludedOn: "2022-05-01", Outcome: sp.outcome})
			if err != nil {
				return err
			}
			var c models.LitigationCase
			if err := tx.Take(&c, id).Error; err != nil {
				return err
			}
			if c.Lost != sp.lost {
				t.Errorf("%s %s: lost %v", sp.instance, sp.outcome, c.Lost)
			}
		}
		// Concluded in 2021: outside the period.
		_, err := f.s.Seed(f.ctx, tx, SeedSpec{OrganID: f.organ.ID, Kind: KindAdministrative, CourtCaseNo: "old", NotifiedOn: "2021-02-01", ConcludedOn: "2021-12-31", Outcome: OutcomeRevoked})
		return err
	})
	must(t, err)
	fig, err := f.s.Stats(f.ctx, f.p.OrganIDs, "2022-01-01", "2022-12-31")
	must(t, err)
	if fig.ConcludedFirstInstance != 6 || fig.LostFirstInstance != 2 || *fig.Metrics.LossRate.Rate != 0.3333 || fig.FirstInstance != 6 || fig.SecondInstance != 1 {
		t.Fatalf("figures %+v", fig)
	}
	// Drill-down returns exactly the counted records.
	for key, want := range map[string]int64{"loss_rate": 2, "loss_rate:denominator": 6, "first_instance": 6, "second_instance": 1, "received": 7} {
		pg, err := f.s.List(f.ctx, f.p, ListFilter{Metric: key, From: "2022-01-01", To: "2022-12-31"})
		must(t, err)
		if pg.Total != want {
			t.Errorf("metric %s: %d records, want %d", key, pg.Total, want)
		}
	}
	if _, err := f.s.List(f.ctx, f.p, ListFilter{Metric: "nope"}); kindOf(err) != errs.KindInvalid {
		t.Fatalf("unknown metric: %v", err)
	}
	// DeriveLost for second-instance outcomes.
	yes, no := true, false
	for _, c := range []struct {
		outcome  string
		against  *bool
		prevLost bool
		want     bool
	}{
		{OutcomeAppealRejected, nil, true, true}, {OutcomeAppealRejected, nil, false, false},
		{OutcomeAppealWithdrawn, nil, true, true}, {OutcomeReversed, &yes, false, true}, {OutcomeReversed, &no, true, false},
		{OutcomeRemanded, nil, true, false}, {OutcomeRevoked, nil, false, true}, {OutcomeSuitDismissed, nil, true, false},
	} {
		if got := DeriveLost(c.outcome, c.against, c.prevLost); got != c.want {
			t.Errorf("DeriveLost(%s, %v, %v) = %v", c.outcome, c.against, c.prevLost, got)
		}
	}
}

// Head appearance = hearings in the period where a head or deputy head
// appeared / hearings in the period (administrative suits).
func TestHeadAppearanceRate(t *testing.T) {
	f := newFixture(t)
	must(t, f.db.Tx(f.ctx, func(tx *gorm.DB) error {
		hs := []SeedHearing{
			{HeldOn: "2022-04-01", AppearedRole: "head", AppearedName: "区长"},
			{HeldOn: "2022-05-01", AppearedRole: "deputy_head", AppearedName: "副区长"},
			{HeldOn: "2022-06-01", AppearedRole: "staff"},
			{HeldOn: "2022-07-01", AppearedRole: "lawyer"},
		}
		if _, err := f.s.Seed(f.ctx, tx, SeedSpec{OrganID: f.organ.ID, Kind: KindAdministrative, CourtCaseNo: "A1", NotifiedOn: "2021-12-01", Hearings: hs}); err != nil {
			return err
		}
		if _, err := f.s.Seed(f.ctx, tx, SeedSpec{OrganID: f.organ.ID, Kind: KindAdministrative, CourtCaseNo: "A2", NotifiedOn: "2021-06-01",
			Hearings: []SeedHearing{{HeldOn: "2021-10-01", AppearedRole: "head", AppearedName: "区长"}}}); err != nil {
			return err
		}
		_, err := f.s.Seed(f.ctx, tx, SeedSpec{OrganID: f.organ.ID, Kind: KindCivil, CourtCaseNo: "C1", NotifiedOn: "2022-01-05",
			Hearings: []SeedHearing{{HeldOn: "2022-03-01", AppearedRole: "head", AppearedName: "区长"}}})
		return err
	}))
	fig, err := f.s.Stats(f.ctx, f.p.OrganIDs, "2022-01-01", "2022-12-31")
	must(t, err)
	if r := fig.Metrics.HeadAppearance; r.Numerator != 2 || r.Denominator != 4 || *r.Rate != 0.5 {
		t.Fatalf("head appearance %+v", r)
	}
	if fig.Civil != 1 || fig.FirstInstance != 0 {
		t.Fatalf("kinds %+v", fig)
	}
	pg, err := f.s.List(f.ctx, f.p, ListFilter{Metric: "head_appearance", From: "2022-01-01", To: "2022-12-31"})
	must(t, err)
	if pg.Total != 1 || pg.Items[0].CourtCaseNo != "A1" {
		t.Fatalf("drill-down %+v", pg)
	}
	// A summoned head who did not appear needs a reason (2020 规定 Art. 8–9).
	v := f.create(t, CreateInput{CourtCaseNo: "X9"})
	_, err = f.s.AddHearing(f.ctx, f.p, v.ID, v.Version, HearingInput{HeldOn: "2022-04-01", AppearedRole: "lawyer", Summoned: true})
	if e := errs.As(err); e.Kind != errs.KindInvalid || e.Fields["hearing.absence_reason"].EN == "" {
		t.Fatalf("summoned without reason: %v", err)
	}
	v2, err := f.s.AddHearing(f.ctx, f.p, v.ID, v.Version, HearingInput{HeldOn: "2022-04-01", AppearedRole: "staff", Summoned: true, AbsenceReason: "公务"})
	must(t, err)
	role := "head"
	name := "区长"
	v3, err := f.s.UpdateHearing(f.ctx, f.p, v.ID, v2.Hearings[0].ID, HearingPatch{Version: 1, AppearedRole: &role, AppearedName: &name})
	must(t, err)
	if v3.Status != StatusHeard || !v3.Hearings[0].HeadAppeared || v3.Version != v2.Version+1 {
		t.Fatalf("hearing edit %+v", v3)
	}
}

// Suggestions: reply due dates through the deadline engine, on-time replies.
func TestSuggestionsOnTime(t *testing.T) {
	f := newFixture(t)
	j, err := f.s.CreateSuggestion(f.ctx, f.p, SuggestionInput{Type: "司法建议", Number: "（2022）京0117司建1号", IssuerOrRecipient: "平谷区人民法院",
		OnDate: "2022-05-10", DueOn: "2022-07-10"})
	must(t, err)
	if j.Direction != DirectionReceived || j.DueOn == nil || *j.DueOn != "2022-07-10" {
		t.Fatalf("judicial %+v", j)
	}
	pr, err := f.s.CreateSuggestion(f.ctx, f.p, SuggestionInput{Type: SuggestionProcuratorial, OnDate: "2022-09-01"})
	must(t, err)
	// Two months from 2022-09-01 → 2022-11-01 (a Tuesday).
	if pr.DueOn == nil || *pr.DueOn != "2022-11-01" {
		t.Fatalf("procuratorial due %v", pr.DueOn)
	}
	op, err := f.s.CreateSuggestion(f.ctx, f.p, SuggestionInput{Type: SuggestionOpinionLetter, IssuerOrRecipient: "区市场监督管理局", OnDate: "2022-03-01"})
	must(t, err)
	// RR2007 Art. 57(1): 60 days from 2022-03-01 = 2022-04-30, a make-up working Saturday? No: the 2022 Labour Day
	// calendar made 2022-04-24 and 2022-05-07 working days; 04-30 is a holiday, so the due date rolls to 2022-05-05.
	if op.DueOn == nil || *op.DueOn != "2022-05-05" || op.Direction != DirectionIssued {
		t.Fatalf("opinion letter due %v", op.DueOn)
	}
	sl, err := f.s.CreateSuggestion(f.ctx, f.p, SuggestionInput{Type: SuggestionLetter, OnDate: "2022-03-02"})
	must(t, err)
	if sl.DueOn != nil {
		t.Fatalf("suggestion letter has no deadline: %v", sl.DueOn)
	}
	yes := true
	_, err = f.s.ReplySuggestion(f.ctx, f.p, j.ID, ReplyInput{Version: j.Version, RepliedOn: "2022-07-01", Reply: "已整改", Adopted: &yes})
	must(t, err)
	late, err := f.s.ReplySuggestion(f.ctx, f.p, pr.ID, ReplyInput{Version: pr.Version, RepliedOn: "2022-11-15"})
	must(t, err)
	if late.RepliedOnTime == nil || *late.RepliedOnTime {
		t.Fatalf("late reply %+v", late)
	}
	if _, err := f.s.ReplySuggestion(f.ctx, f.p, pr.ID, ReplyInput{Version: pr.Version, RepliedOn: "2022-11-16"}); kindOf(err) != errs.KindConflict {
		t.Fatalf("stale reply: %v", err)
	}
	fig, err := f.s.Stats(f.ctx, f.p.OrganIDs, "2022-01-01", "2022-12-31")
	must(t, err)
	if s := fig.Suggestions; s.Received != 2 || s.Replied != 2 || s.RepliedOnTime != 1 {
		t.Fatalf("suggestions %+v", s)
	}
	if o := fig.OpinionLetters; o.Received != 1 || o.Replied != 0 {
		t.Fatalf("opinion letters %+v", o)
	}
	pg, err := f.s.ListSuggestions(f.ctx, f.p, SuggestionFilter{Metric: "suggestions_replied_on_time", From: "2022-01-01", To: "2022-12-31"})
	must(t, err)
	if pg.Total != 1 || pg.Items[0].ID != j.ID {
		t.Fatalf("drill-down %+v", pg)
	}
	ds, err := f.s.SuggestionDeadlines(f.ctx, f.p, j.ID, "zh")
	must(t, err)
	if len(ds) != 1 || ds[0].Status != "met" {
		t.Fatalf("deadline rows %+v", ds)
	}
}
