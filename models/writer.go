package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// Group commit (SQLite).
//
// SQLite has one writer at a time, and with synchronous=FULL every COMMIT
// appends to the WAL and fsyncs it. Fuyi therefore hands every write
// transaction (DB.Tx) to one writer goroutine, which runs the transactions
// that are queued at that moment one after another inside a single
// BEGIN IMMEDIATE … COMMIT, each in a SAVEPOINT of its own:
//
//   - a fn that returns an error (or panics) is rolled back to its savepoint
//     (ROLLBACK TO + RELEASE); only its caller sees the error (the panic is
//     re-raised in the caller's goroutine); the others of the batch go on;
//   - fns run in arrival order and each sees the writes of the fns before it
//     in the batch — exactly the serial order in which the single write
//     connection used to run them one transaction each;
//   - Tx returns only after the batch's COMMIT (with its fsync): an
//     acknowledged write is a committed write. When the COMMIT fails, every
//     caller whose fn succeeded gets that error and none of the batch is
//     written. If anything leaves the batch in doubt (a savepoint cannot be
//     released, SQLite rolled the transaction back on its own after an I/O
//     error), the whole batch is rolled back and every caller gets the error;
//   - the writer never waits to collect a batch: it takes what is queued, so
//     a lone writer commits at once. A batch takes at most maxBatch fns and
//     starts no new fn once it has been open batchWindow; a fn that runs long
//     thus closes its batch;
//   - a caller whose context is done before its fn starts is skipped (Tx
//     returns the context's error); one whose context is done while its fn
//     runs makes the fn's further statements fail (see sqlite_conn.go), and
//     its savepoint is rolled back even if fn returns nil;
//   - nested tx.Transaction calls inside fn keep working (GORM nests with
//     savepoints of its own, inside ours);
//   - a transaction run with an Alone context gets a BEGIN … COMMIT of its
//     own (long ones: a ledger import), as do all of them when maxBatch is 1;
//   - fn runs on the writer goroutine: it must not commit or roll back tx
//     itself, nor call DB.Tx (which waits for the writer — with the single
//     write connection that deadlocked before too); runtime.Goexit in fn
//     (t.FailNow) ends the caller's goroutine, and the batch goes on.
//
// PostgreSQL keeps ordinary transactions on its pool (the server groups the
// WAL flushes of concurrent commits itself).

const (
	defaultMaxBatch    = 64
	defaultBatchWindow = 20 * time.Millisecond
	// savepointName is the writer's savepoint around each fn. GORM's nested
	// transactions use "sp<number>", so the names never meet.
	savepointName = "fuyi_batch"
)

// ErrClosed is returned by Tx once the database is closed.
var ErrClosed = errors.New("models: database is closed")

type aloneKey struct{}

// Alone returns ctx marked so that a DB.Tx run with it (or a context derived
// from it) gets a transaction of its own instead of sharing a group commit:
// for long transactions such as a ledger import, whose duration should not
// delay other callers' acknowledgements.
func Alone(ctx context.Context) context.Context { return context.WithValue(ctx, aloneKey{}, true) }

func isAlone(ctx context.Context) bool { v, _ := ctx.Value(aloneKey{}).(bool); return v }

// WriterStats counts the group-commit writer's work (SQLite; zero on
// PostgreSQL): Batches COMMITs (or batch rollbacks), Txs the transactions
// (fns) they carried.
type WriterStats struct {
	Batches int64
	Txs     int64
}

type txRequest struct {
	ctx   context.Context
	fn    func(*gorm.DB) error
	alone bool
	done  chan txOutcome
}

type txOutcome struct {
	err      error
	panicked bool
	panicVal any
	goexit   bool
}

type member struct {
	req *txRequest
	out txOutcome
}

type batch struct {
	tx      *gorm.DB
	sqlTx   *sql.Tx
	start   time.Time
	alone   bool
	members []*member
	// failed, when set, dooms the whole batch (rolled back, every caller
	// gets it).
	failed error
}

type writer struct {
	g        *gorm.DB
	maxBatch int
	window   time.Duration

	queue  chan *txRequest
	mu     sync.RWMutex // guards closed against sends on a closed queue
	closed bool
	exited chan struct{}
	// carry is a request taken from the queue that must open the next batch
	// (an Alone one met while a batch was open). Only the running writer
	// goroutine touches it.
	carry *txRequest

	batches, txs atomic.Int64
	// afterCommit, when set, runs after every successful COMMIT.
	afterCommit func()
}

func newWriter(g *gorm.DB, maxBatch int, window time.Duration) *writer {
	if maxBatch <= 0 {
		maxBatch = defaultMaxBatch
	}
	if window <= 0 {
		window = defaultBatchWindow
	}
	w := &writer{g: g, maxBatch: maxBatch, window: window, queue: make(chan *txRequest, 1024), exited: make(chan struct{})}
	go w.run(nil)
	return w
}

