package models

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// The SQLite C API of the library that mattn/go-sqlite3 compiles into the
// binary (declared here, not included: the symbols are that package's).
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
extern int sqlite3_prepare_v2(sqlite3*, const char*, int, sqlite3_stmt**, const char**);
extern int sqlite3_bind_parameter_count(sqlite3_stmt*);
extern int sqlite3_bind_int64(sqlite3_stmt*, int, long long);
extern int sqlite3_bind_double(sqlite3_stmt*, int, double);
extern int sqlite3_bind_text(sqlite3_stmt*, int, const char*, int, void(*)(void*));
extern int sqlite3_bind_blob(sqlite3_stmt*, int, const void*, int, void(*)(void*));
extern int sqlite3_bind_null(sqlite3_stmt*, int);
extern int sqlite3_step(sqlite3_stmt*);
extern int sqlite3_reset(sqlite3_stmt*);
extern int sqlite3_clear_bindings(sqlite3_stmt*);
extern int sqlite3_finalize(sqlite3_stmt*);
extern int sqlite3_extended_errcode(sqlite3*);
extern const char *sqlite3_errmsg(sqlite3*);
extern long long sqlite3_changes64(sqlite3*);

static const char fuyi_empty[1] = {0};

// fuyi_exec binds n values and steps s once. kinds[i]: 0 NULL, 1 integer
// ints[i], 2 float (the bits in ints[i]), 3 text and 4 blob of lens[i]
// bytes at buf + ints[i]. Text and blobs are bound SQLITE_STATIC: they are
// read during the step, and every binding is cleared before returning, so
// SQLite keeps no pointer into the caller's memory. Returns 0 or the
// SQLite result code.
static int fuyi_exec(sqlite3_stmt *s, int n, const uint8_t *kinds, const int64_t *ints, const int32_t *lens, const char *buf) {
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		const char *p = lens[i] > 0 ? buf + ints[i] : fuyi_empty;
		double d;
		switch (kinds[i]) {
		case 0: rc = sqlite3_bind_null(s, i + 1); break;
		case 1: rc = sqlite3_bind_int64(s, i + 1, ints[i]); break;
		case 2: memcpy(&d, &ints[i], sizeof d); rc = sqlite3_bind_double(s, i + 1, d); break;
		case 3: rc = sqlite3_bind_text(s, i + 1, p, lens[i], (void (*)(void *))0); break;
		default: rc = sqlite3_bind_blob(s, i + 1, p, lens[i], (void (*)(void *))0); break;
		}
	}
	if (rc == 0) {
		rc = sqlite3_step(s);
		if (rc == 101) // SQLITE_DONE
			rc = 0;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}
*/
import "C"

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/mattn/go-sqlite3"
)

// Packed carries the arguments of one multi-row INSERT to the SQLite write
// connection as a single value (services/bulk). The connection binds all of
// them in one call into SQLite's C library, where database/sql and the
// driver would convert, copy and bind each value with a cgo call of its
// own: for a ledger import's ~70 values a case that took as long as
// SQLite's own work of inserting the rows. The rows stored are the same
// (tested in services/bulk against gorm's Create).
//
// A connection that is not this package's SQLite write connection refuses
// a Packed argument with ErrPackedUnsupported (through its Value method);
// the caller then binds the values one by one.
type Packed struct {
	kinds []uint8
	ints  []int64
	lens  []int32
	buf   []byte
}

// ErrPackedUnsupported: the connection cannot take Packed arguments.
var ErrPackedUnsupported = errors.New("models: packed arguments need the SQLite write connection")

// Value makes Packed a driver.Valuer for database/sql, which calls it only
// when no connection accepted the argument as it is.
func (p *Packed) Value() (driver.Value, error) { return nil, ErrPackedUnsupported }

