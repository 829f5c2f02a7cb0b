package litigation

import (
	"context"
	"slices"
	"strings"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/errs"
)

// The states of a litigation record (domain §6; codes.LitigationStatuses
// holds their labels).
const (
	StatusNotified      = "notified"
	StatusDefenceFiled  = "defence_filed"
	StatusHeard         = "heard"
	StatusSuspended     = "suspended"
	StatusDecided       = "decided"
	StatusAppealWindow  = "appeal_window"
	StatusAppealed      = "appealed"
	StatusWithdrawn     = "withdrawn"
	StatusMediated      = "mediated"
	StatusEffective     = "effective"
	StatusRetrialSought = "retrial_sought"
	StatusClosed        = "closed"
)

// The actions (codes.LitigationActions holds their labels).
const (
	ActFileDefence     = "file_defence"
	ActHear            = "hear"
	ActSuspend         = "suspend"
	ActResume          = "resume"
	ActDecide          = "decide"
	ActWithdraw        = "withdraw"
	ActMediate         = "mediate"
	ActServe           = "serve"
	ActAppeal          = "appeal"
	ActBecomeEffective = "become_effective"
	ActSeekRetrial     = "seek_retrial"
	ActClose           = "close"
)

// Kinds, instances, co-defendant roles (codes.LitigationKinds, codes.Instances, codes.CoDefendantRoles).
const (
	KindAdministrative = "administrative"
	KindCivil          = "civil"
	KindAsRespondent   = "as_respondent"

	InstanceFirst   = "first"
	InstanceSecond  = "second"
	InstanceRetrial = "retrial"

	RoleNone                = "none"
	RoleOriginalAgency      = "original_agency"
	RoleReconsiderationBody = "reconsideration_body"
	RoleSoleDefendant       = "sole_defendant"
)

// Outcome codes (codes.LitigationOutcomes; domain §5.4).
const (
	OutcomeClaimsRejected    = "claims_rejected"
	OutcomeSuitDismissed     = "suit_dismissed"
	OutcomeWithdrawn         = "withdrawn"
	OutcomeMediated          = "mediated"
	OutcomeRevoked           = "revoked"
	OutcomeVaried            = "varied"
	OutcomeConfirmedUnlawful = "confirmed_unlawful"
	OutcomeConfirmedVoid     = "confirmed_void"
	OutcomeOrderedToPerform  = "ordered_to_perform"
	OutcomeOrderedToPay      = "ordered_to_pay"
	OutcomeOther             = "other"
	OutcomeAppealRejected    = "appeal_rejected"
	OutcomeReversed          = "reversed"
	OutcomeRemanded          = "remanded"
	OutcomeAppealWithdrawn   = "appeal_withdrawn"
)

// LossOutcomes are the outcomes that are a loss (败诉) of the agency whatever
// the instance: ALL Art. 70–77 judgments against the agency (domain §5.4).
var LossOutcomes = []string{OutcomeRevoked, OutcomeVaried, OutcomeConfirmedUnlawful, OutcomeConfirmedVoid, OutcomeOrderedToPerform, OutcomeOrderedToPay}

// DeriveLost says whether an outcome is a loss (败诉) of the agency (domain §5.4):
//   - revoked, varied, confirmed unlawful/void, ordered to perform/pay: loss
//     (ALL Art. 70–77), in any instance;
//   - claims rejected (Art. 69), suit dismissed (ALL-Interp Art. 69),
//     withdrawn (Art. 62), mediated (Art. 60), other: not a loss;
//   - second instance / retrial: appeal rejected (维持原判) and appeal
//     withdrawn leave the previous instance's result standing, so they follow
//     previousLost (ALL Art. 89(1)(1)); reversed (改判) is a loss when the new
//     result is against the agency, which the user states (againstAgency);
//     remanded (发回重审) is pending, not a loss.
//
// againstAgency, when given, overrides the derivation for the outcomes whose
// direction the code alone does not tell (appeal_rejected, appeal_withdrawn
// without a linked previous instance; reversed).
func DeriveLost(outcome string, againstAgency *bool, previousLost bool) bool {
	switch outcome {
	case OutcomeAppealRejected, OutcomeAppealWithdrawn:
		if againstAgency != nil {
			return *againstAgency
		}
		return previousLost
	case OutcomeReversed:
		return againstAgency != nil && *againstAgency
	}
	return slices.Contains(LossOutcomes, outcome)
}

