package api

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"fuyi/services/auth"
	"fuyi/services/errs"
	"fuyi/services/lifecycle"
	"fuyi/services/workflow"
)

// workflowRoutes registers assignment, queues, approvals, documents,
// attachments, follow-ups, typical cases and circulars (issue 11). Every
// route is organ-scoped by the service: another organ's record is a 404.
func (s *Server) workflowRoutes(authed *gin.RouterGroup) {
	write := requireRole(auth.RoleOfficer, auth.RoleManager, auth.RoleAdmin)
	manage := requireRole(auth.RoleManager, auth.RoleAdmin)
	admin := requireRole(auth.RoleAdmin)
	authed.POST("/assignments", write, s.assignCases)
	authed.POST("/cases/:id/assign", write, s.assignCase)
	authed.GET("/workload", manage, s.workload)
	authed.GET("/queues", s.queues)
	authed.GET("/queues/:key", s.queue)
	authed.GET("/approval-rules", s.approvalRules)
	authed.PUT("/approval-rules/:action", admin, s.putApprovalRule)
	authed.POST("/cases/:id/proposals", write, s.propose)
	authed.GET("/cases/:id/proposals", s.caseProposals)
	authed.GET("/proposals", s.proposals)
	authed.GET("/proposals/:id", s.proposal)
	authed.POST("/proposals/:id/approve", write, s.decideProposal(workflow.DecideApprove))
	authed.POST("/proposals/:id/return", write, s.decideProposal(workflow.DecideReturn))
	authed.POST("/proposals/:id/reject", write, s.decideProposal(workflow.DecideReject))
	authed.GET("/document-templates", s.documentTemplates)
	authed.PUT("/document-templates/:kind", admin, s.putDocumentTemplate)
	authed.POST("/cases/:id/documents", write, s.generateDocument)
	authed.GET("/cases/:id/documents", s.caseDocuments)
	authed.GET("/documents/:id", s.document)
	authed.POST("/cases/:id/attachments", write, s.uploadAttachment)
	authed.GET("/cases/:id/attachments", s.attachments)
	authed.GET("/cases/:id/attachments/:aid", s.downloadAttachment)
	authed.GET("/followups", s.followups)
	authed.PATCH("/followups/:id", write, s.patchFollowup)
	authed.PUT("/cases/:id/typical", manage, s.putTypical)
	authed.DELETE("/cases/:id/typical", manage, s.deleteTypical)
	authed.GET("/typical-cases", s.typicalCases)
	authed.GET("/circulars", s.circular)
}

// queryInt reads an optional non-negative integer query parameter.
func wfQueryInt(c *gin.Context, name string) (int64, bool) {
	v := c.Query(name)
	if v == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		fail(c, errs.InvalidField(name, "应为正整数："+v, "must be a positive integer: "+v))
		return 0, false
	}
	return n, true
}

// ---- assignment ----

type assignRequest struct {
	CaseIDs         []int64          `json:"case_ids"`
	Filter          *json.RawMessage `json:"filter"`
	HandlerID       *int64           `json:"handler_id"`
	SecondHandlerID *int64           `json:"second_handler_id"`
	Version         int64            `json:"version"`
	Note            string           `json:"note"`
}

// assignFilter is the case list's filters as a JSON object.
type assignFilter struct {
	OrganID      int64  `json:"organ"`
	Status       string `json:"status"`
	Outcome      string `json:"outcome"`
	Termination  string `json:"termination"`
	Respondent   string `json:"respondent"`
	ActType      string `json:"act_type"`
	Handler      int64  `json:"handler"`
	Q            string `json:"q"`
	ReceivedFrom string `json:"received_from"`
	ReceivedTo   string `json:"received_to"`
	ClosedFrom   string `json:"closed_from"`
	ClosedTo     string `json:"closed_to"`
	Overdue      bool   `json:"overdue"`
	Metric       string `json:"metric"`
	From         string `json:"from"`
	To           string `json:"to"`
}

type assignResponse struct {
	Changed   []int64 `json:"changed"`
	Unchanged []int64 `json:"unchanged"`
}

