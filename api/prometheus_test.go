package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"fuyi/models"
	"fuyi/models/modelstest"
	"fuyi/services/telemetry"
)

// scrape GETs /metrics from remote with the given headers.
func scrape(t *testing.T, h http.Handler, remote string, headers map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = remote
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestMetricsHTTPAndDomainGauges(t *testing.T) {
	db := modelstest.Open(t)
	ctx := context.Background()
	organ := models.Organ{Name: "测试区人民政府", ShortName: "测", CaseNoPattern: ""}
	if err := db.Write.WithContext(ctx).Create(&organ).Error; err != nil {
		t.Fatal(err)
	}
	day := func(s string) *string { return &s }
	for i, d := range []models.Deadline{
		{Kind: "decision", Status: "open", DueOn: day("2024-03-01")},     // overdue
		{Kind: "acceptance", Status: "missed", DueOn: day("2024-01-01")}, // missed
		{Kind: "reply", Status: "open", DueOn: day("2024-03-20")},        // not yet due
		{Kind: "hearing", Status: "met", DueOn: day("2024-01-01")},       // done
	} {
		d.SubjectType, d.SubjectID, d.OrganID = "case", int64(i+1), organ.ID
		if err := db.Write.WithContext(ctx).Create(&d).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range []string{"queued", "failed", "failed"} {
		if err := db.Write.WithContext(ctx).Create(&models.ImportJob{Kind: "cases", Status: st}).Error; err != nil {
			t.Fatal(err)
		}
	}
	now := func() time.Time { return time.Date(2024, 3, 10, 2, 0, 0, 0, time.UTC) }
	telemetry.TransitionsTotal.WithLabelValues("accept_test").Inc()
	r := NewRouter(Deps{Collectors: telemetry.Collectors(db, now)})

	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	r.ServeHTTP(httptest.NewRecorder(), req)

	w := scrape(t, r, "127.0.0.1:40000", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("loopback scrape: %d %s", w.Code, w.Body.String())
	}
	body := w.Body.String()
	for _, want := range []string{
		`fuyi_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`fuyi_http_request_duration_seconds_count{method="GET",route="/healthz"} 1`,
		`fuyi_deadlines_overdue{organ_id="` + itoa(organ.ID) + `"} 2`,
		`fuyi_case_transitions_total{action="accept_test"}`,
		`fuyi_import_jobs{status="failed"} 2`,
		`fuyi_import_jobs{status="queued"} 1`,
		`fuyi_db_scrape_error{gauge="deadlines_overdue"} 0`,
		`fuyi_db_scrape_error{gauge="import_jobs"} 0`,
		`go_sql_open_connections{db_name=`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestMetricsAccess(t *testing.T) {
	open := NewRouter(Deps{})
	tests := []struct {
		name    string
		h       http.Handler
		remote  string
		headers map[string]string
		want    int
	}{
		{"loopback without token", open, "127.0.0.1:1", nil, http.StatusOK},
		{"ipv6 loopback without token", open, "[::1]:1", nil, http.StatusOK},
		{"remote without token", open, "10.1.2.3:1", nil, http.StatusForbidden},
		{"same-host proxy without token", open, "127.0.0.1:1", map[string]string{"X-Forwarded-For": "203.0.113.9"}, http.StatusForbidden},
		{"token missing", NewRouter(Deps{MetricsToken: "s3cret-token"}), "10.1.2.3:1", nil, http.StatusUnauthorized},
		{"token wrong", NewRouter(Deps{MetricsToken: "s3cret-token"}), "127.0.0.1:1", map[string]string{"Authorization": "Bearer nope"}, http.StatusUnauthorized},
		{"token right from anywhere", NewRouter(Deps{MetricsToken: "s3cret-token"}), "10.1.2.3:1", map[string]string{"Authorization": "Bearer s3cret-token"}, http.StatusOK},
	}
	for _, tc := range tests {
		if w := scrape(t, tc.h, tc.remote, tc.headers); w.Code != tc.want {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, w.Code, tc.want, w.Body.String())
		}
	}
}

func TestReadyzAnswersQuicklyWhenTheDatabaseHangs(t *testing.T) {
	hang := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	r := NewRouter(Deps{Ready: hang})
	start := time.Now()
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz: %d", w.Code)
	}
	if d := time.Since(start); d > readyTimeout+time.Second {
		t.Fatalf("readyz took %v", d)
	}
}
