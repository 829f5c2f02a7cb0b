package api

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fuyi/models"
	"fuyi/services/workflow"
)

// wireTestWorkflow adds the work-flow service as cmd/fuyi does: the guard
// and the follow-up hook on the case service, attachments in a temp dir.
func wireTestWorkflow(t *testing.T, db *models.DB, deps *Deps) {
	wf := workflow.New(db, deps.Cases, workflow.Options{DataDir: t.TempDir(), MaxAttachmentBytes: 1 << 20})
	deps.Cases.SetGuard(wf.Guard)
	deps.Cases.AddHook(wf.FollowupHook)
	deps.Workflow = wf
}

type wfCase struct {
	ID         int64  `json:"id"`
	CaseNo     string `json:"case_no"`
	Status     string `json:"status"`
	Version    int64  `json:"version"`
	Outcome    string `json:"outcome"`
	OutcomeRdo bool   `json:"outcome_redo"`
	HandlerID  *int64 `json:"handler_id"`
}

func (e *testEnv) getCase(id int64) wfCase {
	e.t.Helper()
	w := e.do(http.MethodGet, fmt.Sprintf("/api/v1/cases/%d", id), "officer", nil)
	if w.Code != http.StatusOK {
		e.t.Fatalf("get case: %d %s", w.Code, w.Body)
	}
	return decode[wfCase](e.t, w)
}

func (e *testEnv) must(w *httptest.ResponseRecorder, status int, what string) {
	e.t.Helper()
	if w.Code != status {
		e.t.Fatalf("%s: want %d, got %d %s", what, status, w.Code, w.Body.String())
	}
}

