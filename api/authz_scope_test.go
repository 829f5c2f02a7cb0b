package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestCrossOrganProbes sends valid requests that name another organ's
// records (organ, agency, handler) from a user of organ 1: each must be
// refused (403/404) or answered without any of organ 2's data.
func TestCrossOrganProbes(t *testing.T) {
	e, _ := importEnv(t)
	caseID, version := e.createCase("2024-03-05")
	otherCase := e.do(http.MethodPost, "/api/v1/cases", "other", map[string]any{
		"applicant": "王秘密", "applicant_type": "公民", "respondent": e.Agency2, "act_type": "行政处罚",
		"request": "撤销", "channel": "post", "received_on": "2024-03-06",
	})
	if otherCase.Code != http.StatusCreated {
		t.Fatalf("other create: %d %s", otherCase.Code, otherCase.Body.String())
	}
	o2 := fmt.Sprint(e.Organ2)
	for _, sc := range []struct {
		name, method, path, user string
		body                     any
	}{
		{"create case in organ 2", "POST", "/api/v1/cases", "officer", map[string]any{"organ_id": e.Organ2, "applicant": "甲", "applicant_type": "公民",
			"respondent": e.Agency2, "act_type": "行政处罚", "request": "撤销", "channel": "post", "received_on": "2024-03-06"}},
		{"create case with organ 2's agency", "POST", "/api/v1/cases", "officer", map[string]any{"applicant": "甲", "applicant_type": "公民",
			"respondent": e.Agency2, "act_type": "行政处罚", "request": "撤销", "channel": "post", "received_on": "2024-03-06"}},
		{"create case handled by organ 2's officer", "POST", "/api/v1/cases", "officer", map[string]any{"applicant": "甲", "applicant_type": "公民",
			"respondent": e.Agency1, "act_type": "行政处罚", "request": "撤销", "channel": "post", "received_on": "2024-03-06", "handler_id": e.users["other"]}},
		{"move case to organ 2's agency", "PATCH", fmt.Sprintf("/api/v1/cases/%d", caseID), "officer", map[string]any{"version": version, "respondent": e.Agency2}},
		{"hand case to organ 2's officer", "PATCH", fmt.Sprintf("/api/v1/cases/%d", caseID), "manager", map[string]any{"version": version, "handler_id": e.users["other"]}},
		{"litigation in organ 2", "POST", "/api/v1/litigations", "officer", map[string]any{"organ_id": e.Organ2, "kind": "administrative",
			"court_case_no": "（2024）京0117行初9号", "notified_on": "2024-03-01", "defendant": "区市场监督管理局"}},
		{"suggestion in organ 2", "POST", "/api/v1/suggestions", "officer", map[string]any{"organ_id": e.Organ2, "type": "judicial",
			"number": "（2024）京0117司建9号", "received_or_issued_on": "2024-05-10"}},
		{"agency in organ 2 by manager", "POST", "/api/v1/admin/organs/" + o2 + "/agencies", "manager", map[string]any{"name": "区公安分局"}},
		{"lock organ 2", "POST", "/api/v1/reports/locks", "reporter", map[string]any{"year": 2022, "organ_id": e.Organ2}},
		{"stats of organ 2", "GET", "/api/v1/stats?organ=" + o2, "officer", nil},
		{"breakdown of organ 2", "GET", "/api/v1/stats/breakdown?by=respondent&organ=" + o2, "manager", nil},
		{"yearly report of organ 2", "GET", "/api/v1/reports/yearly?year=2024&organ=" + o2, "reporter", nil},
		{"agencies of organ 2", "GET", "/api/v1/agencies?organ=" + o2, "officer", nil},
		{"preview on organ 2", "POST", "/api/v1/metrics/preview", "manager", map[string]any{"organ": e.Organ2, "from": "2024-01-01", "to": "2024-12-31",
			"definition": map[string]any{"numerator": map[string]any{"outcomes": []string{"revoked"}}, "denominator": "closed"}}},
		{"ledger export of organ 2", "GET", "/api/v1/imports/ledger?format=csv&organ=" + o2, "officer", nil},
		{"import into organ 2", "POST", "/api/v1/imports?dry_run=true&organ=" + o2, "officer", nil},
	} {
		var w = e.do(sc.method, sc.path, sc.user, sc.body)
		if sc.name == "import into organ 2" {
			w = e.upload(sc.user, "?dry_run=true&organ="+o2, importCSV, nil)
		}
		switch {
		case w.Code == http.StatusForbidden || w.Code == http.StatusNotFound:
		case w.Code == http.StatusBadRequest || w.Code == http.StatusUnprocessableEntity:
			// refused as invalid: acceptable when nothing was written.
		case w.Code < 300:
			body := w.Body.String()
			if strings.Contains(body, "王秘密") || strings.Contains(body, `"organ_id":`+o2) {
				t.Errorf("%s: %d leaks organ 2: %s", sc.name, w.Code, body)
			} else if sc.method != "GET" {
				t.Errorf("%s: %d accepted: %s", sc.name, w.Code, body)
			}
		default:
			t.Errorf("%s: %d %s", sc.name, w.Code, w.Body.String())
		}
	}
	// A hearing of organ 1 addressed through a litigation of organ 2.
	lit1 := e.do(http.MethodPost, "/api/v1/litigations", "officer", map[string]any{"kind": "administrative", "court_case_no": "（2024）京0117行初1号",
		"notified_on": "2024-03-01", "defendant": "区市场监督管理局"})
	lit2 := e.do(http.MethodPost, "/api/v1/litigations", "other", map[string]any{"kind": "administrative", "court_case_no": "（2024）京0117行初2号",
		"notified_on": "2024-03-01", "defendant": "区市场监督管理局"})
	id1, id2 := decode[litView](t, lit1).ID, decode[litView](t, lit2).ID
	if w := e.do(http.MethodPost, fmt.Sprintf("/api/v1/litigations/%d/hearings", id1), "officer",
		map[string]any{"version": 1, "held_on": "2024-04-12", "appeared_role": "staff"}); w.Code != http.StatusCreated && w.Code != http.StatusOK {
		t.Fatalf("hearing: %d %s", w.Code, w.Body.String())
	}
	var hid int64
	e.db.Read.Table("litigation_hearings").Select("id").Where("litigation_id = ?", id1).Scan(&hid)
	w := e.do(http.MethodPatch, fmt.Sprintf("/api/v1/litigations/%d/hearings/%d", id2, hid), "other", map[string]any{"version": 2, "appeared_role": "head"})
	if w.Code != http.StatusNotFound {
		t.Errorf("organ 1's hearing through organ 2's litigation: %d %s", w.Code, w.Body.String())
	}

	// Nothing of organ 1's users ended up in organ 2.
	var n int64
	e.db.Read.Table("cases").Where("organ_id = ?", e.Organ2).Count(&n)
	if n != 1 {
		t.Errorf("organ 2 has %d cases, want 1", n)
	}
	e.db.Read.Table("cases").Where("organ_id = ? AND (respondent_id = ? OR handler_id = ?)", e.Organ1, e.Agency2, e.users["other"]).Count(&n)
	if n != 0 {
		t.Errorf("%d organ-1 cases point at organ 2's agency or officer", n)
	}
}