func (s *Server) doAssign(c *gin.Context, ids []int64, req *assignRequest) {
	in := workflow.AssignInput{IDs: ids, HandlerID: req.HandlerID, SecondHandlerID: req.SecondHandlerID, Version: req.Version, Note: req.Note}
	if req.Filter != nil {
		var f assignFilter
		if err := json.Unmarshal(*req.Filter, &f); err != nil {
			fail(c, errs.InvalidField("filter", "筛选条件格式有误", "filter must be an object of list filters"))
			return
		}
		in.Filter = &lifecycle.ListFilter{OrganID: f.OrganID, Status: f.Status, Outcome: f.Outcome, Termination: f.Termination,
			Respondent: f.Respondent, ActType: f.ActType, Handler: f.Handler, Q: f.Q, ReceivedFrom: f.ReceivedFrom, ReceivedTo: f.ReceivedTo,
			ClosedFrom: f.ClosedFrom, ClosedTo: f.ClosedTo, Overdue: f.Overdue, Metric: f.Metric, From: f.From, To: f.To}
	}
	res, err := s.Workflow.Assign(c.Request.Context(), principalOf(c), in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, assignResponse{Changed: res.Changed, Unchanged: res.Unchanged})
}

func (s *Server) assignCases(c *gin.Context) {
	var req assignRequest
	if !bindJSON(c, &req) {
		return
	}
	s.doAssign(c, req.CaseIDs, &req)
}

func (s *Server) assignCase(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req assignRequest
	if !bindJSON(c, &req) {
		return
	}
	req.Filter = nil
	s.doAssign(c, []int64{id}, &req)
}

type workloadJSON struct {
	HandlerID   int64  `json:"handler_id"`
	HandlerName string `json:"handler_name"`
	Open        int64  `json:"open"`
	DueSoon     int64  `json:"due_soon"`
	Overdue     int64  `json:"overdue"`
}

func toWorkloadJSON(ws []workflow.Workload) []workloadJSON {
	out := make([]workloadJSON, len(ws))
	for i, w := range ws {
		out[i] = workloadJSON{HandlerID: w.HandlerID, HandlerName: w.HandlerName, Open: w.Open, DueSoon: w.DueSoon, Overdue: w.Overdue}
	}
	return out
}

func (s *Server) workload(c *gin.Context) {
	organ, ok := wfQueryInt(c, "organ")
	if !ok {
		return
	}
	ws, err := s.Workflow.Workload(c.Request.Context(), principalOf(c), organ)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toWorkloadJSON(ws))
}

// ---- queues ----

type queueInfoJSON struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

func (s *Server) queues(c *gin.Context) {
	qs, err := s.Workflow.Queues(c.Request.Context(), principalOf(c))
	if err != nil {
		fail(c, err)
		return
	}
	l := lang(c)
	out := make([]queueInfoJSON, len(qs))
	for i, q := range qs {
		out[i] = queueInfoJSON{Key: q.Key, Name: errs.Msg{ZH: q.NameZH, EN: q.NameEN}.In(l), Count: q.Count}
	}
	c.JSON(http.StatusOK, out)
}

type queueCaseJSON struct {
	ID             int64   `json:"id"`
	CaseNo         string  `json:"case_no"`
	Status         string  `json:"status"`
	Applicant      string  `json:"applicant"`
	RespondentID   int64   `json:"respondent_id"`
	RespondentName string  `json:"respondent_name"`
	ReceivedOn     string  `json:"received_on"`
	HandlerID      *int64  `json:"handler_id"`
	HandlerName    string  `json:"handler_name"`
	NextDueOn      *string `json:"next_due_on"`
	NextDueKind    string  `json:"next_due_kind"`
	DaysWaiting    int     `json:"days_waiting"`
	Overdue        bool    `json:"overdue"`
	Version        int64   `json:"version"`
}

type queuePageJSON struct {
	Key      string `json:"key"`
	Items    any    `json:"items"`
	Total    int64  `json:"total"`
	Page     int    `json:"page"`
	PageSize int    `json:"page_size"`
}

