package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestStatsReportsMetricsThroughTheAPI runs the statistics, report, lock and
// metric-definition endpoints through the real router, with the lifecycle
// hooks maintaining the rollup, as every role and across organs.
func TestStatsReportsMetricsThroughTheAPI(t *testing.T) {
	e := newTestEnv(t)
	step := func(c caseJSON, body map[string]any) caseJSON {
		t.Helper()
		body["version"] = c.Version
		w := e.do(http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/transitions", c.ID), "officer", body)
		if w.Code != http.StatusOK {
			t.Fatalf("%v: %d %s", body["action"], w.Code, w.Body.String())
		}
		return decode[caseJSON](t, w)
	}
	revoked := e.mkCase("officer", 1)
	revoked = step(revoked, map[string]any{"action": "accept", "procedure": "ordinary", "effective_on": "2024-03-04"})
	revoked = step(revoked, map[string]any{"action": "decide", "outcome": "revoked", "effective_on": "2024-04-20"})
	open := e.mkCase("officer", 1)
	open = step(open, map[string]any{"action": "accept", "procedure": "ordinary", "effective_on": "2024-03-04"})
	e.mkCase("officer", 1)
	e.mkCase("other", 2)

	type figures struct {
		Reconsideration struct {
			Received, Accepted, Closed int64
			Outcomes                   map[string]int64
			Metrics                    map[string]struct {
				Numerator, Denominator int64
				Rate                   *float64
			}
		}
		Locks []struct{ Year int }
	}
	period := "from=2024-01-01&to=2024-12-31"
	for _, user := range []string{"admin", "manager", "officer", "reporter"} {
		w := e.do(http.MethodGet, "/api/v1/stats?"+period, user, nil)
		if w.Code != http.StatusOK {
			t.Fatalf("stats as %s: %d %s", user, w.Code, w.Body.String())
		}
		f := decode[figures](t, w)
		rc := f.Reconsideration
		if rc.Received != 3 || rc.Accepted != 2 || rc.Closed != 1 || rc.Outcomes["revoked"] != 1 ||
			rc.Metrics["comprehensive_correction"].Numerator != 1 || *rc.Metrics["comprehensive_correction"].Rate != 1 {
			t.Errorf("stats as %s = %+v", user, rc)
		}
	}
	if f := decode[figures](t, e.do(http.MethodGet, "/api/v1/stats?"+period, "other", nil)); f.Reconsideration.Received != 1 {
		t.Errorf("other organ sees %d received, want its own 1", f.Reconsideration.Received)
	}
	scenarios := []struct {
		name, method, path, user string
		body                     any
		want                     int
		contains                 string
	}{
		{"stats of a non-granted organ", "GET", fmt.Sprintf("/api/v1/stats?%s&organ=%d", period, e.Organ2), "manager", nil, 404, "not_found"},
		{"stats of a granted organ", "GET", fmt.Sprintf("/api/v1/stats?%s&organ=%d", period, e.Organ1), "reporter", nil, 200, `"received":3`},
		{"stats anonymous", "GET", "/api/v1/stats?" + period, "", nil, 401, ""},
		{"stats bad date", "GET", "/api/v1/stats?from=2024-13-01&to=2024-12-31", "manager", nil, 400, `"from"`},
		{"breakdown by respondent", "GET", "/api/v1/stats/breakdown?by=respondent&" + period, "manager", nil, 200, "区市场监督管理局"},
		{"breakdown by month", "GET", "/api/v1/stats/breakdown?by=month&" + period, "manager", nil, 200, `"key":"2024-03"`},
		{"breakdown bad dimension", "GET", "/api/v1/stats/breakdown?by=colour&" + period, "manager", nil, 400, `"by"`},
		{"drill-down closed", "GET", "/api/v1/cases?metric=closed&" + period, "manager", nil, 200, `"total":1`},
		{"drill-down received", "GET", "/api/v1/cases?metric=received&" + period, "manager", nil, 200, `"total":3`},
		{"drill-down pending", "GET", "/api/v1/cases?metric=pending_end&" + period, "manager", nil, 200, `"total":1`},
		{"drill-down metric", "GET", "/api/v1/cases?metric=comprehensive_correction&" + period, "manager", nil, 200, `"total":1`},
		{"drill-down unknown", "GET", "/api/v1/cases?metric=happiness&" + period, "manager", nil, 400, "metric"},
		{"yearly md", "GET", "/api/v1/reports/yearly?year=2024&format=md", "reporter", nil, 200, "全年共接收行政复议申请3件"},
		{"yearly md en", "GET", "/api/v1/reports/yearly?year=2024&format=md&lang=en", "reporter", nil, 200, "3 applications"},
		{"yearly json", "GET", "/api/v1/reports/yearly?year=2024&format=json", "officer", nil, 200, `"closed": 1,`},
		{"yearly bad format", "GET", "/api/v1/reports/yearly?year=2024&format=pdf", "reporter", nil, 400, "format"},
		{"yearly other organ", "GET", fmt.Sprintf("/api/v1/reports/yearly?year=2024&organ=%d", e.Organ2), "reporter", nil, 404, ""},
		{"definitions list", "GET", "/api/v1/metrics/definitions", "officer", nil, 200, "comprehensive_correction"},
		{"definition by officer", "POST", "/api/v1/metrics/definitions", "officer", map[string]any{"key": "m"}, 403, ""},
		{"definition invalid", "POST", "/api/v1/metrics/definitions", "admin", map[string]any{"key": "m", "name": "m",
			"definition": map[string]any{"numerator": map[string]any{"outcomes": []string{"won"}}}}, 400, "definition.numerator.outcomes[0]"},
		{"definition mediation only", "POST", "/api/v1/metrics/definitions", "admin", map[string]any{"key": "mediation", "name": "调解率",
			"definition": map[string]any{"numerator": map[string]any{"outcomes": []string{"mediated"}}, "denominator": "closed"}}, 201, `"key":"mediation"`},
		{"report has the new metric", "GET", "/api/v1/stats?" + period, "manager", nil, 200, `"mediation"`},
		{"preview", "POST", "/api/v1/metrics/preview", "reporter", map[string]any{"from": "2024-01-01", "to": "2024-12-31",
			"definition": map[string]any{"numerator": map[string]any{"outcomes": []string{"revoked"}}}}, 200, `"numerator":1`},
		{"preview by officer", "POST", "/api/v1/metrics/preview", "officer", map[string]any{}, 403, ""},
		{"lock by officer", "POST", "/api/v1/reports/locks", "officer", map[string]any{"year": 2024}, 403, ""},
		{"lock other organ", "POST", "/api/v1/reports/locks", "reporter", map[string]any{"year": 2024, "organ_id": e.Organ2}, 404, ""},
		{"lock", "POST", "/api/v1/reports/locks", "reporter", map[string]any{"year": 2024, "reason": "已发布"}, 201, `"year":2024`},
		{"lock twice", "POST", "/api/v1/reports/locks", "manager", map[string]any{"year": 2024}, 409, "already_locked"},
		{"report shows its lock", "GET", "/api/v1/stats?" + period, "manager", nil, 200, `"locks":[{"id"`},
		{"locked definition", "PATCH", "/api/v1/metrics/definitions/comprehensive_correction", "admin", map[string]any{"name": "x"}, 409, "definition_locked"},
		{"locked year refuses a decision", "POST", fmt.Sprintf("/api/v1/cases/%d/transitions", open.ID), "officer",
			map[string]any{"action": "decide", "outcome": "upheld", "effective_on": "2024-05-01", "version": open.Version}, 422, "period_locked"},
		{"locks listed", "GET", "/api/v1/reports/locks", "officer", nil, 200, `"year":2024`},
		{"unlock by reporter", "DELETE", "/api/v1/reports/locks/1", "reporter", map[string]any{"reason": "x"}, 403, ""},
		{"unlock without reason", "DELETE", "/api/v1/reports/locks/1", "admin", nil, 400, "reason"},
		{"unlock", "DELETE", "/api/v1/reports/locks/1?reason=" + "%E6%A0%B8%E5%AF%B9", "admin", nil, 204, ""},
	}
	for _, sc := range scenarios {
		w := e.do(sc.method, sc.path, sc.user, sc.body)
		if w.Code != sc.want || !strings.Contains(w.Body.String(), sc.contains) {
			t.Errorf("%s: %d %s (want %d containing %q)", sc.name, w.Code, w.Body.String(), sc.want, sc.contains)
		}
	}
	w := e.do(http.MethodGet, "/api/v1/reports/yearly?year=2024&format=xlsx", "reporter", nil)
	if w.Code != 200 || !strings.Contains(w.Header().Get("Content-Disposition"), `filename="fuyi-report-2024.xlsx"`) || w.Body.Len() < 1000 {
		t.Errorf("xlsx: %d %v", w.Code, w.Header())
	}
	w = e.do(http.MethodGet, "/api/v1/reports/yearly?year=2024&format=csv", "reporter", nil)
	if w.Code != 200 || !strings.HasPrefix(w.Body.String(), "\uFEFF") || strings.Contains(w.Body.String(), "张三,") {
		t.Errorf("csv: %d %q", w.Code, w.Body.String())
	}
}
