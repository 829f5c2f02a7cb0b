package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"fuyi/api"
)

func init() {
	addCommand(&command{
		Name:    "serve",
		Summary: "run the web server (migrates the database first)",
		Usage:   "[flags]",
		Examples: `  fuyi serve
  FUYI_ADDR=0.0.0.0:8080 FUYI_DATABASE_URL=postgres://fuyi@db/fuyi fuyi serve`,
		Run: runServe,
	})
	addCommand(&command{
		Name:     "migrate",
		Summary:  "apply pending database migrations and exit",
		Usage:    "[flags]",
		Examples: "  fuyi migrate\n  fuyi migrate --database-url postgres://fuyi@localhost/fuyi",
		Run: func(ctx context.Context, env *cmdEnv, _ any, args []string) error {
			if len(args) > 0 {
				return errUsage
			}
			a, err := openApp(ctx, env.cfg, env.stderr, true)
			if err != nil {
				return err
			}
			defer a.Close()
			v, err := a.db.SchemaVersion(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "database schema at version %d\n", v)
			return nil
		},
	})
}

func runServe(ctx context.Context, env *cmdEnv, _ any, args []string) error {
	if len(args) > 0 {
		return errUsage
	}
	a, err := openApp(ctx, env.cfg, env.stderr, true)
	if err != nil {
		return err
	}
	defer a.Close()
	pw, err := a.auth.EnsureAdmin(ctx)
	if err != nil {
		return err
	}
	if pw != "" {
		fmt.Fprintf(env.stdout, "\n首次运行：已创建管理员 admin，一次性密码 / first run: created user admin with one-time password:\n\n    %s\n\n", pw)
	}
	serverGC()
	deps := a.router()
	handler := api.NewRouter(*deps)
	ln, err := net.Listen("tcp", env.cfg.Addr)
	if err != nil {
		return fmt.Errorf("FUYI_ADDR: %w", err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute, WriteTimeout: 10 * time.Minute, IdleTimeout: 2 * time.Minute}
	bg, stopBg := context.WithCancel(context.Background())
	defer stopBg()
	a.startBackground(bg)
	fmt.Fprintf(env.stdout, "fuyi listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "grace", env.cfg.ShutdownGrace)
	stopBg()
	sctx, cancel := context.WithTimeout(context.Background(), env.cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	a.waitBackground()
	return nil
}

// ensure flag is used (commands declare their own flags through it).
var _ = flag.CommandLine

// serverGC sets the server's garbage collector unless GOGC or GOMEMLIMIT is
// set: collect less often (GOGC 400: the collector was ~10 % of the CPU of
// the single write path, which every acknowledged write waits on) within a
// soft limit of 160 MiB of Go memory, under the 200 MB the server may use
// under load (docs/operations.md). The heap under write load is ~20 MB, so
// the limit only binds in the largest exports, which stream.
func serverGC() { tuneGC(400, 160<<20) }

// tuneGC sets GOGC to percent and GOMEMLIMIT to limit bytes, each unless
// set in the environment.
func tuneGC(percent int, limit int64) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(limit)
	}
}