func (s *Server) queue(c *gin.Context) {
	page, ok := wfQueryInt(c, "page")
	if !ok {
		return
	}
	size, ok := wfQueryInt(c, "page_size")
	if !ok {
		return
	}
	res, err := s.Workflow.Queue(c.Request.Context(), principalOf(c), c.Param("key"), int(page), int(size))
	if err != nil {
		fail(c, err)
		return
	}
	out := queuePageJSON{Key: res.Key, Total: res.Total, Page: res.Page, PageSize: res.PageSize}
	switch items := res.Items.(type) {
	case []workflow.QueueCase:
		js := make([]queueCaseJSON, len(items))
		for i, q := range items {
			js[i] = queueCaseJSON{ID: q.ID, CaseNo: q.CaseNo, Status: q.Status, Applicant: q.Applicant, RespondentID: q.RespondentID,
				RespondentName: q.RespondentName, ReceivedOn: q.ReceivedOn, HandlerID: q.HandlerID, HandlerName: q.HandlerName,
				NextDueOn: q.NextDueOn, NextDueKind: q.NextDueKind, DaysWaiting: q.DaysWaiting, Overdue: q.Overdue, Version: q.Version}
		}
		out.Items = js
	case []workflow.ProposalView:
		out.Items = toProposalsJSON(items)
	case []workflow.Workload:
		out.Items = toWorkloadJSON(items)
	case []workflow.FollowupView:
		out.Items = toFollowupsJSON(items)
	default:
		out.Items = []any{}
	}
	c.JSON(http.StatusOK, out)
}

// ---- approvals ----

type approvalRuleJSON struct {
	OrganID   int64           `json:"organ_id"`
	Action    string          `json:"action"`
	Steps     []workflow.Step `json:"steps"`
	Version   int64           `json:"version"`
	UpdatedAt time.Time       `json:"updated_at"`
}

func toRuleJSON(r workflow.Rule) approvalRuleJSON {
	steps := r.Steps
	if steps == nil {
		steps = []workflow.Step{}
	}
	return approvalRuleJSON{OrganID: r.OrganID, Action: r.Action, Steps: steps, Version: r.Version, UpdatedAt: r.UpdatedAt}
}

func (s *Server) approvalRules(c *gin.Context) {
	organ, ok := wfQueryInt(c, "organ")
	if !ok {
		return
	}
	rs, err := s.Workflow.ApprovalRules(c.Request.Context(), principalOf(c), organ)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]approvalRuleJSON, len(rs))
	for i, r := range rs {
		out[i] = toRuleJSON(r)
	}
	c.JSON(http.StatusOK, gin.H{"rules": out, "approvable_actions": workflow.ApprovableActions})
}

type putApprovalRuleRequest struct {
	Steps   []workflow.Step `json:"steps"`
	Version int64           `json:"version"`
}

func (s *Server) putApprovalRule(c *gin.Context) {
	organ, ok := wfQueryInt(c, "organ")
	if !ok {
		return
	}
	var req putApprovalRuleRequest
	if !bindJSON(c, &req) {
		return
	}
	r, err := s.Workflow.PutApprovalRule(c.Request.Context(), principalOf(c), organ, c.Param("action"), req.Steps, req.Version)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toRuleJSON(*r))
}

type proposalJSON struct {
	ID           int64                 `json:"id"`
	CaseID       int64                 `json:"case_id"`
	CaseNo       string                `json:"case_no"`
	OrganID      int64                 `json:"organ_id"`
	Action       string                `json:"action"`
	Params       map[string]any        `json:"params"`
	EffectiveOn  string                `json:"effective_on"`
	FromStatus   string                `json:"from_status"`
	Status       string                `json:"status"`
	Step         int                   `json:"step"`
	Steps        []workflow.Step       `json:"steps"`
	Chain        []workflow.ChainEntry `json:"chain"`
	ProposedBy   int64                 `json:"proposed_by"`
	ProposerName string                `json:"proposer_name"`
	Note         string                `json:"note"`
	Comment      string                `json:"comment"`
	Version      int64                 `json:"version"`
	NextDueOn    *string               `json:"next_due_on"`
	NextDueKind  string                `json:"next_due_kind"`
	CreatedAt    time.Time             `json:"created_at"`
	UpdatedAt    time.Time             `json:"updated_at"`
}

