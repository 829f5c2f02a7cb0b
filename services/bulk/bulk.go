// Package bulk writes many rows of one GORM model with multi-row INSERT
// statements, for the ledger import and the deadline recomputation. It
// writes exactly the columns and values gorm's Create writes for the same
// structs (zero values replaced by the field's default, unset create and
// update times set to now), so rows written either way are identical; the
// difference is the cost: Create builds, prepares and discards a statement
// with every value bound for each batch, where Insert writes a column that
// holds one value in every row as a literal and, inside WithStatements,
// prepares each statement once per transaction. On SQLite a statement's
// values go to the write connection in one models.Packed argument, bound
// in one call into SQLite (the connection keeps the statement).
package bulk

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"fuyi/models"
)

// maxParams bounds the bound variables of one statement: SQLite's default
// limit is 32766, PostgreSQL's 65535.
const maxParams = 32000

// rowsPerStatement is the chunk size: large enough that the per-statement
// cost vanishes, small enough that a chunk's arguments stay in cache.
const rowsPerStatement = 256

// minLiteralRows is the smallest insert whose constant columns become
// literals; maxStatements bounds the statements one transaction keeps.
const (
	minLiteralRows = 64
	maxStatements  = 128
)

// Insert writes rows (a slice of model structs) into the model's table in
// tx. A primary key that is set on every row is written (explicit ids, see
// IDs); one that is zero on every row is left to the database; mixed rows
// are an error.
func Insert[T any](ctx context.Context, tx *gorm.DB, rows []T) error {
	r, err := Values(ctx, tx, rows)
	if err != nil {
		return err
	}
	return r.Write(ctx, tx)
}

// Rows are the values of one Insert, taken from the structs by Values and
// written by Write: a pipeline takes them on one goroutine while another
// writes earlier ones.
type Rows struct {
	table    string
	cols     []string
	tuple    []string // per column: "?" (bound) or the constant's literal
	bound    []int    // the bound columns
	width, n int
	vals     []any // n rows of width values
	postgres bool
	sql      map[int]string // statement per row count
}

// Values takes the values of rows as gorm's Create would write them (it
// sets defaults and unset create/update times in the structs, as Create
// does). tx only tells the dialect and the schema; nothing is executed.
func Values[T any](ctx context.Context, tx *gorm.DB, rows []T) (*Rows, error) {
	if len(rows) == 0 {
		return &Rows{}, nil
	}
	stmt := &gorm.Statement{DB: tx}
	if err := stmt.Parse(&rows[0]); err != nil {
		return nil, fmt.Errorf("bulk: %w", err)
	}
	return values(ctx, tx, stmt.Schema, stmt.Table, reflect.ValueOf(rows))
}

// statements caches the statements prepared on one transaction.
type statements struct {
	pool  gorm.ConnPool
	stmts map[string]*sql.Stmt
	// whole: the caller rolls the transaction back after any failed
	// Write (WholeTransaction).
	whole bool
	// packed is reused by the transaction's SQLite writes.
	packed *models.Packed
}

type statementsKey struct{}

// WithStatements returns ctx carrying a cache of the statements Insert
// prepares on tx's connection, so that repeated Inserts in tx (a batch at
// a time) prepare each statement once. The statements close with tx.
func WithStatements(ctx context.Context, tx *gorm.DB) context.Context {
	return context.WithValue(ctx, statementsKey{}, &statements{pool: rawPool(tx), stmts: map[string]*sql.Stmt{}})
}

// WholeTransaction is WithStatements for a caller that rolls the whole
// transaction back after any failed Write (the ledger import: all or
// nothing). A failed statement then need not undo its own rows, and on
// SQLite the statements are INSERT OR FAIL: a plain INSERT that may fail
// halfway (a unique index) makes SQLite copy every page it touches into a
// statement journal first, so that it can undo just that statement —
// for a million-row import ~5 % of the writer's time spent on undo
// information that is never used. The rows written are the same.
func WholeTransaction(ctx context.Context, tx *gorm.DB) context.Context {
	return context.WithValue(ctx, statementsKey{}, &statements{pool: rawPool(tx), stmts: map[string]*sql.Stmt{}, whole: true})
}

