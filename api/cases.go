package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/errs"
	"fuyi/services/lifecycle"
)

// caseRoutes registers the reconsideration case endpoints and /meta.
func (s *Server) caseRoutes(authed *gin.RouterGroup) {
	write := requireRole(auth.RoleOfficer, auth.RoleManager, auth.RoleAdmin)
	authed.GET("/meta", s.meta)
	authed.GET("/cases", s.listCases)
	authed.POST("/cases", write, s.createCase)
	authed.GET("/cases/export", s.exportCases)
	authed.GET("/cases/:id", s.getCase)
	authed.PATCH("/cases/:id", write, s.patchCase)
	authed.POST("/cases/:id/transitions", write, s.transitionCase)
	authed.GET("/cases/:id/events", s.caseEvents)
}

// partyJSON is an applicant or third party on the wire.
type partyJSON struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
	Address  string `json:"address,omitempty"`
}

// caseJSON is a reconsideration case on the wire.
type caseJSON struct {
	ID                   int64       `json:"id"`
	OrganID              int64       `json:"organ_id"`
	OrganName            string      `json:"organ_name"`
	CaseNo               string      `json:"case_no"`
	Status               string      `json:"status"`
	Version              int64       `json:"version"`
	Regime               string      `json:"regime"`
	Applicant            string      `json:"applicant"`
	ApplicantType        string      `json:"applicant_type"`
	Applicants           []partyJSON `json:"applicants"`
	ThirdParties         []partyJSON `json:"third_parties"`
	Agent                string      `json:"agent"`
	RespondentID         int64       `json:"respondent_id"`
	RespondentName       string      `json:"respondent_name"`
	ActType              string      `json:"act_type"`
	Area                 string      `json:"area"`
	ActDocumentNo        string      `json:"act_document_no"`
	ActDate              *string     `json:"act_date"`
	Request              string      `json:"request"`
	Channel              string      `json:"channel"`
	Procedure            string      `json:"procedure"`
	HandlerID            *int64      `json:"handler_id"`
	HandlerName          string      `json:"handler_name"`
	ReceivedOn           string      `json:"received_on"`
	CorrectionNoticeOn   *string     `json:"correction_notice_on"`
	CorrectionDueDays    int         `json:"correction_due_days"`
	CorrectionReceivedOn *string     `json:"correction_received_on"`
	AcceptedOn           *string     `json:"accepted_on"`
	DeemedAccepted       bool        `json:"deemed_accepted"`
	NotAcceptedOn        *string     `json:"not_accepted_on"`
	IntakeOn             *string     `json:"intake_on"`
	IntakeReason         string      `json:"intake_reason"`
	CopySentOn           *string     `json:"copy_sent_on"`
	ReplyReceivedOn      *string     `json:"reply_received_on"`
	SuspendedOn          *string     `json:"suspended_on"`
	SuspendGround        string      `json:"suspend_ground"`
	ExtensionDays        int         `json:"extension_days"`
	ExtendedBy           string      `json:"extended_by"`
	ClosedOn             *string     `json:"closed_on"`
	ServedOn             *string     `json:"served_on"`
	ArchivedOn           *string     `json:"archived_on"`
	Outcome              string      `json:"outcome"`
	OutcomePartial       bool        `json:"outcome_partial"`
	OutcomeRedo          bool        `json:"outcome_redo"`
	Termination          string      `json:"termination"`
	HearingHeld          bool        `json:"hearing_held"`
	CommitteeConsulted   bool        `json:"committee_consulted"`
	CompensationClaimed  int64       `json:"compensation_claimed"`
	CompensationAwarded  int64       `json:"compensation_awarded"`
	Note                 string      `json:"note"`
	Imported             bool        `json:"imported"`
	AllowedActions       []string    `json:"allowed_actions"`
	CreatedAt            time.Time   `json:"created_at"`
	UpdatedAt            time.Time   `json:"updated_at"`
}

func toPartiesJSON(ps []lifecycle.Party) []partyJSON {
	out := make([]partyJSON, len(ps))
	for i, p := range ps {
		out[i] = partyJSON{Name: p.Name, Type: p.Type, IDNumber: p.IDNumber, Phone: p.Phone, Address: p.Address}
	}
	return out
}

