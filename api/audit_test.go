package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"fuyi/models"
	"fuyi/services/audit"
	"fuyi/services/auth"
)

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func auditRows(t *testing.T, e *testEnv, where string, args ...any) []models.AuditEntry {
	t.Helper()
	var rows []models.AuditEntry
	q := e.db.Read.Order("id")
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestAuditRecordsWritesLoginsExportsDenials goes through the router and
// checks each kind of audit row, and that the chain holds afterwards.
func TestAuditRecordsWritesLoginsExportsDenials(t *testing.T) {
	e := newTestEnv(t)
	// Logins of the setup: one success per user.
	if n := len(auditRows(t, e, "action = ?", "auth.login")); n != 5 {
		t.Fatalf("login rows: %d", n)
	}
	e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "officer", "password": "wrong-password-1"})
	failed := auditRows(t, e, "action = ?", "auth.login_failed")
	if len(failed) != 1 || failed[0].Subject != "user:officer" || !strings.Contains(failed[0].After, "invalid_credentials") || failed[0].ClientIP == "" {
		t.Fatalf("failed login: %+v", failed)
	}

	id, version := e.createCase("2024-03-05")
	e.transition(id, version, map[string]any{"action": "accept", "effective_on": "2024-03-08", "procedure": "ordinary"})
	subject := fmt.Sprintf("case:%d", id)
	rows := auditRows(t, e, "subject = ? AND action LIKE ?", subject, "case.%")
	if len(rows) != 2 || rows[0].Action != "case.create" || rows[1].Action != "case.update" {
		t.Fatalf("case rows: %+v", rows)
	}
	if rows[0].ActorName != "officer" || rows[0].ActorID != e.users["officer"] || rows[0].OrganID != e.Organ1 {
		t.Fatalf("create actor: %+v", rows[0])
	}
	var before, after map[string]any
	json.Unmarshal([]byte(rows[1].Before), &before)
	json.Unmarshal([]byte(rows[1].After), &after)
	if before["Status"] != "received" || after["Status"] != "accepted" || after["AcceptedOn"] != "2024-03-08" {
		t.Fatalf("transition before/after: %s → %s", rows[1].Before, rows[1].After)
	}
	if n := len(auditRows(t, e, "action = ? AND subject = ?", "POST /api/v1/cases/:id/transitions", subject)); n != 1 {
		t.Fatalf("transition request rows: %d", n)
	}

	// A download and a denial.
	if w := e.do(http.MethodGet, "/api/v1/cases/export?format=csv&status=accepted", "manager", nil); w.Code != http.StatusOK {
		t.Fatalf("export: %d", w.Code)
	}
	exp := auditRows(t, e, "action = ?", "export")
	if len(exp) != 1 || exp[0].ActorName != "manager" || !strings.Contains(exp[0].After, "status=accepted") {
		t.Fatalf("export rows: %+v", exp)
	}
	e.do(http.MethodGet, fmt.Sprintf("/api/v1/cases/%d", id), "other", nil)
	e.do(http.MethodPost, "/api/v1/cases", "reporter", map[string]any{})
	denied := auditRows(t, e, "action = ?", "access.denied")
	if len(denied) != 2 || denied[0].ActorName != "other" || denied[0].Subject != subject || denied[1].ActorName != "reporter" ||
		!strings.Contains(denied[1].After, `"status":403`) {
		t.Fatalf("denials: %+v", denied)
	}

	// Admins search it through the API; nobody else may.
	if w := e.do(http.MethodGet, "/api/v1/audit", "manager", nil); w.Code != http.StatusForbidden {
		t.Fatalf("manager: %d", w.Code)
	}
	w := e.do(http.MethodGet, "/api/v1/audit?actor=officer&action=case.*&subject="+subject, "admin", nil)
	page := decode[struct {
		Items []struct {
			Action string `json:"action"`
			Hash   string `json:"hash"`
		} `json:"items"`
		Total int `json:"total"`
	}](t, w)
	if w.Code != http.StatusOK || page.Total != 2 || page.Items[0].Action != "case.update" || len(page.Items[0].Hash) != 64 {
		t.Fatalf("search: %d %s", w.Code, w.Body.String())
	}
	if w := e.do(http.MethodGet, "/api/v1/audit?from=someday", "admin", nil); w.Code != http.StatusBadRequest {
		t.Fatalf("bad from: %d", w.Code)
	}
	v, err := audit.New(e.db, nil).Verify(context.Background())
	if err != nil || v.Break != nil || v.Rows < 10 {
		t.Fatalf("verify: %+v %v", v, err)
	}
}

