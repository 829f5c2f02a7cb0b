package api

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/ledger"
)

// The authorization matrix: every route of the router × {anonymous, admin,
// manager, officer, reporter, other (an officer of another organ)} → the
// expected answer class. Paths name records of organ 1 (created in setup),
// so "other" must get 404 wherever a record is addressed by id.
//
// A route the router has and the matrix lacks fails the test: add it here,
// deciding who may call it.
//
// Cells:
//
//	ok   the caller got through authorization: 2xx, or a 400/409/422 about
//	     the (deliberately minimal) body
//	401  not authenticated
//	403  role refused
//	404  not found (another organ's or another user's record)
const (
	cOK  = "ok"
	c401 = "401"
	c403 = "403"
	c404 = "404"
)

// matrixUsers is the column order of every row.
var matrixUsers = []string{"", "admin", "manager", "officer", "reporter", "other"}

type authzRow struct {
	// url is the request path with {placeholders} for setup's records.
	url  string
	body any
	// want: anonymous, admin, manager, officer, reporter, other.
	want [6]string
}

var (
	public    = [6]string{cOK, cOK, cOK, cOK, cOK, cOK}
	anyUser   = [6]string{c401, cOK, cOK, cOK, cOK, cOK}
	organRead = [6]string{c401, cOK, cOK, cOK, cOK, c404}
	// writers: officers, managers, admins (reporters are read-only).
	writerNew   = [6]string{c401, cOK, cOK, cOK, c403, cOK}
	writerOrgan = [6]string{c401, cOK, cOK, cOK, c403, c404}
	adminOnly   = [6]string{c401, cOK, c403, c403, c403, c403}
	statsWrite  = [6]string{c401, cOK, cOK, c403, cOK, c403}
	ownOfficer  = [6]string{c401, c404, c404, cOK, c404, c404}
	manage      = [6]string{c401, cOK, cOK, c403, c403, c403}
)

var empty = map[string]any{}

