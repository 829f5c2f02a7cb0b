package api

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"fuyi/services/audit"
	"fuyi/services/clock"
	"fuyi/services/lifecycle"
)

// TestConcurrentWritesKeepEveryInvariant drives the bench's write loop
// (create → accept → decide) from many clients at once through the router —
// on SQLite their transactions share group commits — with a stale
// transition in every round, and then checks what a serial run guarantees:
// every acknowledged write is there, stale writes were refused with 409,
// case numbers are distinct, the audit chain verifies with one row per case
// change and per request, and the statistics rollup equals a rebuild from
// the cases.
func TestConcurrentWritesKeepEveryInvariant(t *testing.T) {
	e := newTestEnv(t)
	appOrderHooks(e)
	ctx := context.Background()
	auditBefore := len(auditRows(t, e, ""))
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	const clients, rounds = 16, 3
	type caseJSON struct {
		ID      int64  `json:"id"`
		CaseNo  string `json:"case_no"`
		Version int64  `json:"version"`
		Status  string `json:"status"`
	}
	var mu sync.Mutex
	var created []caseJSON
	var problems []string
	fail := func(format string, args ...any) {
		mu.Lock()
		problems = append(problems, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				r := e.do(http.MethodPost, "/api/v1/cases", "officer", map[string]any{"organ_id": e.Organ1,
					"applicant": fmt.Sprintf("并发申请人%d-%d", w, i), "applicant_type": "citizen", "respondent": e.Agency1,
					"act_type": "penalty", "received_on": today, "channel": "online"})
				if r.Code != http.StatusCreated {
					fail("create: %d %s", r.Code, r.Body.String())
					return
				}
				var c caseJSON
				_ = decodeInto(r.Body.Bytes(), &c)
				path := fmt.Sprintf("/api/v1/cases/%d/transitions", c.ID)
				r = e.do(http.MethodPost, path, "officer", map[string]any{"action": "accept", "effective_on": today, "version": c.Version, "procedure": "ordinary"})
				if r.Code != http.StatusOK {
					fail("accept: %d %s", r.Code, r.Body.String())
					return
				}
				stale := c.Version
				_ = decodeInto(r.Body.Bytes(), &c)
				r = e.do(http.MethodPost, path, "officer", map[string]any{"action": "decide", "effective_on": today, "version": stale, "outcome": "upheld"})
				if r.Code != http.StatusConflict || errorCode(t, r) != "stale_version" {
					fail("stale decide: %d %s", r.Code, r.Body.String())
				}
				r = e.do(http.MethodPost, path, "officer", map[string]any{"action": "decide", "effective_on": today, "version": c.Version, "outcome": "upheld"})
				if r.Code != http.StatusOK {
					fail("decide: %d %s", r.Code, r.Body.String())
					return
				}
				_ = decodeInto(r.Body.Bytes(), &c)
				mu.Lock()
				created = append(created, c)
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	for _, p := range problems {
		t.Error(p)
	}
	if len(created) != clients*rounds {
		t.Fatalf("%d cases went through, want %d", len(created), clients*rounds)
	}
	numbers := map[string]bool{}
	for _, c := range created {
		if numbers[c.CaseNo] {
			t.Errorf("case number %s handed out twice", c.CaseNo)
		}
		numbers[c.CaseNo] = true
		var row struct {
			Status  string
			Version int64
		}
		if err := e.db.Read.Raw("SELECT status, version FROM cases WHERE id = ?", c.ID).Scan(&row).Error; err != nil {
			t.Fatal(err)
		}
		if row.Version != 3 || row.Version != c.Version || row.Status != c.Status {
			t.Errorf("case %d: stored %+v, acknowledged %+v", c.ID, row, c)
		}
	}

	res, err := audit.New(e.db, nil).Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Break != nil {
		t.Fatalf("audit chain: %s", res.Break)
	}
	n := clients * rounds
	if got := len(auditRows(t, e, "action = ?", audit.ActionCaseCreate)); got != n {
		t.Errorf("%d case.create rows, want %d", got, n)
	}
	if got := len(auditRows(t, e, "action = ?", audit.ActionCaseUpdate)); got != 2*n {
		t.Errorf("%d case.update rows, want %d", got, 2*n)
	}
	// Per request: create, accept, refused decide, decide; each case change
	// once more by the hook.
	if got, want := len(auditRows(t, e, ""))-auditBefore, 4*n+3*n; got != want {
		t.Errorf("%d new audit rows, want %d", got, want)
	}

	// Every table of the rollup (stats: year, month and day cells and the
	// spans), non-zero rows, in a stable order.
	snapshot := func() []string {
		var out []string
		for _, table := range []string{"case_stat_year", "case_stat_month", "case_stat_daily", "case_stat_span"} {
			var rows []map[string]any
			if err := e.db.Read.Raw(`SELECT * FROM ` + table + ` WHERE count <> 0`).Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				out = append(out, table+" "+fmt.Sprint(r))
			}
		}
		sort.Strings(out)
		return out
	}
	hooked := snapshot()
	if len(hooked) == 0 {
		t.Fatal("no rollup rows")
	}
	if err := e.deps.Stats.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	rebuilt := snapshot()
	if fmt.Sprint(hooked) != fmt.Sprint(rebuilt) {
		t.Errorf("rollup kept by the hooks under concurrent writes differs from a rebuild:\nhooks   %v\nrebuilt %v", hooked, rebuilt)
	}
}

// appOrderHooks gives e a case service whose hooks run in the application's
// order (cmd/fuyi app.caseHooks: the deadlines before the statistics rollup,
// which reads the decision deadline); the shared test wiring adds the
// deadline hook last.
func appOrderHooks(e *testEnv) {
	ck := e.deps.Deadlines.(*clock.Service)
	au := e.deps.Audit.(*audit.Service)
	cs := lifecycle.New(e.db, lifecycle.Options{})
	for _, h := range []lifecycle.Hook{ck.Recompute, e.deps.Stats.LockHook, e.deps.Stats.RollupHook, e.deps.Workflow.FollowupHook, au.CaseHook} {
		cs.AddHook(h)
	}
	cs.SetGuard(e.deps.Workflow.Guard)
	cs.SetMetricFilter(e.deps.Stats.MetricFilter)
	ck.SetCases(cs)
	e.deps.Cases = cs
	e.router = NewRouter(e.deps)
}