func toProposalJSON(p *workflow.ProposalView) proposalJSON {
	return proposalJSON{ID: p.ID, CaseID: p.CaseID, CaseNo: p.CaseNo, OrganID: p.OrganID, Action: p.Action, Params: p.Params,
		EffectiveOn: p.EffectiveOn, FromStatus: p.FromStatus, Status: p.Status, Step: p.Step, Steps: p.Steps, Chain: p.Chain,
		ProposedBy: p.ProposedBy, ProposerName: p.ProposerName, Note: p.Note, Comment: p.Comment, Version: p.Version,
		NextDueOn: p.NextDueOn, NextDueKind: p.NextDueKind, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func toProposalsJSON(ps []workflow.ProposalView) []proposalJSON {
	out := make([]proposalJSON, len(ps))
	for i := range ps {
		out[i] = toProposalJSON(&ps[i])
	}
	return out
}

func (s *Server) propose(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req transitionRequest
	if !bindJSON(c, &req) {
		return
	}
	p, err := s.Workflow.Propose(c.Request.Context(), principalOf(c), id, req.input())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toProposalJSON(p))
}

func (s *Server) caseProposals(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ps, err := s.Workflow.Proposals(c.Request.Context(), principalOf(c), workflow.ProposalFilter{CaseID: id})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toProposalsJSON(ps))
}

func (s *Server) proposals(c *gin.Context) {
	days, ok := wfQueryInt(c, "due_within_days")
	if !ok {
		return
	}
	f := workflow.ProposalFilter{Status: c.Query("status"), DueWithinDays: int(days), AwaitingMe: c.Query("awaiting") == "me"}
	ps, err := s.Workflow.Proposals(c.Request.Context(), principalOf(c), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toProposalsJSON(ps))
}

func (s *Server) proposal(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	p, err := s.Workflow.Proposal(c.Request.Context(), principalOf(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toProposalJSON(p))
}

type decideProposalRequest struct {
	Version int64  `json:"version"`
	Comment string `json:"comment"`
}

func (s *Server) decideProposal(decision string) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := pathID(c, "id")
		if !ok {
			return
		}
		var req decideProposalRequest
		if !bindJSON(c, &req) {
			return
		}
		p, err := s.Workflow.DecideProposal(c.Request.Context(), principalOf(c), id, decision, req.Version, req.Comment)
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, toProposalJSON(p))
	}
}

// ---- documents ----

type templateJSON struct {
	OrganID       int64  `json:"organ_id"`
	Kind          string `json:"kind"`
	Title         string `json:"title"`
	Body          string `json:"body"`
	NumberPattern string `json:"number_pattern"`
	OrganName     string `json:"organ_name"`
	SealText      string `json:"seal_text"`
	Customised    bool   `json:"customised"`
	Version       int64  `json:"version"`
}

func toTemplateJSON(t *workflow.TemplateView) templateJSON {
	return templateJSON{OrganID: t.OrganID, Kind: t.Kind, Title: t.Title, Body: t.Body, NumberPattern: t.NumberPattern,
		OrganName: t.OrganName, SealText: t.SealText, Customised: t.Customised, Version: t.Version}
}

func (s *Server) documentTemplates(c *gin.Context) {
	organ, ok := wfQueryInt(c, "organ")
	if !ok {
		return
	}
	ts, err := s.Workflow.DocumentTemplates(c.Request.Context(), principalOf(c), organ)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]templateJSON, len(ts))
	for i := range ts {
		out[i] = toTemplateJSON(&ts[i])
	}
	c.JSON(http.StatusOK, out)
}

type putTemplateRequest struct {
	Title         string `json:"title"`
	Body          string `json:"body"`
	NumberPattern string `json:"number_pattern"`
	OrganName     string `json:"organ_name"`
	SealText      string `json:"seal_text"`
	Version       int64  `json:"version"`
}

func (s *Server) putDocumentTemplate(c *gin.Context) {
	organ, ok := wfQueryInt(c, "organ")
	if !ok {
		return
	}
	var req putTemplateRequest
	if !bindJSON(c, &req) {
		return
	}
	t, err := s.Workflow.PutDocumentTemplate(c.Request.Context(), principalOf(c), organ, c.Param("kind"), workflow.TemplateInput{
		Title: req.Title, Body: req.Body, NumberPattern: req.NumberPattern, OrganName: req.OrganName, SealText: req.SealText, Version: req.Version})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toTemplateJSON(t))
}

