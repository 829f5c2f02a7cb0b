package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// resultWriter returns a function that writes a bench result as the
// bench writes it (LABEL.json in a temporary directory) and returns its path.
func resultWriter(t *testing.T) func(r *Result) string {
	dir := t.TempDir()
	return func(r *Result) string {
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
}

// The table compares a national column with the city column of the same
// engine (issue 9: national/city p95 ≤ 2) and says how loaded the machine
// was while the phases were timed.
func TestBenchTableGrowthAndLoad(t *testing.T) {
	write := resultWriter(t)
	city := write(&Result{Label: "city-sqlite", Dialect: "sqlite", Cases: 200_000, M: map[string]float64{"stats_p95": 6, "list1_p95": 4, "other_cpu_pct": 3}})
	nat := write(&Result{Label: "national-sqlite", Dialect: "sqlite", Cases: 5_000_000, M: map[string]float64{"stats_p95": 9, "list1_p95": 12, "other_cpu_pct": 37.4}})
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
	if !strings.Contains(table, "Other processes used up to 37 % of the machine's CPU") {
		t.Errorf("machine line does not report the 37 %% of CPU used by others:\n%s", line("Machine:"))
	}
}

// readCPUTicks reads the machine's busy time and a process's own CPU time
// from /proc: work done by this process shows in both, so the bench can
// subtract it from the machine's to find what other processes used.
func TestReadCPUTicksCountsThisProcess(t *testing.T) {
	t0, ok := readCPUTicks(os.Getpid())
	if !ok {
		t.Skip("no /proc/stat")
	}
	var t1 cpuTicks
	x := 0
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		for i := 0; i < 1_000_000; i++ {
			x += i ^ x
		}
		if t1, _ = readCPUTicks(os.Getpid()); t1.self >= t0.self+20 {
			break
		}
	}
	if t1.self < t0.self+20 {
		t.Fatalf("this process's CPU ticks did not grow: %v → %v (%d)", t0, t1, x)
	}
	// The files are read one after the other and the kernel accounts
	// ticks separately: allow a few ticks of skew. PostgreSQL's figure is
	// not compared: other tests' backends come and go while this one runs.
	const skew = 3
	if t1.server-t0.server < t1.self-t0.self-skew {
		t.Errorf("the server's CPU (this pid) grew less than this process's: %v → %v", t0, t1)
	}
	if t1.machine-t0.machine < t1.self-t0.self-skew {
		t.Errorf("the machine's busy time grew less than this process's: %v → %v", t0, t1)
	}
}

// TestBenchTableImportTarget: the import target (≥ 20,000 rows/s) is a
// million-row ledger's; a small ledger's rate (mostly the command's start)
// is shown unmarked.
func TestBenchTableImportTarget(t *testing.T) {
	write := resultWriter(t)
	var files []string
	for _, r := range []*Result{
		{Label: "district-sqlite", Dialect: "sqlite", Cases: 5000, ImportRows: 5000, ImportSecs: 1.25, ImportRSSMB: 200, ImportMethod: "fuyi import"},
		{Label: "city-sqlite", Dialect: "sqlite", Cases: 200_000, ImportRows: 1_000_000, ImportSecs: 45, ImportRSSMB: 460, ImportMethod: "fuyi import"},
		{Label: "national-sqlite", Dialect: "sqlite", Cases: 5_000_000, ImportRows: 1_000_000, ImportSecs: 55, ImportRSSMB: 460, ImportMethod: "fuyi import"},
	} {
		files = append(files, write(r))
	}
	var out bytes.Buffer
	if err := benchTable(&cmdEnv{stdout: &out}, &benchOpts{}, files); err != nil {
		t.Fatal(err)
	}
	want := "| ledger import rows/s (peak RSS) | ≥ 20,000 rows/s (1M-row CSV) | 4000 (5000 rows, 200 MB, fuyi import) | 22222 ✅ (1000000 rows, 460 MB, fuyi import) | 18182 ❌ (1000000 rows, 460 MB, fuyi import) |"
	if !strings.Contains(out.String(), want) {
		t.Errorf("import row missing or wrong; want %q in\n%s", want, out.String())
	}
}
