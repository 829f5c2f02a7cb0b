package lifecycle

import (
	"slices"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/codes"
	"fuyi/services/errs"
)

// The states of a reconsideration case (domain.md §4; codes.Statuses holds
// their labels). States model the procedural position; the outcome and the
// termination subtype are attributes set by the closing transition.
const (
	StatusReceived             = "received"
	StatusCorrectionRequested  = "correction_requested"
	StatusAbandoned            = "abandoned"
	StatusNotAccepted          = "not_accepted"
	StatusWithdrawnBeforeAccep = "withdrawn_before_acceptance"
	StatusReferred             = "referred"
	StatusAccepted             = "accepted"
	StatusSuspended            = "suspended"
	StatusDecided              = "decided"
	StatusMediated             = "mediated"
	StatusTerminated           = "terminated"
	StatusServed               = "served"
	StatusClosed               = "closed"
)

// The actions (DESIGN §6; codes.Actions holds their labels).
const (
	ActRequestCorrection = "request_correction"
	ActReceiveCorrection = "receive_correction"
	ActAbandon           = "abandon"
	ActAccept            = "accept"
	ActNotAccept         = "not_accept"
	ActWithdraw          = "withdraw"
	ActRefer             = "refer"
	ActSuspend           = "suspend"
	ActResume            = "resume"
	ActExtend            = "extend"
	ActConvertProcedure  = "convert_procedure"
	ActDecide            = "decide"
	ActMediate           = "mediate"
	ActTerminate         = "terminate"
	ActServe             = "serve"
	ActClose             = "close"
)

// The legal regimes (deadline.RL2017 / deadline.RL2023 name the same values).
const (
	RegimeRL2017 = "rl2017"
	RegimeRL2023 = "rl2023"
)

// Procedures.
const (
	ProcedureOrdinary   = "ordinary"
	ProcedureSimplified = "simplified"
)

// TransitionInput carries one action and its parameters. Which parameters an
// action takes is stated by its Transition row.
type TransitionInput struct {
	Action string
	// EffectiveOn is the legal date of the step (YYYY-MM-DD), not the click time.
	EffectiveOn string
	// Version is the version of the case the caller saw.
	Version int64
	Note    string

	Procedure   string // accept
	Deemed      bool   // accept: deemed acceptance (RL2023 Art. 30(3); RL2017 Art. 17(2))
	Reason      string // not_accept, refer (required); abandon, withdraw, suspend
	Ground      string // suspend
	Days        int    // extend (1–30); request_correction: the reply period set in the notice
	ApprovedBy  string // extend, convert_procedure
	Outcome     string // decide
	Partial     bool   // decide, revoked only
	Redo        bool   // decide, revoked only
	Termination string // terminate

	// Approval is set only by the approval workflow when it executes an
	// approved proposal: the chain of steps, recorded in the event payload
	// under "approval". The API never sets it.
	Approval any
}

// fieldErrs collects field errors keyed by the JSON field name.
type fieldErrs map[string]errs.Msg

func (f fieldErrs) add(field, zh, en string) {
	if _, dup := f[field]; !dup {
		f[field] = errs.Msg{ZH: zh, EN: en}
	}
}

// err returns nil when f is empty, else one 400 naming every field.
func (f fieldErrs) err() error {
	if len(f) == 0 {
		return nil
	}
	e := errs.Invalid("输入有误，请检查标注的字段", "invalid input; see the fields")
	for k, v := range f {
		e.Field(k, v.ZH, v.EN)
	}
	return e
}

// Transition is one row of the state machine: an action, the states it may
// start from, the state it leads to, the statute behind it and its checks.
type Transition struct {
	Action string
	// From lists the states the action is allowed from.
	From []string
	// To is the target state; empty means the case stays where it is
	// (extend, convert_procedure).
	To string
	// Article is the statute behind the step (RL2023 first, then RL2017/RR2007).
	Article string
	// Params names the parameters the action requires (JSON names), besides
	// effective_on and version; Optional those it also takes.
	Params   []string
	Optional []string
	// Guard refuses the action for the case as it stands, whatever the
	// parameters (e.g. a second extension); a refusal is a 422. Nil = none.
	Guard func(c *models.Case) *errs.Error
	// Check validates the parameters against the case; problems are field
	// errors (400). Nil = none.
	Check func(c *models.Case, in *TransitionInput, f fieldErrs)
	// Apply sets the fields of the case the step changes; tx lets it keep the
	// side tables (suspension periods) in the same transaction.
	Apply func(tx *gorm.DB, c *models.Case, in *TransitionInput) error
}