type documentJSON struct {
	ID            int64     `json:"id"`
	CaseID        int64     `json:"case_id"`
	Kind          string    `json:"kind"`
	Number        string    `json:"number"`
	Title         string    `json:"title"`
	HTML          string    `json:"html,omitempty"`
	CreatedBy     int64     `json:"created_by"`
	CreatedByName string    `json:"created_by_name"`
	CreatedAt     time.Time `json:"created_at"`
}

func toDocumentJSON(d *workflow.DocumentView) documentJSON {
	return documentJSON{ID: d.ID, CaseID: d.CaseID, Kind: d.Kind, Number: d.Number, Title: d.Title, HTML: d.HTML,
		CreatedBy: d.CreatedBy, CreatedByName: d.CreatedByName, CreatedAt: d.CreatedAt}
}

func (s *Server) generateDocument(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req struct {
		Kind string `json:"kind"`
	}
	if !bindJSON(c, &req) {
		return
	}
	d, err := s.Workflow.GenerateDocument(c.Request.Context(), principalOf(c), id, req.Kind)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toDocumentJSON(d))
}

func (s *Server) caseDocuments(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ds, err := s.Workflow.CaseDocuments(c.Request.Context(), principalOf(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]documentJSON, len(ds))
	for i := range ds {
		out[i] = toDocumentJSON(&ds[i])
	}
	c.JSON(http.StatusOK, out)
}

// printableCSP lets a generated page use its own inline print style and
// nothing else (no script, no network), sandboxed.
const printableCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"

func attachmentDisposition(kind, name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return kind + `; filename="` + ascii + `"; filename*=UTF-8''` + url.PathEscape(name)
}

func (s *Server) document(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	d, err := s.Workflow.Document(c.Request.Context(), principalOf(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	switch c.DefaultQuery("format", "json") {
	case "json":
		c.JSON(http.StatusOK, toDocumentJSON(d))
	case "html":
		c.Header("Content-Security-Policy", printableCSP)
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(d.HTML))
	case "docx":
		c.Header("Content-Disposition", attachmentDisposition("attachment", d.Title+"_"+d.Number+".docx"))
		c.Status(http.StatusOK)
		c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
		if err := workflow.WriteDOCX(d, c.Writer); err != nil {
			s.Logger.ErrorContext(c.Request.Context(), "docx failed", "err", err)
			c.Abort()
		}
	default:
		fail(c, errs.InvalidField("format", "格式只能是 json、html 或 docx", "format is json, html or docx"))
	}
}

// ---- attachments ----

type attachmentJSON struct {
	ID            int64     `json:"id"`
	CaseID        int64     `json:"case_id"`
	Kind          string    `json:"kind"`
	FileName      string    `json:"file_name"`
	ContentType   string    `json:"content_type"`
	Size          int64     `json:"size"`
	SHA256        string    `json:"sha256"`
	DocDate       *string   `json:"doc_date"`
	Note          string    `json:"note"`
	CreatedBy     int64     `json:"created_by"`
	CreatedByName string    `json:"created_by_name"`
	CreatedAt     time.Time `json:"created_at"`
	Previewable   bool      `json:"previewable"`
}

func toAttachmentJSON(a *workflow.AttachmentView) attachmentJSON {
	return attachmentJSON{ID: a.ID, CaseID: a.CaseID, Kind: a.Kind, FileName: a.FileName, ContentType: a.ContentType, Size: a.Size,
		SHA256: a.SHA256, DocDate: a.DocDate, Note: a.Note, CreatedBy: a.CreatedBy, CreatedByName: a.CreatedByName, CreatedAt: a.CreatedAt,
		Previewable: previewable(a.ContentType)}
}

// previewable: only PDF and raster images are ever served inline.
func previewable(ct string) bool {
	switch ct {
	case "application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp":
		return true
	}
	return false
}

func (s *Server) uploadAttachment(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	if err := s.Workflow.CheckCaseWrite(c.Request.Context(), principalOf(c), id); err != nil {
		fail(c, err)
		return
	}
	fh, err := c.FormFile("file")
	if err != nil {
		if isMaxBytes(err) {
			fail(c, err)
			return
		}
		fail(c, errs.InvalidField("file", "请以 multipart/form-data 上传文件（字段 file）", "upload the file as multipart/form-data field \"file\""))
		return
	}
	if fh.Size > s.Workflow.MaxAttachmentBytes() {
		fail(c, errs.New(errs.KindTooLarge, "too_large", "文件过大", "the file is too large"))
		return
	}
	f, err := fh.Open()
	if err != nil {
		fail(c, errs.Internal(err))
		return
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 512)
	head, _ := br.Peek(512)
	ct := http.DetectContentType(head)
	if i := strings.IndexByte(ct, ';'); i >= 0 && !strings.HasPrefix(ct, "text/") {
		ct = ct[:i]
	}
	a, err := s.Workflow.AddAttachment(c.Request.Context(), principalOf(c), id, workflow.AttachmentInput{
		Kind: c.PostForm("kind"), FileName: fh.Filename, ContentType: ct, DocDate: c.PostForm("doc_date"), Note: c.PostForm("note"), Body: br})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toAttachmentJSON(a))
}