func toCaseJSON(v *lifecycle.CaseView) caseJSON {
	allowed := v.AllowedActions
	if allowed == nil {
		allowed = []string{}
	}
	return caseJSON{
		ID: v.ID, OrganID: v.OrganID, OrganName: v.OrganName, CaseNo: v.CaseNo, Status: v.Status, Version: v.Version,
		Regime: v.Regime, Applicant: v.Applicant, ApplicantType: v.ApplicantType,
		Applicants: toPartiesJSON(v.Applicants), ThirdParties: toPartiesJSON(v.ThirdParties), Agent: v.Agent,
		RespondentID: v.RespondentID, RespondentName: v.RespondentName, ActType: v.ActType, Area: v.Area,
		ActDocumentNo: v.ActDocumentNo, ActDate: v.ActDate, Request: v.Request, Channel: v.Channel,
		Procedure: v.Procedure, HandlerID: v.HandlerID, HandlerName: v.HandlerName, ReceivedOn: v.ReceivedOn,
		CorrectionNoticeOn: v.CorrectionNoticeOn, CorrectionDueDays: v.CorrectionDueDays,
		CorrectionReceivedOn: v.CorrectionReceivedOn, AcceptedOn: v.AcceptedOn, DeemedAccepted: v.DeemedAccepted,
		NotAcceptedOn: v.NotAcceptedOn, IntakeOn: v.IntakeOn, IntakeReason: v.IntakeReason,
		CopySentOn: v.CopySentOn, ReplyReceivedOn: v.ReplyReceivedOn, SuspendedOn: v.SuspendedOn,
		SuspendGround: v.SuspendGround, ExtensionDays: v.ExtensionDays, ExtendedBy: v.ExtendedBy,
		ClosedOn: v.ClosedOn, ServedOn: v.ServedOn, ArchivedOn: v.ArchivedOn, Outcome: v.Outcome,
		OutcomePartial: v.OutcomePartial, OutcomeRedo: v.OutcomeRedo, Termination: v.Termination,
		HearingHeld: v.HearingHeld, CommitteeConsulted: v.CommitteeConsulted,
		CompensationClaimed: v.CompensationClaimed, CompensationAwarded: v.CompensationAwarded,
		Note: v.Note, Imported: v.Imported, AllowedActions: allowed, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
	}
}

// partyInput is an applicant or third party in a request.
type partyInput struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
	Address  string `json:"address"`
}

func toPartyInputs(ps []partyInput) []lifecycle.PartyInput {
	out := make([]lifecycle.PartyInput, len(ps))
	for i, p := range ps {
		out[i] = lifecycle.PartyInput{Name: p.Name, Type: p.Type, IDNumber: p.IDNumber, Phone: p.Phone, Address: p.Address}
	}
	return out
}

// createCaseRequest registers an application with the ledger's field names.
type createCaseRequest struct {
	OrganID       int64        `json:"organ_id"`
	Applicant     string       `json:"applicant"`
	Applicants    []partyInput `json:"applicants"`
	ApplicantType string       `json:"applicant_type"`
	Agent         string       `json:"agent"`
	ThirdParties  []partyInput `json:"third_parties"`
	// Respondent is an agency id (number) or the exact name of one of the organ's agencies.
	Respondent          json.RawMessage `json:"respondent"`
	RespondentID        int64           `json:"respondent_id"`
	ActType             string          `json:"act_type"`
	Area                string          `json:"area"`
	ActDocumentNo       string          `json:"act_document_no"`
	ActDate             string          `json:"act_date"`
	Request             string          `json:"request"`
	Channel             string          `json:"channel"`
	ReceivedOn          string          `json:"received_on"`
	HandlerID           *int64          `json:"handler_id"`
	Note                string          `json:"note"`
	CompensationClaimed int64           `json:"compensation_claimed"`
}

// parseRespondent reads "respondent": a number is an agency id, a string a
// name (or an id written as digits).
func parseRespondent(raw json.RawMessage) (id int64, name string, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, "", nil
	}
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &name); err != nil {
			return 0, "", err
		}
		if n, perr := strconv.ParseInt(strings.TrimSpace(name), 10, 64); perr == nil && n > 0 {
			return n, "", nil
		}
		return 0, name, nil
	}
	if err := json.Unmarshal(raw, &id); err != nil {
		return 0, "", err
	}
	return id, "", nil
}

func badRespondent() error {
	return errs.InvalidField("respondent", "被申请人应为机关编号或机关名称", "respondent must be an agency id or an agency name")
}

