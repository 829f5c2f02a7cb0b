package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeGracefulShutdown starts the real binary, begins a request whose
// body arrives slowly, sends SIGTERM while it is in flight, and checks that
// the request still completes, that new connections are refused, and that
// serve exits 0 within seconds.
func TestServeGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	env := map[string]string{"FUYI_DATA_DIR": filepath.Join(t.TempDir(), "data"), "FUYI_SHUTDOWN_TIMEOUT": "10s"}
	addUser(t, env, "ops", "admin")
	s := startServer(t, env)
	addr := strings.TrimPrefix(s.URL, "http://")

	// A login whose JSON body is sent in two halves, 1.5 s apart: the request
	// is in flight (headers read, handler waiting for the body) at SIGTERM.
	body := fmt.Sprintf(`{"username":"ops","password":%q}`, testPassword)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body[:10])
	time.Sleep(300 * time.Millisecond) // let the server read the headers

	type result struct {
		code int
		took time.Duration
	}
	exited := make(chan result, 1)
	go func() {
		code, took := s.signal(syscall.SIGTERM, 15*time.Second)
		exited <- result{code, took}
	}()
	time.Sleep(700 * time.Millisecond)
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("new connection accepted after SIGTERM")
	}
	select {
	case r := <-exited:
		t.Fatalf("serve exited (code %d) before the in-flight request finished", r.code)
	default:
	}
	if _, err := io.WriteString(conn, body[10:]); err != nil {
		t.Fatalf("finish body: %v", err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request lost: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "access_token") {
		t.Fatalf("in-flight login: %d %s", resp.StatusCode, b)
	}
	r := <-exited
	if r.code != 0 {
		t.Fatalf("exit code %d after SIGTERM:\n%s", r.code, s.out.String())
	}
	if r.took > 8*time.Second {
		t.Fatalf("exit took %v", r.took)
	}
	if !strings.Contains(s.out.String(), `"msg":"shutting down"`) {
		t.Errorf("no JSON shutdown log line with FUYI_LOG_FORMAT=json:\n%s", s.out.String())
	}
}
