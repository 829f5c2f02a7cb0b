package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Pools returns the distinct connection pools of db by name: "read" and
// "write" on SQLite, "main" on PostgreSQL (one pool serves both). It lets
// monitoring read sql.DBStats without handing gorm to its callers.
func (db *DB) Pools() map[string]*sql.DB {
	out := map[string]*sql.DB{}
	w, errW := db.Write.DB()
	r, errR := db.Read.DB()
	switch {
	case errW == nil && errR == nil && w == r:
		out["main"] = w
	default:
		if errW == nil {
			out["write"] = w
		}
		if errR == nil {
			out["read"] = r
		}
	}
	return out
}

// CountOverdueDeadlines counts, per organ, the deadlines that are missed or
// open and past due on today ("YYYY-MM-DD", the China civil date).
func (db *DB) CountOverdueDeadlines(ctx context.Context, today string) (map[int64]int64, error) {
	var rows []struct {
		OrganID int64
		N       int64
	}
	err := db.Read.WithContext(ctx).Raw(`SELECT organ_id, count(*) AS n FROM deadlines
		WHERE status = 'missed' OR (status = 'open' AND due_on < ?) GROUP BY organ_id`, today).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.OrganID] = r.N
	}
	return out, nil
}

// CountImportJobsByStatus counts the ledger import jobs by status; it returns
// an empty map while the import_jobs table does not exist.
func (db *DB) CountImportJobsByStatus(ctx context.Context) (map[string]int64, error) {
	q := db.Read.WithContext(ctx)
	if !q.Migrator().HasTable("import_jobs") {
		return map[string]int64{}, nil
	}
	var rows []struct {
		Status string
		N      int64
	}
	if err := q.Raw(`SELECT status, count(*) AS n FROM import_jobs GROUP BY status`).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// BackupSQLite writes a transactionally consistent copy of the live SQLite
// database to dest (which must not exist) with VACUUM INTO on a read
// connection, so writers keep going while it runs. It fsyncs the copy.
func (db *DB) BackupSQLite(ctx context.Context, dest string) error {
	if db.Dialect != SQLite {
		return errors.New("BackupSQLite: not a SQLite database")
	}
	if err := db.Read.WithContext(ctx).Exec("VACUUM INTO ?", dest).Error; err != nil {
		return fmt.Errorf("VACUUM INTO %s: %w", dest, err)
	}
	return syncFile(dest)
}

// SQLiteFileInfo describes a SQLite database file examined by InspectSQLite.
type SQLiteFileInfo struct {
	// Integrity is the first line of PRAGMA integrity_check ("ok" when sound).
	Integrity string
	// SchemaVersion is the highest applied migration (0: not a Fuyi database).
	SchemaVersion int
	// Cases is the number of reconsideration cases.
	Cases int64
}

// InspectSQLite opens the SQLite file at path read-only and reports its
// integrity, its Fuyi schema version and its number of cases. A file that is
// not a SQLite database, or not a Fuyi one, is an error.
func InspectSQLite(ctx context.Context, path string) (*SQLiteFileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	head := make([]byte, 16)
	_, err = f.Read(head)
	f.Close()
	if err != nil || string(head) != "SQLite format 3\x00" {
		return nil, fmt.Errorf("%s is not a SQLite database", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	s, err := sql.Open("sqlite3", "file:"+abs+"?mode=ro&_query_only=true")
	if err != nil {
		return nil, err
	}
	defer s.Close()
	s.SetMaxOpenConns(1)
	info := &SQLiteFileInfo{}
	if err := s.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&info.Integrity); err != nil {
		return nil, fmt.Errorf("integrity_check: %w", err)
	}
	var n int
	if err := s.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return info, fmt.Errorf("%s is a SQLite database but not a Fuyi one (no schema_migrations)", path)
	}
	rows, err := s.QueryContext(ctx, "SELECT version, name FROM schema_migrations ORDER BY version")
	if err != nil {
		return nil, err
	}
	known := map[int]string{}
	for _, m := range Migrations() {
		known[m.Version] = m.Name
	}
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			rows.Close()
			return nil, err
		}
		if want, ok := known[v]; !ok || !strings.EqualFold(want, name) {
			rows.Close()
			return info, fmt.Errorf("%s has migration %d %q, which this binary does not know (newer release?)", path, v, name)
		}
		info.SchemaVersion = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if info.SchemaVersion == 0 {
		return info, fmt.Errorf("%s has no applied migrations", path)
	}
	if err := s.QueryRowContext(ctx, "SELECT count(*) FROM cases").Scan(&info.Cases); err != nil {
		return nil, fmt.Errorf("count cases: %w", err)
	}
	return info, nil
}

// syncFile flushes path and its directory entry to stable storage.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// SyncDir fsyncs a directory so that a created or renamed entry in it is durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