// HeadRoles are the appearances that count as a head appearing (负责人出庭):
// the head and the deputy heads (2020 规定 Art. 2; ALL-Interp Art. 128).
var HeadRoles = []string{"head", "deputy_head"}

// TransitionInput carries one action and its parameters.
type TransitionInput struct {
	Action string
	// EffectiveOn is the legal date of the step (YYYY-MM-DD), not the click time.
	EffectiveOn string
	Version     int64
	Note        string

	Outcome       string // decide
	Form          string // decide: judgment | ruling (default by outcome)
	AgainstAgency *bool  // decide: second instance reversed (required) and others without a link
	Reason        string // suspend
	Hearing       HearingInput
	// The new linked record of appeal / seek_retrial.
	Court       string
	CourtCaseNo string
	NotifiedOn  string // default: effective_on
	HandlerID   *int64
}

type applyEnv struct {
	ctx     context.Context
	tx      *gorm.DB
	s       *Service
	p       *auth.Principal
	payload map[string]any
}

// Transition is one row of the state machine: an action, the states it may
// start from, the state it leads to, the statute behind it and its checks.
type Transition struct {
	Action string
	From   []string
	// To is the target state; Next computes it when it depends on the record.
	To      string
	Next    func(c *models.LitigationCase) string
	Article string
	// Params names the parameters the action requires (JSON names), besides
	// effective_on and version; Optional those it also takes.
	Params, Optional []string
	// Guard refuses the action for the record as it stands (422).
	Guard func(c *models.LitigationCase) *errs.Error
	// Check validates the parameters (400 field errors).
	Check func(c *models.LitigationCase, in *TransitionInput, f fieldErrs)
	// Apply sets the fields of the record the step changes.
	Apply func(env *applyEnv, c *models.LitigationCase, in *TransitionInput) error
}

// Target returns the state t leads to from c.
func (t Transition) Target(c *models.LitigationCase) string {
	if t.Next != nil {
		return t.Next(c)
	}
	return t.To
}

var open = []string{StatusNotified, StatusDefenceFiled, StatusHeard}

