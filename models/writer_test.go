package models

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

// Group commit on a real SQLite file: these tests hold the writer inside a
// first transaction until the others are queued, so that they all run in
// one batch (a batch window of an hour makes that deterministic).

func openGC(t *testing.T, maxBatch int) *DB {
	t.Helper()
	db, err := Open(context.Background(), OpenOptions{SQLitePath: filepath.Join(t.TempDir(), "gc.db"), MaxBatch: maxBatch, BatchWindow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		"CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)",
		"CREATE TABLE parent (id INTEGER PRIMARY KEY)",
		"CREATE TABLE child (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)",
	} {
		if err := db.Write.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// hold starts a transaction that keeps the writer busy until the returned
// release is called; wait for it with its started channel closed.
func hold(t *testing.T, db *DB) (release func(), done <-chan error) {
	t.Helper()
	started, gate, out := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		out <- db.Tx(context.Background(), func(tx *gorm.DB) error {
			close(started)
			<-gate
			return tx.Exec("INSERT INTO kv (k, v) VALUES ('holder', 0)").Error
		})
	}()
	<-started
	return func() { close(gate) }, out
}

// waitQueued waits until n requests are queued behind the held writer.
func waitQueued(db *DB, n int) {
	for len(db.writer.queue) < n {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

func keys(t *testing.T, db *DB) map[string]int {
	t.Helper()
	rows, err := db.Read.Raw("SELECT k, v FROM kv").Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var v int
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	return out
}

var errFn = errors.New("fn refused")

func TestGroupCommitIsolatesFailuresAndPanics(t *testing.T) {
	db := openGC(t, 100)
	release, held := hold(t, db)
	const n = 30
	type result struct {
		err      error
		panicVal any
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { results[i].panicVal = recover() }()
			results[i].err = db.Tx(context.Background(), func(tx *gorm.DB) error {
				if err := tx.Exec("INSERT INTO kv (k, v) VALUES (?, ?)", fmt.Sprint("k", i), i).Error; err != nil {
					return err
				}
				switch i % 5 {
				case 1:
					return fmt.Errorf("fn %d: %w", i, errFn)
				case 2:
					panic(fmt.Sprint("boom ", i))
				case 3:
					// A nested transaction that fails: only its own write goes.
					err := tx.Transaction(func(tx2 *gorm.DB) error {
						if err := tx2.Exec("INSERT INTO kv (k, v) VALUES (?, ?)", fmt.Sprint("inner", i), i).Error; err != nil {
							return err
						}
						return errFn
					})
					if !errors.Is(err, errFn) {
						return fmt.Errorf("nested: %v", err)
					}
				case 4:
					// A statement error inside fn (duplicate key), handled by fn.
					if err := tx.Exec("INSERT INTO kv (k, v) VALUES (?, ?)", fmt.Sprint("k", i), i).Error; err == nil {
						return errors.New("duplicate insert succeeded")
					}
				}
				return nil
			})
		}(i)
	}
	waitQueued(db, n)
	release()
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatalf("holder: %v", err)
	}
	if st := db.WriterStats(); st.Batches != 1 || st.Txs != n+1 {
		t.Fatalf("want one batch of %d transactions, got %+v", n+1, st)
	}
	got := keys(t, db)
	for i := 0; i < n; i++ {
		k := fmt.Sprint("k", i)
		_, present := got[k]
		r := results[i]
		switch i % 5 {
		case 1:
			if !errors.Is(r.err, errFn) || present {
				t.Errorf("fn %d (error): err %v, row present %v", i, r.err, present)
			}
		case 2:
			if r.panicVal != fmt.Sprint("boom ", i) || present {
				t.Errorf("fn %d (panic): recovered %v, row present %v", i, r.panicVal, present)
			}
		default:
			if r.err != nil || r.panicVal != nil || !present {
				t.Errorf("fn %d: err %v, panic %v, row present %v", i, r.err, r.panicVal, present)
			}
		}
		if _, inner := got[fmt.Sprint("inner", i)]; inner {
			t.Errorf("fn %d: the failed nested transaction's row is present", i)
		}
	}
	if _, ok := got["holder"]; !ok {
		t.Error("holder's row is missing")
	}
}

// Each fn sees the writes of the fns before it in the batch, in queue order —
// the serial order of one transaction after another — and not those of a fn
// that failed.
func TestGroupCommitSerialOrderAndVisibility(t *testing.T) {
	db := openGC(t, 100)
	if err := db.Tx(context.Background(), func(tx *gorm.DB) error {
		return tx.Exec("INSERT INTO kv (k, v) VALUES ('counter', 0)").Error
	}); err != nil {
		t.Fatal(err)
	}
	release, held := hold(t, db)
	const n = 12
	seen := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = db.Tx(context.Background(), func(tx *gorm.DB) error {
				if err := tx.Raw("SELECT v FROM kv WHERE k = 'counter'").Scan(&seen[i]).Error; err != nil {
					return err
				}
				if err := tx.Exec("UPDATE kv SET v = v + 1 WHERE k = 'counter'").Error; err != nil {
					return err
				}
				if i == 5 {
					return errFn // its increment is rolled back
				}
				return nil
			})
		}(i)
		waitQueued(db, i+1) // queue them in index order
	}
	release()
	wg.Wait()
	<-held
	want := 0
	for i := 0; i < n; i++ {
		if seen[i] != want {
			t.Errorf("fn %d saw counter %d, want %d", i, seen[i], want)
		}
		if i == 5 {
			if !errors.Is(errs[i], errFn) {
				t.Errorf("fn 5: %v", errs[i])
			}
			continue
		}
		if errs[i] != nil {
			t.Errorf("fn %d: %v", i, errs[i])
		}
		want++
	}
	if got := keys(t, db)["counter"]; got != n-1 {
		t.Errorf("counter = %d, want %d", got, n-1)
	}
	if st := db.WriterStats(); st.Batches != 2 {
		t.Errorf("want the setup batch and one more, got %+v", st)
	}
}

