package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"fuyi/models"
)

// TestDurabilityAcknowledgedWritesSurviveSIGKILL runs a concurrent write load
// over HTTP against the real binary on SQLite, kills it with SIGKILL in the
// middle, restarts it on the same data directory and checks that every write
// that was acknowledged (2xx) is there and that integrity_check is ok.
//
// The writes are case registrations (POST /api/v1/cases); in a build without
// the case API they are agency creations (POST /api/v1/admin/organs/:id/agencies).
func TestDurabilityAcknowledgedWritesSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"FUYI_DATA_DIR": dataDir}
	addUser(t, env, "ops", "admin")
	s := startServer(t, env)
	f := seedOverHTTP(t, s, "测试区人民政府")
	t.Logf("case API present: %v", f.CasesAPI)

	type ack struct {
		id     int64
		caseNo string
		name   string
	}
	var (
		mu    sync.Mutex
		acks  []ack
		seq   atomic.Int64
		wg    sync.WaitGroup
		start = time.Now()
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < 15*time.Second {
				i := int(seq.Add(1))
				var a ack
				var err error
				if f.CasesAPI {
					var c createdCase
					_, err = s.call(http.MethodPost, "/api/v1/cases", f.Officer.AccessToken, caseBody(f, i), &c)
					a = ack{id: c.ID, caseNo: c.CaseNo}
				} else {
					name := fmt.Sprintf("负载测试局%05d", i)
					_, err = s.call(http.MethodPost, fmt.Sprintf("/api/v1/admin/organs/%d/agencies", f.OrganID), f.Admin.AccessToken,
						map[string]any{"name": name}, nil)
					a = ack{name: name}
				}
				if err != nil {
					return // the server is gone (or refused): stop this client
				}
				mu.Lock()
				acks = append(acks, a)
				mu.Unlock()
			}
		}()
	}
	waitFor(t, 20*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(acks) >= 100 })
	if code, _ := s.signal(syscall.SIGKILL, 10*time.Second); code != -1 {
		t.Fatalf("SIGKILL exit code %d", code)
	}
	wg.Wait()
	t.Logf("%d writes acknowledged before SIGKILL", len(acks))

	s2 := startServer(t, env)
	if f.CasesAPI {
		seen := map[string]bool{}
		for _, a := range acks {
			var c createdCase
			s2.must(http.StatusOK, http.MethodGet, fmt.Sprintf("/api/v1/cases/%d", a.id), f.Officer.AccessToken, nil, &c)
			if c.CaseNo != a.caseNo {
				t.Fatalf("case %d: case_no %q after restart, %q acknowledged", a.id, c.CaseNo, a.caseNo)
			}
			if seen[c.CaseNo] {
				t.Fatalf("case number %q handed out twice", c.CaseNo)
			}
			seen[c.CaseNo] = true
		}
	} else {
		var list []struct{ Name string }
		s2.must(http.StatusOK, http.MethodGet, fmt.Sprintf("/api/v1/admin/organs/%d/agencies", f.OrganID), f.Admin.AccessToken, nil, &list)
		have := map[string]bool{}
		for _, a := range list {
			have[a.Name] = true
		}
		for _, a := range acks {
			if !have[a.name] {
				t.Fatalf("acknowledged agency %q lost after SIGKILL", a.name)
			}
		}
	}
	if code, _ := s2.signal(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("second serve exit %d", code)
	}
	info, err := models.InspectSQLite(context.Background(), filepath.Join(dataDir, "fuyi.db"))
	if err != nil || info.Integrity != "ok" {
		t.Fatalf("integrity after SIGKILL and restart: %+v %v", info, err)
	}
}
