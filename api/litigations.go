package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"fuyi/services/auth"
	"fuyi/services/errs"
	"fuyi/services/litigation"
)

// litigationRoutes registers /litigations and /suggestions (行政应诉).
func (s *Server) litigationRoutes(authed *gin.RouterGroup) {
	write := requireRole(auth.RoleOfficer, auth.RoleManager, auth.RoleAdmin)
	authed.GET("/litigations", s.listLitigations)
	authed.POST("/litigations", write, s.createLitigation)
	authed.GET("/litigations/stats", s.litigationStats)
	authed.GET("/litigations/:id", s.getLitigation)
	authed.PATCH("/litigations/:id", write, s.patchLitigation)
	authed.POST("/litigations/:id/transitions", write, s.transitionLitigation)
	authed.GET("/litigations/:id/events", s.litigationEvents)
	authed.GET("/litigations/:id/deadlines", s.litigationDeadlines)
	authed.GET("/litigations/:id/hearings", s.listHearings)
	authed.POST("/litigations/:id/hearings", write, s.createHearing)
	authed.PATCH("/litigations/:id/hearings/:hid", write, s.patchHearing)
	authed.GET("/suggestions", s.listSuggestions)
	authed.POST("/suggestions", write, s.createSuggestion)
	authed.GET("/suggestions/:id", s.getSuggestion)
	authed.PATCH("/suggestions/:id", write, s.patchSuggestion)
	authed.POST("/suggestions/:id/reply", write, s.replySuggestion)
	authed.GET("/suggestions/:id/events", s.suggestionEvents)
	authed.GET("/suggestions/:id/deadlines", s.suggestionDeadlines)
}

// litigationCreateJSON is the body of POST /litigations.
type litigationCreateJSON struct {
	OrganID               int64    `json:"organ_id"`
	Kind                  string   `json:"kind"`
	Instance              string   `json:"instance"`
	Court                 string   `json:"court"`
	CourtCaseNo           string   `json:"court_case_no"`
	Plaintiffs            []string `json:"plaintiffs"`
	Plaintiff             string   `json:"plaintiff"`
	DefendantAgencyID     *int64   `json:"defendant_agency_id"`
	Defendant             string   `json:"defendant"`
	CoDefendantRole       string   `json:"co_defendant_role"`
	ReconsiderationCaseID *int64   `json:"reconsideration_case_id"`
	PreviousInstanceID    *int64   `json:"previous_instance_id"`
	HandlerID             *int64   `json:"handler_id"`
	NotifiedOn            string   `json:"notified_on"`
	Note                  string   `json:"note"`
}

// litigationPatchJSON is the body of PATCH /litigations/{id}.
type litigationPatchJSON struct {
	Version               int64     `json:"version"`
	Kind                  *string   `json:"kind"`
	Instance              *string   `json:"instance"`
	Court                 *string   `json:"court"`
	CourtCaseNo           *string   `json:"court_case_no"`
	Plaintiffs            *[]string `json:"plaintiffs"`
	DefendantAgencyID     *int64    `json:"defendant_agency_id"`
	Defendant             *string   `json:"defendant"`
	CoDefendantRole       *string   `json:"co_defendant_role"`
	ReconsiderationCaseID *int64    `json:"reconsideration_case_id"`
	PreviousInstanceID    *int64    `json:"previous_instance_id"`
	HandlerID             *int64    `json:"handler_id"`
	NotifiedOn            *string   `json:"notified_on"`
	Note                  *string   `json:"note"`
}

// hearingJSON is a hearing on input.
type hearingJSON struct {
	Version       int64   `json:"version"`
	HeldOn        *string `json:"held_on"`
	AppearedRole  *string `json:"appeared_role"`
	AppearedName  *string `json:"appeared_name"`
	AppearedPost  *string `json:"appeared_post"`
	Summoned      *bool   `json:"summoned"`
	AbsenceReason *string `json:"absence_reason"`
	Note          *string `json:"note"`
}

