package litigation

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/errs"
)

// LinkView names a linked litigation record (previous or next instance).
type LinkView struct {
	ID          int64  `json:"id"`
	InternalNo  string `json:"internal_no"`
	Instance    string `json:"instance"`
	CourtCaseNo string `json:"court_case_no"`
	Status      string `json:"status"`
	Outcome     string `json:"outcome"`
}

// View is a litigation record as the service hands it out. It is not a
// table type: the api serialises it as is.
type View struct {
	ID                    int64         `json:"id"`
	OrganID               int64         `json:"organ_id"`
	OrganName             string        `json:"organ_name"`
	InternalNo            string        `json:"internal_no"`
	Kind                  string        `json:"kind"`
	Instance              string        `json:"instance"`
	Court                 string        `json:"court"`
	CourtCaseNo           string        `json:"court_case_no"`
	Plaintiffs            []string      `json:"plaintiffs"`
	DefendantAgencyID     *int64        `json:"defendant_agency_id"`
	DefendantName         string        `json:"defendant_name"`
	CoDefendantRole       string        `json:"co_defendant_role"`
	ReconsiderationCaseID *int64        `json:"reconsideration_case_id"`
	ReconsiderationCaseNo string        `json:"reconsideration_case_no,omitempty"`
	PreviousInstanceID    *int64        `json:"previous_instance_id"`
	Previous              *LinkView     `json:"previous_instance,omitempty"`
	Next                  []LinkView    `json:"next_instances,omitempty"`
	HandlerID             *int64        `json:"handler_id"`
	HandlerName           string        `json:"handler_name"`
	Status                string        `json:"status"`
	Version               int64         `json:"version"`
	NotifiedOn            string        `json:"notified_on"`
	DefenceDueOn          *string       `json:"defence_due_on"`
	DefenceFiledOn        *string       `json:"defence_filed_on"`
	SuspendedOn           *string       `json:"suspended_on"`
	ConcludedOn           *string       `json:"concluded_on"`
	JudgmentForm          string        `json:"judgment_form"`
	ServedOn              *string       `json:"served_on"`
	AppealDeadlineOn      *string       `json:"appeal_deadline_on"`
	AppealedOn            *string       `json:"appealed_on"`
	EffectiveOn           *string       `json:"effective_on"`
	ClosedOn              *string       `json:"closed_on"`
	Outcome               string        `json:"outcome"`
	AgainstAgency         *bool         `json:"against_agency"`
	Lost                  bool          `json:"lost"`
	Note                  string        `json:"note"`
	Imported              bool          `json:"imported"`
	Hearings              []HearingView `json:"hearings,omitempty"`
	SuggestionIDs         []int64       `json:"suggestion_ids,omitempty"`
	AllowedActions        []string      `json:"allowed_actions"`
	CreatedAt             time.Time     `json:"created_at"`
	UpdatedAt             time.Time     `json:"updated_at"`
}