func (s *Server) attachments(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	as, err := s.Workflow.Attachments(c.Request.Context(), principalOf(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]attachmentJSON, len(as))
	for i := range as {
		out[i] = toAttachmentJSON(&as[i])
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) downloadAttachment(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	aid, ok := pathID(c, "aid")
	if !ok {
		return
	}
	a, f, err := s.Workflow.OpenAttachment(c.Request.Context(), principalOf(c), id, aid)
	if err != nil {
		fail(c, err)
		return
	}
	defer f.Close()
	disp, ct := "attachment", "application/octet-stream"
	if c.Query("inline") == "1" || c.Query("inline") == "true" {
		if !previewable(a.ContentType) {
			fail(c, errs.Rule("not_previewable", "只能预览 PDF 和图片", "only PDF files and images can be previewed"))
			return
		}
		disp, ct = "inline", a.ContentType
		c.Header("Content-Security-Policy", "default-src 'none'; img-src 'self'; object-src 'self'; plugin-types application/pdf; sandbox")
	} else {
		c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
	}
	c.Header("Content-Type", ct)
	c.Header("Content-Disposition", attachmentDisposition(disp, a.FileName))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "private, no-store")
	http.ServeContent(c.Writer, c.Request, "", a.CreatedAt, f)
}

// ---- follow-ups, typical cases, circulars ----

type followupJSON struct {
	ID             int64   `json:"id"`
	CaseID         int64   `json:"case_id"`
	CaseNo         string  `json:"case_no"`
	OrganID        int64   `json:"organ_id"`
	RespondentID   int64   `json:"respondent_id"`
	RespondentName string  `json:"respondent_name"`
	Outcome        string  `json:"outcome"`
	Redo           bool    `json:"redo"`
	OpenedOn       string  `json:"opened_on"`
	DueOn          string  `json:"due_on"`
	Status         string  `json:"status"`
	StatusOn       *string `json:"status_on"`
	Note           string  `json:"note"`
	Version        int64   `json:"version"`
}

func toFollowupsJSON(fs []workflow.FollowupView) []followupJSON {
	out := make([]followupJSON, len(fs))
	for i, f := range fs {
		out[i] = followupJSON{ID: f.ID, CaseID: f.CaseID, CaseNo: f.CaseNo, OrganID: f.OrganID, RespondentID: f.RespondentID,
			RespondentName: f.RespondentName, Outcome: f.Outcome, Redo: f.Redo, OpenedOn: f.OpenedOn, DueOn: f.DueOn,
			Status: f.Status, StatusOn: f.StatusOn, Note: f.Note, Version: f.Version}
	}
	return out
}

func (s *Server) followups(c *gin.Context) {
	organ, ok := wfQueryInt(c, "organ")
	if !ok {
		return
	}
	page, ok := wfQueryInt(c, "page")
	if !ok {
		return
	}
	size, ok := wfQueryInt(c, "page_size")
	if !ok {
		return
	}
	caseID, ok := wfQueryInt(c, "case")
	if !ok {
		return
	}
	f := workflow.FollowupFilter{OrganID: organ, Status: c.Query("status"), Open: c.Query("open") == "true", CaseID: caseID, Page: int(page), PageSize: int(size)}
	items, total, err := s.Workflow.Followups(c.Request.Context(), principalOf(c), f)
	if err != nil {
		fail(c, err)
		return
	}
	if f.Page == 0 {
		f.Page = 1
	}
	if f.PageSize == 0 || f.PageSize > 200 {
		f.PageSize = 50
	}
	c.JSON(http.StatusOK, queuePageJSON{Key: "followups", Items: toFollowupsJSON(items), Total: total, Page: f.Page, PageSize: f.PageSize})
}

