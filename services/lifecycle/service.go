// Package lifecycle is the reconsideration case service: creating, editing,
// reading and listing cases, and moving them through the state machine of
// Table, one write transaction per change, with an append-only event and a
// version snapshot for each, and the injected hooks (deadline recomputation,
// statistics rollup) run inside the same transaction.
package lifecycle

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/errs"
	"fuyi/services/pii"
	"fuyi/services/telemetry"
)

// Hook runs inside the transaction of every create, edit and transition of a
// case (before is nil on create). An error rolls the whole change back.
type Hook func(ctx context.Context, tx *gorm.DB, before, after *models.Case) error

// Guard is consulted inside the transaction of every transition, once the
// state machine and the parameters have accepted it, before anything is
// written: an error refuses the transition (the approval workflow answers
// 422 approval_required for an action that needs approval). Nil = none.
type Guard func(ctx context.Context, tx *gorm.DB, c *models.Case, action string, p *auth.Principal) error

// MetricFilter narrows the case list to the cases behind one dashboard number:
// the metric key (a metric definition key such as "comprehensive_correction",
// or a count such as "closed", "received", "accepted"; a ":numerator" or
// ":denominator" suffix is the metric's to choose), the period [from, to]
// (YYYY-MM-DD, either may be empty), and the organs in scope. It returns a
// scope applied to a query on the "cases" table (refer to columns as
// cases.column). An unknown key is an errs.KindInvalid error naming the field
// "metric". db is a read handle for looking definitions up.
type MetricFilter func(ctx context.Context, db *gorm.DB, key, from, to string, organIDs []int64) (func(*gorm.DB) *gorm.DB, error)

// Options configures a Service.
type Options struct {
	// Hooks run in the transaction of every change, in order.
	Hooks []Hook
	// Now is the clock (time.Now when nil); "today" is its date in China time.
	Now func() time.Time
	// MetricFilter serves the list's metric filter; nil answers 400 unknown metric.
	MetricFilter MetricFilter
	// Guard, when set, may refuse a transition (see Guard).
	Guard Guard
	// PII, when set with a key, seals parties' ID numbers at rest
	// (case_parties.id_number holds "enc:v1:…"); nil stores them as given.
	// Reads open sealed values and pass plaintext ones through either way.
	PII *pii.Sealer
}

// Service is the reconsideration case service.
type Service struct {
	db           *models.DB
	hooks        []Hook
	now          func() time.Time
	metricFilter MetricFilter
	guard        Guard
	pii          *pii.Sealer
}

// New returns a case service on db.
func New(db *models.DB, opts Options) *Service {
	s := &Service{db: db, hooks: opts.Hooks, now: opts.Now, metricFilter: opts.MetricFilter, guard: opts.Guard, pii: opts.PII}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// SetMetricFilter installs the statistics package's metric filter (for wiring
// orders where the statistics service is built after this one).
func (s *Service) SetMetricFilter(m MetricFilter) { s.metricFilter = m }

// SetGuard installs the transition guard (for wiring orders where the
// approval workflow is built after this service).
func (s *Service) SetGuard(g Guard) { s.guard = g }

// AddHook appends a hook run in the transaction of every change.
func (s *Service) AddHook(h Hook) { s.hooks = append(s.hooks, h) }

// today is the current civil date in China.
func (s *Service) today() string { return s.now().In(chinaTime).Format(time.DateOnly) }

var errCaseNotFound = errs.NotFound("case", "案件")

func notFound() error {
	e := *errCaseNotFound
	return &e
}

func forbiddenWrite() error {
	return errs.Forbidden("当前角色无权修改案件", "your role may not change cases")
}

// loadCase reads a case through q and hides it unless p may see its organ:
// another organ's case is "not found", never "forbidden".
func loadCase(ctx context.Context, q *gorm.DB, p *auth.Principal, id int64) (*models.Case, error) {
	c, err := models.TakeCase(q.WithContext(ctx), id)
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, notFound()
		}
		return nil, errs.Internal(err)
	}
	if !p.CanSeeOrgan(c.OrganID) {
		return nil, notFound()
	}
	return c, nil
}