func values(ctx context.Context, tx *gorm.DB, s *schema.Schema, table string, rv reflect.Value) (*Rows, error) {
	n := rv.Len()
	var fields []*schema.Field
	for _, db := range s.DBNames {
		if f := s.FieldsByDBName[db]; !f.HasDefaultValue || f.DefaultValueInterface != nil {
			fields = append(fields, f)
		}
	}
	now := tx.NowFunc()
	readers := make([]fieldReader, len(fields))
	for k, f := range fields {
		readers[k] = readerOf(f)
	}
	// The values of every row, as gorm's ConvertToCreateValues takes them.
	vals := make([]any, 0, n*(len(fields)+len(s.FieldsWithDefaultDBValue)))
	for i := 0; i < n; i++ {
		row := reflect.Indirect(rv.Index(i))
		var base unsafe.Pointer
		if row.CanAddr() {
			base = row.Addr().UnsafePointer()
		}
		for k, f := range fields {
			var v any
			var zero bool
			if rd := readers[k]; rd.read != nil && base != nil {
				v, zero = rd.read(unsafe.Add(base, rd.offset))
			} else {
				v, zero = f.ValueOf(ctx, row)
			}
			if zero {
				if f.DefaultValueInterface != nil {
					v = f.DefaultValueInterface
					if err := f.Set(ctx, row, v); err != nil {
						return nil, err
					}
				} else if f.AutoCreateTime > 0 || f.AutoUpdateTime > 0 {
					if err := f.Set(ctx, row, now); err != nil {
						return nil, err
					}
					v, _ = f.ValueOf(ctx, row)
				}
			}
			vals = append(vals, v)
		}
	}
	// Database-defaulted fields (the autoincrement id) are written when
	// every row sets them.
	width := len(fields)
	for _, f := range s.FieldsWithDefaultDBValue {
		set := 0
		for i := 0; i < n; i++ {
			if _, zero := f.ValueOf(ctx, reflect.Indirect(rv.Index(i))); !zero {
				set++
			}
		}
		switch set {
		case 0:
			continue
		case n:
		default:
			return nil, fmt.Errorf("bulk: %s.%s is set on %d of %d rows", table, f.DBName, set, n)
		}
		grown := make([]any, 0, n*(width+1))
		for i := 0; i < n; i++ {
			v, _ := f.ValueOf(ctx, reflect.Indirect(rv.Index(i)))
			grown = append(append(grown, vals[i*width:(i+1)*width]...), v)
		}
		vals, width = grown, width+1
		fields = append(fields[:len(fields):len(fields)], f)
	}

	r := &Rows{table: table, width: width, n: n, vals: vals, postgres: tx.Dialector.Name() == "postgres", sql: map[int]string{}}
	r.cols = make([]string, len(fields))
	for i, f := range fields {
		r.cols[i] = tx.Statement.Quote(f.DBName)
	}
	// A column with one value in every row of a large insert is written as
	// a literal (a small one binds every value: its statement, unlike the
	// large one's, would differ from call to call).
	r.tuple = make([]string, width)
	r.bound = make([]int, 0, width)
	for c := 0; c < width; c++ {
		if lit, ok := constant(vals, c, width, r.postgres); ok && n >= minLiteralRows {
			r.tuple[c] = lit
			continue
		}
		r.bound = append(r.bound, c)
		r.tuple[c] = "?"
	}
	r.table = tx.Statement.Quote(table)
	return r, nil
}

// fieldReader reads a field of the struct at a pointer as gorm's
// Field.ValueOf does for a field of the struct itself (not embedded,
// without a serializer): its value as an interface and whether it is the
// zero value — without reflection, which was most of the cost of taking a
// ledger import's values. read is nil for other fields (ValueOf is used).
type fieldReader struct {
	offset uintptr
	read   func(p unsafe.Pointer) (any, bool)
}

