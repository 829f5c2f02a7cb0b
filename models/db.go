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
	// the lock at BEGIN rather than failing on upgrade.
	dsn := "file:" + path + "?_journal_mode=WAL&_synchronous=FULL&_foreign_keys=on&_busy_timeout=15000&_txlock=immediate&cache=private"
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
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	r, err := gorm.Open(sqlite.Open(dsn+"&mode=rwc"), cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	rdb, err := r.DB()
	if err != nil {
		return nil, err
	}
	rdb.SetMaxOpenConns(8)
	rdb.SetMaxIdleConns(8)
	cdb, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	cdb.SetMaxOpenConns(1)
	for _, s := range []*sql.DB{wdb, rdb, cdb} {
		if err := s.PingContext(ctx); err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
	}
	ck := newCheckpointer(cdb)
	wr := newWriter(w, opts.MaxBatch, opts.BatchWindow)
	wr.afterCommit = ck.committed
	return &DB{Read: r, Write: w, Dialect: SQLite, Path: path, writer: wr, checkpointer: ck}, nil
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
