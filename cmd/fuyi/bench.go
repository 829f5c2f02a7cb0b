package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fuyi/models"
	"fuyi/services/ledger"
	"fuyi/services/lifecycle"
	"fuyi/services/stats"
)

// fuyi bench: the driver of `make bench` (scripts/bench.sh). It measures a
// running `fuyi serve` over HTTP, the same queries as raw SQL in-process (the
// floor), and renders the table of docs/benchmarks.md.

type benchOpts struct {
	url, user, password, label, out, doc, organ string
	phases                                      string
	year, n, clients, pid                       int
	duration                                    time.Duration
}

func init() {
	addCommand(&command{
		Name:    "bench",
		Summary: "benchmark driver of make bench: http (measure a running server), import (in-process ledger import), table (render results)",
		Usage:   "http --url URL --user U --password P --year Y --pid PID --label L --out FILE | import FILE --organ NAME | table --doc FILE RESULT.json…",
		Examples: `  fuyi bench http --url http://127.0.0.1:18080 --user bench --password … --year 2025 --pid 1234 --label city-sqlite --out city.json
  fuyi bench table --doc docs/benchmarks.md bench-out/*.json`,
		Flags: func(fs *flag.FlagSet) any {
			o := &benchOpts{}
			fs.StringVar(&o.url, "url", "http://127.0.0.1:18080", "server base URL")
			fs.StringVar(&o.user, "user", "bench", "username")
			fs.StringVar(&o.password, "password", os.Getenv("FUYI_BENCH_PASSWORD"), "password (env FUYI_BENCH_PASSWORD)")
			fs.StringVar(&o.label, "label", "", "column label of this run")
			fs.StringVar(&o.out, "out", "", "write the results JSON here")
			fs.StringVar(&o.doc, "doc", "", "table: replace the generated section of this markdown file")
			fs.StringVar(&o.organ, "organ", "", "import: the organ name (created)")
			fs.IntVar(&o.year, "year", 2025, "the year of the statistics, list filter and export")
			fs.IntVar(&o.n, "n", 200, "requests per latency measurement")
			fs.IntVar(&o.clients, "clients", 32, "concurrent writers")
			fs.IntVar(&o.pid, "pid", 0, "server process id (VmHWM)")
			fs.DurationVar(&o.duration, "duration", 20*time.Second, "length of the write phase")
			fs.StringVar(&o.phases, "phases", "stats,list,floor,writes,export", "http: the phases to run, comma-separated")
			return o
		},
		Run: runBench,
	})
}

func runBench(ctx context.Context, env *cmdEnv, opts any, args []string) error {
	o := opts.(*benchOpts)
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "http":
		return benchHTTP(ctx, env, o)
	case "import":
		if len(args) != 2 {
			return errUsage
		}
		return benchImport(ctx, env, o, args[1])
	case "table":
		return benchTable(env, o, args[1:])
	}
	return errUsage
}

// Result is one run's measurements (milliseconds unless named otherwise).
type Result struct {
	Label        string             `json:"label"`
	Dialect      string             `json:"dialect"`
	Cases        int64              `json:"cases"`
	Litigation   int64              `json:"litigation"`
	Year         int                `json:"year"`
	M            map[string]float64 `json:"m"`
	Notes        []string           `json:"notes"`
	ImportRows   int64              `json:"import_rows,omitempty"`
	ImportSecs   float64            `json:"import_secs,omitempty"`
	ImportRSSMB  float64            `json:"import_rss_mb,omitempty"`
	ImportMethod string             `json:"import_method,omitempty"`
}

type client struct {
	base  string
	token string
	hc    *http.Client
}

func (c *client) do(method, path string, body any, out any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, b, err
		}
	}
	return resp.StatusCode, b, nil
}

func pct(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p)
	return float64(s[i].Microseconds()) / 1000
}

// timeN runs fn n times (after 5 warm-ups) and returns the latencies.
func timeN(n int, fn func() error) ([]time.Duration, error) {
	for i := 0; i < 5; i++ {
		if err := fn(); err != nil {
			return nil, err
		}
	}
	out := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		t := time.Now()
		if err := fn(); err != nil {
			return nil, err
		}
		out = append(out, time.Since(t))
	}
	return out, nil
}