// TestWorkflowDoneWhen is issue 11's "done when", through the real router.
func TestWorkflowDoneWhen(t *testing.T) {
	e := newTestEnv(t)
	officer := e.users["officer"]

	// Five new applications, unassigned.
	var ids []int64
	for _, d := range []string{"2024-06-12", "2024-06-03", "2024-06-07", "2024-06-05", "2024-06-10"} {
		w := e.do(http.MethodPost, "/api/v1/cases", "officer", map[string]any{
			"applicant": "张三", "applicant_type": "公民", "respondent": e.Agency1, "act_type": "行政处罚",
			"act_document_no": "测市监罚〔2024〕8号", "request": "撤销处罚决定", "channel": "post", "received_on": d,
		})
		e.must(w, http.StatusCreated, "create")
		ids = append(ids, decode[wfCase](t, w).ID)
	}
	q := decode[queuePageJSON](t, e.do(http.MethodGet, "/api/v1/queues/unassigned", "manager", nil))
	if q.Total != 5 {
		t.Fatalf("unassigned: %d", q.Total)
	}

	// Only managers assign; an officer may not hand cases to others; the other organ sees nothing.
	e.must(e.do(http.MethodPost, "/api/v1/assignments", "officer", map[string]any{"case_ids": ids, "handler_id": e.users["manager"]}), http.StatusForbidden, "officer assigns")
	e.must(e.do(http.MethodPost, "/api/v1/assignments", "reporter", map[string]any{"case_ids": ids, "handler_id": officer}), http.StatusForbidden, "reporter assigns")
	e.must(e.do(http.MethodPost, "/api/v1/assignments", "other", map[string]any{"case_ids": ids, "handler_id": e.users["other"]}), http.StatusNotFound, "other organ takes")
	e.must(e.do(http.MethodPost, "/api/v1/assignments", "manager", map[string]any{"case_ids": ids, "handler_id": e.users["reporter"]}), http.StatusBadRequest, "reporter as handler")
	e.must(e.do(http.MethodPost, "/api/v1/assignments", "", map[string]any{"case_ids": ids, "handler_id": officer}), http.StatusUnauthorized, "anonymous")

	w := e.do(http.MethodPost, "/api/v1/assignments", "manager", map[string]any{"case_ids": ids, "handler_id": officer, "note": "分案"})
	e.must(w, http.StatusOK, "bulk assign")
	if res := decode[assignResponse](t, w); len(res.Changed) != 5 {
		t.Fatalf("changed: %+v", res)
	}

	// The handler's queue: five cases, nearest due date first, days waiting.
	w = e.do(http.MethodGet, "/api/v1/queues/mine", "officer", nil)
	e.must(w, http.StatusOK, "mine")
	var mine struct {
		Items []queueCaseJSON `json:"items"`
		Total int64           `json:"total"`
	}
	_ = json.Unmarshal(w.Body.Bytes(), &mine)
	if mine.Total != 5 || len(mine.Items) != 5 {
		t.Fatalf("mine: %s", w.Body)
	}
	for i := 1; i < len(mine.Items); i++ {
		a, b := mine.Items[i-1].NextDueOn, mine.Items[i].NextDueOn
		if a == nil || b == nil || *a > *b {
			t.Fatalf("mine not sorted by due date: %s", w.Body)
		}
	}
	if mine.Items[0].ReceivedOn != "2024-06-03" || mine.Items[0].DaysWaiting <= 0 {
		t.Fatalf("first of mine: %+v", mine.Items[0])
	}
	qs := decode[[]queueInfoJSON](t, e.do(http.MethodGet, "/api/v1/queues", "manager", nil))
	if len(qs) != 5 {
		t.Fatalf("manager queues: %+v", qs)
	}
	team := decode[struct {
		Items []workloadJSON `json:"items"`
	}](t, e.do(http.MethodGet, "/api/v1/queues/team", "manager", nil))
	found := false
	for _, r := range team.Items {
		found = found || (r.HandlerID == officer && r.Open == 5)
	}
	if !found {
		t.Fatalf("team: %+v", team)
	}
	e.must(e.do(http.MethodGet, "/api/v1/queues/team", "officer", nil), http.StatusForbidden, "team as officer")
	e.must(e.do(http.MethodGet, "/api/v1/workload", "officer", nil), http.StatusForbidden, "workload as officer")

	id := mine.Items[0].ID
	c := e.getCase(id)
	e.must(e.do(http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/transitions", id), "officer",
		map[string]any{"action": "accept", "procedure": "ordinary", "effective_on": "2024-06-06", "version": c.Version}), http.StatusOK, "accept")

	// The office puts decisions under approval: manager reviews, admin approves.
	e.must(e.do(http.MethodPut, "/api/v1/approval-rules/decide", "manager", map[string]any{"steps": []map[string]any{{"role": "manager"}}}), http.StatusForbidden, "manager edits rules")
	e.must(e.do(http.MethodPut, "/api/v1/approval-rules/decide", "admin", map[string]any{"steps": []map[string]any{{"role": "manager"}, {"role": "admin"}}, "version": 0}), http.StatusOK, "rule")

	c = e.getCase(id)
	decide := map[string]any{"action": "decide", "outcome": "revoked", "redo": true, "effective_on": "2024-06-20", "version": c.Version, "note": "认定事实不清，证据不足"}
	w = e.do(http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/transitions", id), "officer", decide)
	e.must(w, http.StatusUnprocessableEntity, "direct decide")
	if errorCode(t, w) != "approval_required" {
		t.Fatalf("direct decide: %s", w.Body)
	}
	e.must(e.do(http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/proposals", id), "other", decide), http.StatusNotFound, "other organ proposes")

	w = e.do(http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/proposals", id), "officer", decide)
	e.must(w, http.StatusCreated, "propose")
	p1 := decode[proposalJSON](t, w)
	if p1.Status != "pending" || p1.Step != 1 {
		t.Fatalf("proposal: %+v", p1)
	}
	e.must(e.do(http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/proposals", id), "officer", decide), http.StatusConflict, "second pending")
	aw := decode[struct {
		Total int64 `json:"total"`
	}](t, e.do(http.MethodGet, "/api/v1/queues/awaiting_approval", "manager", nil))
	if aw.Total != 1 {
		t.Fatalf("manager awaiting: %d", aw.Total)
	}
	e.must(e.do(http.MethodPost, fmt.Sprintf("/api/v1/proposals/%d/approve", p1.ID), "admin", map[string]any{"version": p1.Version}), http.StatusForbidden, "admin at step 1")
	e.must(e.do(http.MethodPost, fmt.Sprintf("/api/v1/proposals/%d/approve", p1.ID), "other", map[string]any{"version": p1.Version}), http.StatusNotFound, "other organ approves")
	e.must(e.do(http.MethodPost, fmt.Sprintf("/api/v1/proposals/%d/return", p1.ID), "manager", map[string]any{"version": p1.Version}), http.StatusBadRequest, "return without comment")
	w = e.do(http.MethodPost, fmt.Sprintf("/api/v1/proposals/%d/return", p1.ID), "manager", map[string]any{"version": p1.Version, "comment": "请补充重作期限的依据"})
	e.must(w, http.StatusOK, "return")
	if st := decode[proposalJSON](t, w).Status; st != "returned" {
		t.Fatalf("returned: %s", st)
	}
	if c := e.getCase(id); c.Status != "accepted" {
		t.Fatalf("case changed by a returned proposal: %s", c.Status)
	}

	w = e.do(http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/proposals", id), "officer", decide)
	e.must(w, http.StatusCreated, "propose again")
	p2 := decode[proposalJSON](t, w)
	w = e.do(http.MethodPost, fmt.Sprintf("/api/v1/proposals/%d/approve", p2.ID), "manager", map[string]any{"version": p2.Version, "comment": "同意"})
	e.must(w, http.StatusOK, "review")
	p2 = decode[proposalJSON](t, w)
	if p2.Status != "pending" || p2.Step != 2 {
		t.Fatalf("after review: %+v", p2)
	}
	if c := e.getCase(id); c.Status != "accepted" {
		t.Fatalf("case decided before the last approval: %s", c.Status)
	}
	w = e.do(http.MethodPost, fmt.Sprintf("/api/v1/proposals/%d/approve", p2.ID), "admin", map[string]any{"version": p2.Version})
	e.must(w, http.StatusOK, "approve")
	if st := decode[proposalJSON](t, w).Status; st != "approved" {
		t.Fatalf("approved: %s", st)
	}
	c = e.getCase(id)
	if c.Status != "decided" || c.Outcome != "revoked" || !c.OutcomeRdo {
		t.Fatalf("after approval: %+v", c)
	}

	// Every step is on the timeline; the decision carries the chain.
	evs := decode[[]eventJSON](t, e.do(http.MethodGet, fmt.Sprintf("/api/v1/cases/%d/events", id), "officer", nil))
	var actions []string
	for _, ev := range evs {
		actions = append(actions, ev.Action)
		if ev.Action == "decide" {
			var pl struct {
				Approval struct {
					Chain []workflow.ChainEntry `json:"chain"`
				} `json:"approval"`
			}
			_ = json.Unmarshal(ev.Payload, &pl)
			if len(pl.Approval.Chain) != 3 || pl.Approval.Chain[2].Role != "admin" {
				t.Fatalf("decide event chain: %s", ev.Payload)
			}
		}
	}
	want := []string{"create", "assign", "accept", "propose", "proposal_return", "propose", "proposal_approve", "proposal_approve", "decide"}
	for _, a := range want {
		if !slices.Contains(actions, a) {
			t.Fatalf("timeline %v lacks %s", actions, a)
		}
	}

	// Documents: the acceptance notice and the decision draft.
	w = e.do(http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/documents", id), "officer", map[string]any{"kind": "acceptance_notice"})
	e.must(w, http.StatusCreated, "acceptance notice")
	notice := decode[documentJSON](t, w)
	for _, s := range []string{"测试一区人民政府", "行政复议受理通知书", "张三", c.CaseNo, "区市场监督管理局", "2024年6月6日", notice.Number} {
		if !strings.Contains(notice.HTML, s) {
			t.Fatalf("notice lacks %q: %s", s, notice.HTML)
		}
	}
	if !strings.HasPrefix(notice.Number, "测复受字〔") || !strings.HasSuffix(notice.Number, "〕1号") {
		t.Fatalf("notice number: %s", notice.Number)
	}
	w = e.do(http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/documents", id), "officer", map[string]any{"kind": "decision"})
	e.must(w, http.StatusCreated, "decision draft")
	draft := decode[documentJSON](t, w)
	for _, s := range []string{"测试一区人民政府", "行政复议决定书", "撤销被申请人作出的上述行政行为，责令被申请人在法定期限内重新作出行政行为", "第六十四条", "2024年6月20日"} {
		if !strings.Contains(draft.HTML, s) {
			t.Fatalf("draft lacks %q: %s", s, draft.HTML)
		}
	}
	w = e.do(http.MethodGet, fmt.Sprintf("/api/v1/documents/%d?format=html", draft.ID), "manager", nil)
	e.must(w, http.StatusOK, "draft html")
	if !strings.Contains(w.Header().Get("Content-Security-Policy"), "sandbox") || !strings.Contains(w.Body.String(), "@page{size:A4") {
		t.Fatalf("html headers/body: %v", w.Header())
	}
	w = e.do(http.MethodGet, fmt.Sprintf("/api/v1/documents/%d?format=docx", draft.ID), "officer", nil)
	e.must(w, http.StatusOK, "draft docx")
	if !strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment;") {
		t.Fatalf("docx disposition: %v", w.Header())
	}
	zr, err := zip.NewReader(bytes.NewReader(w.Body.Bytes()), int64(w.Body.Len()))
	if err != nil {
		t.Fatalf("docx is no zip: %v", err)
	}
	var docXML string
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, _ := f.Open()
			var b bytes.Buffer
			_, _ = b.ReadFrom(rc)
			rc.Close()
			docXML = b.String()
		}
	}
	if !strings.Contains(docXML, "张三") || !strings.Contains(docXML, "测试一区人民政府") {
		t.Fatalf("docx content: %s", docXML)
	}
	e.must(e.do(http.MethodGet, fmt.Sprintf("/api/v1/documents/%d", draft.ID), "other", nil), http.StatusNotFound, "other organ document")
	docs := decode[[]documentJSON](t, e.do(http.MethodGet, fmt.Sprintf("/api/v1/cases/%d/documents", id), "officer", nil))
	if len(docs) != 2 {
		t.Fatalf("documents: %+v", docs)
	}

	// The revoked-and-redo decision opened a follow-up; past its due date
	// the sweep turns it overdue, and the year's circular lists it.
	if n, err := e.deps.Workflow.RefreshFollowups(context.Background()); err != nil || n != 1 {
		t.Fatalf("refresh: %d %v", n, err)
	}
	fq := decode[struct {
		Items []followupJSON `json:"items"`
		Total int64          `json:"total"`
	}](t, e.do(http.MethodGet, "/api/v1/queues/followups", "manager", nil))
	if fq.Total != 1 || fq.Items[0].Status != "overdue" || fq.Items[0].DueOn != "2024-08-19" || fq.Items[0].CaseID != id {
		t.Fatalf("followups: %+v", fq)
	}
	other := decode[struct {
		Total int64 `json:"total"`
	}](t, e.do(http.MethodGet, "/api/v1/followups", "other", nil))
	if other.Total != 0 {
		t.Fatalf("other organ sees follow-ups")
	}
	w = e.do(http.MethodGet, "/api/v1/circulars?year=2024", "manager", nil)
	e.must(w, http.StatusOK, "circular")
	circ := decode[workflow.Circular](t, w)
	if len(circ.Agencies) != 1 || circ.Agencies[0].Name != "区市场监督管理局" || len(circ.Agencies[0].Unperformed) != 1 ||
		circ.Agencies[0].Unperformed[0].CaseNo != c.CaseNo || circ.Agencies[0].Corrected != 1 || circ.Agencies[0].Corrections[0].Reason != "认定事实不清，证据不足" {
		t.Fatalf("circular: %s", w.Body)
	}
	w = e.do(http.MethodGet, "/api/v1/circulars?year=2024&format=html", "reporter", nil)
	e.must(w, http.StatusOK, "circular html")
	if !strings.Contains(w.Body.String(), c.CaseNo) || !strings.Contains(w.Body.String(), "逾期未履行") {
		t.Fatalf("circular html: %s", w.Body)
	}
	w = e.do(http.MethodGet, "/api/v1/circulars?year=2024&format=xlsx", "manager", nil)
	e.must(w, http.StatusOK, "circular xlsx")
	x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	rows, _ := x.GetRows("未履行")
	if len(rows) != 2 || rows[1][1] != c.CaseNo {
		t.Fatalf("xlsx rows: %v", rows)
	}
}

func (e *testEnv) uploadAttachment(path, user, kind, name string, content []byte) *httptest.ResponseRecorder {
	e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("kind", kind)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[user])
	}
	w := httptest.NewRecorder()
	e.router.ServeHTTP(w, req)
	return w
}

func TestAttachments(t *testing.T) {
	e := newTestEnv(t)
	id, _ := e.createCase("2024-06-03")
	base := fmt.Sprintf("/api/v1/cases/%d/attachments", id)
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	w := e.uploadAttachment(base, "officer", "evidence", `..\..\证据一.pdf`, pdf)
	e.must(w, http.StatusCreated, "upload pdf")
	a := decode[attachmentJSON](t, w)
	if a.ContentType != "application/pdf" || a.FileName != "证据一.pdf" || a.Size != int64(len(pdf)) || !a.Previewable {
		t.Fatalf("pdf: %+v", a)
	}
	w = e.uploadAttachment(base, "officer", "other", "x.pdf", []byte("<html><script>alert(1)</script></html>"))
	e.must(w, http.StatusCreated, "upload html disguised")
	h := decode[attachmentJSON](t, w)
	if h.Previewable || !strings.HasPrefix(h.ContentType, "text/html") {
		t.Fatalf("sniffed: %+v", h)
	}
	e.must(e.uploadAttachment(base, "officer", "bogus", "a.pdf", pdf), http.StatusBadRequest, "bad kind")
	e.must(e.uploadAttachment(base, "reporter", "evidence", "a.pdf", pdf), http.StatusForbidden, "reporter uploads")
	e.must(e.uploadAttachment(base, "other", "evidence", "a.pdf", pdf), http.StatusNotFound, "other organ uploads")
	e.must(e.uploadAttachment(base, "officer", "evidence", "big.bin", make([]byte, 2<<20)), http.StatusRequestEntityTooLarge, "too large")

	list := decode[[]attachmentJSON](t, e.do(http.MethodGet, base, "reporter", nil))
	if len(list) != 2 {
		t.Fatalf("list: %+v", list)
	}
	w = e.do(http.MethodGet, fmt.Sprintf("%s/%d", base, a.ID), "officer", nil)
	e.must(w, http.StatusOK, "download")
	if !strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment;") || w.Header().Get("Content-Type") != "application/octet-stream" || !bytes.Equal(w.Body.Bytes(), pdf) {
		t.Fatalf("download: %v", w.Header())
	}
	w = e.do(http.MethodGet, fmt.Sprintf("%s/%d?inline=1", base, a.ID), "officer", nil)
	e.must(w, http.StatusOK, "preview")
	if !strings.HasPrefix(w.Header().Get("Content-Disposition"), "inline;") || w.Header().Get("Content-Type") != "application/pdf" ||
		!strings.Contains(w.Header().Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("preview: %v", w.Header())
	}
	e.must(e.do(http.MethodGet, fmt.Sprintf("%s/%d?inline=1", base, h.ID), "officer", nil), http.StatusUnprocessableEntity, "html preview")
	e.must(e.do(http.MethodGet, fmt.Sprintf("%s/%d", base, a.ID), "other", nil), http.StatusNotFound, "other organ download")
	e.must(e.do(http.MethodGet, fmt.Sprintf("%s/%d", base, a.ID), "", nil), http.StatusUnauthorized, "anonymous download")
}