func (s *Server) createCase(c *gin.Context) {
	var req createCaseRequest
	if !bindJSON(c, &req) {
		return
	}
	rid, rname, err := parseRespondent(req.Respondent)
	if err != nil {
		fail(c, badRespondent())
		return
	}
	if rid == 0 && rname == "" {
		rid = req.RespondentID
	}
	v, err := s.Cases.Create(c.Request.Context(), principalOf(c), lifecycle.CreateInput{
		OrganID: req.OrganID, Applicant: req.Applicant, Applicants: toPartyInputs(req.Applicants),
		ApplicantType: req.ApplicantType, Agent: req.Agent, ThirdParties: toPartyInputs(req.ThirdParties),
		RespondentID: rid, RespondentName: rname, ActType: req.ActType, Area: req.Area,
		ActDocumentNo: req.ActDocumentNo, ActDate: req.ActDate, Request: req.Request, Channel: req.Channel,
		ReceivedOn: req.ReceivedOn, HandlerID: req.HandlerID, Note: req.Note, CompensationClaimed: req.CompensationClaimed,
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toCaseJSON(v))
}

// patchCaseRequest changes a case: absent (or null) fields stay as they are.
type patchCaseRequest struct {
	Version             int64           `json:"version"`
	Applicant           *string         `json:"applicant"`
	Applicants          *[]partyInput   `json:"applicants"`
	ApplicantType       *string         `json:"applicant_type"`
	Agent               *string         `json:"agent"`
	ThirdParties        *[]partyInput   `json:"third_parties"`
	Respondent          json.RawMessage `json:"respondent"`
	RespondentID        *int64          `json:"respondent_id"`
	ActType             *string         `json:"act_type"`
	Area                *string         `json:"area"`
	ActDocumentNo       *string         `json:"act_document_no"`
	ActDate             *string         `json:"act_date"`
	Request             *string         `json:"request"`
	Channel             *string         `json:"channel"`
	HandlerID           *int64          `json:"handler_id"`
	Note                *string         `json:"note"`
	CompensationClaimed *int64          `json:"compensation_claimed"`
	CompensationAwarded *int64          `json:"compensation_awarded"`
	HearingHeld         *bool           `json:"hearing_held"`
	CommitteeConsulted  *bool           `json:"committee_consulted"`

	ReceivedOn           *string `json:"received_on"`
	CorrectionNoticeOn   *string `json:"correction_notice_on"`
	CorrectionReceivedOn *string `json:"correction_received_on"`
	AcceptedOn           *string `json:"accepted_on"`
	IntakeOn             *string `json:"intake_on"`
	ClosedOn             *string `json:"closed_on"`
	ServedOn             *string `json:"served_on"`
	ArchivedOn           *string `json:"archived_on"`
	CopySentOn           *string `json:"copy_sent_on"`
	ReplyReceivedOn      *string `json:"reply_received_on"`
}

func (s *Server) patchCase(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req patchCaseRequest
	if !bindJSON(c, &req) {
		return
	}
	in := lifecycle.EditInput{
		Version: req.Version, Applicant: req.Applicant, ApplicantType: req.ApplicantType, Agent: req.Agent,
		RespondentID: req.RespondentID, ActType: req.ActType, Area: req.Area, ActDocumentNo: req.ActDocumentNo,
		ActDate: req.ActDate, Request: req.Request, Channel: req.Channel, HandlerID: req.HandlerID, Note: req.Note,
		CompensationClaimed: req.CompensationClaimed, CompensationAwarded: req.CompensationAwarded,
		HearingHeld: req.HearingHeld, CommitteeConsulted: req.CommitteeConsulted,
		ReceivedOn: req.ReceivedOn, CorrectionNoticeOn: req.CorrectionNoticeOn, CorrectionReceivedOn: req.CorrectionReceivedOn,
		AcceptedOn: req.AcceptedOn, IntakeOn: req.IntakeOn, ClosedOn: req.ClosedOn, ServedOn: req.ServedOn,
		ArchivedOn: req.ArchivedOn, CopySentOn: req.CopySentOn, ReplyReceivedOn: req.ReplyReceivedOn,
	}
	if req.Applicants != nil {
		ps := toPartyInputs(*req.Applicants)
		in.Applicants = &ps
	}
	if req.ThirdParties != nil {
		ps := toPartyInputs(*req.ThirdParties)
		in.ThirdParties = &ps
	}
	if len(bytes.TrimSpace(req.Respondent)) > 0 && string(bytes.TrimSpace(req.Respondent)) != "null" {
		rid, rname, err := parseRespondent(req.Respondent)
		if err != nil {
			fail(c, badRespondent())
			return
		}
		if rid != 0 {
			in.RespondentID = &rid
		} else {
			in.RespondentName = &rname
		}
	}
	v, err := s.Cases.Edit(c.Request.Context(), principalOf(c), id, in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toCaseJSON(v))
}

// transitionRequest is one action on a case (DESIGN §6).
type transitionRequest struct {
	Action      string `json:"action"`
	EffectiveOn string `json:"effective_on"`
	Version     int64  `json:"version"`
	Note        string `json:"note"`
	Procedure   string `json:"procedure"`
	Deemed      bool   `json:"deemed"`
	Reason      string `json:"reason"`
	Ground      string `json:"ground"`
	Days        int    `json:"days"`
	ApprovedBy  string `json:"approved_by"`
	Outcome     string `json:"outcome"`
	Partial     bool   `json:"partial"`
	Redo        bool   `json:"redo"`
	Termination string `json:"termination"`
}

// input is the service form of a transition request (also of a proposal).
func (r transitionRequest) input() lifecycle.TransitionInput {
	return lifecycle.TransitionInput{
		Action: r.Action, EffectiveOn: r.EffectiveOn, Version: r.Version, Note: r.Note,
		Procedure: r.Procedure, Deemed: r.Deemed, Reason: r.Reason, Ground: r.Ground, Days: r.Days,
		ApprovedBy: r.ApprovedBy, Outcome: r.Outcome, Partial: r.Partial, Redo: r.Redo, Termination: r.Termination,
	}
}

func (s *Server) transitionCase(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req transitionRequest
	if !bindJSON(c, &req) {
		return
	}
	v, err := s.Cases.Transition(c.Request.Context(), principalOf(c), id, req.input())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toCaseJSON(v))
}