func (h hearingJSON) input() litigation.HearingInput {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	in := litigation.HearingInput{HeldOn: str(h.HeldOn), AppearedRole: str(h.AppearedRole), AppearedName: str(h.AppearedName),
		AppearedPost: str(h.AppearedPost), AbsenceReason: str(h.AbsenceReason), Note: str(h.Note)}
	if h.Summoned != nil {
		in.Summoned = *h.Summoned
	}
	return in
}

// litigationTransitionJSON is the body of POST /litigations/{id}/transitions.
type litigationTransitionJSON struct {
	Action        string      `json:"action"`
	EffectiveOn   string      `json:"effective_on"`
	Version       int64       `json:"version"`
	Note          string      `json:"note"`
	Outcome       string      `json:"outcome"`
	Form          string      `json:"form"`
	AgainstAgency *bool       `json:"against_agency"`
	Reason        string      `json:"reason"`
	Hearing       hearingJSON `json:"hearing"`
	Court         string      `json:"court"`
	CourtCaseNo   string      `json:"court_case_no"`
	NotifiedOn    string      `json:"notified_on"`
	HandlerID     *int64      `json:"handler_id"`
}

func queryInt(c *gin.Context, name string) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, errs.InvalidField(name, "应为整数", "must be an integer")
	}
	return n, nil
}

func queryBool(c *gin.Context, name string) (*bool, error) {
	switch c.Query(name) {
	case "":
		return nil, nil
	case "true", "1":
		b := true
		return &b, nil
	case "false", "0":
		b := false
		return &b, nil
	}
	return nil, errs.InvalidField(name, "应为 true 或 false", "must be true or false")
}

func litigationFilter(c *gin.Context) (litigation.ListFilter, error) {
	f := litigation.ListFilter{Status: c.Query("status"), Kind: c.Query("kind"), Instance: c.Query("instance"),
		Outcome: c.Query("outcome"), Q: c.Query("q"), NotifiedFrom: c.Query("notified_from"), NotifiedTo: c.Query("notified_to"),
		ConcludedFrom: c.Query("concluded_from"), ConcludedTo: c.Query("concluded_to"), Metric: c.Query("metric"),
		From: c.Query("from"), To: c.Query("to"), Sort: c.Query("sort")}
	var err error
	if f.OrganID, err = queryInt(c, "organ"); err != nil {
		return f, err
	}
	if f.HandlerID, err = queryInt(c, "handler"); err != nil {
		return f, err
	}
	if c.Query("agency") != "" {
		a, err := queryInt(c, "agency")
		if err != nil {
			return f, err
		}
		f.AgencyID = &a
	}
	if f.Lost, err = queryBool(c, "lost"); err != nil {
		return f, err
	}
	page, err := queryInt(c, "page")
	if err != nil {
		return f, err
	}
	size, err := queryInt(c, "page_size")
	if err != nil {
		return f, err
	}
	f.Page, f.PageSize = int(page), int(size)
	return f, nil
}