func viewOf(c *models.LitigationCase) View {
	return View{
		ID: c.ID, OrganID: c.OrganID, InternalNo: c.InternalNo, Kind: c.Kind, Instance: c.Instance, Court: c.Court,
		CourtCaseNo: c.CourtCaseNo, Plaintiffs: splitNames(c.Plaintiffs), DefendantAgencyID: c.DefendantAgencyID,
		CoDefendantRole: c.CoDefendantRole, ReconsiderationCaseID: c.ReconsiderationCaseID,
		PreviousInstanceID: c.PreviousInstanceID, HandlerID: c.HandlerID, Status: c.Status, Version: c.Version,
		NotifiedOn: c.NotifiedOn, DefenceDueOn: c.DefenceDueOn, DefenceFiledOn: c.DefenceFiledOn, SuspendedOn: c.SuspendedOn,
		ConcludedOn: c.ConcludedOn, JudgmentForm: c.JudgmentForm, ServedOn: c.ServedOn, AppealDeadlineOn: c.AppealDeadlineOn,
		AppealedOn: c.AppealedOn, EffectiveOn: c.EffectiveOn, ClosedOn: c.ClosedOn, Outcome: c.Outcome,
		AgainstAgency: c.AgainstAgency, Lost: c.Lost, Note: c.Note, Imported: c.Imported,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

// Get returns record id with its hearings, links and allowed actions;
// another organ's record is not found.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id int64) (*View, error) {
	q := s.db.Read.WithContext(ctx)
	c, err := loadLitigation(ctx, q, p, id)
	if err != nil {
		return nil, err
	}
	vs, err := s.views(ctx, q, p, []models.LitigationCase{*c})
	if err != nil {
		return nil, err
	}
	v := vs[0]
	if v.Hearings, err = s.hearings(ctx, q, id); err != nil {
		return nil, err
	}
	if c.PreviousInstanceID != nil {
		var prev models.LitigationCase
		if q.Where("id = ? AND organ_id = ?", *c.PreviousInstanceID, c.OrganID).Take(&prev).Error == nil {
			v.Previous = &LinkView{ID: prev.ID, InternalNo: prev.InternalNo, Instance: prev.Instance, CourtCaseNo: prev.CourtCaseNo, Status: prev.Status, Outcome: prev.Outcome}
		}
	}
	var next []models.LitigationCase
	if err := q.Where("previous_instance_id = ? AND organ_id = ?", id, c.OrganID).Order("id").Find(&next).Error; err != nil {
		return nil, errs.Internal(err)
	}
	for _, n := range next {
		v.Next = append(v.Next, LinkView{ID: n.ID, InternalNo: n.InternalNo, Instance: n.Instance, CourtCaseNo: n.CourtCaseNo, Status: n.Status, Outcome: n.Outcome})
	}
	if err := q.Model(&models.SuggestionLink{}).Where("subject_type = ? AND subject_id = ?", SubjectLitigation, id).
		Order("suggestion_id").Pluck("suggestion_id", &v.SuggestionIDs).Error; err != nil {
		return nil, errs.Internal(err)
	}
	return &v, nil
}

// views turns records into views with batched name look-ups.
func (s *Service) views(ctx context.Context, q *gorm.DB, p *auth.Principal, cs []models.LitigationCase) ([]View, error) {
	if len(cs) == 0 {
		return []View{}, nil
	}
	organIDs, agencyIDs, userIDs, caseIDs := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, c := range cs {
		organIDs[c.OrganID] = true
		if c.DefendantAgencyID != nil {
			agencyIDs[*c.DefendantAgencyID] = true
		}
		if c.HandlerID != nil {
			userIDs[*c.HandlerID] = true
		}
		if c.ReconsiderationCaseID != nil {
			caseIDs[*c.ReconsiderationCaseID] = true
		}
	}
	q = q.WithContext(ctx)
	organs, err := names(q, "organs", "name", organIDs)
	if err != nil {
		return nil, err
	}
	agencies, err := names(q, "agencies", "name", agencyIDs)
	if err != nil {
		return nil, err
	}
	users, err := names(q, "users", "CASE WHEN display_name <> '' THEN display_name ELSE username END", userIDs)
	if err != nil {
		return nil, err
	}
	cases, err := names(q, "cases", "case_no", caseIDs)
	if err != nil {
		return nil, err
	}
	out := make([]View, len(cs))
	for i := range cs {
		c := &cs[i]
		v := viewOf(c)
		v.OrganName = organs[c.OrganID]
		v.DefendantName = v.OrganName
		if c.DefendantAgencyID != nil {
			v.DefendantName = agencies[*c.DefendantAgencyID]
		}
		if c.HandlerID != nil {
			v.HandlerName = users[*c.HandlerID]
		}
		if c.ReconsiderationCaseID != nil {
			v.ReconsiderationCaseNo = cases[*c.ReconsiderationCaseID]
		}
		v.AllowedActions = AllowedActions(c, p)
		out[i] = v
	}
	return out, nil
}

func names(q *gorm.DB, table, expr string, ids map[int64]bool) (map[int64]string, error) {
	out, err := models.NamesByID(q, table, expr, ids)
	if err != nil {
		return nil, errs.Internal(err)
	}
	return out, nil
}

// ListFilter narrows the litigation list. Empty fields do not filter.
type ListFilter struct {
	OrganID       int64
	Status        string // one or several, comma-separated
	Kind          string
	Instance      string
	Outcome       string
	Q             string // court case number, internal number, plaintiff, court
	HandlerID     int64
	AgencyID      *int64 // 0 = the organ itself
	NotifiedFrom  string
	NotifiedTo    string
	ConcludedFrom string
	ConcludedTo   string
	Lost          *bool
	// Metric (+ From, To) restricts the list to the records behind a
	// statistic (see MetricScope).
	Metric   string
	From, To string
	Sort     string // a whitelisted field, "-field" for descending
	Page     int
	PageSize int
}

// Page is one page of a list.
type Page[T any] struct {
	Items    []T   `json:"items"`
	Total    int64 `json:"total"`
	Page     int   `json:"page"`
	PageSize int   `json:"page_size"`
}

var litigationSorts = map[string]string{
	"id": "id", "notified_on": "notified_on", "concluded_on": "concluded_on", "internal_no": "year, seq",
	"court_case_no": "court_case_no", "status": "status", "updated_at": "updated_at", "defence_due_on": "defence_due_on",
}

func pageBounds(page, size int) (int, int) {
	if page < 1 {
		page = 1
	}
	if size < 1 {
		size = 20
	}
	if size > 200 {
		size = 200
	}
	return page, size
}

func csv(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// List returns one page of the records p may see, filtered and sorted.
func (s *Service) List(ctx context.Context, p *auth.Principal, f ListFilter) (*Page[View], error) {
	organs := append([]int64{0}, p.OrganIDs...)
	if f.OrganID != 0 {
		if !p.CanSeeOrgan(f.OrganID) {
			return nil, errs.InvalidField("organ", "无权查看该机关或机关不存在", "unknown organ, or not one of yours")
		}
		organs = []int64{f.OrganID}
	}
	q := s.db.Read.WithContext(ctx).Model(&models.LitigationCase{}).Where("litigation_cases.organ_id IN ?", organs)
	fe := fieldErrs{}
	for _, d := range []struct{ field, v string }{{"notified_from", f.NotifiedFrom}, {"notified_to", f.NotifiedTo},
		{"concluded_from", f.ConcludedFrom}, {"concluded_to", f.ConcludedTo}, {"from", f.From}, {"to", f.To}} {
		if d.v != "" && !validDate(d.v) {
			fe.add(d.field, "日期格式应为 YYYY-MM-DD", "must be a YYYY-MM-DD date")
		}
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	if v := csv(f.Status); len(v) > 0 {
		q = q.Where("litigation_cases.status IN ?", v)
	}
	if v := csv(f.Kind); len(v) > 0 {
		q = q.Where("litigation_cases.kind IN ?", v)
	}
	if v := csv(f.Instance); len(v) > 0 {
		q = q.Where("litigation_cases.instance IN ?", v)
	}
	if v := csv(f.Outcome); len(v) > 0 {
		q = q.Where("litigation_cases.outcome IN ?", v)
	}
	if f.HandlerID != 0 {
		q = q.Where("litigation_cases.handler_id = ?", f.HandlerID)
	}
	if f.AgencyID != nil {
		if *f.AgencyID == 0 {
			q = q.Where("litigation_cases.defendant_agency_id IS NULL")
		} else {
			q = q.Where("litigation_cases.defendant_agency_id = ?", *f.AgencyID)
		}
	}
	if f.Lost != nil {
		q = q.Where("litigation_cases.lost = ?", *f.Lost)
	}
	if t := strings.TrimSpace(f.Q); t != "" {
		like := "%" + strings.NewReplacer("%", `\%`, "_", `\_`).Replace(t) + "%"
		q = q.Where("(litigation_cases.court_case_no LIKE ? OR litigation_cases.internal_no LIKE ? OR litigation_cases.plaintiffs LIKE ? OR litigation_cases.court LIKE ?)", like, like, like, like)
	}
	if f.NotifiedFrom != "" {
		q = q.Where("litigation_cases.notified_on >= ?", f.NotifiedFrom)
	}
	if f.NotifiedTo != "" {
		q = q.Where("litigation_cases.notified_on <= ?", f.NotifiedTo)
	}
	if f.ConcludedFrom != "" {
		q = q.Where("litigation_cases.concluded_on >= ?", f.ConcludedFrom)
	}
	if f.ConcludedTo != "" {
		q = q.Where("litigation_cases.concluded_on <= ?", f.ConcludedTo)
	}
	if f.Metric != "" {
		scope, err := MetricScope(f.Metric, f.From, f.To)
		if err != nil {
			return nil, err
		}
		q = q.Scopes(scope)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, errs.Internal(err)
	}
	order := "litigation_cases.notified_on DESC, litigation_cases.id DESC"
	if f.Sort != "" {
		key, desc := strings.CutPrefix(f.Sort, "-")
		col, ok := litigationSorts[key]
		if !ok {
			return nil, errs.InvalidField("sort", "不支持的排序字段："+f.Sort, "unsupported sort field: "+f.Sort)
		}
		dir := " ASC"
		if desc {
			dir = " DESC"
		}
		parts := strings.Split(col, ", ")
		for i := range parts {
			parts[i] = "litigation_cases." + parts[i] + dir
		}
		order = strings.Join(parts, ", ") + ", litigation_cases.id" + dir
	}
	page, size := pageBounds(f.Page, f.PageSize)
	var cs []models.LitigationCase
	if err := q.Order(order).Limit(size).Offset((page - 1) * size).Find(&cs).Error; err != nil {
		return nil, errs.Internal(err)
	}
	items, err := s.views(ctx, s.db.Read, p, cs)
	if err != nil {
		return nil, err
	}
	return &Page[View]{Items: items, Total: total, Page: page, PageSize: size}, nil
}

// EventView is one row of a timeline.
type EventView struct {
	ID          int64          `json:"id"`
	Action      string         `json:"action"`
	FromStatus  string         `json:"from_status"`
	ToStatus    string         `json:"to_status"`
	EffectiveOn *string        `json:"effective_on"`
	ActorID     int64          `json:"actor_id"`
	ActorName   string         `json:"actor_name"`
	Payload     map[string]any `json:"payload"`
	Note        string         `json:"note"`
	CreatedAt   time.Time      `json:"created_at"`
}

// Events returns the timeline of record id, oldest first.
func (s *Service) Events(ctx context.Context, p *auth.Principal, id int64) ([]EventView, error) {
	if _, err := loadLitigation(ctx, s.db.Read, p, id); err != nil {
		return nil, err
	}
	return s.events(ctx, SubjectLitigation, id)
}

func (s *Service) events(ctx context.Context, subjectType string, id int64) ([]EventView, error) {
	var evs []models.LitigationEvent
	if err := s.db.Read.WithContext(ctx).Where("subject_type = ? AND subject_id = ?", subjectType, id).Order("id").Find(&evs).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out := make([]EventView, 0, len(evs))
	for _, e := range evs {
		v := EventView{ID: e.ID, Action: e.Action, FromStatus: e.FromStatus, ToStatus: e.ToStatus, EffectiveOn: e.EffectiveOn,
			ActorID: e.ActorID, ActorName: e.ActorName, Note: e.Note, CreatedAt: e.CreatedAt, Payload: map[string]any{}}
		_ = json.Unmarshal([]byte(e.Payload), &v.Payload)
		out = append(out, v)
	}
	return out, nil
}