func readerOf(f *schema.Field) fieldReader {
	if len(f.StructField.Index) != 1 || f.Serializer != nil {
		return fieldReader{}
	}
	var read func(p unsafe.Pointer) (any, bool)
	switch f.StructField.Type {
	case reflect.TypeFor[string]():
		read = func(p unsafe.Pointer) (any, bool) { v := *(*string)(p); return v, v == "" }
	case reflect.TypeFor[int64]():
		read = func(p unsafe.Pointer) (any, bool) { v := *(*int64)(p); return v, v == 0 }
	case reflect.TypeFor[int]():
		read = func(p unsafe.Pointer) (any, bool) { v := *(*int)(p); return v, v == 0 }
	case reflect.TypeFor[bool]():
		read = func(p unsafe.Pointer) (any, bool) { v := *(*bool)(p); return v, !v }
	case reflect.TypeFor[*string]():
		read = func(p unsafe.Pointer) (any, bool) { v := *(**string)(p); return v, v == nil }
	case reflect.TypeFor[*int64]():
		read = func(p unsafe.Pointer) (any, bool) { v := *(**int64)(p); return v, v == nil }
	case reflect.TypeFor[time.Time]():
		// reflect's IsZero: every field of the struct zero (not Time.IsZero).
		read = func(p unsafe.Pointer) (any, bool) { v := *(*time.Time)(p); return v, v == time.Time{} }
	case reflect.TypeFor[*time.Time]():
		read = func(p unsafe.Pointer) (any, bool) { v := *(**time.Time)(p); return v, v == nil }
	default:
		return fieldReader{}
	}
	return fieldReader{offset: f.StructField.Offset, read: read}
}

// Write inserts the rows in tx, in chunks of up to rowsPerStatement rows;
// inside WithStatements each chunk size's statement is prepared once.
func (r *Rows) Write(ctx context.Context, tx *gorm.DB) error {
	if r.n == 0 {
		return nil
	}
	per := rowsPerStatement
	if len(r.bound) > 0 {
		per = min(per, maxParams/len(r.bound))
	}
	cache, _ := ctx.Value(statementsKey{}).(*statements)
	pool := rawPool(tx)
	if cache != nil && cache.pool != pool {
		cache = nil
	}
	verb := "INSERT"
	if cache != nil && cache.whole && !r.postgres {
		verb = "INSERT OR FAIL"
	}
	// On SQLite a chunk's values go to the connection packed into one
	// argument (models.Packed): bound in one call into SQLite's C library.
	var packed *models.Packed
	if !r.postgres {
		if cache != nil {
			if cache.packed == nil {
				cache.packed = &models.Packed{}
			}
			packed = cache.packed
		} else {
			packed = &models.Packed{}
		}
	}
	var args []any
	for start := 0; start < r.n; {
		m := min(per, r.n-start)
		if (cache != nil || packed != nil) && m < per {
			m = 1 << (bits(m) - 1) // the tail in power-of-two chunks, each prepared once
		}
		key := m // the statement per row count, per verb
		if verb != "INSERT" {
			key = -m
		}
		q, ok := r.sql[key]
		if !ok {
			q = r.insertSQL(verb, m)
			r.sql[key] = q
		}
		rows := r.vals[start*r.width : (start+m)*r.width]
		if packed != nil {
			done, err := r.writePacked(ctx, pool, q, rows, packed)
			if err != nil {
				return translate(tx, r.table, err)
			}
			if done {
				start += m
				continue
			}
			packed = nil // not the models SQLite connection: value by value
		}
		if args == nil {
			args = make([]any, 0, per*len(r.bound))
		}
		args = args[:0]
		for i := 0; i < m; i++ {
			row := rows[i*r.width : (i+1)*r.width]
			for _, c := range r.bound {
				args = append(args, row[c])
			}
		}
		var err error
		if cache != nil {
			st, ok := cache.stmts[q]
			if !ok && len(cache.stmts) < maxStatements {
				if st, err = pool.PrepareContext(ctx, q); err != nil {
					return fmt.Errorf("bulk: prepare %s: %w", r.table, err)
				}
				cache.stmts[q] = st
			}
			if st != nil {
				_, err = st.ExecContext(ctx, args...)
			} else {
				_, err = pool.ExecContext(ctx, q, args...)
			}
		} else {
			_, err = pool.ExecContext(ctx, q, args...)
		}
		if err != nil {
			return translate(tx, r.table, err)
		}
		start += m
	}
	return nil
}

