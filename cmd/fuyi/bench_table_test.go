package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The table compares a national column with the city column of the same
// engine (issue 9: national/city p95 ≤ 2) and says how loaded the machine
// was while the phases were timed.
func TestBenchTableGrowthAndLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(r *Result) string {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, r.Label+".json")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	city := write(&Result{Label: "city-sqlite", Dialect: "sqlite", Cases: 200_000, M: map[string]float64{"stats_p95": 6, "list1_p95": 4, "load1_max": 1.5}})
	nat := write(&Result{Label: "national-sqlite", Dialect: "sqlite", Cases: 5_000_000, M: map[string]float64{"stats_p95": 9, "list1_p95": 12, "load1_max": 100.5}})
	pg := write(&Result{Label: "city-postgres", Dialect: "postgres", Cases: 200_000, M: map[string]float64{"stats_p95": 15, "writes_per_s": 112, "writes_p99": 2226, "writes_p50": 143}})
	var out bytes.Buffer
	if err := benchTable(&cmdEnv{stdout: &out}, &benchOpts{}, []string{city, nat, pg}); err != nil {
		t.Fatal(err)
	}
	table := out.String()
	line := func(prefix string) string {
		for _, l := range strings.Split(table, "\n") {
			if strings.HasPrefix(l, prefix) {
				return l
			}
		}
		t.Fatalf("no row %q in\n%s", prefix, table)
		return ""
	}
	if got, want := line("|   national / city yearly stats p95"), "| ≤ 2 | – | ×1.5 ✅ | – |"; !strings.HasSuffix(got, want) {
		t.Errorf("stats growth row = %q, want suffix %q", got, want)
	}
	if got, want := line("|   national / city list page 1 p95"), "| – | ×3.0 ❌ | – |"; !strings.HasSuffix(got, want) {
		t.Errorf("list growth row = %q, want suffix %q", got, want)
	}
	// The write targets are SQLite's: PostgreSQL's figures stand unmarked,
	// and a column without a write phase shows none.
	if got, want := line("| writes/s, 32 clients"), "| – | – | 112 |"; !strings.HasSuffix(got, want) {
		t.Errorf("writes row = %q, want suffix %q", got, want)
	}
	if got, want := line("| write failures"), "| – | – | 0 / 0 |"; !strings.HasSuffix(got, want) {
		t.Errorf("write failures row = %q, want suffix %q", got, want)
	}
	if !strings.Contains(table, "load average sampled during the timed phases: 100.5") || !strings.Contains(table, "other jobs shared the machine") {
		t.Errorf("machine line does not report the load of 100.5:\n%s", line("Machine:"))
	}
}
