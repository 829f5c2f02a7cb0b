// Command fuyi-soak is the load generator of `make soak` (scripts/soak.sh):
// N concurrent loopback clients mixing reads and writes against a running
// `fuyi serve` for a bounded time, optionally stopping and restarting
// PostgreSQL in the middle. It reports the status classes, p50/p99/max
// latencies, and checks that every write answered 201 is still there at
// the end. It exits 1 on any 5xx outside the database outage, any request
// that outlived its timeout, any lost write, or a /readyz that did not go
// not-ready during the outage or did not recover after it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

type config struct {
	base           string
	user, password string
	clients        int
	duration       time.Duration
	timeout        time.Duration
	pgStop         string
	pgStart        string
	outage         time.Duration
}

type sample struct {
	at      time.Time
	latency time.Duration
	status  int // 0: transport error; -1: timeout
	write   bool
}

type soak struct {
	cfg     config
	http    *http.Client
	token   string
	agency  int64
	tag     string
	mu      sync.Mutex
	samples []sample
	created sync.Map // id → applicant
	// outage window (zero when no restart)
	outFrom, outTo atomic.Int64
}

func main() {
	var c config
	flag.StringVar(&c.base, "url", "http://127.0.0.1:8080", "fuyi base URL (loopback)")
	flag.StringVar(&c.user, "user", "soak", "an admin user")
	flag.StringVar(&c.password, "password", os.Getenv("SOAK_PASSWORD"), "its password (env SOAK_PASSWORD)")
	flag.IntVar(&c.clients, "clients", 64, "concurrent clients")
	flag.DurationVar(&c.duration, "duration", 5*time.Minute, "how long to run")
	flag.DurationVar(&c.timeout, "timeout", 15*time.Second, "per-request timeout: a request taking longer is a failure")
	flag.StringVar(&c.pgStop, "pg-stop", "", "shell command that stops PostgreSQL (empty: no restart)")
	flag.StringVar(&c.pgStart, "pg-start", "", "shell command that starts it again")
	flag.DurationVar(&c.outage, "outage", 5*time.Second, "how long PostgreSQL stays down")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "fuyi-soak:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	s := &soak{cfg: c, http: &http.Client{Timeout: c.timeout, Transport: &http.Transport{MaxIdleConnsPerHost: c.clients}},
		tag: fmt.Sprintf("soak%d", time.Now().UnixNano()%1e9)}
	if err := s.setup(); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	defer cancel()
	var wg sync.WaitGroup
	for i := range c.clients {
		wg.Add(1)
		go func() { defer wg.Done(); s.client(ctx, i) }()
	}
	var restartErr error
	if c.pgStop != "" {
		restartErr = s.restartPostgres(ctx)
	}
	wg.Wait()
	return s.report(restartErr)
}

// call sends one request and records it; out (may be nil) receives the JSON answer.
func (s *soak) call(method, path string, body any, out any, write bool) int {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.cfg.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	start := time.Now()
	resp, err := s.http.Do(req)
	sm := sample{at: start, write: write}
	if err != nil {
		sm.status = 0
		var ue interface{ Timeout() bool }
		if errors.As(err, &ue) && ue.Timeout() {
			sm.status = -1
		}
	} else {
		sm.status = resp.StatusCode
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if out != nil && resp.StatusCode < 300 {
			_ = json.Unmarshal(b, out)
		}
	}
	sm.latency = time.Since(start)
	s.mu.Lock()
	s.samples = append(s.samples, sm)
	s.mu.Unlock()
	return sm.status
}