func hashOf(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// TestSecretsNeverReachAuditOrLogs logs in, refreshes, changes a password
// and resets one, then searches the audit table and every log line for the
// passwords and the tokens.
func TestSecretsNeverReachAuditOrLogs(t *testing.T) {
	var logs syncBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	e := newTestEnv(t)
	e.deps.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	e.router = NewRouter(e.deps)

	secrets := []string{testPassword}
	w := e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "officer", "password": testPassword})
	tok := decode[auth.Tokens](t, w)
	w = e.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok.RefreshToken})
	tok2 := decode[auth.Tokens](t, w)
	secrets = append(secrets, tok.AccessToken, tok.RefreshToken, tok2.AccessToken, tok2.RefreshToken)
	e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "officer", "password": "Wrong-Secret-Pass-42"})
	secrets = append(secrets, "Wrong-Secret-Pass-42")
	newPass := "Changed-Pass-fuyi-77"
	if w := e.do(http.MethodPost, "/api/v1/me/password", "manager", map[string]string{"old_password": testPassword, "new_password": newPass}); w.Code != http.StatusNoContent {
		t.Fatalf("change: %d %s", w.Code, w.Body.String())
	}
	reset := "Reset-Pass-fuyi-8899"
	if w := e.do(http.MethodPost, fmt.Sprintf("/api/v1/admin/users/%d/password", e.users["reporter"]), "admin", map[string]string{"password": reset}); w.Code != http.StatusNoContent {
		t.Fatalf("reset: %d %s", w.Code, w.Body.String())
	}
	e.do(http.MethodPost, "/api/v1/auth/logout", "", map[string]string{"refresh_token": tok2.RefreshToken})
	secrets = append(secrets, newPass, reset)
	for _, tk := range e.tokens {
		secrets = append(secrets, tk)
	}

	var dump strings.Builder
	for _, r := range auditRows(t, e, "") {
		fmt.Fprintf(&dump, "%+v\n", r)
	}
	if !strings.Contains(dump.String(), "auth.login") || !strings.Contains(logs.String(), "/api/v1/auth/login") {
		t.Fatal("nothing recorded: the test would prove nothing")
	}
	for _, s := range secrets {
		if strings.Contains(dump.String(), s) {
			t.Errorf("audit table contains a secret %.12s…", s)
		}
		if strings.Contains(logs.String(), s) {
			t.Errorf("logs contain a secret %.12s…", s)
		}
	}
}

// TestSessionsListAndRevoke lists the caller's sessions and revokes one:
// its refresh token stops working, the other session is untouched, and
// nobody can revoke another user's session.
func TestSessionsListAndRevoke(t *testing.T) {
	e := newTestEnv(t)
	login := func() auth.Tokens {
		w := e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "officer", "password": testPassword})
		return decode[auth.Tokens](t, w)
	}
	a, b := login(), login()
	type sessions struct {
		Items []auth.Session `json:"items"`
	}
	w := e.do(http.MethodGet, "/api/v1/me/sessions", "officer", nil)
	list := decode[sessions](t, w)
	if w.Code != http.StatusOK || len(list.Items) != 3 { // setup's login + a + b
		t.Fatalf("sessions: %d %s", w.Code, w.Body.String())
	}
	// Rotating keeps the session (same family).
	w = e.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": a.RefreshToken})
	a2 := decode[auth.Tokens](t, w)
	if list = decode[sessions](t, e.do(http.MethodGet, "/api/v1/me/sessions", "officer", nil)); len(list.Items) != 3 {
		t.Fatalf("after refresh: %+v", list)
	}
	var fam string
	e.db.Read.Model(&models.RefreshToken{}).Where("token_hash = ?", hashOf(a2.RefreshToken)).Pluck("family_id", &fam)
	if w := e.do(http.MethodDelete, "/api/v1/me/sessions/"+fam, "manager", nil); w.Code != http.StatusNotFound {
		t.Fatalf("manager revoking officer's session: %d", w.Code)
	}
	if w := e.do(http.MethodDelete, "/api/v1/me/sessions/"+fam, "officer", nil); w.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", w.Code, w.Body.String())
	}
	if w := e.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": a2.RefreshToken}); w.Code != http.StatusUnauthorized {
		t.Fatalf("revoked refresh: %d", w.Code)
	}
	if w := e.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": b.RefreshToken}); w.Code != http.StatusOK {
		t.Fatalf("other session: %d", w.Code)
	}
	if list = decode[sessions](t, e.do(http.MethodGet, "/api/v1/me/sessions", "officer", nil)); len(list.Items) != 2 {
		t.Fatalf("after revoke: %+v", list)
	}
	for _, s := range list.Items {
		if s.ID == fam {
			t.Fatal("revoked session still listed")
		}
	}
}