func (s *Server) listLitigations(c *gin.Context) {
	f, err := litigationFilter(c)
	if err != nil {
		fail(c, err)
		return
	}
	res, err := s.Litigation.List(c.Request.Context(), principalOf(c), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) createLitigation(c *gin.Context) {
	var b litigationCreateJSON
	if !bindJSON(c, &b) {
		return
	}
	plaintiffs := b.Plaintiffs
	if len(plaintiffs) == 0 && b.Plaintiff != "" {
		plaintiffs = []string{b.Plaintiff}
	}
	v, err := s.Litigation.Create(c.Request.Context(), principalOf(c), litigation.CreateInput{
		OrganID: b.OrganID, Kind: b.Kind, Instance: b.Instance, Court: b.Court, CourtCaseNo: b.CourtCaseNo,
		Plaintiffs: plaintiffs, DefendantAgencyID: b.DefendantAgencyID, DefendantName: b.Defendant,
		CoDefendantRole: b.CoDefendantRole, ReconsiderationCaseID: b.ReconsiderationCaseID,
		PreviousInstanceID: b.PreviousInstanceID, HandlerID: b.HandlerID, NotifiedOn: b.NotifiedOn, Note: b.Note,
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

func (s *Server) getLitigation(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	v, err := s.Litigation.Get(c.Request.Context(), principalOf(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) patchLitigation(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var b litigationPatchJSON
	if !bindJSON(c, &b) {
		return
	}
	v, err := s.Litigation.Update(c.Request.Context(), principalOf(c), id, litigation.Patch{
		Version: b.Version, Kind: b.Kind, Instance: b.Instance, Court: b.Court, CourtCaseNo: b.CourtCaseNo,
		Plaintiffs: b.Plaintiffs, DefendantAgencyID: b.DefendantAgencyID, DefendantName: b.Defendant,
		CoDefendantRole: b.CoDefendantRole, ReconsiderationCaseID: b.ReconsiderationCaseID,
		PreviousInstanceID: b.PreviousInstanceID, HandlerID: b.HandlerID, NotifiedOn: b.NotifiedOn, Note: b.Note,
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) transitionLitigation(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var b litigationTransitionJSON
	if !bindJSON(c, &b) {
		return
	}
	v, err := s.Litigation.Transition(c.Request.Context(), principalOf(c), id, litigation.TransitionInput{
		Action: b.Action, EffectiveOn: b.EffectiveOn, Version: b.Version, Note: b.Note, Outcome: b.Outcome, Form: b.Form,
		AgainstAgency: b.AgainstAgency, Reason: b.Reason, Hearing: b.Hearing.input(), Court: b.Court,
		CourtCaseNo: b.CourtCaseNo, NotifiedOn: b.NotifiedOn, HandlerID: b.HandlerID,
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) litigationEvents(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	evs, err := s.Litigation.Events(c.Request.Context(), principalOf(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, evs)
}

func (s *Server) litigationDeadlines(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ds, err := s.Litigation.Deadlines(c.Request.Context(), principalOf(c), id, lang(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ds)
}

func (s *Server) listHearings(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	hs, err := s.Litigation.Hearings(c.Request.Context(), principalOf(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, hs)
}

// createHearing records a hearing; body: the hearing and the litigation
// record's version. It answers the record with its hearings.
func (s *Server) createHearing(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var b hearingJSON
	if !bindJSON(c, &b) {
		return
	}
	v, err := s.Litigation.AddHearing(c.Request.Context(), principalOf(c), id, b.Version, b.input())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

// patchHearing edits a hearing; version is the hearing's version.
func (s *Server) patchHearing(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	hid, ok := pathID(c, "hid")
	if !ok {
		return
	}
	var b hearingJSON
	if !bindJSON(c, &b) {
		return
	}
	v, err := s.Litigation.UpdateHearing(c.Request.Context(), principalOf(c), id, hid, litigation.HearingPatch{
		Version: b.Version, HeldOn: b.HeldOn, AppearedRole: b.AppearedRole, AppearedName: b.AppearedName,
		AppearedPost: b.AppearedPost, Summoned: b.Summoned, AbsenceReason: b.AbsenceReason, Note: b.Note,
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// litigationStats answers the full litigation figures (with the by-agency
// breakdown) of ?from&to[&organ] for the caller's organs.
func (s *Server) litigationStats(c *gin.Context) {
	p := principalOf(c)
	organs := p.OrganIDs
	if o, err := queryInt(c, "organ"); err != nil {
		fail(c, err)
		return
	} else if o != 0 {
		if !p.CanSeeOrgan(o) {
			fail(c, errs.InvalidField("organ", "无权查看该机关或机关不存在", "unknown organ, or not one of yours"))
			return
		}
		organs = []int64{o}
	}
	f, err := s.Litigation.Stats(c.Request.Context(), organs, c.Query("from"), c.Query("to"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, f)
}

// suggestionJSON is the body of POST and PATCH /suggestions.
type suggestionJSON struct {
	Version           int64              `json:"version"`
	OrganID           int64              `json:"organ_id"`
	Type              string             `json:"type"`
	Direction         string             `json:"direction"`
	Number            *string            `json:"number"`
	IssuerOrRecipient *string            `json:"issuer_or_recipient"`
	Subject           *string            `json:"subject"`
	OnDate            *string            `json:"received_or_issued_on"`
	DueOn             *string            `json:"due_on"`
	Urgent            *bool              `json:"urgent"`
	HandlerID         *int64             `json:"handler_id"`
	Note              *string            `json:"note"`
	Links             *[]litigation.Link `json:"links"`
	Adopted           *bool              `json:"adopted"`
}

type suggestionReplyJSON struct {
	Version   int64  `json:"version"`
	RepliedOn string `json:"replied_on"`
	Reply     string `json:"reply"`
	Adopted   *bool  `json:"adopted"`
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func (s *Server) listSuggestions(c *gin.Context) {
	f := litigation.SuggestionFilter{Type: c.Query("type"), Direction: c.Query("direction"), Q: c.Query("q"),
		OnFrom: c.Query("received_from"), OnTo: c.Query("received_to"), Metric: c.Query("metric"), From: c.Query("from"), To: c.Query("to")}
	var err error
	if f.OrganID, err = queryInt(c, "organ"); err == nil {
		f.Replied, err = queryBool(c, "replied")
	}
	var page, size int64
	if err == nil {
		page, err = queryInt(c, "page")
	}
	if err == nil {
		size, err = queryInt(c, "page_size")
	}
	if err != nil {
		fail(c, err)
		return
	}
	f.Page, f.PageSize = int(page), int(size)
	res, err := s.Litigation.ListSuggestions(c.Request.Context(), principalOf(c), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) createSuggestion(c *gin.Context) {
	var b suggestionJSON
	if !bindJSON(c, &b) {
		return
	}
	v, err := s.Litigation.CreateSuggestion(c.Request.Context(), principalOf(c), litigation.SuggestionInput{
		OrganID: b.OrganID, Type: b.Type, Direction: b.Direction, Number: deref(b.Number),
		IssuerOrRecipient: deref(b.IssuerOrRecipient), Subject: deref(b.Subject), OnDate: deref(b.OnDate),
		DueOn: deref(b.DueOn), Urgent: deref(b.Urgent), HandlerID: b.HandlerID, Note: deref(b.Note), Links: deref(b.Links),
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

func (s *Server) getSuggestion(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	v, err := s.Litigation.GetSuggestion(c.Request.Context(), principalOf(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) patchSuggestion(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var b suggestionJSON
	if !bindJSON(c, &b) {
		return
	}
	v, err := s.Litigation.UpdateSuggestion(c.Request.Context(), principalOf(c), id, litigation.SuggestionPatch{
		Version: b.Version, Number: b.Number, IssuerOrRecipient: b.IssuerOrRecipient, Subject: b.Subject, OnDate: b.OnDate,
		DueOn: b.DueOn, Urgent: b.Urgent, HandlerID: b.HandlerID, Note: b.Note, Links: b.Links, Adopted: b.Adopted,
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) replySuggestion(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var b suggestionReplyJSON
	if !bindJSON(c, &b) {
		return
	}
	v, err := s.Litigation.ReplySuggestion(c.Request.Context(), principalOf(c), id, litigation.ReplyInput{
		Version: b.Version, RepliedOn: b.RepliedOn, Reply: b.Reply, Adopted: b.Adopted,
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) suggestionEvents(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	evs, err := s.Litigation.SuggestionEvents(c.Request.Context(), principalOf(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, evs)
}

func (s *Server) suggestionDeadlines(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ds, err := s.Litigation.SuggestionDeadlines(c.Request.Context(), principalOf(c), id, lang(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ds)
}
