package main

// Helpers of the tests that run the real fuyi binary as operators do: build
// it once per test run, start `fuyi serve` on a free loopback port, talk
// HTTP to it, signal it.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// TestMain removes the binary built by fuyiBinary after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// fuyiBinary builds cmd/fuyi once for the whole test run and returns its path.
func fuyiBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "fuyi-testbin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "fuyi")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// freeAddr returns a free loopback host:port.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// syncBuffer is a goroutine-safe output sink.
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

// server is one running `fuyi serve`.
type server struct {
	t      *testing.T
	cmd    *exec.Cmd
	URL    string
	out    *syncBuffer
	done   chan struct{}
	exit   error
	client *http.Client
}

// startServer runs `fuyi serve` with env (FUYI_ADDR is chosen here) and
// waits until /healthz answers. The process is killed when the test ends.
func startServer(t *testing.T, env map[string]string) *server {
	t.Helper()
	s := launchServer(t, env)
	if err := s.waitHealthy(60 * time.Second); err != nil {
		t.Fatal(err)
	}
	return s
}

// launchServer starts `fuyi serve` without waiting for it.
func launchServer(t *testing.T, env map[string]string) *server {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(fuyiBinary(t), "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "FUYI_ADDR=" + addr, "FUYI_LOG_FORMAT=json"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	s := &server{t: t, cmd: cmd, URL: "http://" + addr, out: &syncBuffer{}, done: make(chan struct{}),
		client: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exit = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.done
		if t.Failed() {
			t.Logf("fuyi serve output (%s):\n%s", s.URL, tail(s.out.String(), 4000))
		}
	})
	return s
}

// waitHealthy polls /healthz until it answers 200, the process exits, or
// the timeout passes.
func (s *server) waitHealthy(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-s.done:
			return fmt.Errorf("fuyi serve exited during start: %v\n%s", s.exit, s.out.String())
		default:
		}
		if resp, err := http.Get(s.URL + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("fuyi serve not healthy within %v:\n%s", timeout, s.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// signal sends sig and waits up to timeout for the exit; it returns the exit
// code (-1 when killed by a signal) and how long the exit took.
func (s *server) signal(sig syscall.Signal, timeout time.Duration) (int, time.Duration) {
	s.t.Helper()
	start := time.Now()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatal(err)
	}
	select {
	case <-s.done:
	case <-time.After(timeout):
		s.t.Fatalf("fuyi serve did not exit within %v of %v", timeout, sig)
	}
	return s.cmd.ProcessState.ExitCode(), time.Since(start)
}

// call sends a JSON request with an optional bearer token and decodes the
// JSON answer into out (when not nil). It returns the status (0 and the error
// when the request failed at the transport level).
func (s *server) call(method, path, token string, body, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && len(b) > 0 && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s: %w", b, err)
		}
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	return resp.StatusCode, nil
}

// must is call that fails the test unless the status is want.
func (s *server) must(want int, method, path, token string, body, out any) {
	s.t.Helper()
	code, err := s.call(method, path, token, body, out)
	if code != want {
		s.t.Fatalf("%s %s: status %d, want %d (%v)", method, path, code, want, err)
	}
}

// tokens is the answer of login and refresh.
type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	User         struct {
		ID int64 `json:"id"`
	} `json:"user"`
}

func (s *server) login(user, password string) tokens {
	s.t.Helper()
	var tk tokens
	s.must(http.StatusOK, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": user, "password": password}, &tk)
	return tk
}

// testPassword is the password of the users the process tests create.
const testPassword = "Durable-Passw0rd-Fuyi-9"

// fixture is what seedOverHTTP creates: an organ, one of its agencies, and
// the access tokens of an admin and of an officer of the organ.
type fixture struct {
	OrganID, AgencyID int64
	Admin, Officer    tokens
	// CasesAPI tells whether POST /api/v1/cases exists in this build.
	CasesAPI bool
}

// seedOverHTTP logs in as the admin "ops" (created beforehand with
// `fuyi user add`), creates an organ, an agency and an officer through the
// admin API, and logs the officer in.
func seedOverHTTP(t *testing.T, s *server, organName string) fixture {
	t.Helper()
	var f fixture
	f.Admin = s.login("ops", testPassword)
	var organ struct{ ID int64 }
	short := "测"
	s.must(http.StatusCreated, http.MethodPost, "/api/v1/admin/organs", f.Admin.AccessToken,
		map[string]any{"name": organName, "short_name": short, "case_no_pattern": "{short}复〔{year}〕{seq}号"}, &organ)
	f.OrganID = organ.ID
	var agency struct{ ID int64 }
	s.must(http.StatusCreated, http.MethodPost, fmt.Sprintf("/api/v1/admin/organs/%d/agencies", f.OrganID), f.Admin.AccessToken,
		map[string]any{"name": "区市场监督管理局"}, &agency)
	f.AgencyID = agency.ID
	s.must(http.StatusCreated, http.MethodPost, "/api/v1/admin/users", f.Admin.AccessToken,
		map[string]any{"username": "officer1", "role": "officer", "password": testPassword, "organ_ids": []int64{f.OrganID}}, nil)
	f.Officer = s.login("officer1", testPassword)
	code, _ := s.call(http.MethodPost, "/api/v1/cases", f.Officer.AccessToken, map[string]any{}, nil)
	f.CasesAPI = code != http.StatusNotFound && code != http.StatusMethodNotAllowed
	return f
}

// caseBody is a valid case registration (DESIGN §6 field names).
func caseBody(f fixture, i int) map[string]any {
	return map[string]any{
		"applicant": fmt.Sprintf("申请人%04d", i), "applicant_type": "citizen", "respondent": f.AgencyID,
		"act_type": "penalty", "area": "market_regulation", "received_on": time.Now().Format(time.DateOnly),
		"channel": "in_person", "request": "请求撤销行政处罚决定书",
	}
}

// createdCase is the part of a case answer the tests compare.
type createdCase struct {
	ID      int64  `json:"id"`
	CaseNo  string `json:"case_no"`
	Version int64  `json:"version"`
	Status  string `json:"status"`
}

// addUser runs `fuyi user add` in-process against env's database.
func addUser(t *testing.T, env map[string]string, name, role string) {
	t.Helper()
	runOK(t, envOf(env), strings.NewReader(testPassword+"\n"), "user", "add", "--username", name, "--role", role)
}
