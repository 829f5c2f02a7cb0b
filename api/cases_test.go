package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// newCaseBody is a valid application for organ 1 (agency by name) or organ 2.
func (e *testEnv) newCaseBody(organ int) map[string]any {
	respondent := any("区市场监督管理局")
	if organ == 2 {
		respondent = e.Agency2
	}
	return map[string]any{
		"applicants":    []map[string]string{{"name": "张三", "type": "公民", "id_number": "110117199001011234", "phone": "13812345678"}},
		"respondent":    respondent,
		"act_type":      "行政处罚",
		"area":          "市场监管",
		"received_on":   "2024-03-01",
		"channel":       "post",
		"request":       "撤销处罚决定",
		"third_parties": []map[string]string{{"name": "某公司"}},
	}
}

// mkCase creates a case through the API as user and returns its JSON.
func (e *testEnv) mkCase(user string, organ int) caseJSON {
	e.t.Helper()
	w := e.do(http.MethodPost, "/api/v1/cases", user, e.newCaseBody(organ))
	if w.Code != http.StatusCreated {
		e.t.Fatalf("create case as %s: %d %s", user, w.Code, w.Body.String())
	}
	return decode[caseJSON](e.t, w)
}

type errorEnvelope struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
		Details map[string]any    `json:"details"`
	} `json:"error"`
}

// TestCaseEndpointsRolesAndOrgans runs every case endpoint as every role,
// against a case of the caller's organ and one of the other organ.
func TestCaseEndpointsRolesAndOrgans(t *testing.T) {
	e := newTestEnv(t)
	type endpoint struct {
		name   string
		method string
		path   string // %d = case id; no %d = not case-specific
		body   func(c caseJSON) any
		write  bool
		ok     int
	}
	endpoints := []endpoint{
		{"list", http.MethodGet, "/api/v1/cases", nil, false, http.StatusOK},
		{"export", http.MethodGet, "/api/v1/cases/export?format=csv", nil, false, http.StatusOK},
		{"meta", http.MethodGet, "/api/v1/meta", nil, false, http.StatusOK},
		{"agencies", http.MethodGet, "/api/v1/agencies", nil, false, http.StatusOK},
		{"create", http.MethodPost, "/api/v1/cases", nil, true, http.StatusCreated},
		{"get", http.MethodGet, "/api/v1/cases/%d", nil, false, http.StatusOK},
		{"events", http.MethodGet, "/api/v1/cases/%d/events", nil, false, http.StatusOK},
		{"patch", http.MethodPatch, "/api/v1/cases/%d", func(c caseJSON) any {
			return map[string]any{"version": c.Version, "note": "补充说明"}
		}, true, http.StatusOK},
		{"transition", http.MethodPost, "/api/v1/cases/%d/transitions", func(c caseJSON) any {
			return map[string]any{"action": "accept", "procedure": "ordinary", "effective_on": "2024-03-04", "version": c.Version}
		}, true, http.StatusOK},
	}
	organOf := map[string]int{"admin": 1, "manager": 1, "officer": 1, "reporter": 1, "other": 2}
	for _, user := range []string{"admin", "manager", "officer", "reporter", "other", ""} {
		for _, ep := range endpoints {
			for _, target := range []string{"own", "other"} {
				if !strings.Contains(ep.path, "%d") && target == "other" {
					continue
				}
				name := fmt.Sprintf("%s/%s/%s", orAnon(user), ep.name, target)
				t.Run(name, func(t *testing.T) {
					// Fresh cases in both organs for each scenario.
					c1, c2 := e.mkCase("officer", 1), e.mkCase("other", 2)
					mine, theirs := c1, c2
					if organOf[user] == 2 {
						mine, theirs = c2, c1
					}
					c := mine
					if target == "other" {
						c = theirs
					}
					path := ep.path
					if strings.Contains(path, "%d") {
						path = fmt.Sprintf(path, c.ID)
					}
					var body any
					switch {
					case ep.body != nil:
						body = ep.body(c)
					case ep.name == "create":
						body = e.newCaseBody(max(organOf[user], 1))
					}
					want := ep.ok
					switch {
					case user == "":
						want = http.StatusUnauthorized
					case ep.write && user == "reporter":
						want = http.StatusForbidden
					case target == "other":
						want = http.StatusNotFound
					}
					w := e.do(ep.method, path, user, body)
					if w.Code != want {
						t.Fatalf("%s %s as %s: %d, want %d: %s", ep.method, path, orAnon(user), w.Code, want, w.Body.String())
					}
					if want == http.StatusNotFound && strings.Contains(w.Body.String(), c.CaseNo) {
						t.Fatalf("404 body leaks the case: %s", w.Body.String())
					}
					if w.Code != http.StatusOK {
						return
					}
					switch ep.name {
					case "list":
						l := decode[caseListJSON](t, w)
						for _, it := range l.Items {
							if it.OrganID != mine.OrganID {
								t.Fatalf("list shows organ %d's case %s to %s", it.OrganID, it.CaseNo, user)
							}
						}
						if l.Total == 0 || l.Page != 1 || l.PageSize != 20 {
							t.Fatalf("list %+v", l)
						}
					case "export":
						if strings.Contains(w.Body.String(), theirs.CaseNo) || !strings.Contains(w.Body.String(), mine.CaseNo) {
							t.Fatalf("export scope wrong for %s", user)
						}
					case "get":
						got := decode[caseJSON](t, w)
						if user == "reporter" {
							if len(got.AllowedActions) != 0 || got.Applicants[0].IDNumber != "1101**********1234" || got.Applicants[0].Phone != "138****5678" {
								t.Fatalf("reporter view %+v", got)
							}
						} else if len(got.AllowedActions) == 0 || got.Applicants[0].IDNumber != "110117199001011234" {
							t.Fatalf("%s view %+v", user, got)
						}
					}
				})
			}
		}
	}
}