// A COMMIT that fails reaches every caller of the batch, and none of the
// batch is written. (A deferred foreign key is checked at COMMIT.)
func TestGroupCommitFailedCommitReachesAll(t *testing.T) {
	db := openGC(t, 100)
	release, held := hold(t, db)
	fns := []func(tx *gorm.DB) error{
		func(tx *gorm.DB) error { return tx.Exec("INSERT INTO kv (k, v) VALUES ('a', 1)").Error },
		func(tx *gorm.DB) error { return tx.Exec("INSERT INTO child (id, pid) VALUES (1, 999)").Error },
		func(tx *gorm.DB) error { return tx.Exec("INSERT INTO kv (k, v) VALUES ('c', 3)").Error },
		func(tx *gorm.DB) error { tx.Exec("INSERT INTO kv (k, v) VALUES ('d', 4)"); return errFn },
	}
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func(i int) { defer wg.Done(); errs[i] = db.Tx(context.Background(), fn) }(i)
		waitQueued(db, i+1)
	}
	release()
	wg.Wait()
	if err := <-held; err == nil || !containsFold(err.Error(), "FOREIGN KEY") {
		t.Errorf("holder: want the COMMIT's foreign key error, got %v", err)
	}
	for i, err := range errs[:3] {
		if err == nil || !containsFold(err.Error(), "FOREIGN KEY") {
			t.Errorf("fn %d: want the COMMIT's foreign key error, got %v", i, err)
		}
	}
	if !errors.Is(errs[3], errFn) {
		t.Errorf("fn 3: want its own error, got %v", errs[3])
	}
	if got := keys(t, db); len(got) != 0 {
		t.Errorf("rows of a failed batch are present: %v", got)
	}
	// The writer goes on.
	if err := db.Tx(context.Background(), func(tx *gorm.DB) error {
		return tx.Exec("INSERT INTO kv (k, v) VALUES ('after', 1)").Error
	}); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, db); got["after"] != 1 {
		t.Errorf("after a failed batch: %v", got)
	}
}