// Execer is what Exec needs of a connection or transaction (*sql.Tx,
// gorm.ConnPool).
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Exec runs query on conn with p's values. ok is false, and nothing was
// executed, when conn does not take packed arguments (it is not this
// package's SQLite write connection): run query the usual way.
func (p *Packed) Exec(ctx context.Context, conn Execer, query string) (ok bool, err error) {
	if _, err := conn.ExecContext(ctx, query, p); err != nil {
		if errors.Is(err, ErrPackedUnsupported) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// AddAll appends args (see Add).
func (p *Packed) AddAll(args []any) error {
	for _, v := range args {
		if err := p.Add(v); err != nil {
			return err
		}
	}
	return nil
}

// Reset empties p for the next statement, keeping its memory.
func (p *Packed) Reset() {
	p.kinds, p.ints, p.lens, p.buf = p.kinds[:0], p.ints[:0], p.lens[:0], p.buf[:0]
}

// Len is the number of values added.
func (p *Packed) Len() int { return len(p.kinds) }

// Add appends one argument, converted as database/sql converts arguments
// for the driver (pointers dereferenced, driver.Valuer called), then stored
// as mattn/go-sqlite3 binds it: booleans as 0/1, times as text in the
// driver's first timestamp format.
func (p *Packed) Add(v any) error {
	switch t := v.(type) {
	case nil:
		p.put(0, 0, 0)
	case int64:
		p.put(1, t, 0)
	case string:
		p.put(3, int64(len(p.buf)), int32(len(t)))
		p.buf = append(p.buf, t...)
	case bool:
		var i int64
		if t {
			i = 1
		}
		p.put(1, i, 0)
	case float64:
		p.put(2, int64(math.Float64bits(t)), 0)
	case []byte:
		if t == nil {
			p.put(0, 0, 0)
			break
		}
		p.put(4, int64(len(p.buf)), int32(len(t)))
		p.buf = append(p.buf, t...)
	case time.Time:
		return p.Add(t.Format(sqlite3.SQLiteTimestampFormats[0]))
	default:
		dv, err := driver.DefaultParameterConverter.ConvertValue(v)
		if err != nil {
			return err
		}
		if reflect.TypeOf(dv) == reflect.TypeOf(v) && dv != nil {
			return fmt.Errorf("models: cannot pack a %T", v)
		}
		return p.Add(dv)
	}
	if len(p.buf) > math.MaxInt32 {
		return errors.New("models: packed arguments over 2 GB")
	}
	return nil
}

func (p *Packed) put(kind uint8, i int64, n int32) {
	p.kinds = append(p.kinds, kind)
	p.ints = append(p.ints, i)
	p.lens = append(p.lens, n)
}

// values is p as the driver's arguments (the connection's fallback).
func (p *Packed) values() []driver.NamedValue {
	out := make([]driver.NamedValue, len(p.kinds))
	for i, k := range p.kinds {
		var v driver.Value
		switch k {
		case 1:
			v = p.ints[i]
		case 2:
			v = math.Float64frombits(uint64(p.ints[i]))
		case 3:
			v = string(p.buf[p.ints[i] : p.ints[i]+int64(p.lens[i])])
		case 4:
			v = append([]byte{}, p.buf[p.ints[i]:p.ints[i]+int64(p.lens[i])]...)
		}
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

// CheckNamedValue lets a Packed argument through database/sql unconverted;
// every other argument gets database/sql's default conversion, as before.
func (c *cachingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if _, ok := nv.Value.(*Packed); ok {
		return nil
	}
	return driver.ErrSkip
}

// packedExecs counts the packed executions bound in one call (not those
// that fell back to the driver).
var packedExecs atomic.Int64

// PackedExecutions is the number of statements executed with packed
// arguments bound in one call since the process started (tests use it to
// see that the fast path ran).
func PackedExecutions() int64 { return packedExecs.Load() }

// packedStmts bounds the C statements a connection keeps for packed
// executions: a ledger import uses ~70 (four tables, a full chunk and the
// power-of-two tails of each, the rollup's upserts), the write path a few
// dozen. When full, one is finalized to make room.
const packedStmts = 160

// rawHandle is the sqlite3* of the driver's connection: mattn/go-sqlite3
// keeps it in the unexported field db of *SQLiteConn. nil when the field is
// not there (another driver version): packed executions then bind value by
// value through the driver.
func rawHandle(base baseConn) unsafe.Pointer {
	v := reflect.ValueOf(base)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("db")
	// cgo names C's struct sqlite3 _Ctype_struct_sqlite3 in the driver's package.
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.Type().Elem().Name() != "_Ctype_struct_sqlite3" ||
		f.Type().Elem().PkgPath() != reflect.TypeOf(base).Elem().PkgPath() {
		return nil
	}
	return f.UnsafePointer()
}

// execPacked runs query with the packed arguments p.
func (c *cachingConn) execPacked(query string, p *Packed) (driver.Result, error) {
	if c.raw == nil || c.slowPacked {
		return c.base.ExecContext(context.Background(), query, p.values())
	}
	db := (*C.sqlite3)(c.raw)
	ps, ok := c.packed[query]
	if !ok {
		if len(c.packed) >= packedStmts {
			for q, old := range c.packed { // any one
				C.sqlite3_finalize((*C.sqlite3_stmt)(old))
				delete(c.packed, q)
				break
			}
		}
		cq := C.CString(query)
		var st *C.sqlite3_stmt
		rc := C.sqlite3_prepare_v2(db, cq, C.int(len(query)), &st, nil)
		C.free(unsafe.Pointer(cq))
		if rc != 0 {
			return nil, c.lastError(rc)
		}
		ps = unsafe.Pointer(st)
		if c.packed == nil {
			c.packed = map[string]unsafe.Pointer{}
		}
		c.packed[query] = ps
	}
	s := (*C.sqlite3_stmt)(ps)
	if want := int(C.sqlite3_bind_parameter_count(s)); want != p.Len() {
		return nil, fmt.Errorf("models: %d packed arguments for a statement of %d", p.Len(), want)
	}
	var buf *C.char
	if len(p.buf) > 0 {
		buf = (*C.char)(unsafe.Pointer(&p.buf[0]))
	}
	rc := C.fuyi_exec(s, C.int(p.Len()), (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(p.kinds))),
		(*C.int64_t)(unsafe.Pointer(unsafe.SliceData(p.ints))), (*C.int32_t)(unsafe.Pointer(unsafe.SliceData(p.lens))), buf)
	if rc != 0 {
		return nil, c.lastError(rc)
	}
	packedExecs.Add(1)
	return driver.RowsAffected(C.sqlite3_changes64(db)), nil
}

// finalizePacked finalizes the connection's packed statements.
func (c *cachingConn) finalizePacked() {
	for q, s := range c.packed {
		C.sqlite3_finalize((*C.sqlite3_stmt)(s))
		delete(c.packed, q)
	}
}

// SQLiteError is a failed packed execution: the result codes (as
// mattn/go-sqlite3's Error has them, which gorm's error translation reads:
// a unique index is gorm.ErrDuplicatedKey) and SQLite's message.
type SQLiteError struct {
	Code         int
	ExtendedCode int
	SystemErrno  int
	Message      string
}

func (e *SQLiteError) Error() string { return e.Message }

// Unwrap is the driver's error of the same codes.
func (e *SQLiteError) Unwrap() error {
	return sqlite3.Error{Code: sqlite3.ErrNo(e.Code), ExtendedCode: sqlite3.ErrNoExtended(e.ExtendedCode)}
}

func (c *cachingConn) lastError(rc C.int) error {
	db := (*C.sqlite3)(c.raw)
	ext := int(C.sqlite3_extended_errcode(db))
	if ext&0xff != int(rc)&0xff {
		ext = int(rc)
	}
	return &SQLiteError{Code: int(rc) & 0xff, ExtendedCode: ext, Message: C.GoString(C.sqlite3_errmsg(db))}
}