// writePacked executes q with the bound values of rows packed into p. done
// is false (and nothing written) when the connection does not take packed
// arguments or a value cannot be packed.
func (r *Rows) writePacked(ctx context.Context, pool gorm.ConnPool, q string, rows []any, p *models.Packed) (done bool, err error) {
	p.Reset()
	for i := 0; i < len(rows); i += r.width {
		for _, c := range r.bound {
			if p.Add(rows[i+c]) != nil {
				return false, nil
			}
		}
	}
	return p.Exec(ctx, pool, q)
}

// bits is the number of bits of n > 0.
func bits(n int) int {
	b := 0
	for ; n > 0; n >>= 1 {
		b++
	}
	return b
}

// constant returns column c's value as an SQL literal when every row holds
// the same value of a kind that has an exact literal (NULL, an integer, a
// boolean, a plain string, on SQLite a time), as the driver would have
// stored it bound.
func constant(vals []any, c, width int, postgres bool) (string, bool) {
	first, ok := normal(vals[c], postgres)
	if !ok {
		return "", false
	}
	for i := c + width; i < len(vals); i += width {
		if same, known := sameValue(vals[c], vals[i]); known {
			if !same {
				return "", false
			}
			continue
		}
		v, ok := normal(vals[i], postgres)
		if !ok || v != first {
			return "", false
		}
	}
	switch v := first.(type) {
	case nil:
		return "NULL", true
	case int64:
		return strconv.FormatInt(v, 10), true
	case bool:
		switch {
		case postgres && v:
			return "TRUE", true
		case postgres:
			return "FALSE", true
		case v:
			return "1", true
		}
		return "0", true
	case string:
		if len(v) > 200 || !utf8.ValidString(v) || strings.ContainsAny(v, "\x00\\?$") {
			return "", false
		}
		return "'" + strings.ReplaceAll(v, "'", "''") + "'", true
	}
	return "", false
}

// sqliteTimeFormat is how go-sqlite3 binds a time.Time: as this text
// (its SQLiteTimestampFormats[0]).
const sqliteTimeFormat = "2006-01-02 15:04:05.999999999-07:00"

// normal is v as database/sql hands it to the driver (pointers followed,
// integers widened), for the kinds constant writes as literals. On SQLite
// a time is the text the driver would bind (the import stamps every row
// of a batch with the same instant: one literal instead of a formatted
// and bound value per row); on PostgreSQL times stay bound.
// sameValue tells, for the field types the import writes, whether a and b
// are the same value as the database would get it (normal), without
// converting them: a time is written as its text in its own zone, so two
// times in one location are the same value when they are the same instant.
// known is false for other types (ask normal).
func sameValue(a, b any) (same, known bool) {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y, ok
	case int64:
		y, ok := b.(int64)
		return ok && x == y, ok
	case int:
		y, ok := b.(int)
		return ok && x == y, ok
	case bool:
		y, ok := b.(bool)
		return ok && x == y, ok
	case *string:
		y, ok := b.(*string)
		if !ok {
			return false, false
		}
		return x == y || x != nil && y != nil && *x == *y, true
	case *int64:
		y, ok := b.(*int64)
		if !ok {
			return false, false
		}
		return x == y || x != nil && y != nil && *x == *y, true
	case time.Time:
		y, ok := b.(time.Time)
		if !ok || x.Location() != y.Location() {
			return false, false
		}
		return x.Equal(y), true
	}
	return false, false
}

func normal(v any, postgres bool) (any, bool) {
	if v == nil {
		return nil, true
	}
	if _, ok := v.(driver.Valuer); ok {
		return nil, false
	}
	dv, err := driver.DefaultParameterConverter.ConvertValue(v)
	if err != nil {
		return nil, false
	}
	switch t := dv.(type) {
	case nil, int64, bool, string:
		return dv, true
	case time.Time:
		if !postgres {
			return t.Format(sqliteTimeFormat), true
		}
	}
	return nil, false
}