// Table is the reconsideration state machine, one row per action. It is the
// single source of truth: Transition, AllowedActions and the tests read it.
var Table = []Transition{
	{
		// RL2023 Art. 31(1): a one-time written correction notice within 5
		// working days of receipt; RR2007 Art. 29: within 5 days, with a
		// reasonable reply period. "One-time" (一次性) is RL2023 only.
		Action: ActRequestCorrection, From: []string{StatusReceived}, To: StatusCorrectionRequested,
		Article: "RL2023 Art. 31(1); RR2007 Art. 29", Optional: []string{"days"},
		Guard: func(c *models.Case) *errs.Error {
			if c.Regime == RegimeRL2023 && c.CorrectionNoticeOn != nil {
				return errs.Rule("correction_once",
					"补正通知应当一次性发出，本案已通知过补正（行政复议法第三十一条第一款）",
					"a correction notice may be issued only once (RL2023 Art. 31(1)); this case already had one")
			}
			return nil
		},
		Check: func(c *models.Case, in *TransitionInput, f fieldErrs) {
			if in.Days < 0 || in.Days > 60 {
				f.add("days", "补正期限应为1至60日", "the correction period must be 1–60 days")
			}
		},
		Apply: func(_ *gorm.DB, c *models.Case, in *TransitionInput) error {
			c.CorrectionNoticeOn = ptr(in.EffectiveOn)
			c.CorrectionReceivedOn = nil
			c.CorrectionDueDays = in.Days
			if c.CorrectionDueDays == 0 && c.Regime == RegimeRL2023 {
				c.CorrectionDueDays = 10 // RL2023 Art. 31(2): 10 days from receipt of the notice
			}
			return nil
		},
	},
	{
		// RL2023 Art. 31(3): on corrected materials the Art. 30 review runs again.
		Action: ActReceiveCorrection, From: []string{StatusCorrectionRequested}, To: StatusReceived,
		Article: "RL2023 Art. 31(3); RR2007 Art. 29",
		Apply: func(_ *gorm.DB, c *models.Case, in *TransitionInput) error {
			c.CorrectionReceivedOn = ptr(in.EffectiveOn)
			return nil
		},
	},
	{
		// RL2023 Art. 31(2): no correction within the period without good
		// reason = deemed abandoned (视为放弃), recorded. RR2007 Art. 29 idem.
		Action: ActAbandon, From: []string{StatusCorrectionRequested}, To: StatusAbandoned,
		Article: "RL2023 Art. 31(2); RR2007 Art. 29", Optional: []string{"reason"},
		Apply: intake,
	},
	{
		// RL2023 Art. 30(1), 36: acceptance and choice of procedure; Art. 30(3)
		// deemed acceptance; simplified procedure only under RL2023 (Art. 53;
		// RL2017 had none). RL2017 Art. 17(2): deemed accepted from receipt.
		Action: ActAccept, From: []string{StatusReceived}, To: StatusAccepted,
		Article: "RL2023 Art. 30, 36, 53; RL2017 Art. 17", Params: []string{"procedure"}, Optional: []string{"deemed"},
		Check: func(c *models.Case, in *TransitionInput, f fieldErrs) {
			switch {
			case in.Procedure == "":
				f.add("procedure", "请选择审理程序（普通程序或简易程序）", "procedure is required (ordinary or simplified)")
			case !codes.Procedures.Has(in.Procedure):
				f.add("procedure", "审理程序只能是 ordinary 或 simplified", "procedure must be ordinary or simplified")
			case in.Procedure == ProcedureSimplified && c.Regime != RegimeRL2023:
				f.add("procedure", "2024年1月1日前收到的申请适用旧法，旧法没有简易程序（行政复议法第五十三条为2023年修订新增）",
					"applications received before 2024-01-01 fall under the 2017 law, which had no simplified procedure (RL2023 Art. 53 is new)")
			}
			if in.Deemed && c.Regime == RegimeRL2017 {
				// RL2017 Art. 17(2): deemed accepted from the day the office received it.
				from := c.ReceivedOn
				if c.CorrectionReceivedOn != nil {
					from = *c.CorrectionReceivedOn
				}
				if in.EffectiveOn != from {
					f.add("effective_on", "旧法下视为受理的日期为收到申请（补正材料）之日 "+from+"（行政复议法（2017）第十七条第二款）",
						"under the 2017 law deemed acceptance dates from receipt, "+from+" (RL2017 Art. 17(2))")
				}
			}
		},
		Apply: func(_ *gorm.DB, c *models.Case, in *TransitionInput) error {
			c.AcceptedOn = ptr(in.EffectiveOn)
			c.Procedure = in.Procedure
			c.DeemedAccepted = in.Deemed
			return nil
		},
	},
	{
		// RL2023 Art. 30(2): a reasoned 不予受理 decision within the review period.
		Action: ActNotAccept, From: []string{StatusReceived}, To: StatusNotAccepted,
		Article: "RL2023 Art. 30(2); RL2017 Art. 17(1)", Params: []string{"reason"},
		Check: requireReason, Apply: intake,
	},
	{
		// Withdrawal before acceptance ends the matter (RR2007 Art. 38; RL2023
		// Art. 41(1) governs withdrawal after acceptance, which is `terminate`).
		Action: ActWithdraw, From: []string{StatusReceived, StatusCorrectionRequested}, To: StatusWithdrawnBeforeAccep,
		Article: "RR2007 Art. 38; RL2023 Art. 41(1) (after acceptance: terminate)", Optional: []string{"reason"},
		Apply: intake,
	},
	{
		// RL2023 Art. 30(2): when only jurisdiction is wrong the applicant is told
		// the competent body; Art. 32 / RL2017 Art. 18: forwarding.
		Action: ActRefer, From: []string{StatusReceived, StatusCorrectionRequested}, To: StatusReferred,
		Article: "RL2023 Art. 30(2), 32; RL2017 Art. 18", Params: []string{"reason"},
		Check: requireReason, Apply: intake,
	},
	{
		// RL2023 Art. 39(1): the ten grounds; ground 6 (mediation/settlement) is
		// new in RL2023 — RR2007 Art. 41 had no mediation ground.
		Action: ActSuspend, From: []string{StatusAccepted}, To: StatusSuspended,
		Article: "RL2023 Art. 39; RR2007 Art. 41", Params: []string{"ground", "reason"},
		Check: func(c *models.Case, in *TransitionInput, f fieldErrs) {
			switch {
			case in.Ground == "":
				f.add("ground", "请选择中止事由", "ground is required")
			case !codes.SuspensionGrounds.Has(in.Ground):
				f.add("ground", "未知的中止事由："+in.Ground, "unknown suspension ground: "+in.Ground)
			case in.Ground == "mediation" && c.Regime != RegimeRL2023:
				f.add("ground", "旧法（实施条例第四十一条）没有因调解、和解中止的事由", "RR2007 Art. 41 has no mediation ground; it is new in RL2023 Art. 39(1)(6)")
			}
			requireReason(c, in, f)
		},
		Apply: func(tx *gorm.DB, c *models.Case, in *TransitionInput) error {
			c.SuspendedOn = ptr(in.EffectiveOn)
			c.SuspendGround = in.Ground
			return tx.Create(&models.CaseSuspension{CaseID: c.ID, Ground: in.Ground, Reason: in.Reason, FromOn: in.EffectiveOn}).Error
		},
	},
	{
		// RL2023 Art. 39(2): resume once the cause is gone, with written notice.
		Action: ActResume, From: []string{StatusSuspended}, To: StatusAccepted,
		Article: "RL2023 Art. 39(2); RR2007 Art. 41(2)",
		Apply: func(tx *gorm.DB, c *models.Case, in *TransitionInput) error {
			return endSuspension(tx, c, in.EffectiveOn)
		},
	},
	{
		// RL2023 Art. 62(1): ordinary procedure, complex case, approved by the
		// head of the office, at most 30 days; RL2017 Art. 31 idem (head of the
		// organ). Once: the law grants one extension of ≤30 days. Simplified
		// procedure has no extension (Art. 62(2)) — convert first (Art. 55).
		Action: ActExtend, From: []string{StatusAccepted, StatusSuspended},
		Article: "RL2023 Art. 62(1); RL2017 Art. 31", Params: []string{"days", "approved_by"},
		Guard: func(c *models.Case) *errs.Error {
			if c.Procedure != ProcedureOrdinary {
				return errs.Rule("extension_not_allowed",
					"简易程序案件不得延期，须先转为普通程序（行政复议法第六十二条、第五十五条）",
					"a simplified-procedure case cannot be extended; convert it to ordinary first (RL2023 Art. 62, 55)")
			}
			if c.ExtensionDays > 0 {
				return errs.Rule("extension_used",
					"本案已延期一次，审理期限只能延长一次且不超过30日（行政复议法第六十二条）",
					"this case was already extended; the decision period may be extended once, by at most 30 days (RL2023 Art. 62(1))")
			}
			return nil
		},
		Check: func(c *models.Case, in *TransitionInput, f fieldErrs) {
			if in.Days < 1 || in.Days > 30 {
				f.add("days", "延期天数应为1至30日（行政复议法第六十二条第一款）", "days must be 1–30 (RL2023 Art. 62(1); RL2017 Art. 31)")
			}
			if in.ApprovedBy == "" {
				f.add("approved_by", "请填写批准人（行政复议机构负责人）", "approved_by is required (the head of the office approves)")
			}
		},
		Apply: func(_ *gorm.DB, c *models.Case, in *TransitionInput) error {
			c.ExtensionDays = in.Days
			c.ExtendedBy = in.ApprovedBy
			return nil
		},
	},
	{
		// RL2023 Art. 55: simplified → ordinary with the approval of the head
		// of the office. Never the other way.
		Action: ActConvertProcedure, From: []string{StatusAccepted, StatusSuspended},
		Article: "RL2023 Art. 55", Params: []string{"approved_by"},
		Guard: func(c *models.Case) *errs.Error {
			if c.Procedure != ProcedureSimplified {
				return errs.Rule("not_simplified",
					"只有适用简易程序的案件可以转为普通程序（行政复议法第五十五条）",
					"only a simplified-procedure case can be converted to the ordinary procedure (RL2023 Art. 55)")
			}
			return nil
		},
		Check: func(c *models.Case, in *TransitionInput, f fieldErrs) {
			if in.ApprovedBy == "" {
				f.add("approved_by", "请填写批准人（行政复议机构负责人）", "approved_by is required (the head of the office approves)")
			}
		},
		Apply: func(_ *gorm.DB, c *models.Case, _ *TransitionInput) error {
			c.Procedure = ProcedureOrdinary
			return nil
		},
	},
	{
		// RL2023 Art. 63–69 (decisions on the merits), Art. 33 (驳回申请);
		// RL2017 Art. 28, RR2007 Art. 43–48. 确认无效 is new in RL2023 Art. 67.
		// Partial / redo qualify 撤销 only (Art. 64). A suspended case must be
		// resumed first (Art. 39(2)).
		Action: ActDecide, From: []string{StatusAccepted}, To: StatusDecided,
		Article: "RL2023 Art. 33, 61–69; RL2017 Art. 28; RR2007 Art. 43–48", Params: []string{"outcome"}, Optional: []string{"partial", "redo"},
		Check: func(c *models.Case, in *TransitionInput, f fieldErrs) {
			switch {
			case in.Outcome == "":
				f.add("outcome", "请选择决定结果", "outcome is required")
			case !codes.Outcomes.Has(in.Outcome) || in.Outcome == "mediated" || in.Outcome == "terminated":
				f.add("outcome", "决定结果无效："+in.Outcome+"（调解、终止请使用相应操作）", "invalid decision outcome: "+in.Outcome+" (use mediate or terminate for those)")
			case in.Outcome == "confirmed_void" && c.Regime != RegimeRL2023:
				f.add("outcome", "确认无效决定为2023年修订新增（第六十七条），旧法案件不适用", "confirmed_void is new in RL2023 Art. 67; not available under the 2017 law")
			}
			if (in.Partial || in.Redo) && in.Outcome != "revoked" {
				f.add("outcome", "“部分撤销”“责令重作”只适用于撤销决定（行政复议法第六十四条）", "partial and redo apply only to revoked (RL2023 Art. 64)")
			}
		},
		Apply: func(_ *gorm.DB, c *models.Case, in *TransitionInput) error {
			c.Outcome = in.Outcome
			c.OutcomePartial = in.Partial
			c.OutcomeRedo = in.Redo
			c.Termination = ""
			c.ClosedOn = ptr(in.EffectiveOn)
			return nil
		},
	},
	{
		// RL2023 Art. 73: a mediation statement signed and sealed closes the
		// case; RR2007 Art. 50.
		Action: ActMediate, From: []string{StatusAccepted}, To: StatusMediated,
		Article: "RL2023 Art. 5, 73; RR2007 Art. 50",
		Apply: func(_ *gorm.DB, c *models.Case, in *TransitionInput) error {
			c.Outcome = "mediated"
			c.Termination = ""
			c.OutcomePartial, c.OutcomeRedo = false, false
			c.ClosedOn = ptr(in.EffectiveOn)
			return nil
		},
	},
	{
		// RL2023 Art. 41, 74; RR2007 Art. 42. suspension_lapsed (Art. 41(5);
		// RR2007 Art. 42(2)) only for a case suspended on grounds 1, 2 or 4 for
		// 60 days whose cause persists.
		Action: ActTerminate, From: []string{StatusAccepted, StatusSuspended}, To: StatusTerminated,
		Article: "RL2023 Art. 41, 74; RL2017 Art. 25; RR2007 Art. 42", Params: []string{"termination"},
		Check: func(c *models.Case, in *TransitionInput, f fieldErrs) {
			switch {
			case in.Termination == "":
				f.add("termination", "请选择终止原因", "termination is required")
			case !codes.Terminations.Has(in.Termination):
				f.add("termination", "未知的终止原因："+in.Termination, "unknown termination: "+in.Termination)
			case in.Termination == "suspension_lapsed":
				lapseGrounds := []string{"party_died", "party_incapacitated", "party_org_terminated"}
				if c.Status != StatusSuspended || c.SuspendedOn == nil || !slices.Contains(lapseGrounds, c.SuspendGround) {
					f.add("termination", "只有因申请人死亡、丧失参加能力或组织终止而中止的案件，满60日才能以此终止（第四十一条第五项）",
						"suspension_lapsed needs a case suspended on grounds 1, 2 or 4 (RL2023 Art. 41(5))")
				} else if lapse := addDays(*c.SuspendedOn, 60); in.EffectiveOn < lapse {
					f.add("effective_on", "中止满60日（"+lapse+"）后才能以此终止", "the suspension reaches 60 days on "+lapse+"; not before")
				}
			}
		},
		Apply: func(tx *gorm.DB, c *models.Case, in *TransitionInput) error {
			if c.Status == StatusSuspended {
				if err := endSuspension(tx, c, in.EffectiveOn); err != nil {
					return err
				}
			}
			c.Outcome = "terminated"
			c.Termination = in.Termination
			c.OutcomePartial, c.OutcomeRedo = false, false
			c.ClosedOn = ptr(in.EffectiveOn)
			return nil
		},
	},
	{
		// RL2023 Art. 75: the decision takes effect on service.
		Action: ActServe, From: []string{StatusDecided, StatusMediated, StatusTerminated}, To: StatusServed,
		Article: "RL2023 Art. 75; RL2017 Art. 31(3)",
		Apply: func(_ *gorm.DB, c *models.Case, in *TransitionInput) error {
			c.ServedOn = ptr(in.EffectiveOn)
			return nil
		},
	},
	{
		// Archiving (结案归档) after service; the statistics closing date stays
		// closed_on (DESIGN §5).
		Action: ActClose, From: []string{StatusServed}, To: StatusClosed,
		Article: "domain.md §4 (Served → Closed); RL2023 Art. 75",
		Apply: func(_ *gorm.DB, c *models.Case, in *TransitionInput) error {
			c.ArchivedOn = ptr(in.EffectiveOn)
			return nil
		},
	},
}

// Lookup returns the row of an action.
func Lookup(action string) (Transition, bool) {
	for _, t := range Table {
		if t.Action == action {
			return t, true
		}
	}
	return Transition{}, false
}

// Target returns the state the transition leads to from status.
func (t Transition) Target(status string) string {
	if t.To == "" {
		return status
	}
	return t.To
}

func requireReason(_ *models.Case, in *TransitionInput, f fieldErrs) {
	if in.Reason == "" {
		f.add("reason", "请填写理由", "reason is required")
	}
}

// intake records a pre-acceptance disposition (not accepted, abandoned,
// withdrawn, referred): its date and reason.
func intake(_ *gorm.DB, c *models.Case, in *TransitionInput) error {
	c.IntakeOn = ptr(in.EffectiveOn)
	c.IntakeReason = in.Reason
	return nil
}

// endSuspension closes the open suspension period of c on date.
func endSuspension(tx *gorm.DB, c *models.Case, date string) error {
	res := tx.Model(&models.CaseSuspension{}).Where("case_id = ? AND to_on IS NULL", c.ID).Update("to_on", date)
	if res.Error != nil {
		return res.Error
	}
	c.SuspendedOn = nil
	c.SuspendGround = ""
	return nil
}

func ptr(s string) *string { return &s }
