package models

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// WAL checkpoints off the write path (SQLite).
//
// By default the connection whose COMMIT pushes the WAL past 1000 pages
// copies the WAL back into the database file and fsyncs it, inside that
// COMMIT — on the single writer, delaying every transaction queued behind
// it. Instead this goroutine, on a connection of its own, runs PASSIVE
// checkpoints (which block neither the writer nor readers) at most every
// checkpointEvery while commits happen, and every checkpointIdle anyway (for
// writes that bypass DB.Tx, such as bulk loads). The write connection keeps
// an automatic checkpoint only as a backstop, at writeAutoCheckpoint pages,
// in case this one falls behind. Durability does not depend on checkpoints:
// a commit is durable once its WAL frames are fsynced (synchronous=FULL).
// The last connection to close checkpoints the WAL into the file as before.

const (
	checkpointEvery     = 250 * time.Millisecond
	checkpointIdle      = 2 * time.Second
	writeAutoCheckpoint = 10000 // pages (40 MB)
)

type checkpointer struct {
	db *sql.DB
	// frames copied into the database file by the last checkpoint, and the
	// WAL's size then (in frames); for tests.
	copied, walFrames atomic.Int64
	kick              chan struct{}
	stop              chan struct{}
	done              chan struct{}
	closed            sync.Once
}

func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// committed tells the checkpointer that the WAL grew.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTimer(0)
	defer t.Stop()
	idle := time.NewTicker(checkpointIdle)
	defer idle.Stop()
	for {
		select {
		case <-c.kick:
		case <-idle.C:
		case <-c.stop:
			return
		}
		// A failure (busy, I/O) is retried at the next commit; the WAL
		// only grows meanwhile.
		var busy, log, ckpt int64
		if err := c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &ckpt); err == nil {
			c.copied.Store(ckpt)
			c.walFrames.Store(log)
		}
		t.Reset(checkpointEvery)
		select {
		case <-t.C:
		case <-c.stop:
			return
		}
	}
}

func (c *checkpointer) close() error {
	c.closed.Do(func() { close(c.stop) })
	<-c.done
	return c.db.Close()
}