// insertSQL is verb INTO table (cols) VALUES tuple,… for rows rows, with
// the dialect's placeholders for the tuple's "?".
func (r *Rows) insertSQL(verb string, rows int) string {
	var b strings.Builder
	b.WriteString(verb)
	b.WriteString(" INTO ")
	b.WriteString(r.table)
	b.WriteString(" (")
	b.WriteString(strings.Join(r.cols, ","))
	b.WriteString(") VALUES ")
	p := 0
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c, t := range r.tuple {
			if c > 0 {
				b.WriteByte(',')
			}
			switch {
			case t != "?":
				b.WriteString(t)
			case r.postgres:
				p++
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(p))
			default:
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

// rawPool is the connection (or transaction) under tx, without gorm's
// prepared-statement cache, which would keep every multi-row statement.
func rawPool(tx *gorm.DB) gorm.ConnPool {
	pool := tx.Statement.ConnPool
	switch p := pool.(type) {
	case *gorm.PreparedStmtTX:
		return p.Tx
	case *gorm.PreparedStmtDB:
		return p.ConnPool
	}
	return pool
}

// translate maps a driver error to gorm's (gorm.ErrDuplicatedKey …) when the
// session translates errors, as gorm's own statements do.
func translate(tx *gorm.DB, table string, err error) error {
	if t, ok := tx.Dialector.(gorm.ErrorTranslator); ok && tx.Config.TranslateError {
		if te := t.Translate(err); te != err {
			return fmt.Errorf("bulk: insert %s: %w", table, te)
		}
	}
	return fmt.Errorf("bulk: insert %s: %w", table, err)
}

// IDs hands out ids of a table's autoincrement primary key "id" for rows
// that Insert then writes with explicit ids, so the writer knows them
// without reading them back. On PostgreSQL they come from the column's
// sequence (concurrent writers get others). On SQLite they follow the
// largest id ever used (AUTOINCREMENT's rule) as read by NewIDs, counted
// on from there: only within a write transaction (SQLite has one writer)
// in which no rows are added to the table but with these ids.
type IDs struct {
	tx    *gorm.DB
	seq   *gorm.DB // PostgreSQL: where the sequence is read (tx unless Outside)
	table string
	last  int64 // SQLite: the last id handed out
}

// Outside makes Take draw PostgreSQL's sequence through db (a pool) rather
// than the transaction, so that another goroutine can take ids while the
// transaction runs a statement (sequences are not transactional anyway). On
// SQLite it changes nothing: the ids are counted without a statement.
func (s *IDs) Outside(db *gorm.DB) { s.seq = db }

// NewIDs starts handing out ids of table in tx.
func NewIDs(ctx context.Context, tx *gorm.DB, table string) (*IDs, error) {
	ids := &IDs{tx: tx, seq: tx, table: table}
	if tx.Dialector.Name() == "postgres" {
		return ids, nil
	}
	err := tx.WithContext(ctx).Session(&gorm.Session{NewDB: true}).
		Raw("SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), COALESCE((SELECT MAX(id) FROM "+tx.Statement.Quote(table)+"), 0))", table).
		Scan(&ids.last).Error
	if err != nil {
		return nil, fmt.Errorf("bulk: ids of %s: %w", table, err)
	}
	return ids, nil
}

// Take returns n new ids in increasing order.
func (s *IDs) Take(ctx context.Context, n int) ([]int64, error) {
	out := make([]int64, 0, n)
	if n == 0 {
		return out, nil
	}
	if s.tx.Dialector.Name() != "postgres" {
		for i := 0; i < n; i++ {
			s.last++
			out = append(out, s.last)
		}
		return out, nil
	}
	err := s.seq.WithContext(ctx).Session(&gorm.Session{NewDB: true}).
		Raw("SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?) ORDER BY 1", s.table, n).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("bulk: ids of %s: %w", s.table, err)
	}
	if len(out) != n {
		return nil, fmt.Errorf("bulk: %d ids of %s, want %d", len(out), s.table, n)
	}
	return out, nil
}
