package models

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// TestNewDatabasePageSize: Open creates a new SQLite file with
// newPageSize pages, in WAL mode; a database created with SQLite's default
// 4 KiB pages keeps them.
func TestNewDatabasePageSize(t *testing.T) {
	ctx := context.Background()
	pageSize := func(path string) (size int, mode string) {
		t.Helper()
		db, err := Open(ctx, OpenOptions{SQLitePath: path})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Write.Exec("CREATE TABLE IF NOT EXISTS t (a)").Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Read.Raw("PRAGMA page_size").Scan(&size).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Read.Raw("PRAGMA journal_mode").Scan(&mode).Error; err != nil {
			t.Fatal(err)
		}
		return size, mode
	}
	fresh := filepath.Join(t.TempDir(), "new.db")
	if size, mode := pageSize(fresh); size != newPageSize || mode != "wal" {
		t.Errorf("new database: page size %d, journal %s; want %d, wal", size, mode, newPageSize)
	}
	if size, _ := pageSize(fresh); size != newPageSize {
		t.Errorf("reopened: page size %d", size)
	}
	old := filepath.Join(t.TempDir(), "old.db")
	plain, err := sql.Open("sqlite3", old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Exec("PRAGMA page_size=4096; CREATE TABLE t (a)"); err != nil {
		t.Fatal(err)
	}
	plain.Close()
	if size, mode := pageSize(old); size != 4096 || mode != "wal" {
		t.Errorf("existing database: page size %d, journal %s; want 4096, wal", size, mode)
	}
}