func vmHWM(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// procCPU is the user+system CPU time pid has used (Linux /proc/pid/stat,
// in clock ticks of 1/100 s); 0 when unknown.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (which may contain spaces) in ")".
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b)[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64) // utime, field 14
	st, err2 := strconv.ParseInt(f[12], 10, 64) // stime, field 15
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// resetHWM resets the peak RSS of pid (Linux: clear_refs 5).
func resetHWM(pid int) { _ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) }

// clockTicks is Linux's USER_HZ, the unit of /proc's CPU times (100 on
// every architecture Go supports there).
const clockTicks = 100

// cpuTicks is the machine's busy CPU time (all cores) and the CPU time of
// the server process, of PostgreSQL's processes and of this process, in
// clock ticks, from /proc.
type cpuTicks struct{ machine, server, postgres, self float64 }

func readCPUTicks(pid int) (cpuTicks, bool) {
	var t cpuTicks
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return t, false
	}
	f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0]) // cpu user nice system idle iowait irq softirq steal …
	if len(f) < 9 || f[0] != "cpu" {
		return t, false
	}
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, _ := strconv.ParseFloat(v, 64)
		t.machine += n
	}
	proc := func(path string) float64 {
		b, err := os.ReadFile(path)
		if err != nil {
			return 0
		}
		// fields after the command name (which may hold spaces): state is
		// field 3, utime and stime fields 14 and 15
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) < 13 {
			return 0
		}
		u, _ := strconv.ParseFloat(f[11], 64)
		st, _ := strconv.ParseFloat(f[12], 64)
		return u + st
	}
	t.server, t.self = proc(fmt.Sprintf("/proc/%d/stat", pid)), proc("/proc/self/stat")
	// PostgreSQL's processes serve the server under test: their CPU is the
	// system's, not other work's (backends live as long as the pool's
	// connections, so their time is not lost between the two readings).
	if dirs, err := os.ReadDir("/proc"); err == nil {
		for _, d := range dirs {
			if d.Name()[0] < '0' || d.Name()[0] > '9' {
				continue
			}
			if c, err := os.ReadFile("/proc/" + d.Name() + "/comm"); err == nil && strings.TrimSpace(string(c)) == "postgres" {
				t.postgres += proc("/proc/" + d.Name() + "/stat")
			}
		}
	}
	return t, true
}