func orAnon(u string) string {
	if u == "" {
		return "anonymous"
	}
	return u
}

// TestCaseLifecycleThroughTheAPI is the "new user" walk of the foundation
// issue: create, accept, decide (revoked), serve, close, read the timeline.
func TestCaseLifecycleThroughTheAPI(t *testing.T) {
	e := newTestEnv(t)
	c := e.mkCase("officer", 1)
	if c.Status != "received" || c.Version != 1 || c.Regime != "rl2023" || !strings.HasSuffix(c.CaseNo, "〔2024〕1号") ||
		c.RespondentID != e.Agency1 || c.ActType != "penalty" || c.Area != "market_regulation" ||
		len(c.ThirdParties) != 1 || c.OrganName == "" || c.RespondentName != "区市场监督管理局" {
		t.Fatalf("created %+v", c)
	}
	steps := []map[string]any{
		{"action": "accept", "procedure": "ordinary", "effective_on": "2024-03-04"},
		{"action": "decide", "outcome": "revoked", "redo": true, "effective_on": "2024-04-20", "note": "主要事实不清"},
		{"action": "serve", "effective_on": "2024-04-23"},
		{"action": "close", "effective_on": "2024-05-06"},
	}
	for _, st := range steps {
		st["version"] = c.Version
		w := e.do(http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/transitions", c.ID), "officer", st)
		if w.Code != http.StatusOK {
			t.Fatalf("%v: %d %s", st["action"], w.Code, w.Body.String())
		}
		c = decode[caseJSON](t, w)
	}
	if c.Status != "closed" || c.Outcome != "revoked" || !c.OutcomeRedo || *c.ClosedOn != "2024-04-20" ||
		*c.ServedOn != "2024-04-23" || *c.ArchivedOn != "2024-05-06" || *c.AcceptedOn != "2024-03-04" || c.Version != 5 {
		t.Fatalf("closed case %+v", c)
	}
	w := e.do(http.MethodGet, fmt.Sprintf("/api/v1/cases/%d/events", c.ID), "manager", nil)
	evs := decode[[]eventJSON](t, w)
	var actions []string
	for _, ev := range evs {
		actions = append(actions, ev.Action)
	}
	if strings.Join(actions, ",") != "create,accept,decide,serve,close" || evs[2].Note != "主要事实不清" || !strings.Contains(string(evs[2].Payload), `"outcome":"revoked"`) {
		t.Fatalf("timeline %s", w.Body.String())
	}
	// The other organ's officer can neither read nor list it.
	if w := e.do(http.MethodGet, fmt.Sprintf("/api/v1/cases/%d", c.ID), "other", nil); w.Code != http.StatusNotFound {
		t.Fatalf("other reads: %d", w.Code)
	}
	if w := e.do(http.MethodGet, "/api/v1/cases?q="+c.CaseNo, "other", nil); decode[caseListJSON](t, w).Total != 0 {
		t.Fatalf("other lists it")
	}
}

func TestCaseErrorsThroughTheAPI(t *testing.T) {
	e := newTestEnv(t)
	c := e.mkCase("officer", 1)
	tr := fmt.Sprintf("/api/v1/cases/%d/transitions", c.ID)

	// Bad date → 400 naming the field; every bad field at once.
	body := e.newCaseBody(1)
	body["received_on"] = "2024-02-30"
	body["act_type"] = "不存在"
	w := e.do(http.MethodPost, "/api/v1/cases", "officer", body)
	env := decode[errorEnvelope](t, w)
	if w.Code != http.StatusBadRequest || env.Error.Fields["received_on"] == "" || env.Error.Fields["act_type"] == "" {
		t.Fatalf("bad date: %d %s", w.Code, w.Body.String())
	}
	// Deciding before accepting is refused naming the state, in the request's language.
	req := map[string]any{"action": "decide", "outcome": "upheld", "effective_on": "2024-03-05", "version": c.Version}
	w = e.do(http.MethodPost, tr, "officer", req)
	env = decode[errorEnvelope](t, w)
	if w.Code != http.StatusUnprocessableEntity || env.Error.Code != "invalid_transition" || !strings.Contains(env.Error.Message, "已收件") ||
		env.Error.Details["current_status"] != "received" {
		t.Fatalf("decide before accept: %d %s", w.Code, w.Body.String())
	}
	w = e.doLang(http.MethodPost, tr, "officer", "en-US,en;q=0.9", req)
	env = decode[errorEnvelope](t, w)
	if !strings.Contains(env.Error.Message, "the case is received") || !strings.Contains(env.Error.Message, "accept") {
		t.Fatalf("english refusal: %s", w.Body.String())
	}
	// Stale version → 409.
	w = e.do(http.MethodPost, tr, "officer", map[string]any{"action": "accept", "procedure": "ordinary", "effective_on": "2024-03-04", "version": c.Version})
	if w.Code != http.StatusOK {
		t.Fatalf("accept: %d %s", w.Code, w.Body.String())
	}
	w = e.do(http.MethodPatch, fmt.Sprintf("/api/v1/cases/%d", c.ID), "officer", map[string]any{"version": c.Version, "note": "x"})
	if w.Code != http.StatusConflict || errorCode(t, w) != "stale_version" {
		t.Fatalf("stale patch: %d %s", w.Code, w.Body.String())
	}
	// Transition parameter errors name the parameter.
	w = e.do(http.MethodPost, tr, "officer", map[string]any{"action": "extend", "days": 31, "approved_by": "李", "effective_on": "2024-03-10", "version": c.Version + 1})
	if env = decode[errorEnvelope](t, w); w.Code != http.StatusBadRequest || env.Error.Fields["days"] == "" {
		t.Fatalf("extend 31: %d %s", w.Code, w.Body.String())
	}
	// Bad query parameters.
	w = e.do(http.MethodGet, "/api/v1/cases?page_size=500&sort=applicant&page=x", "officer", nil)
	if env = decode[errorEnvelope](t, w); w.Code != http.StatusBadRequest || env.Error.Fields["page"] == "" {
		t.Fatalf("bad page: %d %s", w.Code, w.Body.String())
	}
	w = e.do(http.MethodGet, "/api/v1/cases?page_size=500&sort=applicant", "officer", nil)
	if env = decode[errorEnvelope](t, w); w.Code != http.StatusBadRequest || env.Error.Fields["page_size"] == "" || env.Error.Fields["sort"] == "" {
		t.Fatalf("bad list query: %d %s", w.Code, w.Body.String())
	}
	w = e.do(http.MethodGet, "/api/v1/cases?metric=no_such_metric", "officer", nil)
	if env = decode[errorEnvelope](t, w); w.Code != http.StatusBadRequest || env.Error.Fields["metric"] == "" {
		t.Fatalf("unknown metric: %d %s", w.Code, w.Body.String())
	}
	// Unknown and malformed ids are 404.
	for _, p := range []string{"/api/v1/cases/999999", "/api/v1/cases/abc", "/api/v1/cases/999999/events"} {
		if w := e.do(http.MethodGet, p, "officer", nil); w.Code != http.StatusNotFound {
			t.Fatalf("%s: %d", p, w.Code)
		}
	}
	// Respondent as an id number, in a string, and an unknown one.
	body = e.newCaseBody(1)
	body["respondent"] = fmt.Sprint(e.Agency1)
	if w := e.do(http.MethodPost, "/api/v1/cases", "officer", body); w.Code != http.StatusCreated {
		t.Fatalf("respondent as id string: %d %s", w.Code, w.Body.String())
	}
	body["respondent"] = e.Agency2
	w = e.do(http.MethodPost, "/api/v1/cases", "officer", body)
	if env = decode[errorEnvelope](t, w); w.Code != http.StatusBadRequest || env.Error.Fields["respondent"] == "" {
		t.Fatalf("other organ's agency: %d %s", w.Code, w.Body.String())
	}
}

func TestCaseExportAndMeta(t *testing.T) {
	e := newTestEnv(t)
	body := e.newCaseBody(1)
	body["applicants"] = []map[string]string{{"name": "=1+1", "id_number": "110117199001011234"}}
	c := decode[caseJSON](t, e.do(http.MethodPost, "/api/v1/cases", "officer", body))
	w := e.do(http.MethodGet, "/api/v1/cases/export?format=csv", "manager", nil)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") ||
		!strings.Contains(w.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv: %d %v", w.Code, w.Header())
	}
	out := w.Body.String()
	if !strings.HasPrefix(out, "\uFEFF案号") || !strings.Contains(out, c.CaseNo) || !strings.Contains(out, "'=1+1") ||
		strings.Contains(out, "110117199001011234") || !strings.Contains(out, "1101**********1234") {
		t.Fatalf("csv body %q", out)
	}
	w = e.do(http.MethodGet, "/api/v1/cases/export?format=xlsx&status=received", "reporter", nil)
	f, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	rows, _ := f.GetRows("案件")
	if len(rows) != 2 || rows[1][0] != c.CaseNo {
		t.Fatalf("xlsx rows %v", rows)
	}
	if w := e.do(http.MethodGet, "/api/v1/cases/export?format=pdf", "manager", nil); w.Code != http.StatusBadRequest {
		t.Fatalf("pdf: %d", w.Code)
	}
	w = e.do(http.MethodGet, "/api/v1/meta", "reporter", nil)
	raw := decode[map[string]json.RawMessage](t, w)
	for _, k := range []string{"statuses", "actions", "outcomes", "terminations", "act_types", "areas", "suspension_grounds", "procedures", "regimes"} {
		var list []map[string]any
		if err := json.Unmarshal(raw[k], &list); err != nil || len(list) == 0 || list[0]["zh"] == "" || list[0]["en"] == "" || list[0]["code"] == "" {
			t.Fatalf("meta %s = %s", k, raw[k])
		}
	}
}

// doLang is do with an Accept-Language header.
func (e *testEnv) doLang(method, path, user, acceptLanguage string, body any) *httptest.ResponseRecorder {
	e.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		e.t.Fatal(err)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", acceptLanguage)
	req.Header.Set("Authorization", "Bearer "+e.tokens[user])
	w := httptest.NewRecorder()
	e.router.ServeHTTP(w, req)
	return w
}