func TestGroupCommitContextCancellation(t *testing.T) {
	db := openGC(t, 100)
	release, held := hold(t, db)

	// Cancelled while queued: skipped, fn never runs.
	qctx, qcancel := context.WithCancel(context.Background())
	queuedRan := false
	queuedErr := make(chan error, 1)
	go func() {
		queuedErr <- db.Tx(qctx, func(tx *gorm.DB) error { queuedRan = true; return nil })
	}()
	waitQueued(db, 1)

	// Cancelled while running: its statements fail from then on, and its
	// savepoint is rolled back although fn returns nil.
	rctx, rcancel := context.WithCancel(context.Background())
	var secondInsert error
	runningErr := make(chan error, 1)
	go func() {
		runningErr <- db.Tx(rctx, func(tx *gorm.DB) error {
			if err := tx.Exec("INSERT INTO kv (k, v) VALUES ('cancelled1', 1)").Error; err != nil {
				return err
			}
			rcancel()
			secondInsert = tx.Exec("INSERT INTO kv (k, v) VALUES ('cancelled2', 2)").Error
			return nil
		})
	}()
	waitQueued(db, 2)
	okErr := make(chan error, 1)
	go func() {
		okErr <- db.Tx(context.Background(), func(tx *gorm.DB) error {
			return tx.Exec("INSERT INTO kv (k, v) VALUES ('kept', 1)").Error
		})
	}()
	waitQueued(db, 3)
	qcancel()
	release()
	if err := <-queuedErr; !errors.Is(err, context.Canceled) || queuedRan {
		t.Errorf("queued then cancelled: err %v, ran %v", err, queuedRan)
	}
	if err := <-runningErr; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled while running: %v", err)
	}
	if !errors.Is(secondInsert, context.Canceled) {
		t.Errorf("statement after cancellation: %v", secondInsert)
	}
	if err := <-okErr; err != nil {
		t.Fatal(err)
	}
	<-held
	got := keys(t, db)
	if _, ok := got["cancelled1"]; ok {
		t.Error("the cancelled transaction's first write was committed")
	}
	if _, ok := got["cancelled2"]; ok {
		t.Error("the cancelled transaction's second write was committed")
	}
	if got["kept"] != 1 || got["holder"] != 0 {
		t.Errorf("the others of the batch: %v", got)
	}
	// A context already done: refused before queueing.
	if err := db.Tx(qctx, func(tx *gorm.DB) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("done context: %v", err)
	}
}

// runtime.Goexit in fn (t.FailNow does it) ends the caller's goroutine as it
// would without group commit, rolls fn back, and the writer goes on.
func TestGroupCommitGoexit(t *testing.T) {
	db := openGC(t, 100)
	release, held := hold(t, db)
	reached, exited := false, make(chan struct{})
	go func() {
		defer close(exited)
		db.Tx(context.Background(), func(tx *gorm.DB) error {
			tx.Exec("INSERT INTO kv (k, v) VALUES ('goexit', 1)")
			runtime.Goexit()
			return nil
		})
		reached = true
	}()
	waitQueued(db, 1)
	after := make(chan error, 1)
	go func() {
		after <- db.Tx(context.Background(), func(tx *gorm.DB) error {
			return tx.Exec("INSERT INTO kv (k, v) VALUES ('after', 1)").Error
		})
	}()
	waitQueued(db, 2)
	release()
	<-exited
	if reached {
		t.Error("the caller's goroutine went on after Goexit in fn")
	}
	if err := <-after; err != nil {
		t.Fatal(err)
	}
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	got := keys(t, db)
	if _, ok := got["goexit"]; ok {
		t.Error("the Goexit transaction's write was committed")
	}
	if got["after"] != 1 {
		t.Errorf("rows: %v", got)
	}
}

// An Alone transaction gets a BEGIN … COMMIT of its own; MaxBatch 1 turns
// grouping off.
func TestGroupCommitAloneAndMaxBatch(t *testing.T) {
	db := openGC(t, 100)
	release, held := hold(t, db)
	ctxs := []context.Context{context.Background(), Alone(context.Background()), context.Background()}
	errs := make(chan error, len(ctxs))
	for i, ctx := range ctxs {
		go func(i int, ctx context.Context) {
			errs <- db.Tx(ctx, func(tx *gorm.DB) error {
				return tx.Exec("INSERT INTO kv (k, v) VALUES (?, ?)", fmt.Sprint("k", i), i).Error
			})
		}(i, ctx)
		waitQueued(db, i+1)
	}
	release()
	for range ctxs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	<-held
	// [holder, k0] [k1 alone] [k2]
	if st := db.WriterStats(); st.Batches != 3 || st.Txs != 4 {
		t.Errorf("want 3 batches of 4 transactions, got %+v", st)
	}

	one := openGC(t, 1)
	release, held = hold(t, one)
	for i := 0; i < 3; i++ {
		go func(i int) {
			errs <- one.Tx(context.Background(), func(tx *gorm.DB) error {
				return tx.Exec("INSERT INTO kv (k, v) VALUES (?, ?)", fmt.Sprint("k", i), i).Error
			})
		}(i)
	}
	waitQueued(one, 3)
	release()
	for i := 0; i < 3; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	<-held
	if st := one.WriterStats(); st.Batches != 4 || st.Txs != 4 {
		t.Errorf("MaxBatch 1: want 4 batches of one, got %+v", st)
	}
	if got := keys(t, one); len(got) != 4 {
		t.Errorf("rows: %v", got)
	}
}

