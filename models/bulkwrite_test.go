package models

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
)

// journalOf reads the file's journal mode on a connection that does not set
// one (it follows the file).
func journalOf(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	return mode
}

func countRows(t *testing.T, path string) (n int) {
	t.Helper()
	db, err := Open(context.Background(), OpenOptions{SQLitePath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.Read.Raw("PRAGMA integrity_check").Scan(&check).Error; err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	if err := db.Read.Raw("SELECT count(*) FROM t").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// openBulk opens path for a bulk write, alone with the file: through a
// rollback journal.
func openBulk(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), OpenOptions{SQLitePath: path, BulkWrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if !db.RollbackJournal() {
		t.Fatal("a bulk writer alone with the file should write through a rollback journal")
	}
	return db
}

// TestBulkWriteRollbackJournal: a bulk writer alone with the file writes
// through a rollback journal, and Close leaves the file in WAL mode again.
func TestBulkWriteRollbackJournal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fuyi.db")
	db := openBulk(t, path)
	err := db.Tx(Alone(ctx), func(tx *gorm.DB) error {
		var mode string
		if err := tx.Raw("PRAGMA journal_mode").Scan(&mode).Error; err != nil {
			return err
		}
		if mode != "delete" {
			t.Errorf("journal mode inside the bulk transaction = %s, want delete", mode)
		}
		return createRows(tx, 1000)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if mode := journalOf(t, path); mode != "wal" {
		t.Errorf("after Close the file is in %s mode, want wal", mode)
	}
	if n := countRows(t, path); n != 1000 {
		t.Errorf("rows after reopening = %d, want 1000", n)
	}
}

// TestBulkWriteBesideAnotherConnection: when another connection has the
// file open (a running server), the bulk writer does not wait for it and
// writes through the WAL; both see each other's commits.
func TestBulkWriteBesideAnotherConnection(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fuyi.db")
	server, err := Open(ctx, OpenOptions{SQLitePath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	if err := server.Tx(ctx, func(tx *gorm.DB) error { return tx.Exec("CREATE TABLE t (a)").Error }); err != nil {
		t.Fatal(err)
	}
	bulk, err := Open(ctx, OpenOptions{SQLitePath: path, BulkWrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if bulk.RollbackJournal() {
		t.Error("the bulk writer switched the journal while another connection had the file open")
	}
	if err := bulk.Tx(Alone(ctx), func(tx *gorm.DB) error { return tx.Exec("INSERT INTO t VALUES (1)").Error }); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := server.Read.Raw("SELECT count(*) FROM t").Scan(&n).Error; err != nil || n != 1 {
		t.Errorf("the server reads %d rows (%v), want the bulk writer's 1", n, err)
	}
	if err := bulk.Close(); err != nil {
		t.Fatal(err)
	}
	if mode := journalOf(t, path); mode != "wal" {
		t.Errorf("journal mode = %s, want wal", mode)
	}
}

// TestBulkWriteRollbackAfterSpill: a bulk transaction that fails after
// writing pages into the file leaves the file as it was before it.
func TestBulkWriteRollbackAfterSpill(t *testing.T) {
	path := tenRows(t)
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	db := openBulk(t, path)
	grew := false
	if err := insertUntilSpilled(db, path, func() { grew = true }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if !grew {
		t.Fatal("the transaction never wrote into the file")
	}
	if after, err := os.Stat(path); err != nil || after.Size() != before.Size() {
		t.Errorf("file size %d before the transaction, %v after its rollback (%v)", before.Size(), after.Size(), err)
	}
	if n := countRows(t, path); n != 10 {
		t.Errorf("rows after the rollback = %d, want 10", n)
	}
}

// tenRows creates a database with a table t of ten rows.
func tenRows(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fuyi.db")
	db, err := Open(ctx, OpenOptions{SQLitePath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Tx(ctx, func(tx *gorm.DB) error { return createRows(tx, 10) }); err != nil {
		t.Fatal(err)
	}
	return path
}

// createRows creates the table t with n rows.
func createRows(tx *gorm.DB, n int) error {
	if err := tx.Exec("CREATE TABLE t (a)").Error; err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if err := tx.Exec("INSERT INTO t VALUES (?)", i).Error; err != nil {
			return err
		}
	}
	return nil
}

// TestBulkWriteCrashRollsBack: a bulk writer killed in the middle of its
// transaction, after it has written pages into the file, leaves a hot
// journal; the next Open rolls it back to the last commit, intact, in WAL
// mode.
func TestBulkWriteCrashRollsBack(t *testing.T) {
	if path := os.Getenv("FUYI_TEST_BULK_CRASH_DB"); path != "" {
		bulkWriteUntilKilled(path)
		return
	}
	path := tenRows(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestBulkWriteCrashRollsBack$")
	cmd.Env = append(os.Environ(), "FUYI_TEST_BULK_CRASH_DB="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(out)
	spilled := false
	for lines.Scan() {
		if lines.Text() == "spilled" {
			spilled = true
			break
		}
	}
	if !spilled {
		cmd.Wait()
		t.Fatal("the helper did not report its transaction spilling into the file")
	}
	if _, err := os.Stat(path + "-journal"); err != nil {
		t.Errorf("no rollback journal beside the file during the bulk transaction: %v", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if n := countRows(t, path); n != 10 {
		t.Errorf("rows after the crash = %d, want the 10 committed before it", n)
	}
	if mode := journalOf(t, path); mode != "wal" {
		t.Errorf("journal mode after recovery = %s, want wal", mode)
	}
}

// bulkWriteUntilKilled is the helper process of TestBulkWriteCrashRollsBack:
// it says "spilled" once its transaction has written into the file, and
// waits to be killed.
func bulkWriteUntilKilled(path string) {
	db, err := Open(context.Background(), OpenOptions{SQLitePath: path, BulkWrite: true})
	if err != nil {
		panic(err)
	}
	if !db.RollbackJournal() {
		panic("not in rollback-journal mode")
	}
	panic(insertUntilSpilled(db, path, func() {
		fmt.Println("spilled")
		time.Sleep(time.Minute)
	}))
}

// insertUntilSpilled inserts into t, with a small page cache, until the
// file grows (pages of the open transaction written into it), then calls
// spilled and rolls the transaction back.
func insertUntilSpilled(db *DB, path string, spilled func()) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	errRolledBack := errors.New("rolled back")
	err = db.Tx(Alone(context.Background()), func(tx *gorm.DB) error {
		if err := tx.Exec("PRAGMA cache_size = 16").Error; err != nil {
			return err
		}
		blob := strings.Repeat("x", 1000)
		for i := 0; ; i++ {
			if err := tx.Exec("INSERT INTO t VALUES (?)", blob).Error; err != nil {
				return err
			}
			if i%100 != 0 {
				continue
			}
			if now, err := os.Stat(path); err == nil && now.Size() > st.Size() {
				spilled()
				return errRolledBack
			}
		}
	})
	if errors.Is(err, errRolledBack) {
		return nil
	}
	return err
}

// TestOpenDuringBulkWrite: opening the database while a bulk writer's
// transaction holds it (a server started during fuyi import) fails after
// the busy timeout with an error that says why.
func TestOpenDuringBulkWrite(t *testing.T) {
	path := tenRows(t)
	db := openBulk(t, path)
	defer db.Close()
	was := busyTimeoutMS
	busyTimeoutMS = 50
	defer func() { busyTimeoutMS = was }()
	var openErr error
	err := insertUntilSpilled(db, path, func() {
		other, err := Open(context.Background(), OpenOptions{SQLitePath: path})
		if err == nil {
			other.Close()
		}
		openErr = err
	})
	if err != nil {
		t.Fatal(err)
	}
	if openErr == nil || !strings.Contains(openErr.Error(), "database is locked") || !strings.Contains(openErr.Error(), "another process is writing it") {
		t.Errorf("Open during a bulk write: %v; want database is locked, and why", openErr)
	}
}