func (s *Server) getCase(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	v, err := s.Cases.Get(c.Request.Context(), principalOf(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toCaseJSON(v))
}

// caseListJSON is one page of cases. total is exact when total_exact,
// otherwise a lower bound (more than total match); next_cursor (null on the
// last page) is the after= of the next page.
type caseListJSON struct {
	Items      []caseJSON `json:"items"`
	Total      int64      `json:"total"`
	TotalExact bool       `json:"total_exact"`
	Page       int        `json:"page"`
	PageSize   int        `json:"page_size"`
	NextCursor *string    `json:"next_cursor"`
}

// caseFilter reads the list filters from the query string; malformed numbers
// are field errors named after the parameter.
func caseFilter(c *gin.Context) (lifecycle.ListFilter, error) {
	q := c.Request.URL.Query()
	f := lifecycle.ListFilter{
		Status: q.Get("status"), Outcome: q.Get("outcome"), Termination: q.Get("termination"),
		Respondent: q.Get("respondent"), ActType: q.Get("act_type"), Area: q.Get("area"), Q: q.Get("q"),
		ReceivedFrom: q.Get("received_from"), ReceivedTo: q.Get("received_to"),
		ClosedFrom: q.Get("closed_from"), ClosedTo: q.Get("closed_to"),
		Metric: q.Get("metric"), From: q.Get("from"), To: q.Get("to"), Sort: q.Get("sort"),
		After: q.Get("after"),
	}
	var bad *errs.Error
	num := func(name string) int64 {
		v := q.Get(name)
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			if bad == nil {
				bad = errs.Invalid("查询参数有误", "invalid query parameters")
			}
			bad.Field(name, "应为正整数："+v, "must be a positive integer: "+v)
		}
		return n
	}
	f.Page = int(num("page"))
	f.PageSize = int(num("page_size"))
	f.Handler = num("handler")
	f.OrganID = num("organ")
	switch strings.ToLower(q.Get("overdue")) {
	case "", "false", "0":
	case "true", "1":
		f.Overdue = true
	default:
		if bad == nil {
			bad = errs.Invalid("查询参数有误", "invalid query parameters")
		}
		bad.Field("overdue", "应为 true 或 false", "must be true or false")
	}
	switch q.Get("count") {
	case "":
	case "exact":
		f.ExactCount = true
	default:
		if bad == nil {
			bad = errs.Invalid("查询参数有误", "invalid query parameters")
		}
		bad.Field("count", "应为 exact 或不填", "must be exact or absent")
	}
	if bad != nil {
		return f, bad
	}
	return f, nil
}

