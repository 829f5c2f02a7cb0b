package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"fuyi/models"
)

type backupOpts struct{ pgDump string }

func init() {
	addCommand(&command{
		Name:    "backup",
		Summary: "write a consistent online backup of the database to FILE (SQLite: VACUUM INTO; PostgreSQL: pg_dump)",
		Usage:   "[--pg-dump PATH] FILE",
		Examples: `  fuyi backup /var/backups/fuyi/fuyi-$(date +%F).db
  FUYI_DATABASE_URL=postgres://fuyi@db/fuyi fuyi backup /var/backups/fuyi/fuyi-$(date +%F).dump`,
		Flags: func(fs *flag.FlagSet) any {
			o := &backupOpts{}
			fs.StringVar(&o.pgDump, "pg-dump", "", "pg_dump to run on PostgreSQL (default: from PATH, else the newest /usr/lib/postgresql/*/bin/pg_dump)")
			return o
		},
		Run: runBackup,
	})
	addCommand(&command{
		Name:    "restore",
		Summary: "restore a SQLite backup FILE into an empty data directory, then migrate it",
		Usage:   "FILE",
		Examples: `  FUYI_DATA_DIR=/srv/fuyi/data fuyi restore /var/backups/fuyi/fuyi-2024-03-01.db
  (PostgreSQL: pg_restore, see docs/operations.md)`,
		Run: runRestore,
	})
}

// sqliteFile is the database file of a data directory.
func sqliteFile(cfg *Config) string { return filepath.Join(cfg.DataDir, "fuyi.db") }

func runBackup(ctx context.Context, env *cmdEnv, opts any, args []string) error {
	if len(args) != 1 {
		return errUsage
	}
	dest := args[0]
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s exists: choose a new file name (a backup never overwrites)", dest)
	}
	if env.cfg.DatabaseURL != "" {
		return backupPostgres(ctx, env, opts.(*backupOpts).pgDump, dest)
	}
	src := sqliteFile(env.cfg)
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("no database to back up: %w (FUYI_DATA_DIR is %s)", err, env.cfg.DataDir)
	}
	db, err := models.Open(ctx, models.OpenOptions{DataDir: env.cfg.DataDir})
	if err != nil {
		return err
	}
	defer db.Close()
	// Write next to dest, check, then rename: a half-written or corrupt copy
	// never carries the backup's name.
	tmp := dest + ".partial"
	_ = os.Remove(tmp)
	if err := db.BackupSQLite(ctx, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	info, err := models.InspectSQLite(ctx, tmp)
	if err == nil && info.Integrity != "ok" {
		err = fmt.Errorf("integrity_check of the copy: %s", info.Integrity)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup copy failed verification: %w", err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := models.SyncDir(filepath.Dir(dest)); err != nil {
		return err
	}
	st, _ := os.Stat(dest)
	fmt.Fprintf(env.stdout, "backup written: %s (SQLite, schema version %d, %d cases, %d bytes, integrity ok)\n",
		dest, info.SchemaVersion, info.Cases, st.Size())
	return nil
}

// backupPostgres runs pg_dump in its custom format (restore with pg_restore).
// A search_path query parameter (one schema per test, or a schema-scoped
// deployment) becomes --schema, since libpq does not know that parameter.
func backupPostgres(ctx context.Context, env *cmdEnv, pgDump, dest string) error {
	bin, err := findPgDump(pgDump)
	if err != nil {
		return err
	}
	dsn, schema, err := libpqURL(env.cfg.DatabaseURL)
	if err != nil {
		return err
	}
	tmp := dest + ".partial"
	_ = os.Remove(tmp)
	argv := []string{"--format=custom", "--no-owner", "--no-privileges", "--file=" + tmp}
	if schema != "" {
		argv = append(argv, "--schema="+schema)
	}
	argv = append(argv, "--dbname="+dsn)
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, argv...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s: %v: %s", bin, err, strings.TrimSpace(stderr.String()))
	}
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err == nil {
		err = f.Sync()
		f.Close()
	}
	if err == nil {
		err = os.Rename(tmp, dest)
	}
	if err == nil {
		err = models.SyncDir(filepath.Dir(dest))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	st, _ := os.Stat(dest)
	fmt.Fprintf(env.stdout, "backup written: %s (PostgreSQL, pg_dump custom format, %d bytes; restore with pg_restore)\n", dest, st.Size())
	return nil
}

// findPgDump resolves the pg_dump to run: explicit, PATH, else the newest
// Debian-layout installation. pg_dump must be at least the server's version.
func findPgDump(explicit string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	if p, err := exec.LookPath("pg_dump"); err == nil {
		return p, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump")
	sort.Slice(found, func(i, j int) bool { return pgMajor(found[i]) < pgMajor(found[j]) })
	if len(found) > 0 {
		return found[len(found)-1], nil
	}
	return "", errors.New("pg_dump not found: install the PostgreSQL client (Debian: postgresql-client) matching the server's major version, put it in PATH or pass --pg-dump")
}

func pgMajor(path string) int {
	var n int
	fmt.Sscanf(filepath.Base(filepath.Dir(filepath.Dir(path))), "%d", &n)
	return n
}

// libpqURL strips the parameters libpq does not understand (search_path)
// from a postgres:// URL and returns the schema it named.
func libpqURL(dsn string) (string, string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", "", fmt.Errorf("FUYI_DATABASE_URL: %w", err)
	}
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), schema, nil
}

func runRestore(ctx context.Context, env *cmdEnv, _ any, args []string) error {
	if len(args) != 1 {
		return errUsage
	}
	src := args[0]
	if env.cfg.DatabaseURL != "" {
		return errors.New("restore writes a SQLite data directory; on PostgreSQL restore a pg_dump archive with pg_restore into an empty database (docs/operations.md), then run `fuyi migrate`")
	}
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	head := make([]byte, 5)
	_, _ = io.ReadFull(f, head)
	f.Close()
	if string(head) == "PGDMP" {
		return fmt.Errorf("%s is a pg_dump archive: restore it with pg_restore into an empty PostgreSQL database (docs/operations.md)", src)
	}
	dest := sqliteFile(env.cfg)
	for _, p := range []string{dest, dest + "-wal", dest + "-shm", dest + "-journal"} {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("%s exists: restore only into an empty data directory (move the current database away first)", p)
		}
	}
	info, err := models.InspectSQLite(ctx, src)
	if err != nil {
		return err
	}
	if info.Integrity != "ok" {
		return fmt.Errorf("%s fails integrity_check: %s", src, info.Integrity)
	}
	if err := os.MkdirAll(env.cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("FUYI_DATA_DIR: %w", err)
	}
	tmp := dest + ".restoring"
	if err := copyFileSync(src, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := models.SyncDir(env.cfg.DataDir); err != nil {
		return err
	}
	a, err := openApp(ctx, env.cfg, env.stderr, true)
	if err != nil {
		return fmt.Errorf("restored %s but opening it failed: %w", dest, err)
	}
	defer a.Close()
	v, err := a.db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "restored %s into %s: %d cases, schema version %d → %d\n", src, dest, info.Cases, info.SchemaVersion, v)
	return nil
}

// copyFileSync copies src to a new file dst and fsyncs it.
func copyFileSync(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
