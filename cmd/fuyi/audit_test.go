package main

import (
	"context"
	"strings"
	"testing"

	"fuyi/services/audit"
)

// TestAuditVerifyCommand: `fuyi audit verify` passes on an intact trail,
// then fails naming the row once a row is edited in SQL, and again once
// another is deleted.
func TestAuditVerifyCommand(t *testing.T) {
	ctx := context.Background()
	env := envOf(map[string]string{"FUYI_DATA_DIR": t.TempDir()})
	runOK(t, env, nil, "migrate")
	cfg, err := loadConfig(nil, env)
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, cfg, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for i := range 6 {
		if err := a.audit.Record(ctx, audit.Entry{Actor: audit.Actor{ID: 1, Name: "admin"}, Action: "POST /api/v1/cases", Subject: "case:" + string(rune('1'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	if out := runOK(t, env, nil, "audit", "verify"); !strings.Contains(out, "intact: 6 rows") {
		t.Fatalf("verify: %s", out)
	}
	if err := a.db.Write.Exec("DELETE FROM audit_entries WHERE id = 5").Error; err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCode(env, nil, "audit", "verify")
	if code == 0 || !strings.Contains(errOut, "before row 6") {
		t.Fatalf("after delete: exit %d %s", code, errOut)
	}
	if err := a.db.Write.Exec("UPDATE audit_entries SET actor_name = 'nobody' WHERE id = 2").Error; err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCode(env, nil, "audit", "verify")
	if code == 0 || !strings.Contains(errOut, "row 2 was altered") {
		t.Fatalf("after edit: exit %d %s", code, errOut)
	}
	if code, _, _ := runCode(env, nil, "audit"); code != 2 {
		t.Fatalf("usage: exit %d", code)
	}
}