// CheckVersion answers 409 stale unless version is the case's current one.
func CheckVersion(c *models.Case, version int64) error {
	if version != c.Version {
		return errs.Stale(c.Version)
	}
	return nil
}

// AllowedActions lists what p may do to c now, in Table order: the actions
// whose From holds c's status and whose Guard passes. Reporters, and anyone
// outside c's organ, may do nothing.
func AllowedActions(c *models.Case, p *auth.Principal) []string {
	out := []string{}
	if c == nil || !p.CanWriteCases() || !p.CanSeeOrgan(c.OrganID) {
		return out
	}
	for _, t := range Table {
		if slices.Contains(t.From, c.Status) && (t.Guard == nil || t.Guard(c) == nil) {
			out = append(out, t.Action)
		}
	}
	return out
}

// allowedFor is AllowedActions ignoring the caller (for error messages).
func allowedFor(c *models.Case) []string {
	out := []string{}
	for _, t := range Table {
		if slices.Contains(t.From, c.Status) && (t.Guard == nil || t.Guard(c) == nil) {
			out = append(out, t.Action)
		}
	}
	return out
}

// refuse is the 422 for an action the state machine does not allow now.
func refuse(c *models.Case, action string, cause *errs.Error) error {
	allowed := allowedFor(c)
	zhAllowed, enAllowed := make([]string, len(allowed)), make([]string, len(allowed))
	for i, a := range allowed {
		zhAllowed[i] = codes.Actions.Label(a, "zh") + "（" + a + "）"
		enAllowed[i] = a
	}
	zhList, enList := strings.Join(zhAllowed, "、"), strings.Join(enAllowed, ", ")
	if len(allowed) == 0 {
		zhList, enList = "无", "none"
	}
	stZH := codes.Statuses.Label(c.Status, "zh")
	actZH := codes.Actions.Label(action, "zh")
	var e *errs.Error
	if cause != nil {
		e = errs.Rule(cause.Code,
			cause.Message.ZH+"。当前状态："+stZH+"（"+c.Status+"）；当前可执行的操作："+zhList,
			cause.Message.EN+". Current state: "+c.Status+"; allowed actions now: "+enList)
	} else {
		e = errs.Rule("invalid_transition",
			"案件当前状态为「"+stZH+"」（"+c.Status+"），不能执行「"+actZH+"」（"+action+"）。当前可执行的操作："+zhList,
			"the case is "+c.Status+" ("+codes.Statuses.Label(c.Status, "en")+"); "+action+" is not allowed. Allowed actions now: "+enList)
	}
	return e.With("current_status", c.Status).With("allowed_actions", allowed).With("action", action)
}