var authzMatrix = map[string]authzRow{
	"GET /healthz":                   {"/healthz", nil, public},
	"GET /readyz":                    {"/readyz", nil, public},
	"GET /metrics":                   {"/metrics", nil, [6]string{c403, c403, c403, c403, c403, c403}}, // loopback or token only
	"POST /api/v1/auth/login":        {"/api/v1/auth/login", empty, public},
	"POST /api/v1/auth/refresh":      {"/api/v1/auth/refresh", empty, public},
	"POST /api/v1/auth/logout":       {"/api/v1/auth/logout", empty, public},
	"GET /api/v1/me":                 {"/api/v1/me", nil, anyUser},
	"POST /api/v1/me/password":       {"/api/v1/me/password", empty, anyUser},
	"GET /api/v1/me/sessions":        {"/api/v1/me/sessions", nil, anyUser},
	"DELETE /api/v1/me/sessions/:id": {"/api/v1/me/sessions/{session}", nil, ownOfficer},

	"GET /api/v1/meta":                    {"/api/v1/meta", nil, anyUser},
	"GET /api/v1/cases":                   {"/api/v1/cases", nil, anyUser},
	"POST /api/v1/cases":                  {"/api/v1/cases", empty, writerNew},
	"GET /api/v1/cases/export":            {"/api/v1/cases/export?format=csv", nil, anyUser},
	"GET /api/v1/cases/:id":               {"/api/v1/cases/{case}", nil, organRead},
	"PATCH /api/v1/cases/:id":             {"/api/v1/cases/{case}", map[string]any{"version": 99}, writerOrgan},
	"POST /api/v1/cases/:id/transitions":  {"/api/v1/cases/{case}/transitions", empty, writerOrgan},
	"GET /api/v1/cases/:id/events":        {"/api/v1/cases/{case}/events", nil, organRead},
	"GET /api/v1/cases/:id/deadlines":     {"/api/v1/cases/{case}/deadlines", nil, organRead},
	"GET /api/v1/deadlines":               {"/api/v1/deadlines", nil, anyUser},
	"GET /api/v1/notifications":           {"/api/v1/notifications", nil, anyUser},
	"POST /api/v1/notifications/:id/read": {"/api/v1/notifications/{notification}/read", nil, ownOfficer},
	"GET /api/v1/calendar":                {"/api/v1/calendar", nil, anyUser},
	"GET /api/v1/calendar/:year":          {"/api/v1/calendar/2024", nil, anyUser},
	"PUT /api/v1/calendar/:year":          {"/api/v1/calendar/2031", empty, adminOnly},

	"GET /api/v1/litigations":                     {"/api/v1/litigations", nil, anyUser},
	"POST /api/v1/litigations":                    {"/api/v1/litigations", empty, writerNew},
	"GET /api/v1/litigations/stats":               {"/api/v1/litigations/stats", nil, anyUser},
	"GET /api/v1/litigations/:id":                 {"/api/v1/litigations/{litigation}", nil, organRead},
	"PATCH /api/v1/litigations/:id":               {"/api/v1/litigations/{litigation}", map[string]any{"version": 99}, writerOrgan},
	"POST /api/v1/litigations/:id/transitions":    {"/api/v1/litigations/{litigation}/transitions", empty, writerOrgan},
	"GET /api/v1/litigations/:id/events":          {"/api/v1/litigations/{litigation}/events", nil, organRead},
	"GET /api/v1/litigations/:id/deadlines":       {"/api/v1/litigations/{litigation}/deadlines", nil, organRead},
	"GET /api/v1/litigations/:id/hearings":        {"/api/v1/litigations/{litigation}/hearings", nil, organRead},
	"POST /api/v1/litigations/:id/hearings":       {"/api/v1/litigations/{litigation}/hearings", empty, writerOrgan},
	"PATCH /api/v1/litigations/:id/hearings/:hid": {"/api/v1/litigations/{litigation}/hearings/{hearing}", map[string]any{"version": 99}, writerOrgan},
	"GET /api/v1/suggestions":                     {"/api/v1/suggestions", nil, anyUser},
	"POST /api/v1/suggestions":                    {"/api/v1/suggestions", empty, writerNew},
	"GET /api/v1/suggestions/:id":                 {"/api/v1/suggestions/{suggestion}", nil, organRead},
	"PATCH /api/v1/suggestions/:id":               {"/api/v1/suggestions/{suggestion}", map[string]any{"version": 99}, writerOrgan},
	"POST /api/v1/suggestions/:id/reply":          {"/api/v1/suggestions/{suggestion}/reply", empty, writerOrgan},
	"GET /api/v1/suggestions/:id/events":          {"/api/v1/suggestions/{suggestion}/events", nil, organRead},
	"GET /api/v1/suggestions/:id/deadlines":       {"/api/v1/suggestions/{suggestion}/deadlines", nil, organRead},

	"GET /api/v1/stats":                      {"/api/v1/stats", nil, anyUser},
	"GET /api/v1/stats/breakdown":            {"/api/v1/stats/breakdown?by=respondent", nil, anyUser},
	"GET /api/v1/reports/yearly":             {"/api/v1/reports/yearly?year=2022&format=csv", nil, anyUser},
	"GET /api/v1/reports/locks":              {"/api/v1/reports/locks", nil, anyUser},
	"POST /api/v1/reports/locks":             {"/api/v1/reports/locks", empty, statsWrite},
	"GET /api/v1/reports/locks/:id/snapshot": {"/api/v1/reports/locks/{lock}/snapshot", nil, organRead},
	"DELETE /api/v1/reports/locks/:id":       {"/api/v1/reports/locks/{lock}", nil, adminOnly},
	"GET /api/v1/metrics/definitions":        {"/api/v1/metrics/definitions", nil, anyUser},
	"POST /api/v1/metrics/definitions":       {"/api/v1/metrics/definitions", empty, adminOnly},
	"PATCH /api/v1/metrics/definitions/:key": {"/api/v1/metrics/definitions/direct_correction", map[string]any{"version": 99}, adminOnly},
	"POST /api/v1/metrics/preview":           {"/api/v1/metrics/preview", empty, statsWrite},

	"GET /api/v1/agencies":                   {"/api/v1/agencies", nil, anyUser},
	"GET /api/v1/organs":                     {"/api/v1/organs", nil, anyUser},
	"GET /api/v1/admin/users":                {"/api/v1/admin/users", nil, adminOnly},
	"POST /api/v1/admin/users":               {"/api/v1/admin/users", empty, adminOnly},
	"PATCH /api/v1/admin/users/:id":          {"/api/v1/admin/users/{user}", map[string]any{"version": 99}, adminOnly},
	"POST /api/v1/admin/users/:id/password":  {"/api/v1/admin/users/{user}/password", empty, adminOnly},
	"GET /api/v1/admin/organs":               {"/api/v1/admin/organs", nil, adminOnly},
	"POST /api/v1/admin/organs":              {"/api/v1/admin/organs", empty, adminOnly},
	"PATCH /api/v1/admin/organs/:id":         {"/api/v1/admin/organs/{organ}", map[string]any{"version": 99}, adminOnly},
	"GET /api/v1/admin/organs/:id/agencies":  {"/api/v1/admin/organs/{organ}/agencies", nil, adminOnly},
	"POST /api/v1/admin/organs/:id/agencies": {"/api/v1/admin/organs/{organ}/agencies", empty, [6]string{c401, cOK, cOK, c403, c403, c403}},
	"GET /api/v1/audit":                      {"/api/v1/audit", nil, adminOnly},

	// Workflow: assignment, queues, approvals, documents, attachments, follow-ups.
	"POST /api/v1/assignments":               {"/api/v1/assignments", empty, manage}, // officers only claim for themselves,
	"POST /api/v1/cases/:id/assign":          {"/api/v1/cases/{case}/assign", empty, [6]string{c401, cOK, cOK, c403, c403, c404}},
	"GET /api/v1/workload":                   {"/api/v1/workload", nil, manage},
	"GET /api/v1/queues":                     {"/api/v1/queues", nil, anyUser},
	"GET /api/v1/queues/:key":                {"/api/v1/queues/mine", nil, [6]string{c401, cOK, cOK, cOK, c403, cOK}}, // reporters handle no cases,
	"GET /api/v1/approval-rules":             {"/api/v1/approval-rules", nil, anyUser},
	"PUT /api/v1/approval-rules/:action":     {"/api/v1/approval-rules/extend", empty, adminOnly},
	"POST /api/v1/cases/:id/proposals":       {"/api/v1/cases/{case}/proposals", empty, writerOrgan},
	"GET /api/v1/cases/:id/proposals":        {"/api/v1/cases/{case}/proposals", nil, organRead},
	"GET /api/v1/proposals":                  {"/api/v1/proposals", nil, anyUser},
	"GET /api/v1/proposals/:id":              {"/api/v1/proposals/{proposal}", nil, organRead},
	"POST /api/v1/proposals/:id/approve":     {"/api/v1/proposals/{proposal}/approve", map[string]any{"version": 99}, writerOrgan},
	"POST /api/v1/proposals/:id/return":      {"/api/v1/proposals/{proposal}/return", map[string]any{"version": 99, "comment": "意见"}, writerOrgan},
	"POST /api/v1/proposals/:id/reject":      {"/api/v1/proposals/{proposal}/reject", map[string]any{"version": 99, "comment": "意见"}, writerOrgan},
	"GET /api/v1/document-templates":         {"/api/v1/document-templates", nil, anyUser},
	"PUT /api/v1/document-templates/:kind":   {"/api/v1/document-templates/acceptance_notice", empty, adminOnly},
	"POST /api/v1/cases/:id/documents":       {"/api/v1/cases/{case}/documents", empty, writerOrgan},
	"GET /api/v1/cases/:id/documents":        {"/api/v1/cases/{case}/documents", nil, organRead},
	"GET /api/v1/documents/:id":              {"/api/v1/documents/{document}", nil, organRead},
	"POST /api/v1/cases/:id/attachments":     {"/api/v1/cases/{case}/attachments", empty, writerOrgan},
	"GET /api/v1/cases/:id/attachments":      {"/api/v1/cases/{case}/attachments", nil, organRead},
	"GET /api/v1/cases/:id/attachments/:aid": {"/api/v1/cases/{case}/attachments/{attachment}", nil, organRead},
	"GET /api/v1/followups":                  {"/api/v1/followups", nil, anyUser},
	"PATCH /api/v1/followups/:id":            {"/api/v1/followups/{followup}", map[string]any{"version": 99}, writerOrgan},
	"PUT /api/v1/cases/:id/typical":          {"/api/v1/cases/{case}/typical", empty, manage},
	"DELETE /api/v1/cases/:id/typical":       {"/api/v1/cases/{case}/typical", nil, manage},
	"GET /api/v1/typical-cases":              {"/api/v1/typical-cases", nil, anyUser},
	"GET /api/v1/circulars":                  {"/api/v1/circulars?year=2024", nil, anyUser},

	"POST /api/v1/imports":             {"/api/v1/imports?dry_run=true", empty, writerNew},
	"GET /api/v1/imports/:id":          {"/api/v1/imports/{import}", nil, writerOrgan},
	"POST /api/v1/imports/:id/confirm": {"/api/v1/imports/{import}/confirm", empty, writerOrgan},
	"GET /api/v1/imports/ledger":       {"/api/v1/imports/ledger?format=csv", nil, writerNew},
}