func TestTxAfterClose(t *testing.T) {
	db := openGC(t, 0)
	db.Close()
	if err := db.Tx(context.Background(), func(tx *gorm.DB) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Tx after Close: %v", err)
	}
}

// The write connection's statement cache: the same query nested inside its
// own open rows, a PRAGMA through Exec, and more distinct statements than
// the cache holds.
func TestWriteStatementCache(t *testing.T) {
	db := openGC(t, 0)
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *gorm.DB) error {
		for i := 0; i < 5; i++ {
			if err := tx.Exec("INSERT INTO kv (k, v) VALUES (?, ?)", fmt.Sprint("k", i), i).Error; err != nil {
				return err
			}
		}
		const q = "SELECT k, v FROM kv WHERE v >= ? ORDER BY v"
		rows, err := tx.Raw(q, 0).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		outer := 0
		for rows.Next() {
			var k string
			var v int
			if err := rows.Scan(&k, &v); err != nil {
				return err
			}
			if v != outer {
				return fmt.Errorf("outer row %d: v %d", outer, v)
			}
			var inner []struct {
				K string
				V int
			}
			if err := tx.Raw(q, v).Scan(&inner).Error; err != nil {
				return err
			}
			if len(inner) != 5-v {
				return fmt.Errorf("inner query from %d: %d rows", v, len(inner))
			}
			outer++
		}
		if outer != 5 {
			return fmt.Errorf("outer: %d rows", outer)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	// A row-returning statement through Exec must not leave a statement
	// active (the next COMMIT would fail), also when a query cached it.
	var ck struct{ Busy, Log, Checkpointed int }
	if err := db.Write.Raw("PRAGMA wal_checkpoint(PASSIVE)").Scan(&ck).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Write.Exec("PRAGMA wal_checkpoint(PASSIVE)").Error; err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("PRAGMA data_version").Error; err != nil {
			return err
		}
		// The same SELECT cached by a query, then run through Exec.
		var v int
		if err := tx.Raw("SELECT v FROM kv WHERE k = ?", "k2").Scan(&v).Error; err != nil || v != 2 {
			return fmt.Errorf("select: %v %d", err, v)
		}
		if err := tx.Exec("SELECT v FROM kv WHERE k = ?", "k2").Error; err != nil {
			return err
		}
		for i := 0; i < stmtCacheSize+50; i++ {
			var v int
			if err := tx.Raw(fmt.Sprintf("SELECT %d + v FROM kv WHERE k = ?", i), "k1").Scan(&v).Error; err != nil {
				return err
			}
			if v != i+1 {
				return fmt.Errorf("statement %d: %d", i, v)
			}
		}
		return tx.Exec("UPDATE kv SET v = v + 10 WHERE k = ?", "k1").Error
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(t, db)["k1"]; got != 11 {
		t.Errorf("k1 = %d", got)
	}
}

// The background checkpointer copies committed WAL frames into the database
// file (the write connection's own automatic checkpoint only backs it up).
func TestBackgroundCheckpoint(t *testing.T) {
	db := openGC(t, 0)
	var autockpt int
	if err := db.Write.Raw("PRAGMA wal_autocheckpoint").Scan(&autockpt).Error; err != nil {
		t.Fatal(err)
	}
	if autockpt != writeAutoCheckpoint {
		t.Errorf("write connection wal_autocheckpoint = %d, want %d", autockpt, writeAutoCheckpoint)
	}
	for i := 0; i < 20; i++ {
		if err := db.Tx(context.Background(), func(tx *gorm.DB) error {
			return tx.Exec("INSERT INTO kv (k, v) VALUES (?, ?)", fmt.Sprint("k", i), i).Error
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Wait for a background checkpoint that has copied every frame of a
	// non-empty WAL into the database file.
	for db.checkpointer.walFrames.Load() == 0 || db.checkpointer.copied.Load() != db.checkpointer.walFrames.Load() {
		time.Sleep(10 * time.Millisecond)
	}
	if got := keys(t, db); len(got) != 20 {
		t.Errorf("rows: %v", got)
	}
}
