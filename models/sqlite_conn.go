package models

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"
	"strings"
	"sync"
	"unsafe"
)

// The SQLite write connection goes through writeConnector, a thin wrapper
// around the registered "sqlite3" driver (mattn/go-sqlite3) that does three
// things:
//
//  1. It keeps the connection's prepared statements, keyed by SQL text, for
//     the life of the connection. database/sql re-prepares every statement
//     of a transaction (Tx.StmtContext, and GORM's PrepareStmt cache only
//     keeps statements first seen outside a transaction), so before this
//     every write transaction re-ran sqlite3_prepare_v2 for each of its
//     statements — a fifth of the CPU of a write. With the cache a statement
//     is prepared once per connection.
//  2. It never lets a context interrupt a statement. The driver cancels a
//     running statement with sqlite3_interrupt, and SQLite answers an
//     interrupted INSERT, UPDATE or DELETE inside an explicit transaction by
//     rolling the whole transaction back — under group commit (writer.go)
//     that would silently drop the other callers' writes of the batch. A
//     statement whose context is already done fails before it starts; once
//     started it runs to its end (these are short OLTP statements), and the
//     group-commit writer rolls the caller's savepoint back when its context
//     was cancelled meanwhile. Passing the driver a context without a Done
//     channel also saves the goroutine the driver otherwise starts for every
//     statement and every row.
//  3. It takes a multi-row INSERT's values as one Packed argument and binds
//     them in one call into SQLite (sqlite_packed.go).
//
// database/sql never uses one driver connection from two goroutines at once,
// so the cache needs no lock of its own.

// stmtCacheSize bounds the prepared statements kept per connection (GORM
// renders an IN list of n values as n placeholders, so the number of
// distinct texts is open-ended); the least recently used is finalized.
const stmtCacheSize = 256

// writeConnector opens cachingConns on the sqlite3 driver and runs init
// (PRAGMAs) on each new connection.
type writeConnector struct {
	dsn  string
	drv  driver.Driver
	init []string
}

// sqliteDriver returns the driver registered as "sqlite3" (by
// gorm.io/driver/sqlite's import of mattn/go-sqlite3).
func sqliteDriver() (driver.Driver, error) {
	db, err := sql.Open("sqlite3", "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return db.Driver(), nil
}

func (c *writeConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	cc, err := newCachingConn(conn)
	if err != nil {
		return nil, err
	}
	for _, q := range c.init {
		if _, err := cc.(*cachingConn).base.ExecContext(context.Background(), q, nil); err != nil {
			cc.Close()
			return nil, err
		}
	}
	return cc, nil
}

func (c *writeConnector) Driver() driver.Driver { return c.drv }

// baseConn is what cachingConn needs of the driver's connection (mattn's
// *SQLiteConn has all of it).
type baseConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.ConnBeginTx
}

type cachingConn struct {
	base  baseConn
	stmts map[string]*list.Element // of *cachedStmt
	lru   *list.List               // front = most recently used
	// raw is the driver connection's sqlite3* (nil: unknown driver
	// layout) and packed its statements for Packed arguments, by SQL text
	// (sqlite_packed.go). slowPacked makes packed executions bind value by
	// value through the driver (tests compare the two).
	raw        unsafe.Pointer
	packed     map[string]unsafe.Pointer
	slowPacked bool
}

type cachedStmt struct {
	query string
	si    driver.Stmt
	n     int // NumInput
	// busy: a Rows of this statement is open; a second use of the same SQL
	// meanwhile gets a statement of its own.
	busy bool
	// evicted: no longer in the cache; finalized when its Rows closes.
	evicted bool
	// execOK: execCacheable(query), worked out once.
	execOK bool
}

func newCachingConn(c driver.Conn) (driver.Conn, error) {
	b, ok := c.(baseConn)
	if !ok {
		c.Close()
		return nil, errors.New("models: the sqlite3 driver connection lacks the context interfaces")
	}
	return &cachingConn{base: b, stmts: map[string]*list.Element{}, lru: list.New(), raw: rawHandle(b)}, nil
}

// execCacheable reports whether an Exec of query may reuse a cached
// statement: a single INSERT, UPDATE, DELETE or REPLACE that returns no
// rows, or a savepoint statement. (A statement that returned a row and was not reset stays active and
// would make the next COMMIT fail with "SQL statements in progress", so
// PRAGMAs, SELECTs and RETURNING statements run through Exec are prepared
// and finalized each time, as the driver does on its own.)
func execCacheable(query string) bool {
	if strings.IndexByte(query, ';') >= 0 || containsFold(query, "RETURNING") {
		return false
	}
	switch firstWord(query) {
	case "INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT", "RELEASE":
		return true
	case "ROLLBACK":
		return containsFold(query, " TO ") // ROLLBACK TO savepoint; a plain ROLLBACK ends the transaction
	}
	return false
}

// queryCacheable: a Query's Rows is always closed (database/sql sees to
// it), which resets the statement, so any single statement qualifies.
func queryCacheable(query string) bool { return strings.IndexByte(query, ';') < 0 }