func (s *Server) listCases(c *gin.Context) {
	f, err := caseFilter(c)
	if err != nil {
		fail(c, err)
		return
	}
	res, err := s.Cases.List(c.Request.Context(), principalOf(c), f)
	if err != nil {
		fail(c, err)
		return
	}
	out := caseListJSON{Items: make([]caseJSON, len(res.Items)), Total: res.Total, TotalExact: res.TotalExact,
		Page: res.Page, PageSize: res.PageSize}
	if res.NextCursor != "" {
		out.NextCursor = &res.NextCursor
	}
	for i := range res.Items {
		out.Items[i] = toCaseJSON(&res.Items[i])
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) exportCases(c *gin.Context) {
	// ledger=true: the organ's whole ledger in the import's columns (DESIGN
	// §7), so that importing it into an empty organ reproduces the report.
	if c.Query("ledger") == "true" {
		s.exportLedger(c)
		return
	}
	f, err := caseFilter(c)
	if err != nil {
		fail(c, err)
		return
	}
	exp, err := s.Cases.Export(c.Request.Context(), principalOf(c), f, c.Query("format"))
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Type", exp.ContentType)
	c.Header("Content-Disposition", `attachment; filename="`+exp.Filename+`"; filename*=UTF-8''`+url.PathEscape(exp.Filename))
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	if err := exp.Write(c.Writer); err != nil {
		// The status is sent; all that is left is to log and cut the stream.
		s.Logger.ErrorContext(c.Request.Context(), "case export failed", "err", err, "request_id", c.GetString(ctxRequestID))
		c.Abort()
	}
}

// eventJSON is one row of a case's timeline.
type eventJSON struct {
	ID          int64           `json:"id"`
	Action      string          `json:"action"`
	FromStatus  string          `json:"from_status"`
	ToStatus    string          `json:"to_status"`
	EffectiveOn *string         `json:"effective_on"`
	ActorID     int64           `json:"actor_id"`
	ActorName   string          `json:"actor_name"`
	Payload     json.RawMessage `json:"payload"`
	Note        string          `json:"note"`
	Imported    bool            `json:"imported"`
	CreatedAt   time.Time       `json:"created_at"`
}

func (s *Server) caseEvents(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	evs, err := s.Cases.Events(c.Request.Context(), principalOf(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]eventJSON, len(evs))
	for i, e := range evs {
		out[i] = eventJSON{ID: e.ID, Action: e.Action, FromStatus: e.FromStatus, ToStatus: e.ToStatus,
			EffectiveOn: e.EffectiveOn, ActorID: e.ActorID, ActorName: e.ActorName, Payload: e.Payload,
			Note: e.Note, Imported: e.Imported, CreatedAt: e.CreatedAt}
	}
	c.JSON(http.StatusOK, out)
}

// meta serves every code list with its zh-CN and English labels.
func (s *Server) meta(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{
		"statuses":              codes.Statuses,
		"actions":               codes.Actions,
		"outcomes":              codes.Outcomes,
		"terminations":          codes.Terminations,
		"act_types":             codes.ActTypes,
		"areas":                 codes.Areas,
		"applicant_types":       codes.ApplicantTypes,
		"channels":              codes.Channels,
		"procedures":            codes.Procedures,
		"suspension_grounds":    codes.SuspensionGrounds,
		"intakes":               codes.Intakes,
		"agency_levels":         codes.AgencyLevels,
		"regimes":               codes.Regimes,
		"litigation_kinds":      codes.LitigationKinds,
		"instances":             codes.Instances,
		"co_defendant_roles":    codes.CoDefendantRoles,
		"litigation_outcomes":   codes.LitigationOutcomes,
		"judgment_forms":        codes.JudgmentForms,
		"appeared_roles":        codes.AppearedRoles,
		"litigation_statuses":   codes.LitigationStatuses,
		"litigation_actions":    codes.LitigationActions,
		"suggestion_types":      codes.SuggestionTypes,
		"suggestion_directions": codes.SuggestionDirections,
		"case_sort_keys":        lifecycle.SortKeys(),
		"max_page_size":         lifecycle.MaxPageSize,
		"roles":                 auth.Roles,
	})
}
