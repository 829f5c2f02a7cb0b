package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"fuyi/models"
	"fuyi/services/clock"
)

// deadlineTestNow is the deadline clock of the API tests: 2024-06-25 10:00
// in Beijing (the case service keeps real time; its dates only must not be
// in the future).
var deadlineTestNow = time.Date(2024, 6, 25, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// wireTestDeadlines wires the deadline service as cmd/fuyi does: the
// recomputation hook on the case service, deemed acceptance through it.
func wireTestDeadlines(db *models.DB, deps *Deps) {
	svc := clock.New(db, clock.Options{Now: func() time.Time { return deadlineTestNow }})
	if deps.Cases != nil {
		deps.Cases.AddHook(svc.Recompute)
		svc.SetCases(deps.Cases)
	}
	deps.Deadlines = svc
}

// dlDate is a due date or "".
func dlDate(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (e *testEnv) clock() *clock.Service { return e.deps.Deadlines.(*clock.Service) }

// createCase registers an application as officer and returns its id and version.
func (e *testEnv) createCase(receivedOn string) (int64, int64) {
	e.t.Helper()
	w := e.do(http.MethodPost, "/api/v1/cases", "officer", map[string]any{
		"applicant": "张三", "applicant_type": "公民", "respondent": e.Agency1, "act_type": "行政处罚",
		"request": "撤销处罚决定", "channel": "post", "received_on": receivedOn, "handler_id": e.users["officer"],
	})
	if w.Code != http.StatusCreated && w.Code != http.StatusOK {
		e.t.Fatalf("create case: %d %s", w.Code, w.Body.String())
	}
	v := decode[struct {
		ID      int64 `json:"id"`
		Version int64 `json:"version"`
	}](e.t, w)
	return v.ID, v.Version
}

func (e *testEnv) transition(id int64, version int64, body map[string]any) int64 {
	e.t.Helper()
	body["version"] = version
	w := e.do(http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/transitions", id), "officer", body)
	if w.Code != http.StatusOK {
		e.t.Fatalf("transition %v: %d %s", body["action"], w.Code, w.Body.String())
	}
	return decode[struct {
		Version int64 `json:"version"`
	}](e.t, w).Version
}

type deadlineOut struct {
	Kind        string  `json:"kind"`
	DueOn       *string `json:"due_on"`
	Status      string  `json:"status"`
	Explanation string  `json:"explanation"`
	Article     string  `json:"article"`
}

func (e *testEnv) caseDeadlines(id int64, query string) map[string]deadlineOut {
	e.t.Helper()
	w := e.do(http.MethodGet, fmt.Sprintf("/api/v1/cases/%d/deadlines%s", id, query), "officer", nil)
	if w.Code != http.StatusOK {
		e.t.Fatalf("deadlines: %d %s", w.Code, w.Body.String())
	}
	out := map[string]deadlineOut{}
	for _, d := range decode[[]deadlineOut](e.t, w) {
		out[d.Kind] = d
	}
	return out
}

func TestDeadlinesAPI(t *testing.T) {
	e := newTestEnv(t)
	if e.deps.Cases == nil {
		t.Skip("case service not wired")
	}
	// A case received 2024-02-08: review due 2024-02-21, explained in the request's language.
	spring, _ := e.createCase("2024-02-08")
	d := e.caseDeadlines(spring, "")["acceptance_review"]
	if dlDate(d.DueOn) != "2024-02-21" || !strings.Contains(d.Explanation, "春节") || !strings.Contains(d.Explanation, "2月18日") || !strings.Contains(d.Article, "行政复议法") {
		t.Fatalf("acceptance_review = %+v", d)
	}
	if en := e.caseDeadlines(spring, "?lang=en")["acceptance_review"]; !strings.Contains(en.Explanation, "Spring Festival") || !strings.Contains(en.Article, "Art. 30") {
		t.Fatalf("English acceptance_review = %+v", en)
	}
	if w := e.do(http.MethodGet, fmt.Sprintf("/api/v1/cases/%d/deadlines", spring), "other", nil); w.Code != http.StatusNotFound {
		t.Fatalf("another organ's case: %d, want 404", w.Code)
	}

	// Accept, suspend 10 days, resume: the decision due date moves by 10 days.
	susp, v := e.createCase("2024-06-03")
	v = e.transition(susp, v, map[string]any{"action": "accept", "effective_on": "2024-06-03", "procedure": "ordinary"})
	if got := dlDate(e.caseDeadlines(susp, "")["decision"].DueOn); got != "2024-08-02" {
		t.Fatalf("decision before suspension = %s", got)
	}
	v = e.transition(susp, v, map[string]any{"action": "suspend", "effective_on": "2024-06-10", "ground": "force_majeure", "reason": "台风"})
	e.transition(susp, v, map[string]any{"action": "resume", "effective_on": "2024-06-20"})
	if got := dlDate(e.caseDeadlines(susp, "")["decision"].DueOn); got != "2024-08-12" {
		t.Fatalf("decision after a 10-day suspension = %s, want 2024-08-12", got)
	}

	// Overdue on 2024-06-25: the review of the 2024-02-08 case and the copies
	// to the respondent of the cases accepted 2024-06-03 (due 06-13) and
	// 2024-06-04 (due 06-14).
	late, v := e.createCase("2024-06-03")
	e.transition(late, v, map[string]any{"action": "accept", "effective_on": "2024-06-04", "procedure": "ordinary"})
	// Due soon: accepted 06-21, copy due 07-02 (5 working days after 06-25).
	soon, v := e.createCase("2024-06-20")
	e.transition(soon, v, map[string]any{"action": "accept", "effective_on": "2024-06-21", "procedure": "ordinary"})

	type listOut struct {
		Items []struct {
			CaseID         int64  `json:"case_id"`
			CaseNo         string `json:"case_no"`
			Kind           string `json:"kind"`
			Status         string `json:"status"`
			HandlerName    string `json:"handler_name"`
			RespondentName string `json:"respondent_name"`
			Explanation    string `json:"explanation"`
		} `json:"items"`
		Total    int64 `json:"total"`
		Page     int   `json:"page"`
		PageSize int   `json:"page_size"`
	}
	caseIDs := func(l listOut) []int64 {
		var ids []int64
		for _, it := range l.Items {
			if !slices.Contains(ids, it.CaseID) {
				ids = append(ids, it.CaseID)
			}
		}
		slices.Sort(ids)
		return ids
	}
	w := e.do(http.MethodGet, "/api/v1/deadlines?overdue=true", "officer", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("overdue list: %d %s", w.Code, w.Body.String())
	}
	overdue := decode[listOut](t, w)
	if got, want := caseIDs(overdue), []int64{spring, susp, late}; !slices.Equal(got, want) {
		t.Fatalf("overdue cases = %v, want %v (%s)", got, want, w.Body.String())
	}
	if it := overdue.Items[0]; it.CaseNo == "" || it.RespondentName == "" || it.HandlerName == "" || it.Explanation == "" {
		t.Errorf("overdue item incomplete: %+v", it)
	}
	if got := caseIDs(decode[listOut](t, e.do(http.MethodGet, "/api/v1/deadlines?due_within_days=7", "officer", nil))); !slices.Contains(got, soon) {
		t.Errorf("due within 7 days = %v, want %d among them", got, soon)
	}
	if l := decode[listOut](t, e.do(http.MethodGet, "/api/v1/deadlines?overdue=true&page_size=1&page=2", "officer", nil)); len(l.Items) != 1 || l.Total != overdue.Total || l.Page != 2 {
		t.Errorf("page 2 of 1: %+v", l)
	}
	if l := decode[listOut](t, e.do(http.MethodGet, "/api/v1/deadlines?overdue=true", "other", nil)); len(l.Items) != 0 {
		t.Errorf("other organ sees %d overdue deadlines", len(l.Items))
	}
	if w := e.do(http.MethodGet, "/api/v1/deadlines?due_within_days=soon", "officer", nil); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "due_within_days") {
		t.Errorf("bad due_within_days: %d %s", w.Code, w.Body.String())
	}

	// The sweep: deemed acceptance of the lapsed 2024-02-08 application, reminders once.
	for range 2 {
		if _, err := e.clock().Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	w = e.do(http.MethodGet, fmt.Sprintf("/api/v1/cases/%d", spring), "officer", nil)
	if c := decode[struct {
		Status         string  `json:"status"`
		AcceptedOn     *string `json:"accepted_on"`
		DeemedAccepted bool    `json:"deemed_accepted"`
	}](t, w); c.Status != "accepted" || dlDate(c.AcceptedOn) != "2024-02-21" || !c.DeemedAccepted {
		t.Errorf("after the sweep the 2024-02-08 case is %+v, want deemed accepted from 2024-02-21", c)
	}
	type noteOut struct {
		Items []struct {
			ID           int64  `json:"id"`
			Kind         string `json:"kind"`
			DeadlineKind string `json:"deadline_kind"`
			SubjectID    int64  `json:"subject_id"`
			Message      string `json:"message"`
		} `json:"items"`
		Unread int64 `json:"unread"`
	}
	notes := decode[noteOut](t, e.do(http.MethodGet, "/api/v1/notifications", "officer", nil))
	seen := map[string]int{}
	for _, n := range notes.Items {
		seen[fmt.Sprintf("%d/%s/%s", n.SubjectID, n.DeadlineKind, n.Kind)]++
	}
	if seen[fmt.Sprintf("%d/respondent_copy/due_5", soon)] != 1 || seen[fmt.Sprintf("%d/respondent_copy/missed", late)] != 1 {
		t.Fatalf("notifications = %v", seen)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("notification %s created %d times", k, n)
		}
	}
	id := notes.Items[0].ID
	if w := e.do(http.MethodPost, fmt.Sprintf("/api/v1/notifications/%d/read", id), "other", nil); w.Code != http.StatusNotFound {
		t.Errorf("other user marks read: %d, want 404", w.Code)
	}
	if w := e.do(http.MethodPost, fmt.Sprintf("/api/v1/notifications/%d/read", id), "officer", nil); w.Code != http.StatusNoContent {
		t.Errorf("mark read: %d %s", w.Code, w.Body.String())
	}
	if after := decode[noteOut](t, e.do(http.MethodGet, "/api/v1/notifications?unread=true", "officer", nil)); after.Unread != notes.Unread-1 || int64(len(after.Items)) != after.Unread {
		t.Errorf("unread after mark read = %d (items %d), want %d", after.Unread, len(after.Items), notes.Unread-1)
	}
}

func TestCalendarAPI(t *testing.T) {
	e := newTestEnv(t)
	type yearOut struct {
		Year     int    `json:"year"`
		Source   string `json:"source"`
		Builtin  bool   `json:"builtin"`
		OffDays  int    `json:"off_days"`
		WorkDays int    `json:"work_days"`
		Days     []struct {
			Date string `json:"date"`
			Name string `json:"name"`
			Off  bool   `json:"off"`
		} `json:"days"`
	}
	years := decode[[]yearOut](t, e.do(http.MethodGet, "/api/v1/calendar", "reporter", nil))
	if len(years) != 12 || years[0].Year != 2015 || years[11].Year != 2026 || !years[9].Builtin {
		t.Fatalf("calendar years = %+v", years)
	}
	y := decode[yearOut](t, e.do(http.MethodGet, "/api/v1/calendar/2024", "officer", nil))
	if !slices.ContainsFunc(y.Days, func(d struct {
		Date string `json:"date"`
		Name string `json:"name"`
		Off  bool   `json:"off"`
	}) bool {
		return d.Date == "2024-02-18" && !d.Off && d.Name == "春节"
	}) {
		t.Fatalf("2024 lacks the 02-18 make-up day: %+v", y.Days)
	}
	if w := e.do(http.MethodGet, "/api/v1/calendar/2027", "officer", nil); w.Code != http.StatusNotFound {
		t.Fatalf("uncovered year: %d", w.Code)
	}

	// A case whose review period runs into 2027: calendar_missing, never guessed.
	ctx := context.Background()
	c := models.Case{OrganID: e.Organ1, CaseNo: "测复〔2026〕99号", Year: 2026, Seq: 99, Status: "received", Version: 1,
		Regime: "rl2023", Applicant: "王五", ApplicantType: "citizen", RespondentID: e.Agency1, ActType: "penalty", ReceivedOn: "2026-12-29"}
	if err := e.db.Write.Create(&c).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := e.clock().RecomputeCases(ctx, []int64{c.ID}); err != nil {
		t.Fatal(err)
	}
	if d := e.caseDeadlines(c.ID, "")["acceptance_review"]; d.Status != "calendar_missing" || d.DueOn != nil {
		t.Fatalf("before 2027 is loaded: %+v", d)
	}

	good := `{"year":2027,"source":"国办发明电〔2026〕测试号","days":[{"date":"2027-01-01","name":"元旦","off":true},{"date":"2027-02-06","name":"春节","off":false}]}`
	for _, tc := range []struct {
		name, user, path, body string
		status                 int
		field                  string
	}{
		{"officer may not", "officer", "/api/v1/calendar/2027", good, http.StatusForbidden, ""},
		{"path and body disagree", "admin", "/api/v1/calendar/2028", good, http.StatusBadRequest, "year"},
		{"make-up day on a weekday", "admin", "/api/v1/calendar/2027",
			`{"year":2027,"source":"x","days":[{"date":"2027-01-04","name":"元旦","off":false}]}`, http.StatusBadRequest, "work[0]"},
		{"missing source", "admin", "/api/v1/calendar/2027", `{"year":2027,"days":[{"date":"2027-01-01","name":"元旦","off":true}]}`, http.StatusBadRequest, "source"},
		{"not JSON", "admin", "/api/v1/calendar/2027", `{"year":`, http.StatusBadRequest, "body"},
		{"valid", "admin", "/api/v1/calendar/2027", good, http.StatusOK, ""},
	} {
		w := e.do(http.MethodPut, tc.path, tc.user, []byte(tc.body))
		if w.Code != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, w.Code, w.Body.String(), tc.status)
			continue
		}
		if tc.field != "" {
			var b struct {
				Error struct {
					Fields map[string]string `json:"fields"`
				} `json:"error"`
			}
			_ = decodeInto(w.Body.Bytes(), &b)
			if _, ok := b.Error.Fields[tc.field]; !ok {
				t.Errorf("%s: error does not name %s: %s", tc.name, tc.field, w.Body.String())
			}
		}
	}
	// 12-30, 12-31, (01-01 元旦 and the weekend), 01-04, 01-05, 01-06.
	if d := e.caseDeadlines(c.ID, ""); dlDate(d["acceptance_review"].DueOn) != "2027-01-06" {
		t.Fatalf("after 2027 is loaded: %+v", d["acceptance_review"])
	}
	if ys := decode[[]yearOut](t, e.do(http.MethodGet, "/api/v1/calendar", "officer", nil)); len(ys) != 13 || ys[12].Year != 2027 || ys[12].Builtin || ys[12].WorkDays != 1 {
		t.Fatalf("calendar years after PUT = %+v", ys)
	}
}

func decodeInto(b []byte, v any) error { return json.Unmarshal(b, v) }