func (s *soak) setup() error {
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if st := s.call("POST", "/api/v1/auth/login", map[string]string{"username": s.cfg.user, "password": s.cfg.password}, &tok, false); st != 200 {
		return fmt.Errorf("admin login: %d", st)
	}
	s.token = tok.AccessToken
	var organ, agency struct {
		ID int64 `json:"id"`
	}
	name, short := "压测区人民政府"+s.tag, "压"
	if st := s.call("POST", "/api/v1/admin/organs", map[string]any{"name": name, "short_name": short}, &organ, true); st != 201 {
		return fmt.Errorf("create organ: %d", st)
	}
	if st := s.call("POST", fmt.Sprintf("/api/v1/admin/organs/%d/agencies", organ.ID), map[string]any{"name": "区市场监督管理局"}, &agency, true); st != 201 {
		return fmt.Errorf("create agency: %d", st)
	}
	s.agency = agency.ID
	officer, pw := "officer-"+s.tag, fmt.Sprintf("Steady-Clerk-Pw-%d", time.Now().UnixNano()%1e6)
	if st := s.call("POST", "/api/v1/admin/users", map[string]any{"username": officer, "role": "officer", "password": pw, "organ_ids": []int64{organ.ID}}, nil, true); st != 201 {
		return fmt.Errorf("create officer: %d", st)
	}
	s.token = ""
	if st := s.call("POST", "/api/v1/auth/login", map[string]string{"username": officer, "password": pw}, &tok, false); st != 200 {
		return fmt.Errorf("officer login: %d", st)
	}
	s.token = tok.AccessToken
	s.mu.Lock()
	s.samples = nil
	s.mu.Unlock()
	return nil
}

// client loops until ctx ends: 70% reads, 30% writes (create; accept one
// of its own cases).
func (s *soak) client(ctx context.Context, n int) {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(time.Now().UnixNano())))
	var mine []struct{ id, version int64 }
	for i := 0; ctx.Err() == nil; i++ {
		switch x := rng.IntN(100); {
		case x < 20:
			applicant := fmt.Sprintf("%s-%d-%d", s.tag, n, i)
			var v struct {
				ID      int64 `json:"id"`
				Version int64 `json:"version"`
			}
			st := s.call("POST", "/api/v1/cases", map[string]any{"applicant": applicant, "applicant_type": "公民", "respondent": s.agency,
				"act_type": "行政处罚", "request": "撤销处罚决定", "channel": "post", "received_on": "2025-03-05"}, &v, true)
			if st == 201 {
				s.created.Store(v.ID, applicant)
				mine = append(mine, struct{ id, version int64 }{v.ID, v.Version})
			}
		case x < 30 && len(mine) > 0:
			c := mine[len(mine)-1]
			mine = mine[:len(mine)-1]
			s.call("POST", fmt.Sprintf("/api/v1/cases/%d/transitions", c.id), map[string]any{"action": "accept", "procedure": "ordinary",
				"effective_on": "2025-03-07", "version": c.version}, nil, true)
		case x < 55:
			s.call("GET", fmt.Sprintf("/api/v1/cases?page=%d&page_size=20&sort=-received_on", 1+rng.IntN(3)), nil, nil, false)
		case x < 70 && len(mine) > 0:
			s.call("GET", fmt.Sprintf("/api/v1/cases/%d", mine[rng.IntN(len(mine))].id), nil, nil, false)
		case x < 85:
			s.call("GET", "/api/v1/stats?from=2025-01-01&to=2025-12-31", nil, nil, false)
		default:
			s.call("GET", "/api/v1/deadlines?due_within_days=30", nil, nil, false)
		}
	}
}

func (s *soak) ready() int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.cfg.base+"/readyz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// restartPostgres waits for 40% of the run, stops PostgreSQL, checks that
// /readyz turns 503, starts it after the outage and checks that /readyz
// recovers within 30 seconds, without restarting fuyi.
func (s *soak) restartPostgres(ctx context.Context) error {
	select {
	case <-time.After(s.cfg.duration * 2 / 5):
	case <-ctx.Done():
		return errors.New("run too short for a restart")
	}
	s.outFrom.Store(time.Now().UnixNano())
	fmt.Println("soak: stopping PostgreSQL")
	if out, err := exec.Command("sh", "-c", s.cfg.pgStop).CombinedOutput(); err != nil {
		return fmt.Errorf("pg stop: %v: %s", err, out)
	}
	notReady := false
	for deadline := time.Now().Add(s.cfg.outage); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		if s.ready() == http.StatusServiceUnavailable {
			notReady = true
		}
	}
	fmt.Println("soak: starting PostgreSQL")
	if out, err := exec.Command("sh", "-c", s.cfg.pgStart).CombinedOutput(); err != nil {
		return fmt.Errorf("pg start: %v: %s", err, out)
	}
	started := time.Now()
	for time.Since(started) < 30*time.Second {
		if s.ready() == http.StatusOK {
			fmt.Printf("soak: /readyz recovered %.1fs after PostgreSQL started\n", time.Since(started).Seconds())
			// Pooled connections to the old server fail once each: allow a short tail.
			s.outTo.Store(time.Now().Add(3 * time.Second).UnixNano())
			if !notReady {
				return errors.New("/readyz never reported not-ready while PostgreSQL was down")
			}
			return nil
		}
		time.Sleep(250 * time.Millisecond)
	}
	s.outTo.Store(time.Now().UnixNano())
	return errors.New("/readyz did not recover within 30s of PostgreSQL's restart")
}