// authzFixtures creates one record of each kind in organ 1 and returns the
// placeholder values.
func authzFixtures(t *testing.T, e *testEnv) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{"organ": fmt.Sprint(e.Organ1)}
	post := func(path string, body any) int64 {
		t.Helper()
		w := e.do(http.MethodPost, path, "officer", body)
		if w.Code != http.StatusCreated && w.Code != http.StatusOK {
			t.Fatalf("setup %s: %d %s", path, w.Code, w.Body.String())
		}
		return decode[struct {
			ID int64 `json:"id"`
		}](t, w).ID
	}
	caseID, _ := e.createCase("2024-03-05")
	out["case"] = fmt.Sprint(caseID)
	lit := post("/api/v1/litigations", map[string]any{"kind": "administrative", "court_case_no": "（2024）京0117行初1号",
		"notified_on": "2024-03-01", "defendant": "区市场监督管理局"})
	out["litigation"] = fmt.Sprint(lit)
	w := e.do(http.MethodPost, fmt.Sprintf("/api/v1/litigations/%d/hearings", lit), "officer",
		map[string]any{"version": 1, "held_on": "2024-04-12", "appeared_role": "staff"})
	if w.Code != http.StatusCreated && w.Code != http.StatusOK {
		t.Fatalf("setup hearing: %d %s", w.Code, w.Body.String())
	}
	var hearing int64
	if err := e.db.Read.Table("litigation_hearings").Select("id").Where("litigation_id = ?", lit).Order("id").Limit(1).Scan(&hearing).Error; err != nil || hearing == 0 {
		t.Fatalf("setup hearing id: %v", err)
	}
	out["hearing"] = fmt.Sprint(hearing)
	out["suggestion"] = fmt.Sprint(post("/api/v1/suggestions", map[string]any{"type": "judicial", "number": "（2024）京0117司建1号",
		"issuer_or_recipient": "北京市平谷区人民法院", "received_or_issued_on": "2024-05-10", "due_on": "2024-07-10"}))
	w = e.do(http.MethodPost, "/api/v1/reports/locks", "reporter", map[string]any{"year": 2023, "reason": "已发布"})
	if w.Code != http.StatusCreated {
		t.Fatalf("setup lock: %d %s", w.Code, w.Body.String())
	}
	out["lock"] = fmt.Sprint(decode[struct {
		ID int64 `json:"id"`
	}](t, w).ID)
	spare, err := e.deps.Auth.CreateUser(ctx, auth.NewUser{Username: "spare", Role: auth.RoleOfficer, Password: testPassword, OrganIDs: []int64{e.Organ1}})
	if err != nil {
		t.Fatal(err)
	}
	out["user"] = fmt.Sprint(spare.ID)
	n := models.Notification{UserID: e.users["officer"], OrganID: e.Organ1, SubjectType: "case", SubjectID: caseID, DeadlineKind: "decision",
		DueOn: "2024-05-05", Kind: "due_5", MessageZH: "即将到期", MessageEN: "due soon", CreatedAt: time.Now()}
	if err := e.db.Write.Create(&n).Error; err != nil {
		t.Fatal(err)
	}
	out["notification"] = fmt.Sprint(n.ID)
	p, err := e.deps.Auth.Principal(ctx, e.users["officer"])
	if err != nil {
		t.Fatal(err)
	}
	job, err := e.deps.Imports.Submit(ctx, p, ledger.SubmitInput{File: strings.NewReader(importCSV), FileName: "台账.csv", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	out["import"] = fmt.Sprint(job.ID)
	sessions, err := e.deps.Auth.Sessions(ctx, p)
	if err != nil || len(sessions) == 0 {
		t.Fatalf("officer sessions: %v %v", sessions, err)
	}
	out["session"] = sessions[0].ID

	// Workflow records on the case: an approval proposal, a document, an
	// attachment, a follow-up.
	if w := e.do(http.MethodPut, "/api/v1/approval-rules/not_accept", "admin", map[string]any{"steps": []map[string]any{{"role": "manager"}}, "version": 0}); w.Code != http.StatusOK {
		t.Fatalf("setup rule: %d %s", w.Code, w.Body.String())
	}
	var version int64
	e.db.Read.Table("cases").Select("version").Where("id = ?", caseID).Scan(&version)
	out["proposal"] = fmt.Sprint(post(fmt.Sprintf("/api/v1/cases/%d/proposals", caseID),
		map[string]any{"action": "not_accept", "reason": "不属于行政复议范围", "effective_on": "2024-03-08", "version": version}))
	out["document"] = fmt.Sprint(post(fmt.Sprintf("/api/v1/cases/%d/documents", caseID), map[string]any{"kind": "acceptance_notice"}))
	w = e.uploadAttachment(fmt.Sprintf("/api/v1/cases/%d/attachments", caseID), "officer", "evidence", "证据.pdf", []byte("%PDF-1.4\n%%EOF\n"))
	if w.Code != http.StatusCreated {
		t.Fatalf("setup attachment: %d %s", w.Code, w.Body.String())
	}
	out["attachment"] = fmt.Sprint(decode[struct {
		ID int64 `json:"id"`
	}](t, w).ID)
	f := models.Followup{CaseID: caseID, OrganID: e.Organ1, RespondentID: e.Agency1, Outcome: "revoked", Redo: true, OpenedOn: "2024-06-20", DueOn: "2024-08-19", Status: "open"}
	if err := e.db.Write.Create(&f).Error; err != nil {
		t.Fatal(err)
	}
	out["followup"] = fmt.Sprint(f.ID)
	return out
}

func classOf(code int) string {
	switch {
	case code >= 200 && code < 300, code == http.StatusBadRequest, code == http.StatusConflict, code == http.StatusUnprocessableEntity:
		return cOK
	default:
		return fmt.Sprint(code)
	}
}

// TestAuthorizationMatrix sends every route as every kind of caller and
// checks the answer class against authzMatrix.
func TestAuthorizationMatrix(t *testing.T) {
	e, _ := importEnv(t)
	fx := authzFixtures(t, e)
	seen := map[string]bool{}
	var routes []string
	for _, r := range e.router.Routes() {
		key := r.Method + " " + r.Path
		routes = append(routes, key)
		seen[key] = true
	}
	sort.Strings(routes)
	for key := range authzMatrix {
		if !seen[key] {
			t.Errorf("matrix entry %q names no route: remove or fix it", key)
		}
	}
	for _, key := range routes {
		row, ok := authzMatrix[key]
		if !ok {
			t.Errorf("route %q has no entry in the authorization matrix (api/authz_matrix_test.go): add it to the matrix", key)
			continue
		}
		method, pattern, _ := strings.Cut(key, " ")
		url := row.url
		for k, v := range fx {
			url = strings.ReplaceAll(url, "{"+k+"}", v)
		}
		if strings.Contains(url, "{") {
			t.Fatalf("%s: unresolved placeholder in %s", key, url)
		}
		path, _, _ := strings.Cut(url, "?")
		if strings.Count(path, "/") != strings.Count(pattern, "/") {
			t.Fatalf("%s: url %s does not fit the route", key, url)
		}
		// "other" first and admin last, so that a write that succeeds (a
		// deletion, a revocation) cannot change the answer of the others.
		for _, i := range []int{0, 5, 4, 3, 2, 1} {
			user := matrixUsers[i]
			w := e.do(method, url, user, row.body)
			if got := classOf(w.Code); got != row.want[i] {
				who := user
				if who == "" {
					who = "anonymous"
				}
				t.Errorf("%s as %s: got %d (%s), want %s: %s", key, who, w.Code, got, row.want[i], strings.TrimSpace(w.Body.String()))
			}
		}
	}
}
