package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestPersonalDataByRole: an applicant's ID and phone numbers are shown in
// full only to roles that may see them (CanSeePersonalData) on the case
// itself; reporters see them masked everywhere; exports are masked for
// everyone; another organ's officer finds the case in no list or export.
func TestPersonalDataByRole(t *testing.T) {
	e, _ := importEnv(t)
	const idNo, phone, name = "110117199003071234", "13812345678", "赵个人"
	w := e.do(http.MethodPost, "/api/v1/cases", "officer", map[string]any{
		"applicant": name, "applicant_type": "公民", "respondent": e.Agency1, "act_type": "行政处罚", "request": "撤销处罚决定",
		"channel": "post", "received_on": "2024-03-05",
		"applicants": []map[string]any{{"name": name, "type": "citizen", "id_number": idNo, "phone": phone, "address": "北京市平谷区某某街道1号"}},
	})
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body.String())
	}
	id := decode[struct {
		ID int64 `json:"id"`
	}](t, w).ID
	if w := e.do(http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/documents", id), "officer", map[string]any{"kind": "acceptance_notice"}); w.Code != http.StatusCreated {
		t.Logf("document: %d %s", w.Code, w.Body.String())
	}
	full := func(body string) bool { return strings.Contains(body, idNo) || strings.Contains(body, phone) }
	get := func(user, path string) string {
		t.Helper()
		w := e.do(http.MethodGet, path, user, nil)
		if w.Code != http.StatusOK {
			t.Fatalf("%s %s: %d %s", user, path, w.Code, w.Body.String())
		}
		return w.Body.String()
	}
	detail := fmt.Sprintf("/api/v1/cases/%d", id)
	for _, user := range []string{"admin", "manager", "officer"} {
		if b := get(user, detail); !full(b) {
			t.Errorf("%s should see the full numbers on the case: %s", user, b)
		}
	}
	reporterPaths := []string{detail, detail + "/events", "/api/v1/cases", "/api/v1/cases?q=" + name, "/api/v1/cases/export?format=csv",
		"/api/v1/cases/export?format=xlsx", fmt.Sprintf("/api/v1/cases/%d/documents", id), "/api/v1/queues/unassigned"}
	for _, path := range reporterPaths {
		w := e.do(http.MethodGet, path, "reporter", nil)
		if w.Code == http.StatusOK && full(w.Body.String()) {
			t.Errorf("reporter sees full personal data at %s", path)
		}
	}
	if b := get("reporter", detail); !strings.Contains(b, "1101") || !strings.Contains(b, "*") {
		t.Errorf("reporter's view is not masked but present: %s", b)
	}
	for _, user := range []string{"admin", "manager", "officer"} {
		for _, path := range []string{"/api/v1/cases/export?format=csv", "/api/v1/imports/ledger?format=csv"} {
			if b := get(user, path); full(b) {
				t.Errorf("%s: export %s is not masked", user, path)
			}
		}
	}
	for _, path := range []string{"/api/v1/cases", "/api/v1/cases?q=" + name, "/api/v1/cases/export?format=csv", "/api/v1/imports/ledger?format=csv",
		"/api/v1/deadlines", "/api/v1/queues/mine", "/api/v1/queues/unassigned", "/api/v1/proposals", "/api/v1/followups", "/api/v1/typical-cases",
		"/api/v1/reports/yearly?year=2024&format=csv", "/api/v1/stats/breakdown?by=respondent&from=2024-01-01&to=2024-12-31"} {
		w := e.do(http.MethodGet, path, "other", nil)
		if w.Code == http.StatusOK && (strings.Contains(w.Body.String(), name) || full(w.Body.String())) {
			t.Errorf("other organ finds the case at %s: %s", path, w.Body.String())
		}
	}
	if w := e.do(http.MethodGet, "/api/v1/stats?from=2024-01-01&to=2024-12-31", "other", nil); !strings.Contains(w.Body.String(), `"received":0`) {
		t.Errorf("other organ's statistics count organ 1's case: %s", w.Body.String())
	}
}
