// Package bulk writes many rows of one GORM model with multi-row INSERT
// statements, for the ledger import and the deadline recomputation. It
// writes exactly the columns and values gorm's Create writes for the same
// structs (zero values replaced by the field's default, unset create and
// update times set to now), so rows written either way are identical; the
// difference is the cost: Create builds, prepares and discards a statement
// with every value bound for each batch, where Insert writes a column that
// holds one value in every row as a literal and, inside WithStatements,
// prepares each statement once per transaction.
package bulk

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
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
// NextIDs); one that is zero on every row is left to the database; mixed
// rows are an error.
func Insert[T any](ctx context.Context, tx *gorm.DB, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	stmt := &gorm.Statement{DB: tx}
	if err := stmt.Parse(&rows[0]); err != nil {
		return fmt.Errorf("bulk: %w", err)
	}
	return insert(ctx, tx, stmt.Schema, stmt.Table, reflect.ValueOf(rows))
}

// statements caches the statements prepared on one transaction.
type statements struct {
	pool  gorm.ConnPool
	stmts map[string]*sql.Stmt
}

type statementsKey struct{}

// WithStatements returns ctx carrying a cache of the statements Insert
// prepares on tx's connection, so that repeated Inserts in tx (a batch at
// a time) prepare each statement once. The statements close with tx.
func WithStatements(ctx context.Context, tx *gorm.DB) context.Context {
	return context.WithValue(ctx, statementsKey{}, &statements{pool: rawPool(tx), stmts: map[string]*sql.Stmt{}})
}

func insert(ctx context.Context, tx *gorm.DB, s *schema.Schema, table string, rv reflect.Value) error {
	n := rv.Len()
	var fields []*schema.Field
	for _, db := range s.DBNames {
		if f := s.FieldsByDBName[db]; !f.HasDefaultValue || f.DefaultValueInterface != nil {
			fields = append(fields, f)
		}
	}
	now := tx.NowFunc()
	// The values of every row, as gorm's ConvertToCreateValues takes them.
	vals := make([]any, 0, n*(len(fields)+len(s.FieldsWithDefaultDBValue)))
	for i := 0; i < n; i++ {
		row := reflect.Indirect(rv.Index(i))
		for _, f := range fields {
			v, zero := f.ValueOf(ctx, row)
			if zero {
				if f.DefaultValueInterface != nil {
					v = f.DefaultValueInterface
					if err := f.Set(ctx, row, v); err != nil {
						return err
					}
				} else if f.AutoCreateTime > 0 || f.AutoUpdateTime > 0 {
					if err := f.Set(ctx, row, now); err != nil {
						return err
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
			return fmt.Errorf("bulk: %s.%s is set on %d of %d rows", table, f.DBName, set, n)
		}
		grown := make([]any, 0, n*(width+1))
		for i := 0; i < n; i++ {
			v, _ := f.ValueOf(ctx, reflect.Indirect(rv.Index(i)))
			grown = append(append(grown, vals[i*width:(i+1)*width]...), v)
		}
		vals, width = grown, width+1
		fields = append(fields[:len(fields):len(fields)], f)
	}

	postgres := tx.Dialector.Name() == "postgres"
	cols := make([]string, len(fields))
	for i, f := range fields {
		cols[i] = tx.Statement.Quote(f.DBName)
	}
	// A column with one value in every row of a large insert is written as
	// a literal (a small one binds every value: its statement, unlike the
	// large one's, would differ from call to call).
	tuple := make([]string, width)
	bound := make([]int, 0, width)
	for c := 0; c < width; c++ {
		if lit, ok := constant(vals, c, width, postgres); ok && n >= minLiteralRows {
			tuple[c] = lit
			continue
		}
		bound = append(bound, c)
		tuple[c] = "?"
	}
	per := rowsPerStatement
	if len(bound) > 0 {
		per = min(per, maxParams/len(bound))
	}
	cache, _ := ctx.Value(statementsKey{}).(*statements)
	pool := rawPool(tx)
	if cache != nil && cache.pool != pool {
		cache = nil
	}
	args := make([]any, 0, per*len(bound))
	for start := 0; start < n; {
		m := min(per, n-start)
		if cache != nil && m < per {
			m = 1 << (bits(m) - 1) // the tail in power-of-two chunks, each prepared once
		}
		args = args[:0]
		for i := start; i < start+m; i++ {
			for _, c := range bound {
				args = append(args, vals[i*width+c])
			}
		}
		q := insertSQL(tx, table, cols, tuple, m, postgres)
		var err error
		if cache != nil {
			st, ok := cache.stmts[q]
			if !ok && len(cache.stmts) < maxStatements {
				if st, err = pool.PrepareContext(ctx, q); err != nil {
					return fmt.Errorf("bulk: prepare %s: %w", table, err)
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
			return translate(tx, table, err)
		}
		start += m
	}
	return nil
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
// boolean, a plain string), as the driver would have stored it bound.
func constant(vals []any, c, width int, postgres bool) (string, bool) {
	first, ok := normal(vals[c])
	if !ok {
		return "", false
	}
	for i := c + width; i < len(vals); i += width {
		v, ok := normal(vals[i])
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

// normal is v as database/sql hands it to the driver (pointers followed,
// integers widened), for the kinds constant writes as literals.
func normal(v any) (any, bool) {
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
	switch dv.(type) {
	case nil, int64, bool, string:
		return dv, true
	}
	return nil, false
}

// insertSQL is INSERT INTO table (cols) VALUES tuple,… for rows rows, with
// the dialect's placeholders for the tuple's "?".
func insertSQL(tx *gorm.DB, table string, cols, tuple []string, rows int, postgres bool) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(tx.Statement.Quote(table))
	b.WriteString(" (")
	b.WriteString(strings.Join(cols, ","))
	b.WriteString(") VALUES ")
	p := 0
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c, t := range tuple {
			if c > 0 {
				b.WriteByte(',')
			}
			switch {
			case t != "?":
				b.WriteString(t)
			case postgres:
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

// NextIDs reserves n ids of table's autoincrement primary key "id" for rows
// that Insert then writes with explicit ids, so the caller knows them
// without reading them back. On PostgreSQL they come from the column's
// sequence (concurrent writers get others). On SQLite they follow the
// largest id ever used (AUTOINCREMENT's rule), which is only safe inside
// a write transaction: SQLite has one writer, so nobody else takes them.
func NextIDs(ctx context.Context, tx *gorm.DB, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if n == 0 {
		return ids, nil
	}
	q := tx.WithContext(ctx).Session(&gorm.Session{NewDB: true})
	if tx.Dialector.Name() == "postgres" {
		err := q.Raw("SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?) ORDER BY 1", table, n).Scan(&ids).Error
		if err != nil {
			return nil, fmt.Errorf("bulk: ids of %s: %w", table, err)
		}
		if len(ids) != n {
			return nil, fmt.Errorf("bulk: %d ids of %s, want %d", len(ids), table, n)
		}
		return ids, nil
	}
	var last int64
	err := q.Raw("SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), COALESCE((SELECT MAX(id) FROM "+tx.Statement.Quote(table)+"), 0))", table).
		Scan(&last).Error
	if err != nil {
		return nil, fmt.Errorf("bulk: ids of %s: %w", table, err)
	}
	for i := 1; i <= n; i++ {
		ids = append(ids, last+int64(i))
	}
	return ids, nil
}
