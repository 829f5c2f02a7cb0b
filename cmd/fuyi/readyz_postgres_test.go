package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestReadyzFollowsPostgresDownAndBack runs serve on a private PostgreSQL
// cluster (from FUYI_PG_BIN, set by scripts/with-postgres.sh), stops the
// cluster and expects /readyz to answer 503 quickly, then starts it again and
// expects 200 without restarting fuyi.
func TestReadyzFollowsPostgresDownAndBack(t *testing.T) {
	pgbin := os.Getenv("FUYI_PG_BIN")
	if pgbin == "" || testing.Short() {
		t.Skip("needs FUYI_PG_BIN (scripts/with-postgres.sh) and not -short")
	}
	dir, err := os.MkdirTemp("", "fuyi-readyz-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var asUser []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root needs a postgres user")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	pg := func(args ...string) error {
		argv := append(append([]string{}, asUser...), args...)
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %v\n%s", args, err, out)
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := pg(filepath.Join(pgbin, "initdb"), "-D", data, "-U", "fuyi", "--auth=trust", "-E", "UTF8", "--locale=C"); err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(freePort(t))
	start := func() error {
		return pg(filepath.Join(pgbin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60",
			"-o", "-c listen_addresses=127.0.0.1 -c port="+port+" -c unix_socket_directories="+dir+" -c fsync=off", "start")
	}
	stop := func() error { return pg(filepath.Join(pgbin, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop") }
	if err := start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg(filepath.Join(pgbin, "pg_ctl"), "-D", data, "-m", "immediate", "stop") })

	s := startServer(t, map[string]string{
		"FUYI_DATABASE_URL": "postgres://fuyi@127.0.0.1:" + port + "/postgres?sslmode=disable&connect_timeout=2",
		"FUYI_DATA_DIR":     filepath.Join(dir, "unused"),
	})
	ready := func() (int, time.Duration) {
		t0 := time.Now()
		code, _ := s.call(http.MethodGet, "/readyz", "", nil, nil)
		return code, time.Since(t0)
	}
	if code, _ := ready(); code != http.StatusOK {
		t.Fatalf("readyz with PostgreSQL up: %d", code)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	code, took := ready()
	if code != http.StatusServiceUnavailable || took > 3*time.Second {
		t.Fatalf("readyz with PostgreSQL down: %d after %v, want 503 within 3s", code, took)
	}
	if err := start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if code, _ := ready(); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("readyz did not recover within 20s of PostgreSQL coming back")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, _ := s.signal(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("SIGTERM exit %d", code)
	}
}

// freePort returns a free loopback TCP port.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