func benchHTTP(ctx context.Context, env *cmdEnv, o *benchOpts) error {
	res := &Result{Label: o.label, Year: o.year, M: map[string]float64{}}
	// The CPU that other processes used while this run was timed (busy
	// time of the machine less the server's, PostgreSQL's and this
	// process's), as a share of the machine: the table says whether other
	// work competed.
	otherCPU := func() {}
	if t0, ok := readCPUTicks(o.pid); ok && o.pid > 0 {
		start := time.Now()
		otherCPU = func() {
			t1, ok := readCPUTicks(o.pid)
			secs := time.Since(start).Seconds()
			if !ok || secs <= 0 {
				return
			}
			other := (t1.machine - t0.machine) - (t1.server - t0.server) - (t1.postgres - t0.postgres) - (t1.self - t0.self)
			res.M["other_cpu_pct"] = max(0, 100*other/clockTicks/(secs*float64(runtimeNumCPU())))
		}
	}
	c := &client{base: o.url, hc: &http.Client{Timeout: 10 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if st, b, err := c.do("POST", "/api/v1/auth/login", map[string]string{"username": o.user, "password": o.password}, &tok); err != nil || st != 200 {
		return fmt.Errorf("login: %d %s %v", st, b, err)
	}
	c.token = tok.AccessToken
	get := func(path string) func() error {
		return func() error {
			st, b, err := c.do("GET", path, nil, nil)
			if err != nil {
				return err
			}
			if st != 200 {
				return fmt.Errorf("GET %s: %d %s", path, st, b)
			}
			return nil
		}
	}
	from, to := fmt.Sprintf("%d-01-01", o.year), fmt.Sprintf("%d-12-31", o.year)
	phase := func(name string) bool { return slices.Contains(strings.Split(o.phases, ","), name) }
	if phase("stats") {
		if err := benchStats(c, o, res, get, from, to); err != nil {
			return err
		}
	}
	deep := int64(1000)
	if phase("list") || phase("floor") {
		var err error
		if deep, err = benchList(c, o, res, get, phase("list")); err != nil {
			return err
		}
	}
	if phase("floor") {
		fmt.Fprintln(env.stderr, "bench: floor")
		if err := benchFloor(ctx, env, o, res, deep); err != nil {
			return err
		}
	}
	if phase("writes") {
		if err := benchWrites(c, env, o, res); err != nil {
			return err
		}
	}
	if phase("export") {
		if err := benchExport(c, env, o, res); err != nil {
			return err
		}
		if res.Cases == 0 { // the floor did not run: count for the table's first row
			if err := countData(ctx, env, res); err != nil {
				return err
			}
		}
	}
	otherCPU()
	return writeResult(o.out, res)
}

// benchStats times the yearly statistics and the breakdown by agency.
func benchStats(c *client, o *benchOpts, res *Result, get func(string) func() error, from, to string) error {
	ds, err := timeN(o.n, get("/api/v1/stats?from="+from+"&to="+to))
	if err != nil {
		return err
	}
	res.M["stats_p50"], res.M["stats_p95"] = pct(ds, .5), pct(ds, .95)
	ds, err = timeN(o.n/2, get("/api/v1/stats/breakdown?by=respondent&from="+from+"&to="+to))
	if err != nil {
		return err
	}
	res.M["breakdown_p50"], res.M["breakdown_p95"] = pct(ds, .5), pct(ds, .95)
	return nil
}

// benchList finds the deep page of the list filter and, when timed, times
// page 1 and the deep page.
//
// The deep page is reached the way a client reaches it: by following
// next_cursor from page 1 (untimed, once), then timing the request for the
// deep page with its cursor — the page number alone (OFFSET) is what a page
// jump costs, timed separately as listjump. Nobody opens page 1,000 by number
// of a list they have not paged through; a client walking the list (the UI's
// "next", an integration syncing cases) holds the cursor.
func benchList(c *client, o *benchOpts, res *Result, get func(string) func() error, timed bool) (int64, error) {
	// The list: closed cases, newest first, 20 a page.
	const listFilter = "status=closed&sort=-received_on&page_size=20"
	type listPage struct {
		Total      int64   `json:"total"`
		NextCursor *string `json:"next_cursor"`
	}
	var first listPage
	if st, b, err := c.do("GET", "/api/v1/cases?"+listFilter+"&count=exact", nil, &first); err != nil || st != 200 {
		return 0, fmt.Errorf("list: %d %.300s %v", st, b, err)
	}
	deep := int64(1000)
	if last := (first.Total + 19) / 20; last < deep {
		deep = max(last, 1)
		res.Notes = append(res.Notes, fmt.Sprintf("%s: only %d pages match the list filter: the deep page is page %d", o.label, last, deep))
	}
	res.M["list_deep_page"] = float64(deep)
	res.M["list_total"] = float64(first.Total)
	if !timed {
		return deep, nil
	}
	// Follow the cursors to the deep page.
	deepPath := "/api/v1/cases?" + listFilter
	p := first
	for n := int64(2); n <= deep; n++ {
		if p.NextCursor == nil {
			return 0, fmt.Errorf("list: no next cursor on page %d of %d", n-1, deep)
		}
		deepPath = "/api/v1/cases?" + listFilter + "&after=" + url.QueryEscape(*p.NextCursor)
		if n == deep {
			break
		}
		p = listPage{}
		if st, b, err := c.do("GET", deepPath, nil, &p); err != nil || st != 200 {
			return 0, fmt.Errorf("list page %d: %d %.300s %v", n, st, b, err)
		}
	}
	ds, err := timeN(o.n/2, get("/api/v1/cases?"+listFilter+"&page=1"))
	if err != nil {
		return 0, err
	}
	res.M["list1_p50"], res.M["list1_p95"] = pct(ds, .5), pct(ds, .95)
	ds, err = timeN(o.n/4, get(deepPath))
	if err != nil {
		return 0, err
	}
	res.M["listdeep_p50"], res.M["listdeep_p95"] = pct(ds, .5), pct(ds, .95)
	ds, err = timeN(o.n/4, get(fmt.Sprintf("/api/v1/cases?%s&page=%d", listFilter, deep)))
	if err != nil {
		return 0, err
	}
	res.M["listjump_p50"], res.M["listjump_p95"] = pct(ds, .5), pct(ds, .95)
	return deep, nil
}

// benchWrites runs 32 clients that create, accept and decide cases.
func benchWrites(c *client, env *cmdEnv, o *benchOpts, res *Result) error {
	fmt.Fprintln(env.stderr, "bench: writes")
	var ags []struct {
		ID      int64 `json:"id"`
		OrganID int64 `json:"organ_id"`
	}
	if st, b, err := c.do("GET", "/api/v1/agencies", nil, &ags); err != nil || st != 200 || len(ags) == 0 {
		return fmt.Errorf("agencies: %d %s %v", st, b, err)
	}
	resetHWM(o.pid)
	cpu0 := procCPU(o.pid)
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	var mu sync.Mutex
	var lat []time.Duration
	var writes, failures, locked atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(o.duration)
	var wg sync.WaitGroup
	started := time.Now()
	for w := 0; w < o.clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var mine []time.Duration
			post := func(path string, body any, out any) bool {
				t := time.Now()
				st, b, err := c.do("POST", path, body, out)
				d := time.Since(t)
				if err != nil || st >= 300 {
					failures.Add(1)
					if bytes.Contains(b, []byte("locked")) {
						locked.Add(1)
					}
					firstErr.CompareAndSwap(nil, fmt.Sprintf("POST %s: %d %s %v", path, st, b, err))
					return false
				}
				writes.Add(1)
				mine = append(mine, d)
				return true
			}
			for i := 0; time.Now().Before(deadline); i++ {
				ag := ags[(w+i)%len(ags)]
				var cv struct {
					ID      int64 `json:"id"`
					Version int64 `json:"version"`
				}
				if !post("/api/v1/cases", map[string]any{"organ_id": ag.OrganID, "applicant": fmt.Sprintf("基准申请人%d-%d", w, i), "applicant_type": "citizen",
					"respondent": ag.ID, "act_type": "penalty", "received_on": today, "channel": "online"}, &cv) {
					continue
				}
				if !post(fmt.Sprintf("/api/v1/cases/%d/transitions", cv.ID), map[string]any{"action": "accept", "effective_on": today, "version": cv.Version, "procedure": "ordinary"}, &cv) {
					continue
				}
				post(fmt.Sprintf("/api/v1/cases/%d/transitions", cv.ID), map[string]any{"action": "decide", "effective_on": today, "version": cv.Version, "outcome": "upheld"}, nil)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	el := time.Since(started).Seconds()
	res.M["writes_per_s"] = float64(writes.Load()) / el
	res.M["writes_p50"], res.M["writes_p95"], res.M["writes_p99"] = pct(lat, .5), pct(lat, .95), pct(lat, .99)
	// The server's CPU time per acknowledged write: comparable across runs
	// on a machine whose load varies, where writes/s is not.
	if cpu := procCPU(o.pid) - cpu0; cpu > 0 && writes.Load() > 0 {
		res.M["writes_server_cpu_ms"] = float64(cpu.Microseconds()) / 1000 / float64(writes.Load())
	}
	res.M["write_failures"] = float64(failures.Load())
	res.M["write_locked"] = float64(locked.Load())
	res.M["server_rss_load_mb"] = vmHWM(o.pid)
	if e := firstErr.Load(); e != nil {
		res.Notes = append(res.Notes, fmt.Sprintf("%s: first write failure: %.300s", o.label, e))
	}
	return nil
}

// benchExport times the yearly XLSX export and the server's peak memory.
func benchExport(c *client, env *cmdEnv, o *benchOpts, res *Result) error {
	// The yearly XLSX export.
	fmt.Fprintln(env.stderr, "bench: export")
	resetHWM(o.pid)
	t := time.Now()
	st, b, err := c.do("GET", fmt.Sprintf("/api/v1/reports/yearly?year=%d&format=xlsx", o.year), nil, nil)
	if err != nil || st != 200 {
		return fmt.Errorf("export: %d %.300s %v", st, b, err)
	}
	res.M["export_s"] = time.Since(t).Seconds()
	res.M["export_mb"] = float64(len(b)) / (1 << 20)
	res.M["export_rss_mb"] = vmHWM(o.pid)
	res.M["server_rss_final_mb"] = vmHWM(o.pid)
	return nil
}

func writeResult(path string, res *Result) error {
	if path == "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		fmt.Println(string(b))
		return nil
	}
	old := &Result{M: map[string]float64{}}
	if b, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(b, old)
	}
	// merge: an import result and an HTTP result of the same label share a file
	for k, v := range res.M {
		old.M[k] = v
	}
	res.M = old.M
	if res.ImportRows == 0 {
		res.ImportRows, res.ImportSecs, res.ImportRSSMB, res.ImportMethod = old.ImportRows, old.ImportSecs, old.ImportRSSMB, old.ImportMethod
	}
	for _, n := range res.Notes { // a rerun of the same phases repeats its notes
		if !slices.Contains(old.Notes, n) {
			old.Notes = append(old.Notes, n)
		}
	}
	res.Notes = old.Notes
	b, _ := json.MarshalIndent(res, "", "  ")
	return os.WriteFile(path, b, 0o644)
}

// openCounted opens the benchmarked database and fills the data row of the
// table (dialect, cases, litigation); the caller closes it.
func openCounted(ctx context.Context, env *cmdEnv, res *Result) (*models.DB, *sql.DB, error) {
	db, err := models.Open(ctx, models.OpenOptions{DatabaseURL: env.cfg.DatabaseURL, DataDir: env.cfg.DataDir})
	if err != nil {
		return nil, nil, err
	}
	res.Dialect = string(db.Dialect)
	s, err := db.Read.DB()
	if err == nil {
		err = s.QueryRowContext(ctx, "SELECT COUNT(*) FROM cases").Scan(&res.Cases)
	}
	if err == nil {
		err = s.QueryRowContext(ctx, "SELECT COUNT(*) FROM litigation_cases").Scan(&res.Litigation)
	}
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, s, nil
}

// countData fills the data row of the table when the floor did not run.
func countData(ctx context.Context, env *cmdEnv, res *Result) error {
	db, _, err := openCounted(ctx, env, res)
	if err != nil {
		return err
	}
	return db.Close()
}

// benchFloor runs the statistics and the list as raw SQL on the same
// database, in-process: the rollup statements services/stats issues for a
// yearly report (stats.ReportStatements), and the list's COUNT + page query.
func benchFloor(ctx context.Context, env *cmdEnv, o *benchOpts, res *Result, deep int64) error {
	db, s, err := openCounted(ctx, env, res)
	if err != nil {
		return err
	}
	defer db.Close()
	var ids []string
	rows, err := s.QueryContext(ctx, "SELECT id FROM organs ORDER BY id")
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	rows.Close()
	in := "(" + strings.Join(ids, ",") + ")"
	from, to := fmt.Sprintf("%d-01-01", o.year), fmt.Sprintf("%d-12-31", o.year)
	rebind := func(q string) string {
		if db.Dialect != models.Postgres {
			return q
		}
		var sb strings.Builder
		n := 0
		for _, r := range q {
			if r == '?' {
				n++
				sb.WriteString("$" + strconv.Itoa(n))
				continue
			}
			sb.WriteRune(r)
		}
		return sb.String()
	}
	drain := func(q string, args ...any) error {
		rs, err := s.QueryContext(ctx, rebind(q), args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		cols, _ := rs.Columns()
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(sql.RawBytes)
		}
		for rs.Next() {
			if err := rs.Scan(vals...); err != nil {
				return err
			}
		}
		return rs.Err()
	}
	// The statistics: the rollup statements services/stats runs for the
	// yearly report's reconsideration figures (built-in metric definitions).
	organIDs := make([]int64, len(ids))
	for i, id := range ids {
		organIDs[i], _ = strconv.ParseInt(id, 10, 64)
	}
	statements := stats.New(db).ReportStatements(stats.Period{From: from, To: to}, organIDs, stats.FlagOnTime)
	statsQ := func() error {
		for _, st := range statements {
			rs, err := db.Read.WithContext(ctx).Raw(st.SQL, st.Args...).Rows()
			if err != nil {
				return err
			}
			for rs.Next() {
			}
			err = rs.Err()
			rs.Close()
			if err != nil {
				return err
			}
		}
		return nil
	}
	ds, err := timeN(o.n, statsQ)
	if err != nil {
		return fmt.Errorf("floor stats: %w", err)
	}
	res.M["floor_stats_p50"], res.M["floor_stats_p95"] = pct(ds, .5), pct(ds, .95)
	// The same figures straight from the cases table (no rollup): what a
	// generic backend's GROUP BY view costs.
	ds, err = timeN(max(o.n/10, 5), func() error {
		return drain(`SELECT outcome, termination, COUNT(*) FROM cases WHERE organ_id IN `+in+` AND closed_on BETWEEN ? AND ? AND accepted_on IS NOT NULL GROUP BY outcome, termination`, from, to)
	})
	if err != nil {
		return err
	}
	res.M["scan_stats_p95"] = pct(ds, .95)
	// The list as services/lifecycle runs it: the count up to its cap, the
	// page's ids (after the cursor of the page before for the deep page,
	// whose position is found once here as a client finds it by paging),
	// then the rows by id.
	const where = "organ_id IN %s AND status IN ('closed')"
	w := fmt.Sprintf(where, in)
	listQ := func(after string, args ...any) func() error {
		return func() error {
			var n int64
			if err := s.QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE %s LIMIT %d) AS capped", w, lifecycle.CountCap+1)).Scan(&n); err != nil {
				return err
			}
			rs, err := s.QueryContext(ctx, rebind("SELECT id FROM cases WHERE "+w+after+" ORDER BY received_on DESC, id DESC LIMIT 21"), args...)
			if err != nil {
				return err
			}
			var ids []string
			for rs.Next() {
				var id int64
				if err := rs.Scan(&id); err != nil {
					rs.Close()
					return err
				}
				ids = append(ids, strconv.FormatInt(id, 10))
			}
			rs.Close()
			if len(ids) == 0 {
				return fmt.Errorf("floor list: empty page")
			}
			return drain("SELECT * FROM cases WHERE id IN (" + strings.Join(ids[:min(20, len(ids))], ",") + ")")
		}
	}
	ds, err = timeN(o.n/2, listQ(""))
	if err != nil {
		return err
	}
	res.M["floor_list1_p95"] = pct(ds, .95)
	after, args := "", []any(nil)
	if deep > 1 {
		var on string
		var id int64
		if err := s.QueryRowContext(ctx, "SELECT received_on, id FROM cases WHERE "+w+" ORDER BY received_on DESC, id DESC LIMIT 1 OFFSET "+strconv.FormatInt((deep-1)*20-1, 10)).Scan(&on, &id); err != nil {
			return fmt.Errorf("floor list: the deep page's cursor: %w", err)
		}
		after, args = " AND received_on <= ? AND (received_on < ? OR received_on = ? AND id < ?)", []any{on, on, on, id}
	}
	ds, err = timeN(o.n/4, listQ(after, args...))
	if err != nil {
		return err
	}
	res.M["floor_listdeep_p95"] = pct(ds, .95)
	return nil
}