// Transition applies one action to case id as p, in one write transaction:
// it loads the case, checks scope, role, version and the table, updates the
// case with a guarded UPDATE, appends an event and a version snapshot and
// runs the hooks. It returns the case as it now stands.
func (s *Service) Transition(ctx context.Context, p *auth.Principal, id int64, in TransitionInput) (*CaseView, error) {
	var after *models.Case
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		after, err = s.TransitionTx(ctx, tx, p, id, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	telemetry.TransitionsTotal.WithLabelValues(in.Action).Inc()
	return s.Get(ctx, p, after.ID)
}

// TransitionTx is Transition inside the caller's write transaction tx (the
// approval workflow executes an approved action together with the
// proposal's own change). It returns the case as written.
func (s *Service) TransitionTx(ctx context.Context, tx *gorm.DB, p *auth.Principal, id int64, in TransitionInput) (*models.Case, error) {
	in.Note = strings.TrimSpace(in.Note)
	in.Reason = strings.TrimSpace(in.Reason)
	in.ApprovedBy = strings.TrimSpace(in.ApprovedBy)
	before, err := loadCase(ctx, tx, p, id)
	if err != nil {
		return nil, err
	}
	if !p.CanWriteCases() {
		return nil, forbiddenWrite()
	}
	t, ok := Lookup(in.Action)
	if !ok {
		return nil, errs.InvalidField("action", "未知的操作："+in.Action, "unknown action: "+in.Action).With("allowed_actions", allowedFor(before))
	}
	if in.Version == 0 {
		return nil, errs.InvalidField("version", "必须提供案件版本号", "version is required")
	}
	if err := CheckVersion(before, in.Version); err != nil {
		return nil, err
	}
	if !slices.Contains(t.From, before.Status) {
		return nil, refuse(before, in.Action, nil)
	}
	if t.Guard != nil {
		if g := t.Guard(before); g != nil {
			return nil, refuse(before, in.Action, g)
		}
	}
	f := fieldErrs{}
	if dateCheck(f, "effective_on", in.EffectiveOn, true, s.today()) {
		floor, floorField, err := latestDate(tx, before)
		if err != nil {
			return nil, errs.Internal(err)
		}
		if in.EffectiveOn < floor {
			f.add("effective_on", "生效日期不能早于前一程序日期（"+floorField.zh+" "+floor+"）",
				"effective_on must not precede the previous step ("+floorField.en+" "+floor+")")
		}
	}
	if t.Check != nil {
		t.Check(before, &in, f)
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	if s.guard != nil {
		if err := s.guard(ctx, tx, before, in.Action, p); err != nil {
			return nil, err
		}
	}
	c := *before
	if err := t.Apply(tx, &c, &in); err != nil {
		return nil, errs.Internal(err)
	}
	c.Status = t.Target(before.Status)
	if err := s.save(ctx, tx, p, before, &c, eventOf(t, before, &c, &in)); err != nil {
		return nil, err
	}
	return &c, nil
}

// Change applies fn to case id inside tx and saves the result like an edit:
// the guarded versioned update, an event with action and the payload fn
// returns, a version snapshot and the hooks. version 0 skips the caller's
// version check (bulk changes; the guarded update still refuses a case
// changed concurrently). fn may change only fields caseColumns writes; it
// must not change the status. Used by the workflow's assignment.
func (s *Service) Change(ctx context.Context, tx *gorm.DB, p *auth.Principal, id, version int64, action, note string, fn func(c *models.Case) (payload any, err error)) (*models.Case, error) {
	before, err := loadCase(ctx, tx, p, id)
	if err != nil {
		return nil, err
	}
	if !p.CanWriteCases() {
		return nil, forbiddenWrite()
	}
	if version != 0 {
		if err := CheckVersion(before, version); err != nil {
			return nil, err
		}
	}
	c := *before
	payload, err := fn(&c)
	if err != nil {
		return nil, err
	}
	c.Status = before.Status
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, errs.Internal(err)
	}
	ev := &models.CaseEvent{Action: action, FromStatus: before.Status, ToStatus: before.Status, EffectiveOn: ptr(s.today()), Payload: string(b), Note: strings.TrimSpace(note)}
	if err := s.save(ctx, tx, p, before, &c, ev); err != nil {
		return nil, err
	}
	return &c, nil
}

// AppendEvent adds a timeline row to case c inside tx without changing the
// case (no version bump, no hooks): proposals, approvals, documents,
// follow-ups. The status stays c's.
func (s *Service) AppendEvent(ctx context.Context, tx *gorm.DB, p *auth.Principal, c *models.Case, action string, effectiveOn *string, payload any, note string) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return errs.Internal(err)
	}
	ev := &models.CaseEvent{CaseID: c.ID, OrganID: c.OrganID, Action: action, FromStatus: c.Status, ToStatus: c.Status,
		EffectiveOn: effectiveOn, Payload: string(b), Note: strings.TrimSpace(note), CreatedAt: s.now().UTC()}
	if p != nil {
		ev.ActorID, ev.ActorName = p.UserID, actorName(p)
	}
	if err := models.InsertCaseEvent(tx.WithContext(ctx), ev); err != nil {
		return errs.Internal(err)
	}
	return nil
}

