package api

import (
	"fmt"
	"net/http"
	"testing"
)

type litView struct {
	ID               int64    `json:"id"`
	Status           string   `json:"status"`
	Version          int64    `json:"version"`
	InternalNo       string   `json:"internal_no"`
	Lost             bool     `json:"lost"`
	DefenceDueOn     *string  `json:"defence_due_on"`
	AppealDeadlineOn *string  `json:"appeal_deadline_on"`
	AllowedActions   []string `json:"allowed_actions"`
	DefendantName    string   `json:"defendant_name"`
	Hearings         []struct {
		ID           int64 `json:"id"`
		HeadAppeared bool  `json:"head_appeared"`
	} `json:"hearings"`
	Next []struct {
		ID       int64  `json:"id"`
		Instance string `json:"instance"`
	} `json:"next_instances"`
	PreviousInstanceID *int64 `json:"previous_instance_id"`
}

// Access rules of the litigation endpoints: anonymous 401, reporter read-only
// (403 on writes), another organ's record 404.
func TestLitigationAPIAccess(t *testing.T) {
	e := newTestEnv(t)
	body := map[string]any{"kind": "administrative", "court_case_no": "（2022）京0117行初1号", "notified_on": "2022-03-01", "defendant": "区市场监督管理局"}
	w := e.do(http.MethodPost, "/api/v1/litigations", "officer", body)
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body.String())
	}
	v := decode[litView](t, w)
	path := fmt.Sprintf("/api/v1/litigations/%d", v.ID)
	for _, sc := range []struct {
		name, method, path, user string
		body                     any
		want                     int
	}{
		{"anonymous list", http.MethodGet, "/api/v1/litigations", "", nil, http.StatusUnauthorized},
		{"anonymous suggestions", http.MethodGet, "/api/v1/suggestions", "", nil, http.StatusUnauthorized},
		{"reporter reads", http.MethodGet, path, "reporter", nil, http.StatusOK},
		{"reporter list", http.MethodGet, "/api/v1/litigations?kind=administrative", "reporter", nil, http.StatusOK},
		{"reporter may not create", http.MethodPost, "/api/v1/litigations", "reporter", body, http.StatusForbidden},
		{"reporter may not transition", http.MethodPost, path + "/transitions", "reporter", map[string]any{"action": "file_defence", "effective_on": "2022-03-05", "version": 1}, http.StatusForbidden},
		{"reporter may not add a suggestion", http.MethodPost, "/api/v1/suggestions", "reporter", map[string]any{"type": "judicial", "received_or_issued_on": "2022-03-01"}, http.StatusForbidden},
		{"other organ get", http.MethodGet, path, "other", nil, http.StatusNotFound},
		{"other organ patch", http.MethodPatch, path, "other", map[string]any{"version": 1, "note": "x"}, http.StatusNotFound},
		{"other organ events", http.MethodGet, path + "/events", "other", nil, http.StatusNotFound},
		{"other organ hearing", http.MethodPost, path + "/hearings", "other", map[string]any{"version": 1, "held_on": "2022-04-01", "appeared_role": "staff"}, http.StatusNotFound},
		{"bad id", http.MethodGet, "/api/v1/litigations/abc", "officer", nil, http.StatusNotFound},
		{"duplicate court case number", http.MethodPost, "/api/v1/litigations", "manager", body, http.StatusConflict},
		{"validation", http.MethodPost, "/api/v1/litigations", "officer", map[string]any{"kind": "nope"}, http.StatusBadRequest},
		{"stale patch", http.MethodPatch, path, "officer", map[string]any{"version": 7, "note": "x"}, http.StatusConflict},
		{"refused transition", http.MethodPost, path + "/transitions", "officer", map[string]any{"action": "serve", "effective_on": "2022-03-05", "version": 1}, http.StatusUnprocessableEntity},
		{"unknown metric", http.MethodGet, "/api/v1/litigations?metric=nope", "officer", nil, http.StatusBadRequest},
		{"unknown sort", http.MethodGet, "/api/v1/litigations?sort=secret", "officer", nil, http.StatusBadRequest},
		{"other organ list is empty", http.MethodGet, "/api/v1/litigations", "other", nil, http.StatusOK},
	} {
		w := e.do(sc.method, sc.path, sc.user, sc.body)
		if w.Code != sc.want {
			t.Errorf("%s: %d, want %d: %s", sc.name, w.Code, sc.want, w.Body.String())
		}
	}
	w = e.do(http.MethodPost, path+"/transitions", "officer", map[string]any{"action": "serve", "effective_on": "2022-03-05", "version": 1})
	if errorCode(t, w) != "invalid_transition" {
		t.Fatalf("refusal code: %s", w.Body.String())
	}
	lst := decode[struct {
		Total int64 `json:"total"`
	}](t, e.do(http.MethodGet, "/api/v1/litigations", "other", nil))
	if lst.Total != 0 {
		t.Fatalf("other organ sees %d records", lst.Total)
	}
}

