// Package models holds Fuyi's GORM models, the versioned schema migrations and
// the database opening code for SQLite (embedded default) and PostgreSQL.
package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database engine behind a DB.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is Fuyi's database handle. Read serves queries; Write serves every
// transaction that changes data. On SQLite Write is a single connection, so
// writers queue in Go instead of meeting "database is locked"; on PostgreSQL
// both are the same pool.
type DB struct {
	Read    *gorm.DB
	Write   *gorm.DB
	Dialect Dialect
	// Path is the SQLite file (empty on PostgreSQL).
	Path string
	// writer group-commits Tx on SQLite (nil on PostgreSQL); see writer.go.
	writer *writer
	// checkpointer runs the WAL checkpoints on SQLite; see checkpoint.go.
	checkpointer *checkpointer
	// rollback: Open switched the SQLite file to a rollback journal for a
	// bulk write (OpenOptions.BulkWrite); Close switches it back to WAL.
	rollback bool
}

// OpenOptions configures Open.
type OpenOptions struct {
	// DatabaseURL selects PostgreSQL when it starts with postgres:// or postgresql://.
	DatabaseURL string
	// DataDir holds fuyi.db when DatabaseURL is empty.
	DataDir string
	// SQLitePath overrides DataDir/fuyi.db (tests).
	SQLitePath string
	// Debug logs every SQL statement.
	Debug bool
	// MaxBatch bounds the transactions one SQLite group commit carries
	// (0: 64; 1: every transaction commits on its own). BatchWindow is how
	// long a batch keeps taking queued transactions (0: 20ms). See writer.go.
	MaxBatch    int
	BatchWindow time.Duration
	// BulkWrite: this process writes large transactions and serves no
	// readers (fuyi import). On SQLite, Open then writes through a rollback
	// journal when no other connection has the database open; see
	// toRollbackJournal.
	BulkWrite bool
}

// IsPostgresURL reports whether url names a PostgreSQL database.
func IsPostgresURL(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") ||
		strings.Contains(url, "host=")
}