// benchImport imports a ledger in-process with the hooks a hand entry runs
// (used while `fuyi import` does not exist yet).
func benchImport(ctx context.Context, env *cmdEnv, o *benchOpts, path string) error {
	a, err := openApp(ctx, env.cfg, env.stderr, true)
	if err != nil {
		return err
	}
	defer a.Close()
	t := time.Now()
	r, err := ledger.Import(ctx, a.db, ledger.ImportOptions{Path: path, OrganName: o.organ, CreateOrgan: true,
		Hooks: []lifecycle.Hook{a.clock.Recompute, a.stats.LockHook, a.stats.RollupHook}}, nil)
	if err != nil {
		return err
	}
	if !r.OK() {
		_ = r.WriteReport(env.stderr)
		return fmt.Errorf("import refused")
	}
	fmt.Fprintf(env.stdout, "bench import: %d created in %s\n", r.Created, time.Since(t))
	return nil
}

// benchTable renders the results as one markdown table with the machine's
// facts, prints it, and replaces the generated section of --doc.
func benchTable(env *cmdEnv, o *benchOpts, files []string) error {
	var rs []*Result
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		r := &Result{}
		if err := json.Unmarshal(b, r); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		rs = append(rs, r)
	}
	var sb strings.Builder
	cpu := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
		kb, _ := strconv.ParseFloat(f[1], 64)
		mem = fmt.Sprintf("%.1f GiB", kb/1024/1024)
	}
	other, sampled := 0.0, false
	for _, r := range rs {
		if v, ok := r.M["other_cpu_pct"]; ok {
			other, sampled = max(other, v), true
		}
	}
	loadNote := "The CPU used by other processes was not recorded."
	switch {
	case !sampled:
	case other > 10:
		loadNote = fmt.Sprintf("Other processes used up to %.0f %% of the machine's CPU while a column was timed: its latencies are pessimistic.", other)
	default:
		loadNote = fmt.Sprintf("Other processes used at most %.0f %% of the machine's CPU while the columns were timed.", other)
	}
	fmt.Fprintf(&sb, "Machine: %d cores (nproc), %s RAM, %s, %s, run %s. %s\n\n",
		runtimeNumCPU(), mem, cpu, runtimeVersion(), time.Now().UTC().Format("2006-01-02 15:04 UTC"), loadNote)
	sb.WriteString("| measure | target (issue 9) |")
	for _, r := range rs {
		sb.WriteString(" " + r.Label + " |")
	}
	sb.WriteString("\n|---|---|")
	for range rs {
		sb.WriteString("---|")
	}
	sb.WriteString("\n")
	row := func(name, target string, cell func(r *Result) string) {
		sb.WriteString("| " + name + " | " + target + " |")
		for _, r := range rs {
			sb.WriteString(" " + cell(r) + " |")
		}
		sb.WriteString("\n")
	}
	mark := func(ok bool) string {
		if ok {
			return " ✅"
		}
		return " ❌"
	}
	has := func(r *Result, k string) bool { _, ok := r.M[k]; return ok }
	ms := func(k string, limit func(r *Result) float64) func(r *Result) string {
		return func(r *Result) string {
			if !has(r, k) {
				return "–"
			}
			s := fmt.Sprintf("%.1f", r.M[k])
			if limit != nil {
				if l := limit(r); l > 0 {
					s += mark(r.M[k] <= l)
				}
			}
			return s
		}
	}
	ratio := func(a, b string) func(r *Result) string {
		return func(r *Result) string {
			if !has(r, a) || r.M[b] == 0 {
				return "–"
			}
			return fmt.Sprintf("×%.1f", r.M[a]/r.M[b])
		}
	}
	pg := func(r *Result) bool { return r.Dialect == "postgres" }
	statsLimit := func(r *Result) float64 {
		if pg(r) {
			return 20
		}
		if r.Cases > 1_000_000 {
			return 20
		}
		return 10
	}
	listLimit := func(r *Result) float64 {
		if r.Cases > 1_000_000 {
			return 30
		}
		return 10
	}
	row("data: reconsideration / litigation cases", "", func(r *Result) string { return fmt.Sprintf("%d / %d", r.Cases, r.Litigation) })
	row("ledger import rows/s (peak RSS)", "≥ 20,000 rows/s (1M-row CSV)", func(r *Result) string {
		if r.ImportRows == 0 {
			return "–"
		}
		v := float64(r.ImportRows) / r.ImportSecs
		// The target is a million-row ledger's; a small one is mostly the
		// command's start (opening, migrating, the first batch), not marked.
		m := ""
		if r.ImportRows >= 1_000_000 {
			m = mark(v >= 20000)
		}
		return fmt.Sprintf("%.0f%s (%d rows, %.0f MB, %s)", v, m, r.ImportRows, r.ImportRSSMB, r.ImportMethod)
	})
	row("yearly stats p50 ms", "", ms("stats_p50", nil))
	row("yearly stats p95 ms", "≤ 10 (city), ≤ 20 (national, PG)", ms("stats_p95", statsLimit))
	row("  floor: same rollup SQL in-process p95 ms", "", ms("floor_stats_p95", nil))
	row("  ratio HTTP / floor (p95)", "", ratio("stats_p95", "floor_stats_p95"))
	row("  (no rollup: GROUP BY over cases p95 ms)", "", ms("scan_stats_p95", nil))
	// Growth with data: a national column against the city column of the
	// same engine (issue 9: national/city p95 ≤ 2).
	cityOf := func(r *Result) *Result {
		for _, c := range rs {
			if c != r && c.Dialect == r.Dialect && c.Cases > 50_000 && c.Cases <= 1_000_000 && strings.HasPrefix(c.Label, "city") {
				return c
			}
		}
		return nil
	}
	growth := func(k string) func(r *Result) string {
		return func(r *Result) string {
			c := cityOf(r)
			if r.Cases <= 1_000_000 || c == nil || !has(r, k) || c.M[k] == 0 {
				return "–"
			}
			v := r.M[k] / c.M[k]
			return fmt.Sprintf("×%.1f%s", v, mark(v <= 2))
		}
	}
	row("  national / city yearly stats p95", "≤ 2", growth("stats_p95"))
	row("breakdown by agency p95 ms", "", ms("breakdown_p95", nil))
	row("list page 1 p95 ms", "≤ 10 (city), ≤ 30 (national)", ms("list1_p95", listLimit))
	row("  floor (count to 10,001 + page SQL) p95 ms / ratio", "", func(r *Result) string {
		return ms("floor_list1_p95", nil)(r) + " / " + ratio("list1_p95", "floor_list1_p95")(r)
	})
	row("list deep page by cursor p95 ms (page)", "≤ 10 at any depth", func(r *Result) string {
		return ms("listdeep_p95", listLimit)(r) + fmt.Sprintf(" (p.%.0f)", r.M["list_deep_page"])
	})
	row("  floor (count to 10,001 + keyset SQL) p95 ms / ratio", "", func(r *Result) string {
		return ms("floor_listdeep_p95", nil)(r) + " / " + ratio("listdeep_p95", "floor_listdeep_p95")(r)
	})
	row("  same page by number (OFFSET) p95 ms", "", ms("listjump_p95", nil))
	row("  national / city list page 1 p95", "", growth("list1_p95"))
	// The write targets are SQLite's (synchronous=FULL, "database is
	// locked"); PostgreSQL's figures are shown unmarked.
	writeMark := func(r *Result, ok bool) string {
		if pg(r) {
			return ""
		}
		return mark(ok)
	}
	row("writes/s, 32 clients (create/accept/decide)", "≥ 500/s (SQLite, synchronous=FULL)", func(r *Result) string {
		if !has(r, "writes_per_s") {
			return "–"
		}
		return fmt.Sprintf("%.0f%s", r.M["writes_per_s"], writeMark(r, r.M["writes_per_s"] >= 500))
	})
	row("write p99 ms (p50)", "≤ 100 (SQLite)", func(r *Result) string {
		if !has(r, "writes_p99") {
			return "–"
		}
		return fmt.Sprintf("%.0f%s (%.0f)", r.M["writes_p99"], writeMark(r, r.M["writes_p99"] <= 100), r.M["writes_p50"])
	})
	row("write failures / \"database is locked\"", "0 / 0", func(r *Result) string {
		if !has(r, "writes_per_s") {
			return "–"
		}
		return fmt.Sprintf("%.0f / %.0f", r.M["write_failures"], r.M["write_locked"])
	})
	row("yearly XLSX export s (size MB)", "≤ 60 s (million-row year)", func(r *Result) string {
		if !has(r, "export_s") {
			return "–"
		}
		return fmt.Sprintf("%.1f%s (%.1f MB)", r.M["export_s"], mark(r.M["export_s"] <= 60), r.M["export_mb"])
	})
	row("export: server peak RSS MB", "≤ 300", ms("export_rss_mb", func(*Result) float64 { return 300 }))
	row("server peak RSS under write load MB", "≤ 200", ms("server_rss_load_mb", func(*Result) float64 { return 200 }))
	var notes []string
	for _, r := range rs {
		notes = append(notes, r.Notes...)
	}
	if len(notes) > 0 {
		sb.WriteString("\n")
		for _, n := range notes {
			sb.WriteString("- " + n + "\n")
		}
	}
	table := sb.String()
	fmt.Fprint(env.stdout, table)
	if o.doc == "" {
		return nil
	}
	const begin, end = "<!-- bench:begin (generated by make bench) -->", "<!-- bench:end -->"
	doc := "# Benchmarks\n\n" + begin + "\n" + end + "\n"
	if b, err := os.ReadFile(o.doc); err == nil {
		doc = string(b)
	}
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		doc += "\n" + begin + "\n" + end + "\n"
		i, j = strings.Index(doc, begin), strings.Index(doc, end)
	}
	doc = doc[:i+len(begin)] + "\n" + table + doc[j:]
	return os.WriteFile(o.doc, []byte(doc), 0o644)
}