// The "done when" through the API: a co-defendant first-instance
// suit, a hearing with the deputy head, a judgment revoking the act, an
// appeal opening the linked second instance; the report shows the loss and
// the appearance.
func TestLitigationAPIScenario(t *testing.T) {
	e := newTestEnv(t)
	e.deps.Stats.SetLitigation(e.deps.Litigation)
	w := e.do(http.MethodPost, "/api/v1/litigations", "officer", map[string]any{
		"kind": "administrative", "instance": "first", "court": "北京市平谷区人民法院", "court_case_no": "（2022）京0117行初5号",
		"plaintiffs": []string{"张三"}, "defendant_agency_id": e.Agency1, "co_defendant_role": "reconsideration_body",
		"notified_on": "2022-01-10",
	})
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body.String())
	}
	v := decode[litView](t, w)
	if v.DefenceDueOn == nil || *v.DefenceDueOn != "2022-01-25" || v.DefendantName != "区市场监督管理局" {
		t.Fatalf("created %+v", v)
	}
	path := fmt.Sprintf("/api/v1/litigations/%d", v.ID)
	step := func(body map[string]any, want int) litView {
		t.Helper()
		body["version"] = v.Version
		w := e.do(http.MethodPost, path+"/transitions", "officer", body)
		if w.Code != want {
			t.Fatalf("%v: %d %s", body["action"], w.Code, w.Body.String())
		}
		return decode[litView](t, w)
	}
	v = step(map[string]any{"action": "file_defence", "effective_on": "2022-01-20"}, http.StatusOK)
	w = e.do(http.MethodPost, path+"/hearings", "officer", map[string]any{"version": v.Version, "held_on": "2022-04-12",
		"appeared_role": "deputy_head", "appeared_name": "李副区长", "summoned": true})
	if w.Code != http.StatusCreated {
		t.Fatalf("hearing: %d %s", w.Code, w.Body.String())
	}
	v = decode[litView](t, w)
	if v.Status != "heard" || len(v.Hearings) != 1 || !v.Hearings[0].HeadAppeared {
		t.Fatalf("heard %+v", v)
	}
	v = step(map[string]any{"action": "decide", "effective_on": "2022-06-15", "outcome": "revoked"}, http.StatusOK)
	if !v.Lost {
		t.Fatal("revoked must be a loss")
	}
	v = step(map[string]any{"action": "serve", "effective_on": "2022-06-20"}, http.StatusOK)
	if v.AppealDeadlineOn == nil || *v.AppealDeadlineOn != "2022-07-05" {
		t.Fatalf("appeal deadline %v", v.AppealDeadlineOn)
	}
	step(map[string]any{"action": "appeal", "effective_on": "2022-07-01"}, http.StatusBadRequest) // court_case_no of the new instance missing
	v = step(map[string]any{"action": "appeal", "effective_on": "2022-07-01", "court_case_no": "（2022）京03行终88号", "court": "北京市第三中级人民法院"}, http.StatusOK)
	if v.Status != "appealed" || len(v.Next) != 1 || v.Next[0].Instance != "second" {
		t.Fatalf("appealed %+v", v)
	}
	second := decode[litView](t, e.do(http.MethodGet, fmt.Sprintf("/api/v1/litigations/%d", v.Next[0].ID), "reporter", nil))
	if second.PreviousInstanceID == nil || *second.PreviousInstanceID != v.ID || len(second.AllowedActions) != 0 {
		t.Fatalf("second instance as reporter %+v", second)
	}
	evs := decode[[]map[string]any](t, e.do(http.MethodGet, path+"/events", "officer", nil))
	if len(evs) != 6 {
		t.Fatalf("events %d", len(evs))
	}
	ds := decode[[]map[string]any](t, e.do(http.MethodGet, path+"/deadlines", "officer", nil))
	if len(ds) != 2 {
		t.Fatalf("deadlines %v", ds)
	}

	rep := decode[struct {
		Litigation struct {
			FirstInstance  int64 `json:"first_instance"`
			SecondInstance int64 `json:"second_instance"`
			Metrics        map[string]struct {
				Numerator   int64    `json:"numerator"`
				Denominator int64    `json:"denominator"`
				Rate        *float64 `json:"rate"`
			} `json:"metrics"`
		} `json:"litigation"`
	}](t, e.do(http.MethodGet, "/api/v1/stats?from=2022-01-01&to=2022-12-31", "reporter", nil))
	l := rep.Litigation
	if l.FirstInstance != 1 || l.SecondInstance != 1 || l.Metrics["loss_rate"].Numerator != 1 || l.Metrics["loss_rate"].Denominator != 1 ||
		l.Metrics["head_appearance"].Numerator != 1 || l.Metrics["head_appearance"].Denominator != 1 {
		t.Fatalf("report litigation block %+v", l)
	}
	full := decode[struct {
		ByAgency []struct {
			AgencyID          int64 `json:"agency_id"`
			LostFirstInstance int64 `json:"lost_first_instance"`
		} `json:"by_agency"`
	}](t, e.do(http.MethodGet, "/api/v1/litigations/stats?from=2022-01-01&to=2022-12-31", "manager", nil))
	if len(full.ByAgency) != 1 || full.ByAgency[0].AgencyID != e.Agency1 || full.ByAgency[0].LostFirstInstance != 1 {
		t.Fatalf("by agency %+v", full)
	}
	lst := decode[struct {
		Items []litView `json:"items"`
		Total int64     `json:"total"`
	}](t, e.do(http.MethodGet, "/api/v1/litigations?metric=loss_rate&from=2022-01-01&to=2022-12-31", "reporter", nil))
	if lst.Total != 1 || lst.Items[0].ID != v.ID {
		t.Fatalf("drill-down %+v", lst)
	}
}

