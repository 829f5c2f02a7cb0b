package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSecurityHeaders: every answer — API, error, SPA fallback — carries a
// CSP without unsafe-inline/unsafe-eval and with frame-ancestors 'none',
// nosniff, a Referrer-Policy; HSTS only behind TLS; CORS stays closed.
func TestSecurityHeaders(t *testing.T) {
	e := newTestEnv(t)
	check := func(t *testing.T, router http.Handler, method, path, origin string, wantHSTS bool) {
		t.Helper()
		req := httptest.NewRequest(method, path, nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		}
		if strings.HasPrefix(path, "/api/v1/me") {
			req.Header.Set("Authorization", "Bearer "+e.tokens["officer"])
		}
		w := httptest.NewRecorder()
		router.ServeHTTP(w, req)
		h := w.Header()
		csp := h.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") ||
			!strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "object-src 'none'") {
			t.Errorf("%s %s: CSP %q", method, path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s %s: headers %v", method, path, h)
		}
		if got := h.Get("Strict-Transport-Security") != ""; got != wantHSTS {
			t.Errorf("%s %s: HSTS present=%v want %v", method, path, got, wantHSTS)
		}
		for k := range h {
			if strings.HasPrefix(strings.ToLower(k), "access-control-") {
				t.Errorf("%s %s (Origin %q): CORS header %s: %s", method, path, origin, k, h.Get(k))
			}
		}
		if method == http.MethodOptions && w.Code < 300 && w.Code >= 200 && w.Code != http.StatusNoContent {
			t.Logf("preflight answered %d", w.Code)
		}
	}
	paths := []struct{ method, path, origin string }{
		{"GET", "/api/v1/me", ""}, {"GET", "/api/v1/me", "http://evil.example"}, {"GET", "/api/v1/cases", ""},
		{"POST", "/api/v1/auth/login", "http://evil.example"}, {"OPTIONS", "/api/v1/cases", "http://evil.example"},
		{"OPTIONS", "/api/v1/auth/login", "http://intranet.gov"}, {"GET", "/api/v1/nope", ""}, {"GET", "/healthz", ""},
		{"GET", "/", ""}, {"GET", "/cases/12", ""},
	}
	for _, p := range paths {
		check(t, e.router, p.method, p.path, p.origin, false)
	}
	d := e.deps
	d.BehindTLS = true
	tls := NewRouter(d)
	for _, p := range paths {
		check(t, tls, p.method, p.path, p.origin, true)
	}
}