func (s *soak) report(restartErr error) error {
	// Lost writes: every case answered 201 must be listed now.
	listed := map[int64]string{}
	for page := 1; ; page++ {
		var res struct {
			Items []struct {
				ID        int64  `json:"id"`
				Applicant string `json:"applicant"`
			} `json:"items"`
			Total int `json:"total"`
		}
		if st := s.call("GET", fmt.Sprintf("/api/v1/cases?q=%s&page=%d&page_size=200", s.tag, page), nil, &res, false); st != 200 {
			return fmt.Errorf("final listing: %d", st)
		}
		for _, it := range res.Items {
			listed[it.ID] = it.Applicant
		}
		if len(res.Items) < 200 {
			break
		}
	}
	created, lost := 0, 0
	s.created.Range(func(k, v any) bool {
		created++
		if listed[k.(int64)] != v.(string) {
			lost++
		}
		return true
	})

	from, to := s.outFrom.Load(), s.outTo.Load()
	// A request counts as hit by the outage when it was in flight during it
	// (those in flight when PostgreSQL stopped fail with "terminating
	// connection due to administrator command").
	inOutage := func(sm sample) bool {
		start, end := sm.at.UnixNano(), sm.at.Add(sm.latency).UnixNano()
		return from != 0 && end >= from && (to == 0 || start <= to)
	}
	classes := map[string]int{}
	var lat []time.Duration
	bad5xx, outage5xx, timeouts, writes := 0, 0, 0, 0
	for _, sm := range s.samples {
		switch {
		case sm.status == -1:
			timeouts++
			classes["timeout"]++
		case sm.status == 0:
			classes["transport error"]++
		default:
			classes[fmt.Sprintf("%dxx", sm.status/100)]++
		}
		if sm.status >= 500 || sm.status == 0 {
			if inOutage(sm) {
				outage5xx++
			} else {
				bad5xx++
			}
		}
		if sm.write {
			writes++
		}
		lat = append(lat, sm.latency)
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	fmt.Printf("soak: %d clients, %s: %d requests (%d writes), %.0f req/s\n", s.cfg.clients, s.cfg.duration, len(s.samples), writes,
		float64(len(s.samples))/s.cfg.duration.Seconds())
	fmt.Printf("soak: status classes %v\n", classes)
	fmt.Printf("soak: latency p50 %s p99 %s max %s\n", pct(0.50).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	fmt.Printf("soak: cases created %d, lost %d; 5xx/transport errors outside the outage %d, during it %d; timeouts %d\n",
		created, lost, bad5xx, outage5xx, timeouts)
	var problems []string
	if restartErr != nil {
		problems = append(problems, restartErr.Error())
	}
	if bad5xx > 0 {
		problems = append(problems, fmt.Sprintf("%d server errors outside the outage", bad5xx))
	}
	if timeouts > 0 {
		problems = append(problems, fmt.Sprintf("%d requests outlived the %s timeout", timeouts, s.cfg.timeout))
	}
	if lost > 0 {
		problems = append(problems, fmt.Sprintf("%d lost writes", lost))
	}
	if created == 0 {
		problems = append(problems, "no write succeeded")
	}
	if len(problems) > 0 {
		return fmt.Errorf("FAILED: %v", problems)
	}
	fmt.Println("soak: OK")
	return nil
}