func firstWord(q string) string {
	q = strings.TrimLeft(q, " \t\r\n(")
	end := strings.IndexAny(q, " \t\r\n(")
	if end < 0 {
		end = len(q)
	}
	return strings.ToUpper(q[:end])
}

func containsFold(s, sub string) bool {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

// acquire returns the cached statement of query, preparing it on first
// use, or nil when it is busy (the caller then uses a one-off statement).
func (c *cachingConn) acquire(query string) (*cachedStmt, error) {
	if e, ok := c.stmts[query]; ok {
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		c.lru.MoveToFront(e)
		return cs, nil
	}
	si, err := c.base.PrepareContext(context.Background(), query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{query: query, si: si, n: si.NumInput(), execOK: execCacheable(query)}
	c.stmts[query] = c.lru.PushFront(cs)
	for c.lru.Len() > stmtCacheSize {
		old := c.lru.Back()
		o := old.Value.(*cachedStmt)
		c.lru.Remove(old)
		delete(c.stmts, o.query)
		o.evicted = true
		if !o.busy {
			o.si.Close()
		}
	}
	return cs, nil
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext returns a handle that runs query through the cache on each
// use (database/sql prepares a statement per transaction; with the handle
// that costs a map look-up).
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !queryCacheable(query) {
		si, err := c.base.PrepareContext(context.Background(), query)
		if err != nil {
			return nil, err
		}
		return &plainStmt{si: si}, nil
	}
	cs, err := c.acquire(query)
	if err != nil {
		return nil, err
	}
	n := -1
	if cs != nil {
		n = cs.n
	} else {
		// Busy: learn NumInput from a throw-away statement.
		si, err := c.base.PrepareContext(context.Background(), query)
		if err != nil {
			return nil, err
		}
		n = si.NumInput()
		si.Close()
	}
	return &handleStmt{c: c, query: query, n: n}, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(args) == 1 {
		if p, ok := args[0].Value.(*Packed); ok {
			return c.execPacked(query, p)
		}
	}
	if e, ok := c.stmts[query]; ok {
		if !e.Value.(*cachedStmt).execOK {
			return c.base.ExecContext(context.Background(), query, args)
		}
	} else if !execCacheable(query) {
		return c.base.ExecContext(context.Background(), query, args)
	}
	cs, err := c.acquire(query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.base.ExecContext(context.Background(), query, args)
	}
	if len(args) != cs.n {
		// Let the driver word the error, as it would without the cache.
		return c.base.ExecContext(context.Background(), query, args)
	}
	return cs.si.(driver.StmtExecContext).ExecContext(context.Background(), args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !queryCacheable(query) {
		return c.base.QueryContext(context.Background(), query, args)
	}
	cs, err := c.acquire(query)
	if err != nil {
		return nil, err
	}
	if cs == nil || len(args) != cs.n {
		return c.base.QueryContext(context.Background(), query, args)
	}
	rows, err := cs.si.(driver.StmtQueryContext).QueryContext(context.Background(), args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, cs: cs}, nil
}

func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.base.BeginTx(context.Background(), opts)
}

func (c *cachingConn) Ping(ctx context.Context) error {
	if p, ok := c.base.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// Close finalizes the cached statements, then closes the connection.
func (c *cachingConn) Close() error {
	for e := c.lru.Front(); e != nil; e = e.Next() {
		cs := e.Value.(*cachedStmt)
		cs.evicted = true
		cs.si.Close()
	}
	c.lru.Init()
	c.stmts = map[string]*list.Element{}
	c.finalizePacked()
	return c.base.Close()
}

// handleStmt is a prepared statement of the caching connection: each use
// takes the cached statement of its SQL.
type handleStmt struct {
	c     *cachingConn
	query string
	n     int
}

func (s *handleStmt) Close() error  { return nil }
func (s *handleStmt) NumInput() int { return s.n }

func (s *handleStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), namedValues(args))
}

func (s *handleStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), namedValues(args))
}

func (s *handleStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	// A row-returning statement through Exec runs on a statement of its
	// own, finalized at once (ExecContext sees to it).
	return s.c.ExecContext(ctx, s.query, args)
}

func (s *handleStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.c.QueryContext(ctx, s.query, args)
}

// plainStmt is a statement the cache does not hold (several statements in
// one text): it only strips the context.
type plainStmt struct{ si driver.Stmt }

func (s *plainStmt) Close() error  { return s.si.Close() }
func (s *plainStmt) NumInput() int { return s.si.NumInput() }
func (s *plainStmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), namedValues(args))
}
func (s *plainStmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), namedValues(args))
}
func (s *plainStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.si.(driver.StmtExecContext).ExecContext(context.Background(), args)
}
func (s *plainStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.si.(driver.StmtQueryContext).QueryContext(context.Background(), args)
}

func namedValues(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

// cachedRows releases its cached statement when closed. It passes the
// driver's optional column-type interfaces through.
type cachedRows struct {
	driver.Rows
	cs   *cachedStmt
	once sync.Once
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(func() {
		r.cs.busy = false
		if r.cs.evicted {
			r.cs.si.Close()
		}
	})
	return err
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if x, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return x.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return x.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return x.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *cachedRows) ColumnTypeNullable(i int) (bool, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return x.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if x, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return x.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