// do queues fn and waits for its outcome.
func (w *writer) do(ctx context.Context, fn func(*gorm.DB) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	req := &txRequest{ctx: ctx, fn: fn, alone: isAlone(ctx), done: make(chan txOutcome, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return ErrClosed
	}
	select {
	case w.queue <- req:
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	w.mu.RUnlock()
	// Once queued, wait for the verdict whatever ctx does: the writer either
	// skips the request (its context is done) or reports what it committed.
	out := <-req.done
	switch {
	case out.goexit:
		runtime.Goexit()
	case out.panicked:
		panic(out.panicVal)
	}
	return out.err
}

// close stops taking transactions, lets the writer finish the queued ones
// and waits for it.
func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.queue)
	}
	w.mu.Unlock()
	<-w.exited
}

func (w *writer) stats() WriterStats {
	return WriterStats{Batches: w.batches.Load(), Txs: w.txs.Load()}
}

// run is the writer goroutine. b is a batch to carry on with (after a fn
// ended its goroutine with runtime.Goexit, the batch continues on a new one).
func (w *writer) run(b *batch) {
	for {
		if b == nil {
			req := w.carry
			w.carry = nil
			if req == nil {
				var ok bool
				if req, ok = <-w.queue; !ok {
					close(w.exited)
					return
				}
			}
			if err := req.ctx.Err(); err != nil {
				req.done <- txOutcome{err: err}
				continue
			}
			if b = w.begin(req); b == nil {
				continue
			}
			if !w.runMember(b, req) {
				return // Goexit: a new goroutine carries on
			}
		}
		for w.open(b) {
			var req *txRequest
			select {
			case r, ok := <-w.queue:
				if ok {
					req = r
				}
			default:
			}
			if req == nil {
				break
			}
			if err := req.ctx.Err(); err != nil {
				req.done <- txOutcome{err: err}
				continue
			}
			if req.alone {
				w.carry = req
				break
			}
			if !w.runMember(b, req) {
				return
			}
		}
		w.finish(b)
		b = nil
	}
}

// begin opens a batch for req (BEGIN IMMEDIATE); on failure it answers req
// and returns nil.
func (w *writer) begin(req *txRequest) *batch {
	tx := w.g.Session(&gorm.Session{Context: context.Background()}).Begin()
	if tx.Error != nil {
		req.done <- txOutcome{err: tx.Error}
		return nil
	}
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		tx.Rollback()
		req.done <- txOutcome{err: fmt.Errorf("models: unexpected transaction type %T", tx.Statement.ConnPool)}
		return nil
	}
	return &batch{tx: tx, sqlTx: sqlTx, start: time.Now(), alone: req.alone || w.maxBatch == 1}
}

// open reports whether the batch may take another fn.
func (w *writer) open(b *batch) bool {
	return b.failed == nil && !b.alone && len(b.members) < w.maxBatch && time.Since(b.start) < w.window
}

func (b *batch) exec(q string) error {
	_, err := b.sqlTx.ExecContext(context.Background(), q)
	return err
}

// runMember runs req's fn inside its savepoint. It returns false when fn
// ended the goroutine (runtime.Goexit, as t.FailNow does): the batch then
// goes on in a new writer goroutine.
func (w *writer) runMember(b *batch, req *txRequest) (goOn bool) {
	m := &member{req: req}
	b.members = append(b.members, m)
	if err := b.exec("SAVEPOINT " + savepointName); err != nil {
		m.out.err = err
		b.failed = fmt.Errorf("savepoint: %w", err)
		return true
	}
	normal := false
	defer func() {
		if normal {
			return
		}
		r := recover()
		w.settle(b, false)
		if r == nil {
			m.out.goexit = true
			go w.run(b)
			return
		}
		m.out.panicked, m.out.panicVal = true, r
		goOn = true
	}()
	err := req.fn(b.tx.WithContext(req.ctx))
	normal = true
	if err == nil {
		// Cancelled while fn ran: its statements may have been refused
		// part-way; keep none of them.
		err = req.ctx.Err()
	}
	m.out.err = err
	w.settle(b, err == nil)
	return true
}

// settle ends the current fn's savepoint: released when keep, else rolled
// back to and released. A failure dooms the batch.
func (w *writer) settle(b *batch, keep bool) {
	if !keep {
		if err := b.exec("ROLLBACK TO " + savepointName); err != nil {
			b.failed = fmt.Errorf("rollback to savepoint: %w", err)
			return
		}
	}
	if err := b.exec("RELEASE " + savepointName); err != nil {
		b.failed = fmt.Errorf("release savepoint: %w", err)
	}
}

// finish commits the batch (or rolls it back when nothing in it succeeded
// or it is doomed) and answers every member.
func (w *writer) finish(b *batch) {
	ok := 0
	for _, m := range b.members {
		if m.out.err == nil && !m.out.panicked && !m.out.goexit {
			ok++
		}
	}
	var cerr error
	switch {
	case b.failed != nil:
		b.sqlTx.Rollback()
		cerr = b.failed
	case ok == 0:
		cerr = b.sqlTx.Rollback()
		if errors.Is(cerr, sql.ErrTxDone) {
			cerr = nil
		}
	default:
		cerr = b.sqlTx.Commit()
		if cerr == nil && w.afterCommit != nil {
			w.afterCommit()
		}
	}
	w.batches.Add(1)
	w.txs.Add(int64(len(b.members)))
	for _, m := range b.members {
		out := m.out
		if cerr != nil && out.err == nil && !out.panicked && !out.goexit {
			out.err = cerr
		}
		m.req.done <- out
	}
}