// Open opens the database named by opts. It does not migrate.
func Open(ctx context.Context, opts OpenOptions) (*DB, error) {
	cfg := &gorm.Config{Logger: logger.Default.LogMode(logger.Silent), TranslateError: true, PrepareStmt: true}
	if opts.Debug {
		cfg.Logger = logger.Default.LogMode(logger.Info)
	}
	if opts.DatabaseURL != "" {
		if !IsPostgresURL(opts.DatabaseURL) {
			return nil, fmt.Errorf("FUYI_DATABASE_URL: only postgres:// URLs are supported, got %q", redactURL(opts.DatabaseURL))
		}
		g, err := gorm.Open(postgres.Open(opts.DatabaseURL), cfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB, err := g.DB()
		if err != nil {
			return nil, err
		}
		sqlDB.SetMaxOpenConns(32)
		sqlDB.SetMaxIdleConns(16)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := sqlDB.PingContext(pctx); err != nil {
			return nil, fmt.Errorf("connect postgres: %w", err)
		}
		return &DB{Read: g, Write: g, Dialect: Postgres}, nil
	}
	path := opts.SQLitePath
	if path == "" {
		dir := opts.DataDir
		if dir == "" {
			dir = "data"
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("FUYI_DATA_DIR: %w", err)
		}
		path = filepath.Join(dir, "fuyi.db")
	}
	if err := createSQLite(path); err != nil {
		return nil, fmt.Errorf("create sqlite %s: %w", path, err)
	}
	// WAL for concurrent readers; FULL sync so a committed write survives power
	// loss (these are legal records); IMMEDIATE transactions so a writer takes
	// the lock at BEGIN rather than failing on upgrade. A bulk writer alone
	// with the file uses a rollback journal instead (toRollbackJournal).
	journal := "&_journal_mode=WAL"
	rollback := false
	if opts.BulkWrite {
		switched, err := toRollbackJournal(path)
		if err != nil {
			return nil, openError(path, err)
		}
		if rollback = switched; rollback {
			journal = "" // the connections follow the file's mode
		}
	}
	dsn := fmt.Sprintf("file:%s?_synchronous=FULL&_foreign_keys=on&_busy_timeout=%d&_txlock=immediate&cache=private", path, busyTimeoutMS) + journal
	// The write connection keeps its prepared statements itself (see
	// sqlite_conn.go), so GORM's statement cache is off for it.
	drv, err := sqliteDriver()
	if err != nil {
		return nil, err
	}
	// Checkpoints run on a connection of their own (checkpoint.go).
	wdb := sql.OpenDB(&writeConnector{dsn: dsn, drv: drv, init: []string{fmt.Sprintf("PRAGMA wal_autocheckpoint=%d", writeAutoCheckpoint)}})
	wcfg := *cfg
	wcfg.PrepareStmt = false
	w, err := gorm.Open(sqlite.New(sqlite.Config{Conn: wdb}), &wcfg)
	if err != nil {
		wdb.Close()
		return nil, openError(path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	r, err := gorm.Open(sqlite.Open(dsn+"&mode=rwc"), cfg)
	if err != nil {
		return nil, openError(path, err)
	}
	rdb, err := r.DB()
	if err != nil {
		return nil, err
	}
	rdb.SetMaxOpenConns(8)
	rdb.SetMaxIdleConns(8)
	cdb, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, openError(path, err)
	}
	cdb.SetMaxOpenConns(1)
	for _, s := range []*sql.DB{wdb, rdb, cdb} {
		if err := s.PingContext(ctx); err != nil {
			return nil, openError(path, err)
		}
	}
	ck := newCheckpointer(cdb)
	wr := newWriter(w, opts.MaxBatch, opts.BatchWindow)
	wr.afterCommit = ck.committed
	return &DB{Read: r, Write: w, Dialect: SQLite, Path: path, writer: wr, checkpointer: ck, rollback: rollback}, nil
}

// RollbackJournal reports whether this handle writes through a rollback
// journal (OpenOptions.BulkWrite, and no other connection had the file open).
func (db *DB) RollbackJournal() bool { return db.rollback }

// toRollbackJournal switches the SQLite file at path from WAL to a rollback
// journal (journal_mode=DELETE) when no other connection has it open, and
// reports whether it did.
//
// In WAL mode a transaction's pages are written twice: into the WAL, then
// by the checkpoint into the file. A ledger import is one transaction of
// gigabytes (a million cases, ~1.9 GB), so it wrote ~3.8 GB and its commit
// waited for the checkpoint to copy the WAL. With a rollback journal the
// pages go into the file once; only pages that existed before the
// transaction are first copied to the journal (for rollback), and the new
// pages a ledger adds at the end of the file have nothing to save: a
// million-row import took 33.0–40.0 s against 40.5–48.2 s (six runs each,
// alternated; docs/benchmarks.md).
//
// The price is concurrency: once the transaction spills pages into the
// file it holds the file's exclusive lock until it commits, so nobody can
// read meanwhile (a server starting then waits its busy timeout and fails;
// docs/operations.md). That is why only a process serving no readers asks
// for it, and why the switch is attempted without waiting: in WAL mode every
// open connection (a running server's) prevents it, and the import then
// writes through the WAL as before. A crash or a failed import leaves a hot
// journal that the next connection rolls back, as a WAL would be. Close
// switches the file back to WAL; any later Open does so too.
func toRollbackJournal(path string) (bool, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=0")
	if err != nil {
		return false, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode=DELETE").Scan(&mode); err != nil {
		if isBusy(err) {
			return false, nil
		}
		return false, err
	}
	return mode == "delete", nil
}

// openError is Open's error for the SQLite file at path; "database is
// locked" says who holds it.
func openError(path string, err error) error {
	if isBusy(err) {
		return fmt.Errorf("open sqlite %s: %w: another process is writing it (fuyi import writes a ledger with the database to itself); try again when it has finished", path, err)
	}
	return fmt.Errorf("open sqlite %s: %w", path, err)
}

// busyTimeoutMS is how long a SQLite connection waits for a lock another
// connection holds (tests shorten it).
var busyTimeoutMS = 15000

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// toWAL switches the SQLite file at path back to WAL after a bulk write.
func toWAL(path string) error {
	db, err := sql.Open("sqlite3", fmt.Sprintf("file:%s?_busy_timeout=%d", path, busyTimeoutMS))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return fmt.Errorf("journal_mode=WAL: %w", err)
	}
	if mode != "wal" {
		return fmt.Errorf("journal_mode=WAL: the database stayed in %s mode", mode)
	}
	return nil
}

// Close finishes the queued write transactions, then closes every pool.
// Tx answers ErrClosed afterwards.
func (db *DB) Close() error {
	var first error
	if db.writer != nil {
		db.writer.close()
	}
	if db.checkpointer != nil {
		first = db.checkpointer.close()
	}
	seen := map[*gorm.DB]bool{}
	for _, g := range []*gorm.DB{db.Write, db.Read} {
		if g == nil || seen[g] {
			continue
		}
		seen[g] = true
		if s, err := g.DB(); err == nil {
			if err := s.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	if db.rollback {
		db.rollback = false
		if err := toWAL(db.Path); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Tx runs fn in one write transaction: committed when fn returns nil, rolled
// back otherwise. Tx returns once the outcome is durable (committed with
// synchronous=FULL on SQLite). On SQLite the transaction may share its
// BEGIN … COMMIT with other callers' (group commit, writer.go): fn runs in a
// savepoint of its own, after — and seeing the writes of — the transactions
// queued before it; its error or panic rolls back only its own writes and
// reaches only its caller. fn must do its writes and reads through tx; a
// statement through another handle (db.Read) does not see the writes of the
// transactions committed together with it.
func (db *DB) Tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if db.writer != nil {
		return db.writer.do(ctx, fn)
	}
	return db.Write.WithContext(ctx).Transaction(fn)
}

// WriterStats reports the group-commit writer's counts (zero on PostgreSQL).
func (db *DB) WriterStats() WriterStats {
	if db.writer == nil {
		return WriterStats{}
	}
	return db.writer.stats()
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	s, err := db.Read.DB()
	if err != nil {
		return err
	}
	return s.PingContext(ctx)
}

func redactURL(u string) string {
	if i := strings.Index(u, "@"); i > 0 {
		if j := strings.Index(u, "://"); j > 0 && j < i {
			return u[:j+3] + "…" + u[i:]
		}
	}
	return u
}

// BulkLoad runs fn — a large load of many small transactions, such as the
// demo — with SQLite's per-commit fsync relaxed (synchronous=NORMAL: the WAL
// is synced at checkpoints), then restores synchronous=FULL and checkpoints,
// so everything fn wrote is durable when BulkLoad returns. On PostgreSQL it
// just runs fn.
func (db *DB) BulkLoad(ctx context.Context, fn func() error) error {
	if db.Dialect != SQLite {
		return fn()
	}
	if err := db.Write.WithContext(ctx).Exec("PRAGMA synchronous=NORMAL").Error; err != nil {
		return err
	}
	ferr := fn()
	if err := db.Write.WithContext(context.WithoutCancel(ctx)).Exec("PRAGMA synchronous=FULL").Error; err != nil && ferr == nil {
		ferr = err
	}
	// Raw+Scan, not Exec: the PRAGMA returns a row, and an Exec through the
	// prepared-statement cache leaves that statement active, so every later
	// COMMIT on the write connection failed with "SQL statements in progress".
	var ck struct{ Busy, Log, Checkpointed int }
	if err := db.Write.WithContext(context.WithoutCancel(ctx)).Raw("PRAGMA wal_checkpoint(FULL)").Scan(&ck).Error; err != nil && ferr == nil {
		ferr = err
	}
	return ferr
}

// newPageSize is the page size of a new SQLite database (SQLite's default
// is 4096). Fixed when the file is created (an existing database keeps its
// own; VACUUM would change it). Each page the WAL receives costs two
// system calls, and a checkpoint two more to copy it into the file: with
// 8 KiB pages a large write — a ledger import writes ~3 KB a case, a
// million cases in one transaction — makes half as many, and B-trees are
// shallower.
const newPageSize = 8192

// createSQLite creates the database file at path, in WAL mode with
// newPageSize pages, when it does not exist or is empty.
func createSQLite(path string) error {
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{fmt.Sprintf("PRAGMA page_size=%d", newPageSize), "PRAGMA journal_mode=WAL"} {
		if _, err := db.Exec(q); err != nil {
			return err
		}
	}
	return nil
}