// Table is the litigation state machine, one row per action (domain §6).
var Table = []Transition{
	{
		// ALL Art. 67: evidence, normative documents and 答辩状 within 15 days of the complaint copy.
		Action: ActFileDefence, From: []string{StatusNotified}, To: StatusDefenceFiled, Article: "ALL Art. 67",
		Apply: func(_ *applyEnv, c *models.LitigationCase, in *TransitionInput) error {
			c.DefenceFiledOn = ptr(in.EffectiveOn)
			return nil
		},
	},
	{
		// ALL Art. 3(3); 2020 规定 Art. 1, 7: record who appeared at each hearing.
		Action: ActHear, From: open, To: StatusHeard, Article: "ALL Art. 3(3); SPC 2020 Provisions Art. 1–12",
		Params: []string{"hearing.appeared_role"}, Optional: []string{"hearing.appeared_name", "hearing.appeared_post", "hearing.summoned", "hearing.absence_reason"},
		Check: func(_ *models.LitigationCase, in *TransitionInput, f fieldErrs) {
			checkHearing(f, "hearing.", &in.Hearing)
		},
		Apply: func(env *applyEnv, c *models.LitigationCase, in *TransitionInput) error {
			h := hearingRow(c, in.EffectiveOn, &in.Hearing, env.s.now().UTC())
			if err := env.tx.Create(h).Error; err != nil {
				return errs.Internal(err)
			}
			// c is the stored record before this step: its kind is the stored one
			if err := rollupHearings(env.tx, c.Kind, nil, []*models.Hearing{h}); err != nil {
				return err
			}
			env.payload["hearing_id"] = h.ID
			env.payload["appeared_role"] = h.AppearedRole
			env.payload["appeared_name"] = h.AppearedName
			env.payload["summoned"] = h.Summoned
			return nil
		},
	},
	{
		// ALL Art. 101; CPL Art. 153: 中止诉讼.
		Action: ActSuspend, From: open, To: StatusSuspended, Article: "ALL Art. 101; CPL Art. 153",
		Optional: []string{"reason"},
		Apply: func(env *applyEnv, c *models.LitigationCase, in *TransitionInput) error {
			c.SuspendedOn = ptr(in.EffectiveOn)
			c.ResumeTo = c.Status
			env.payload["reason"] = strings.TrimSpace(in.Reason)
			return nil
		},
	},
	{
		// CPL Art. 153(2): the suit resumes where it stood once the ground is gone.
		Action: ActResume, From: []string{StatusSuspended}, Article: "CPL Art. 153(2)",
		Next: func(c *models.LitigationCase) string {
			if c.ResumeTo == "" {
				return StatusNotified
			}
			return c.ResumeTo
		},
		Apply: func(_ *applyEnv, c *models.LitigationCase, _ *TransitionInput) error {
			c.SuspendedOn, c.ResumeTo = nil, ""
			return nil
		},
	},
	{
		// ALL Art. 69–79 (first instance), Art. 89 (second instance): 判决 / 裁定.
		Action: ActDecide, From: open, To: StatusDecided, Article: "ALL Art. 69–79, 89",
		Params: []string{"outcome"}, Optional: []string{"form", "against_agency"},
		Check: func(c *models.LitigationCase, in *TransitionInput, f fieldErrs) {
			checkOutcome(c, in, f)
		},
		Apply: func(env *applyEnv, c *models.LitigationCase, in *TransitionInput) error {
			return env.conclude(c, in.Outcome, in.Form, in.AgainstAgency, in.EffectiveOn)
		},
	},
	{
		// ALL Art. 62: 撤诉 (准许 / 按撤诉处理); on appeal, 撤回上诉. Not a loss.
		Action: ActWithdraw, From: append(append([]string{}, open...), StatusSuspended), To: StatusWithdrawn, Article: "ALL Art. 62",
		Optional: []string{"against_agency"},
		Apply: func(env *applyEnv, c *models.LitigationCase, in *TransitionInput) error {
			outcome := OutcomeWithdrawn
			if c.Instance == InstanceSecond {
				outcome = OutcomeAppealWithdrawn
			}
			c.SuspendedOn, c.ResumeTo = nil, ""
			return env.conclude(c, outcome, "ruling", in.AgainstAgency, in.EffectiveOn)
		},
	},
	{
		// ALL Art. 60: mediation only in compensation, indemnity and discretionary cases.
		Action: ActMediate, From: []string{StatusDefenceFiled, StatusHeard}, To: StatusMediated, Article: "ALL Art. 60",
		Apply: func(env *applyEnv, c *models.LitigationCase, in *TransitionInput) error {
			return env.conclude(c, OutcomeMediated, "", nil, in.EffectiveOn)
		},
	},
	{
		// ALL Art. 85: the appeal period runs from service; a second-instance
		// judgment is final and effective on service (CPL Art. 182).
		Action: ActServe, From: []string{StatusDecided}, Article: "ALL Art. 85; CPL Art. 182",
		Next: func(c *models.LitigationCase) string {
			if c.Instance == InstanceSecond {
				return StatusEffective
			}
			return StatusAppealWindow
		},
		Apply: func(_ *applyEnv, c *models.LitigationCase, in *TransitionInput) error {
			c.ServedOn = ptr(in.EffectiveOn)
			if c.Instance == InstanceSecond {
				c.EffectiveOn = ptr(in.EffectiveOn)
			}
			return nil
		},
	},
	{
		// ALL Art. 85: a party appeals within 15 days (judgment) / 10 days
		// (ruling); the appeal is its own, linked second-instance record.
		Action: ActAppeal, From: []string{StatusAppealWindow}, To: StatusAppealed, Article: "ALL Art. 85",
		Params: []string{"court_case_no"}, Optional: []string{"court", "notified_on", "handler_id"},
		Guard: func(c *models.LitigationCase) *errs.Error {
			if c.Instance == InstanceSecond {
				return errs.Rule("second_instance_final", "二审裁判为终审裁判，不能上诉", "a second-instance judgment is final and cannot be appealed")
			}
			return nil
		},
		Check: checkLinked,
		Apply: func(env *applyEnv, c *models.LitigationCase, in *TransitionInput) error {
			c.AppealedOn = ptr(in.EffectiveOn)
			return env.openLinked(c, InstanceSecond, in)
		},
	},
	{
		// ALL Art. 85: with no appeal the judgment is effective once the window has run.
		Action: ActBecomeEffective, From: []string{StatusAppealWindow, StatusWithdrawn, StatusMediated}, To: StatusEffective, Article: "ALL Art. 85",
		Check: func(c *models.LitigationCase, in *TransitionInput, f fieldErrs) {
			if c.Status == StatusAppealWindow && c.AppealDeadlineOn != nil && in.EffectiveOn != "" && in.EffectiveOn <= *c.AppealDeadlineOn {
				f.add("effective_on", "上诉期至 "+*c.AppealDeadlineOn+" 届满，生效日期应在其后（《行政诉讼法》第八十五条）",
					"the appeal window runs to "+*c.AppealDeadlineOn+"; the judgment becomes effective after it (ALL Art. 85)")
			}
		},
		Apply: func(_ *applyEnv, c *models.LitigationCase, in *TransitionInput) error {
			c.EffectiveOn = ptr(in.EffectiveOn)
			return nil
		},
	},
	{
		// ALL Art. 90–93; ALL-Interp Art. 110: retrial on application within 6
		// months of effectiveness or on a procuratorate's protest; its own record.
		Action: ActSeekRetrial, From: []string{StatusEffective}, To: StatusRetrialSought, Article: "ALL Art. 90–93; ALL-Interp Art. 110",
		Params: []string{"court_case_no"}, Optional: []string{"court", "notified_on", "handler_id"},
		Check: checkLinked,
		Apply: func(env *applyEnv, c *models.LitigationCase, in *TransitionInput) error {
			return env.openLinked(c, InstanceRetrial, in)
		},
	},
	{
		// Domain §6: judgment performed, suggestions answered → closed.
		Action: ActClose, From: []string{StatusEffective, StatusAppealed, StatusRetrialSought}, To: StatusClosed, Article: "",
		Apply: func(_ *applyEnv, c *models.LitigationCase, in *TransitionInput) error {
			c.ClosedOn = ptr(in.EffectiveOn)
			return nil
		},
	},
}