type patchFollowupRequest struct {
	Version  int64   `json:"version"`
	Status   *string `json:"status"`
	StatusOn *string `json:"status_on"`
	DueOn    *string `json:"due_on"`
	Note     *string `json:"note"`
}

func (s *Server) patchFollowup(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req patchFollowupRequest
	if !bindJSON(c, &req) {
		return
	}
	f, err := s.Workflow.UpdateFollowup(c.Request.Context(), principalOf(c), id, workflow.FollowupUpdate{
		Version: req.Version, Status: req.Status, StatusOn: req.StatusOn, DueOn: req.DueOn, Note: req.Note})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toFollowupsJSON([]workflow.FollowupView{*f})[0])
}

type typicalJSON struct {
	CaseID    int64     `json:"case_id"`
	CaseNo    string    `json:"case_no"`
	OrganID   int64     `json:"organ_id"`
	Summary   string    `json:"summary"`
	FlaggedBy int64     `json:"flagged_by"`
	FlaggedAt time.Time `json:"flagged_at"`
}

func toTypicalJSON(t *workflow.TypicalCaseView) typicalJSON {
	return typicalJSON{CaseID: t.CaseID, CaseNo: t.CaseNo, OrganID: t.OrganID, Summary: t.Summary, FlaggedBy: t.FlaggedBy, FlaggedAt: t.FlaggedAt}
}

func (s *Server) putTypical(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req struct {
		Summary string `json:"summary"`
	}
	if !bindJSON(c, &req) {
		return
	}
	t, err := s.Workflow.SetTypical(c.Request.Context(), principalOf(c), id, &req.Summary)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toTypicalJSON(t))
}

func (s *Server) deleteTypical(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	if _, err := s.Workflow.SetTypical(c.Request.Context(), principalOf(c), id, nil); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) typicalCases(c *gin.Context) {
	organ, ok := wfQueryInt(c, "organ")
	if !ok {
		return
	}
	ts, err := s.Workflow.TypicalCases(c.Request.Context(), principalOf(c), organ)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]typicalJSON, len(ts))
	for i := range ts {
		out[i] = toTypicalJSON(&ts[i])
	}
	c.JSON(http.StatusOK, out)
}

// circular serves GET /circulars?from&to[&organ]&format=json|html|xlsx.
func (s *Server) circular(c *gin.Context) {
	organ, ok := wfQueryInt(c, "organ")
	if !ok {
		return
	}
	from, to := c.Query("from"), c.Query("to")
	if y := c.Query("year"); y != "" && from == "" && to == "" {
		from, to = y+"-01-01", y+"-12-31"
	}
	circ, err := s.Workflow.Circular(c.Request.Context(), principalOf(c), organ, from, to)
	if err != nil {
		fail(c, err)
		return
	}
	name := "行政复议通报_" + circ.From + "_" + circ.To
	c.Header("Cache-Control", "no-store")
	switch c.DefaultQuery("format", "json") {
	case "json":
		c.JSON(http.StatusOK, circ)
	case "html":
		c.Header("Content-Security-Policy", printableCSP)
		c.Header("Content-Type", "text/html; charset=utf-8")
		c.Status(http.StatusOK)
		if err := workflow.CircularHTML(circ, c.Writer); err != nil {
			s.Logger.ErrorContext(c.Request.Context(), "circular html failed", "err", err)
			c.Abort()
		}
	case "xlsx":
		c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		c.Header("Content-Disposition", attachmentDisposition("attachment", name+".xlsx"))
		c.Status(http.StatusOK)
		if err := workflow.CircularXLSX(circ, c.Writer); err != nil {
			s.Logger.ErrorContext(c.Request.Context(), "circular xlsx failed", "err", err)
			c.Abort()
		}
	default:
		fail(c, errs.InvalidField("format", "格式只能是 json、html 或 xlsx", "format is json, html or xlsx"))
	}
}
