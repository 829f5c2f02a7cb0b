package api

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"fuyi/services/ledger"
)

const importCSV = "\uFEFF案号,申请人,申请人类型,被申请人,行政行为类别,管理领域,收件日期,受理情况,受理日期,审理程序,结案日期,审理结果,终止原因,备注\r\n" +
	",张三,公民,区市场监督管理局,行政处罚,市场监管,2022-03-05,受理,2022/3/10,普通,2022年5月1日,维持,,\r\n" +
	",李四,公民,区新机关,行政处罚,,2022.4.6,受理,2022-04-08,,2022-06-01,终止,纠正后撤回,\r\n"

// importEnv is the test env with the import service wired.
func importEnv(t *testing.T) (*testEnv, *ledger.Jobs) {
	t.Helper()
	e := newTestEnv(t)
	jobs := ledger.NewJobs(e.db, ledger.JobOptions{Dir: t.TempDir()})
	e.deps.Imports = jobs
	e.router = NewRouter(e.deps)
	return e, jobs
}

func (e *testEnv) upload(user, query, content string, fields map[string]string) *httptest.ResponseRecorder {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "台账.csv")
	fw.Write([]byte(content))
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/imports"+query, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[user])
	}
	w := httptest.NewRecorder()
	e.router.ServeHTTP(w, req)
	return w
}

func TestImportJobs(t *testing.T) {
	e, jobs := importEnv(t)
	countCases := func() int64 {
		var n int64
		e.db.Read.Table("cases").Count(&n)
		return n
	}

	// Reporters may not import; anonymous callers are 401.
	if w := e.upload("reporter", "?dry_run=true", importCSV, nil); w.Code != http.StatusForbidden {
		t.Fatalf("reporter: %d %s", w.Code, w.Body.String())
	}
	if w := e.upload("", "?dry_run=true", importCSV, nil); w.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", w.Code)
	}
	// A dry run: 202 with the job, then its result; nothing written.
	w := e.upload("officer", "?dry_run=true", importCSV, nil)
	if w.Code != http.StatusAccepted {
		t.Fatalf("dry run: %d %s", w.Code, w.Body.String())
	}
	job := decode[importJobResponse](t, w)
	jobs.Wait()
	w = e.do(http.MethodGet, fmt.Sprintf("/api/v1/imports/%d", job.ID), "officer", nil)
	got := decode[importJobResponse](t, w)
	if w.Code != http.StatusOK || got.Status != ledger.JobDone || got.Result == nil || !got.Result.OK || got.Result.Created != 2 ||
		got.Result.Written || got.ProcessedRows != 2 || got.OrganID != e.Organ1 {
		t.Fatalf("dry-run job: %d %s", w.Code, w.Body.String())
	}
	if countCases() != 0 {
		t.Fatal("a dry run wrote cases")
	}
	// Another organ's officer does not see the job.
	if w := e.do(http.MethodGet, fmt.Sprintf("/api/v1/imports/%d", job.ID), "other", nil); w.Code != http.StatusNotFound {
		t.Fatalf("other organ: %d", w.Code)
	}
	// Confirm runs it for real.
	w = e.do(http.MethodPost, fmt.Sprintf("/api/v1/imports/%d/confirm", job.ID), "officer", nil)
	if w.Code != http.StatusAccepted {
		t.Fatalf("confirm: %d %s", w.Code, w.Body.String())
	}
	real := decode[importJobResponse](t, w)
	jobs.Wait()
	got = decode[importJobResponse](t, e.do(http.MethodGet, fmt.Sprintf("/api/v1/imports/%d", real.ID), "manager", nil))
	if got.Status != ledger.JobDone || got.Result == nil || !got.Result.Written || got.Result.Created != 2 || len(got.Result.AgenciesCreated) != 1 {
		t.Fatalf("real job: %+v", got)
	}
	if countCases() != 2 {
		t.Fatalf("%d cases after the import", countCases())
	}
	// A ledger with a bad row: every problem named, in the request's language.
	bad := strings.Replace(importCSV, "2022.4.6", "2022-02-30", 1)
	req := e.upload("officer", "?dry_run=false", bad, nil)
	jobs.Wait()
	id := decode[importJobResponse](t, req).ID
	r := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/api/v1/imports/%d", id), nil)
	r.Header.Set("Authorization", "Bearer "+e.tokens["officer"])
	r.Header.Set("Accept-Language", "en")
	rec := httptest.NewRecorder()
	e.router.ServeHTTP(rec, r)
	got = decode[importJobResponse](t, rec)
	if got.Result == nil || got.Result.OK || len(got.Result.Errors) != 1 || got.Result.Errors[0].Row != 3 ||
		got.Result.Errors[0].Column != "收件日期" || !strings.Contains(got.Result.Errors[0].Message, "no such day") {
		t.Fatalf("bad ledger: %s", rec.Body.String())
	}
	if countCases() != 2 {
		t.Fatal("a bad ledger wrote cases")
	}
	// Another organ named explicitly is not found; a missing file is a 400.
	if w := e.upload("officer", "", importCSV, map[string]string{"organ": fmt.Sprint(e.Organ2)}); w.Code != http.StatusNotFound {
		t.Fatalf("other organ by id: %d %s", w.Code, w.Body.String())
	}
	if w := e.do(http.MethodPost, "/api/v1/imports", "officer", map[string]string{}); w.Code != http.StatusBadRequest {
		t.Fatalf("no file: %d", w.Code)
	}
	if w := e.do(http.MethodGet, "/api/v1/imports/999999", "officer", nil); w.Code != http.StatusNotFound {
		t.Fatalf("unknown job: %d", w.Code)
	}
	// The organ's ledger downloads and is formula-safe CSV with a BOM.
	w = e.do(http.MethodGet, "/api/v1/imports/ledger?format=csv", "officer", nil)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Body.String(), "\uFEFF案号") || !strings.Contains(w.Body.String(), "张三") {
		t.Fatalf("ledger export: %d %s", w.Code, w.Body.String())
	}
	if w := e.do(http.MethodGet, "/api/v1/imports/ledger?format=pdf", "officer", nil); w.Code != http.StatusBadRequest {
		t.Fatalf("bad format: %d", w.Code)
	}
}

// GET /cases/export?ledger=true is the ledger download (issue 6 round trip).
func TestCaseExportLedgerParameter(t *testing.T) {
	e, _ := importEnv(t)
	w := e.do(http.MethodGet, "/api/v1/cases/export?format=csv&ledger=true", "officer", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("ledger export: %d %s", w.Code, w.Body.String())
	}
	body := strings.TrimPrefix(w.Body.String(), "\ufeff")
	if !strings.HasPrefix(body, "案号,申请人,申请人类型,被申请人") {
		t.Fatalf("not the ledger's columns: %.80q", body)
	}
	if w := e.do(http.MethodGet, "/api/v1/cases/export?format=csv&ledger=true", "", nil); w.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", w.Code)
	}
}