// LoadCase reads case id through q (a read handle or a transaction), hidden
// (not found) unless p may see its organ.
func LoadCase(ctx context.Context, q *gorm.DB, p *auth.Principal, id int64) (*models.Case, error) {
	return loadCase(ctx, q, p, id)
}

type namedDate struct{ zh, en string }

// latestDate is the latest procedural date recorded on the case (including
// its suspension periods): a new step may not be dated before it.
func latestDate(tx *gorm.DB, c *models.Case) (string, namedDate, error) {
	best, name := c.ReceivedOn, namedDate{"收件日期", "received_on"}
	consider := func(v *string, zh, en string) {
		if v != nil && *v > best {
			best, name = *v, namedDate{zh, en}
		}
	}
	consider(c.CorrectionNoticeOn, "补正通知日期", "correction_notice_on")
	consider(c.CorrectionReceivedOn, "补正材料收到日期", "correction_received_on")
	consider(c.AcceptedOn, "受理日期", "accepted_on")
	consider(c.ClosedOn, "结案日期", "closed_on")
	consider(c.ServedOn, "送达日期", "served_on")
	consider(c.ArchivedOn, "归档日期", "archived_on")
	sus, err := models.FindCaseSuspensions(tx, c.ID)
	if err != nil {
		return "", name, err
	}
	for _, x := range sus {
		consider(&x.FromOn, "中止日期", "suspended_on")
		consider(x.ToOn, "恢复审理日期", "resumed_on")
	}
	return best, name, nil
}

// eventOf builds the event row of a transition: the parameters the action takes.
func eventOf(t Transition, before, after *models.Case, in *TransitionInput) *models.CaseEvent {
	payload := map[string]any{}
	for _, name := range append(append([]string{}, t.Params...), t.Optional...) {
		switch name {
		case "procedure":
			payload[name] = in.Procedure
		case "deemed":
			payload[name] = in.Deemed
		case "reason":
			payload[name] = in.Reason
		case "ground":
			payload[name] = in.Ground
		case "days":
			payload[name] = in.Days
		case "approved_by":
			payload[name] = in.ApprovedBy
		case "outcome":
			payload[name] = in.Outcome
		case "partial":
			payload[name] = in.Partial
		case "redo":
			payload[name] = in.Redo
		case "termination":
			payload[name] = in.Termination
		}
	}
	payload["article"] = t.Article
	if in.Approval != nil {
		payload["approval"] = in.Approval
	}
	b, _ := json.Marshal(payload)
	return &models.CaseEvent{
		Action: t.Action, FromStatus: before.Status, ToStatus: after.Status,
		EffectiveOn: ptr(in.EffectiveOn), Payload: string(b), Note: in.Note,
	}
}

// save writes the change of one case: the guarded update (zero rows = stale),
// the event, the version snapshot and the hooks, all in tx.
func (s *Service) save(ctx context.Context, tx *gorm.DB, p *auth.Principal, before, after *models.Case, ev *models.CaseEvent) error {
	now := s.now().UTC()
	after.Version = before.Version + 1
	after.UpdatedAt = now
	after.EditedInAppAt = &now
	n, err := models.UpdateCaseGuarded(tx, before.ID, before.Status, before.Version, changedColumns(before, after))
	if err != nil {
		return errs.Internal(err)
	}
	if n == 0 {
		var cur models.Case
		if err := tx.Select("version", "status").Where("id = ?", before.ID).Take(&cur).Error; err != nil {
			return errs.Internal(err)
		}
		return errs.Stale(cur.Version)
	}
	ev.CaseID, ev.OrganID = after.ID, after.OrganID
	ev.ActorID, ev.ActorName = p.UserID, actorName(p)
	ev.CreatedAt = now
	if err := models.InsertCaseEvent(tx, ev); err != nil {
		return errs.Internal(err)
	}
	if err := s.snapshot(tx, p, after, now); err != nil {
		return err
	}
	return s.runHooks(ctx, tx, before, after)
}