// Suggestions through the API: a judicial suggestion with the court's reply
// date, answered on time; the list's drill-down returns it.
func TestSuggestionAPI(t *testing.T) {
	e := newTestEnv(t)
	w := e.do(http.MethodPost, "/api/v1/suggestions", "officer", map[string]any{"type": "judicial", "number": "（2022）京0117司建1号",
		"issuer_or_recipient": "北京市平谷区人民法院", "received_or_issued_on": "2022-05-10", "due_on": "2022-07-10"})
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body.String())
	}
	g := decode[struct {
		ID      int64 `json:"id"`
		Version int64 `json:"version"`
	}](t, w)
	path := fmt.Sprintf("/api/v1/suggestions/%d", g.ID)
	if w := e.do(http.MethodGet, path, "other", nil); w.Code != http.StatusNotFound {
		t.Fatalf("other organ: %d", w.Code)
	}
	if w := e.do(http.MethodPost, path+"/reply", "reporter", map[string]any{"version": g.Version, "replied_on": "2022-07-01"}); w.Code != http.StatusForbidden {
		t.Fatalf("reporter reply: %d", w.Code)
	}
	w = e.do(http.MethodPost, path+"/reply", "officer", map[string]any{"version": g.Version, "replied_on": "2022-07-01", "reply": "已整改", "adopted": true})
	if w.Code != http.StatusOK {
		t.Fatalf("reply: %d %s", w.Code, w.Body.String())
	}
	r := decode[struct {
		RepliedOnTime *bool `json:"replied_on_time"`
		Version       int64 `json:"version"`
	}](t, w)
	if r.RepliedOnTime == nil || !*r.RepliedOnTime {
		t.Fatalf("reply %+v", r)
	}
	if w := e.do(http.MethodPatch, path, "officer", map[string]any{"version": g.Version, "note": "x"}); w.Code != http.StatusConflict {
		t.Fatalf("stale patch: %d", w.Code)
	}
	if w := e.do(http.MethodPatch, path, "manager", map[string]any{"version": r.Version, "note": "归档"}); w.Code != http.StatusOK {
		t.Fatalf("patch: %d %s", w.Code, w.Body.String())
	}
	lst := decode[struct {
		Total int64 `json:"total"`
	}](t, e.do(http.MethodGet, "/api/v1/suggestions?metric=suggestions_replied_on_time&from=2022-01-01&to=2022-12-31", "reporter", nil))
	if lst.Total != 1 {
		t.Fatalf("drill-down total %d", lst.Total)
	}
	ds := decode[[]map[string]any](t, e.do(http.MethodGet, path+"/deadlines", "officer", nil))
	if len(ds) != 1 || ds[0]["status"] != "met" {
		t.Fatalf("deadlines %v", ds)
	}
}