// LookupTransition returns the row of action.
func LookupTransition(action string) (Transition, bool) {
	for _, t := range Table {
		if t.Action == action {
			return t, true
		}
	}
	return Transition{}, false
}

// AllowedActions lists what p may do to c now, in Table order. Reporters,
// and anyone outside c's organ, may do nothing.
func AllowedActions(c *models.LitigationCase, p *auth.Principal) []string {
	if c == nil || !p.CanWriteCases() || !p.CanSeeOrgan(c.OrganID) {
		return []string{}
	}
	return allowedFor(c)
}

func allowedFor(c *models.LitigationCase) []string {
	out := []string{}
	for _, t := range Table {
		if slices.Contains(t.From, c.Status) && (t.Guard == nil || t.Guard(c) == nil) {
			out = append(out, t.Action)
		}
	}
	return out
}

// refuse is the 422 for an action the state machine does not allow now.
func refuse(c *models.LitigationCase, action string, cause *errs.Error) error {
	allowed := allowedFor(c)
	zh, en := make([]string, len(allowed)), make([]string, len(allowed))
	for i, a := range allowed {
		zh[i] = codes.LitigationActions.Label(a, "zh") + "（" + a + "）"
		en[i] = a
	}
	zhList, enList := strings.Join(zh, "、"), strings.Join(en, ", ")
	if len(allowed) == 0 {
		zhList, enList = "无", "none"
	}
	stZH := codes.LitigationStatuses.Label(c.Status, "zh")
	var e *errs.Error
	if cause != nil {
		e = errs.Rule(cause.Code,
			cause.Message.ZH+"。当前状态："+stZH+"（"+c.Status+"）；当前可执行的操作："+zhList,
			cause.Message.EN+". Current state: "+c.Status+"; allowed actions now: "+enList)
	} else {
		e = errs.Rule("invalid_transition",
			"应诉案件当前状态为「"+stZH+"」（"+c.Status+"），不能执行「"+codes.LitigationActions.Label(action, "zh")+"」（"+action+"）。当前可执行的操作："+zhList,
			"the litigation record is "+c.Status+"; "+action+" is not allowed. Allowed actions now: "+enList)
	}
	return e.With("current_status", c.Status).With("allowed_actions", allowed).With("action", action)
}