func (s *Service) runHooks(ctx context.Context, tx *gorm.DB, before, after *models.Case) error {
	for _, h := range s.hooks {
		if err := h(ctx, tx, before, after); err != nil {
			var e *errs.Error
			if errors.As(err, &e) {
				return err
			}
			return errs.Internal(err)
		}
	}
	return nil
}

// snapshot writes the CaseVersion row of c's current version: the case and
// its parties as JSON.
func (s *Service) snapshot(tx *gorm.DB, p *auth.Principal, c *models.Case, now time.Time) error {
	parties, err := models.FindCaseParties(tx, c.ID)
	if err != nil {
		return errs.Internal(err)
	}
	b, err := json.Marshal(struct {
		Case    *models.Case       `json:"case"`
		Parties []models.CaseParty `json:"parties"`
	}{c, parties})
	if err != nil {
		return errs.Internal(err)
	}
	var actor int64
	if p != nil {
		actor = p.UserID
	}
	if err := models.InsertCaseVersion(tx, &models.CaseVersion{CaseID: c.ID, Version: c.Version, Snapshot: string(b), ActorID: actor, CreatedAt: now}); err != nil {
		return errs.Internal(err)
	}
	return nil
}

func actorName(p *auth.Principal) string {
	if p == nil {
		return ""
	}
	if p.DisplayName != "" {
		return p.DisplayName
	}
	return p.Username
}

// changedColumns are the caseColumns whose values differ between before and
// after, plus the version and the change stamps, which every change writes.
// The guarded UPDATE matches only while the row is still before (same
// version), so writing just these leaves the row exactly as writing every
// column would — and SQLite then rewrites only the indexes over the columns
// that changed.
func changedColumns(before, after *models.Case) map[string]any {
	cols, old := caseColumns(after), caseColumns(before)
	for k, v := range cols {
		switch k {
		case "version", "updated_at", "edited_in_app_at":
			continue
		}
		if reflect.DeepEqual(old[k], v) {
			delete(cols, k)
		}
	}
	return cols
}

// caseColumns are the columns a change of a case may write (never the id,
// organ, number or creation data).
func caseColumns(c *models.Case) map[string]any {
	return map[string]any{
		"status": c.Status, "version": c.Version, "regime": c.Regime,
		"applicant": c.Applicant, "applicant_type": c.ApplicantType, "agent": c.Agent,
		"respondent_id": c.RespondentID, "act_type": c.ActType, "area": c.Area,
		"act_document_no": c.ActDocumentNo, "act_date": c.ActDate, "request": c.Request,
		"channel": c.Channel, "procedure": c.Procedure, "handler_id": c.HandlerID,
		"second_handler_id": c.SecondHandlerID,
		"received_on":       c.ReceivedOn, "correction_notice_on": c.CorrectionNoticeOn,
		"correction_due_days": c.CorrectionDueDays, "correction_received_on": c.CorrectionReceivedOn,
		"accepted_on": c.AcceptedOn, "deemed_accepted": c.DeemedAccepted,
		"intake_on": c.IntakeOn, "intake_reason": c.IntakeReason,
		"copy_sent_on": c.CopySentOn, "reply_received_on": c.ReplyReceivedOn,
		"suspended_on": c.SuspendedOn, "suspend_ground": c.SuspendGround,
		"extension_days": c.ExtensionDays, "extended_by": c.ExtendedBy,
		"closed_on": c.ClosedOn, "outcome": c.Outcome, "outcome_partial": c.OutcomePartial,
		"outcome_redo": c.OutcomeRedo, "termination": c.Termination,
		"served_on": c.ServedOn, "archived_on": c.ArchivedOn,
		"hearing_held": c.HearingHeld, "committee_consulted": c.CommitteeConsulted,
		"compensation_claimed": c.CompensationClaimed, "compensation_awarded": c.CompensationAwarded,
		"note": c.Note, "edited_in_app_at": c.EditedInAppAt, "updated_at": c.UpdatedAt,
	}
}
