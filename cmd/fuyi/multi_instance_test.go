package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"fuyi/models"
	"fuyi/models/modelstest"
)

// TestTwoInstancesOnOnePostgres is the several-instances topology without
// Docker: two `fuyi serve` processes started at the same moment on one fresh
// PostgreSQL database (a schema of FUYI_TEST_POSTGRES_DSN), hammered through
// both: 80 concurrent creates give 80 distinct case numbers; the same refresh
// token presented to both at once succeeds at most once and revokes the
// family; concurrent PATCHes with one version give one 200 and 409s; two
// sweeps at once create each notification once; `fuyi backup` runs pg_dump.
func TestTwoInstancesOnOnePostgres(t *testing.T) {
	dsn := os.Getenv(modelstest.EnvPostgresDSN)
	if dsn == "" {
		t.Skip("FUYI_TEST_POSTGRES_DSN not set (run through scripts/with-postgres.sh)")
	}
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	url := modelstest.NewPostgresSchema(t, dsn)
	env := map[string]string{"FUYI_DATABASE_URL": url, "FUYI_DATA_DIR": filepath.Join(t.TempDir(), "unused"), "FUYI_SWEEP_INTERVAL": "0"}

	// Both start on an empty database at once: migrations under the advisory
	// lock, one generated JWT secret, one first-run admin.
	fuyiBinary(t)
	a, b := launchServer(t, env), launchServer(t, env)
	for _, s := range []*server{a, b} {
		if err := s.waitHealthy(60 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	addUser(t, env, "ops", "admin")
	f := seedOverHTTP(t, a, "测试市人民政府")
	if !f.CasesAPI {
		t.Fatal("POST /api/v1/cases is missing")
	}
	both := []*server{a, b}

	t.Run("80 concurrent creates over both instances", func(t *testing.T) {
		var mu sync.Mutex
		var created []createdCase
		var errsSeen []string
		var wg sync.WaitGroup
		for i := range 80 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var c createdCase
				_, err := both[i%2].call(http.MethodPost, "/api/v1/cases", f.Officer.AccessToken, caseBody(f, i), &c)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errsSeen = append(errsSeen, err.Error())
					return
				}
				created = append(created, c)
			}()
		}
		wg.Wait()
		if len(errsSeen) > 0 {
			t.Fatalf("%d of 80 creates failed, first: %s", len(errsSeen), errsSeen[0])
		}
		nos := map[string]bool{}
		for _, c := range created {
			if nos[c.CaseNo] {
				t.Fatalf("case number %s handed out twice", c.CaseNo)
			}
			nos[c.CaseNo] = true
		}
		if len(nos) != 80 {
			t.Fatalf("%d distinct case numbers, want 80", len(nos))
		}
	})

	t.Run("refresh token presented to both at once", func(t *testing.T) {
		for round := range 5 {
			tk := a.login("officer1", testPassword)
			var wg sync.WaitGroup
			codes := make([]int, 2)
			wins := make([]tokens, 2)
			for i, s := range both {
				wg.Add(1)
				go func() {
					defer wg.Done()
					codes[i], _ = s.call(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken}, &wins[i])
				}()
			}
			wg.Wait()
			ok := 0
			for i, c := range codes {
				if c == http.StatusOK {
					ok++
					// The family is revoked by the losing replay: the winner's new token is dead too.
					if code, _ := both[1-i].call(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": wins[i].RefreshToken}, nil); code != http.StatusUnauthorized {
						t.Fatalf("round %d: rotated token of a replayed family refreshed with %d", round, code)
					}
				} else if c != http.StatusUnauthorized {
					t.Fatalf("round %d: refresh answered %d", round, c)
				}
			}
			if ok > 1 {
				t.Fatalf("round %d: the same refresh token succeeded on both instances", round)
			}
		}
	})

	t.Run("concurrent PATCH with one version", func(t *testing.T) {
		var c createdCase
		a.must(http.StatusCreated, http.MethodPost, "/api/v1/cases", f.Officer.AccessToken, caseBody(f, 1000), &c)
		codes := make([]int, 10)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i], _ = both[i%2].call(http.MethodPatch, fmt.Sprintf("/api/v1/cases/%d", c.ID), f.Officer.AccessToken,
					map[string]any{"version": c.Version, "note": fmt.Sprintf("edit %d", i)}, nil)
			}()
		}
		wg.Wait()
		n200, n409 := 0, 0
		for _, code := range codes {
			switch code {
			case http.StatusOK:
				n200++
			case http.StatusConflict:
				n409++
			}
		}
		if n200 != 1 || n409 != 9 {
			t.Fatalf("statuses %v: want one 200 and nine 409", codes)
		}
	})

	t.Run("two sweeps at once notify once", func(t *testing.T) {
		if code, _, errOut := runCode(envOf(env), nil, "sweep", "--help"); code != 0 {
			t.Skipf("no `fuyi sweep` in this build: %s", strings.SplitN(errOut, "\n", 2)[0])
		}
		// Applications received 40 days ago: their early deadlines are missed.
		old := time.Now().AddDate(0, 0, -40).Format(time.DateOnly)
		for i := range 6 {
			body := caseBody(f, 2000+i)
			body["received_on"] = old
			// Reminders go to the case's handler.
			body["handler_id"] = f.Officer.User.ID
			a.must(http.StatusCreated, http.MethodPost, "/api/v1/cases", f.Officer.AccessToken, body, nil)
		}
		outs := make([]string, 2)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(fuyiBinary(t), "sweep")
				cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "FUYI_DATABASE_URL=" + url, "FUYI_DATA_DIR=" + env["FUYI_DATA_DIR"]}
				out, err := cmd.CombinedOutput()
				outs[i], errs[i] = string(out), err
			}()
		}
		wg.Wait()
		created := 0
		re := regexp.MustCompile(`notifications created: (\d+)`)
		for i := range 2 {
			if errs[i] != nil {
				t.Fatalf("sweep %d: %v\n%s", i, errs[i], outs[i])
			}
			if m := re.FindStringSubmatch(outs[i]); m != nil {
				n, _ := strconv.Atoi(m[1])
				created += n
			}
		}
		db, err := models.Open(context.Background(), models.OpenOptions{DatabaseURL: url})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var rows, distinct int64
		db.Read.Raw("SELECT count(*) FROM notifications").Scan(&rows)
		db.Read.Raw("SELECT count(*) FROM (SELECT DISTINCT user_id, subject_type, subject_id, deadline_kind, due_on, kind FROM notifications) d").Scan(&distinct)
		t.Logf("sweeps said %q and %q; %d notifications", strings.TrimSpace(outs[0]), strings.TrimSpace(outs[1]), rows)
		if rows == 0 || rows != distinct || int64(created) != rows {
			t.Fatalf("notifications: %d rows, %d distinct, sweeps reported %d created", rows, distinct, created)
		}
		out := runOK(t, envOf(env), nil, "sweep")
		if !strings.Contains(out, "notifications created: 0") {
			t.Fatalf("a third sweep notified again: %s", out)
		}
	})

	t.Run("backup runs pg_dump", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "fuyi.dump")
		code, out, errOut := runCode(envOf(env), nil, "backup", file)
		if code != 0 {
			if strings.Contains(errOut, "pg_dump not found") {
				t.Skip(errOut)
			}
			t.Fatalf("backup: exit %d %s %s", code, out, errOut)
		}
		bin, _ := findPgDump("")
		list, err := exec.Command(filepath.Join(filepath.Dir(bin), "pg_restore"), "--list", file).CombinedOutput()
		if err != nil || !strings.Contains(string(list), "TABLE DATA") || !strings.Contains(string(list), " cases ") {
			t.Fatalf("pg_restore --list: %v\n%s", err, list)
		}
	})

	for _, s := range both {
		if code, _ := s.signal(syscall.SIGTERM, 15*time.Second); code != 0 {
			t.Errorf("SIGTERM exit %d", code)
		}
	}
}