// latestDate is the latest procedural date of the record: a new step may
// not be dated before it.
func latestDate(c *models.LitigationCase) (string, string) {
	best, name := c.NotifiedOn, "notified_on"
	for _, d := range []struct {
		v    *string
		name string
	}{{c.DefenceFiledOn, "defence_filed_on"}, {c.SuspendedOn, "suspended_on"}, {c.ConcludedOn, "concluded_on"},
		{c.ServedOn, "served_on"}, {c.AppealedOn, "appealed_on"}, {c.EffectiveOn, "effective_on"}, {c.ClosedOn, "closed_on"}} {
		if d.v != nil && *d.v > best {
			best, name = *d.v, d.name
		}
	}
	return best, name
}

// Transition applies one action to record id as p, in one write transaction.
func (s *Service) Transition(ctx context.Context, p *auth.Principal, id int64, in TransitionInput) (*View, error) {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		return s.transitionTx(ctx, tx, p, id, in)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

func (s *Service) transitionTx(ctx context.Context, tx *gorm.DB, p *auth.Principal, id int64, in TransitionInput) error {
	in.Note = strings.TrimSpace(in.Note)
	before, err := loadLitigation(ctx, tx, p, id)
	if err != nil {
		return err
	}
	if !p.CanWriteCases() {
		return forbiddenWrite()
	}
	t, ok := LookupTransition(in.Action)
	if !ok {
		return errs.InvalidField("action", "未知的操作："+in.Action, "unknown action: "+in.Action).With("allowed_actions", allowedFor(before))
	}
	if in.Version == 0 {
		return errs.InvalidField("version", "必须提供版本号", "version is required")
	}
	if in.Version != before.Version {
		return errs.Stale(before.Version)
	}
	if !slices.Contains(t.From, before.Status) {
		return refuse(before, in.Action, nil)
	}
	if t.Guard != nil {
		if g := t.Guard(before); g != nil {
			return refuse(before, in.Action, g)
		}
	}
	f := fieldErrs{}
	if dateCheck(f, "effective_on", strings.TrimSpace(in.EffectiveOn), true, s.today()) {
		in.EffectiveOn = strings.TrimSpace(in.EffectiveOn)
		if floor, name := latestDate(before); in.EffectiveOn < floor {
			f.add("effective_on", "日期不能早于前一程序日期（"+name+" "+floor+"）", "effective_on must not precede the previous step ("+name+" "+floor+")")
		}
	}
	if t.Check != nil {
		t.Check(before, &in, f)
	}
	if err := f.err(); err != nil {
		return err
	}
	c := *before
	env := &applyEnv{ctx: ctx, tx: tx, s: s, p: p, payload: map[string]any{"article": t.Article}}
	if err := t.Apply(env, &c, &in); err != nil {
		return errs.As(err)
	}
	c.Status = t.Target(before)
	return s.save(ctx, tx, p, before, &c, t.Action, ptr(in.EffectiveOn), env.payload, in.Note)
}

// checkOutcome validates decide's outcome against the instance.
func checkOutcome(c *models.LitigationCase, in *TransitionInput, f fieldErrs) {
	o, ok := codes.LitigationOutcomes.Parse(in.Outcome)
	if !ok {
		if strings.TrimSpace(in.Outcome) == "" {
			f.add("outcome", "必填", "required")
		} else {
			f.add("outcome", "未知的裁判结果："+in.Outcome, "unknown outcome: "+in.Outcome)
		}
		return
	}
	in.Outcome = o
	switch {
	case o == OutcomeWithdrawn || o == OutcomeAppealWithdrawn:
		f.add("outcome", "撤诉请使用“撤诉”操作（withdraw）", "use the withdraw action for a withdrawal")
	case o == OutcomeMediated:
		f.add("outcome", "调解结案请使用“调解结案”操作（mediate）", "use the mediate action for a mediation")
	case c.Instance == InstanceFirst && codes.SecondInstanceOutcomes.Has(o):
		f.add("outcome", "一审案件不能作出二审结果："+codes.LitigationOutcomes.Label(o, "zh"), "a first-instance record cannot have the appeal outcome "+o)
	case o == OutcomeReversed && in.AgainstAgency == nil:
		f.add("against_agency", "改判须说明新的裁判结果是否对行政机关不利", "reversed: state whether the new result is against the agency")
	}
	if in.Form != "" {
		form, ok := codes.JudgmentForms.Parse(in.Form)
		if !ok {
			f.add("form", "应为判决（judgment）或裁定（ruling）", "must be judgment or ruling")
		}
		in.Form = form
	}
}

// defaultForm is the usual form of the document behind an outcome: dismissal,
// withdrawal and remand are rulings (裁定), the rest judgments (判决).
func defaultForm(outcome string) string {
	switch outcome {
	case OutcomeSuitDismissed, OutcomeWithdrawn, OutcomeAppealWithdrawn, OutcomeRemanded:
		return "ruling"
	case OutcomeMediated:
		return ""
	}
	return "judgment"
}

// conclude records the result of an instance and derives the loss.
func (env *applyEnv) conclude(c *models.LitigationCase, outcome, form string, against *bool, on string) error {
	prevLost := false
	if c.PreviousInstanceID != nil {
		var prev models.LitigationCase
		if err := env.tx.Select("id", "lost").Where("id = ? AND organ_id = ?", *c.PreviousInstanceID, c.OrganID).Take(&prev).Error; err == nil {
			prevLost = prev.Lost
		}
	}
	if form == "" {
		form = defaultForm(outcome)
	}
	c.Outcome, c.JudgmentForm, c.AgainstAgency = outcome, form, against
	c.Lost = DeriveLost(outcome, against, prevLost)
	c.ConcludedOn = ptr(on)
	env.payload["outcome"] = outcome
	env.payload["form"] = form
	env.payload["lost"] = c.Lost
	if against != nil {
		env.payload["against_agency"] = *against
	}
	return nil
}

// checkLinked validates the parameters of the record an appeal or a retrial opens.
func checkLinked(_ *models.LitigationCase, in *TransitionInput, f fieldErrs) {
	in.CourtCaseNo = strings.TrimSpace(in.CourtCaseNo)
	in.Court = strings.TrimSpace(in.Court)
	in.NotifiedOn = strings.TrimSpace(in.NotifiedOn)
	if in.CourtCaseNo == "" {
		f.add("court_case_no", "请填写新审级的法院案号", "the court case number of the new instance is required")
	}
	if in.NotifiedOn != "" && !validDate(in.NotifiedOn) {
		f.add("notified_on", "日期格式应为 YYYY-MM-DD", "must be a YYYY-MM-DD date")
	} else if in.NotifiedOn != "" && in.EffectiveOn != "" && in.NotifiedOn < in.EffectiveOn {
		f.add("notified_on", "收到通知日期不能早于上诉/申请日期", "notified_on must not precede effective_on")
	}
}

// openLinked creates the linked record of the next instance (appeal → second
// instance; retrial) with the same parties and links.
func (env *applyEnv) openLinked(c *models.LitigationCase, instance string, in *TransitionInput) error {
	notified := in.NotifiedOn
	if notified == "" {
		notified = in.EffectiveOn
	}
	if notified > env.s.today() {
		return errs.InvalidField("notified_on", "日期不能晚于今天", "must not be in the future")
	}
	court := in.Court
	if court == "" {
		court = c.Court
	}
	handler := c.HandlerID
	if in.HandlerID != nil {
		handler = in.HandlerID
	}
	next := &models.LitigationCase{
		OrganID: c.OrganID, Kind: c.Kind, Instance: instance, Court: court, CourtCaseNo: in.CourtCaseNo,
		Plaintiffs: c.Plaintiffs, DefendantAgencyID: c.DefendantAgencyID, CoDefendantRole: c.CoDefendantRole,
		ReconsiderationCaseID: c.ReconsiderationCaseID, PreviousInstanceID: &c.ID, HandlerID: handler,
		NotifiedOn: notified,
	}
	if err := env.s.insert(env.ctx, env.tx, env.p, next, "open_from_"+instanceAction(instance), map[string]any{"previous_instance_id": c.ID}); err != nil {
		return err
	}
	env.payload["next_instance_id"] = next.ID
	env.payload["court_case_no"] = next.CourtCaseNo
	return nil
}

func instanceAction(instance string) string {
	if instance == InstanceSecond {
		return "appeal"
	}
	return "retrial"
}
