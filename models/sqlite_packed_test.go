package models

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
	"gorm.io/gorm"
)

// openPackedDB is a SQLite database (this package's connections, not
// migrated) with a table of untyped columns, so that what is stored is
// exactly what was bound.
func openPackedDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), OpenOptions{SQLitePath: filepath.Join(t.TempDir(), "packed.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Write.Exec("CREATE TABLE p (id INTEGER PRIMARY KEY, a, b, c, d)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Write.Exec("CREATE UNIQUE INDEX ux_p_a ON p (a)").Error; err != nil {
		t.Fatal(err)
	}
	return db
}

// writeConn runs fn with the write connection's cachingConn.
func writeConn(t *testing.T, db *DB, fn func(c *cachingConn)) {
	t.Helper()
	sqlDB, err := db.Write.DB()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sqlDB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Raw(func(dc any) error {
		c, ok := dc.(*cachingConn)
		if !ok {
			t.Fatalf("write connection is a %T", dc)
		}
		fn(c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// dump is every stored value of p with its storage class, in id order.
func dump(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.Read.Raw("SELECT typeof(a)||':'||quote(a), typeof(b)||':'||quote(b), typeof(c)||':'||quote(c), typeof(d)||':'||quote(d) FROM p ORDER BY id").Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a, b, c, d string
		if err := rows.Scan(&a, &b, &c, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Join([]string{a, b, c, d}, " | "))
	}
	return out
}

// TestPackedStoresWhatTheDriverStores: a multi-row INSERT with its
// arguments packed stores exactly what the same INSERT stores with the
// arguments bound one by one by mattn/go-sqlite3 — every kind of value the
// driver takes (NULL and the empty string kept apart, text with a NUL
// byte, blobs, booleans, times, pointers) — both in one call into SQLite
// and through the fallback that binds value by value.
func TestPackedStoresWhatTheDriverStores(t *testing.T) {
	s, empty := "引号 ' 与 \\ 与 ?", ""
	n := int64(-42)
	var nilString *string
	when := time.Date(2022, 3, 5, 9, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	values := [][]any{ // column a has a unique index: distinct values
		{nil, int64(0), "", []byte{}},
		{int64(math.MaxInt64), int64(math.MinInt64), 0.1, math.Inf(-1)},
		{"a\x00b", strings.Repeat("长", 50000), []byte("x\x00y"), []byte(nil)},
		{true, false, when, time.Time{}},
		{&s, &empty, nilString, &n},
		{"only", sql.NullString{}, sql.NullString{String: "v", Valid: true}, sql.NullInt64{Int64: 7, Valid: true}},
	}
	q := "INSERT INTO p (a, b, c, d) VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?),", len(values)), ",")
	var flat []any
	for _, row := range values {
		flat = append(flat, row...)
	}
	byDriver := openPackedDB(t)
	if err := byDriver.Write.Exec(q, flat...).Error; err != nil {
		t.Fatal(err)
	}
	want := dump(t, byDriver)
	if len(want) != len(values) {
		t.Fatalf("%d rows by the driver", len(want))
	}
	for _, slow := range []bool{false, true} {
		db := openPackedDB(t)
		writeConn(t, db, func(c *cachingConn) {
			if c.raw == nil {
				t.Fatal("no sqlite3 handle: the driver's connection layout changed (rawHandle)")
			}
			c.slowPacked = slow
		})
		var p Packed
		for _, v := range flat {
			if err := p.Add(v); err != nil {
				t.Fatalf("Add(%T): %v", v, err)
			}
		}
		before := PackedExecutions()
		res := db.Write.Exec(q, &p)
		if res.Error != nil {
			t.Fatalf("slow=%v: %v", slow, res.Error)
		}
		if res.RowsAffected != int64(len(values)) {
			t.Errorf("slow=%v: %d rows affected", slow, res.RowsAffected)
		}
		if fast := PackedExecutions() > before; fast == slow {
			t.Errorf("slow=%v: bound in one call = %v", slow, fast)
		}
		if got := dump(t, db); !reflect.DeepEqual(got, want) {
			for i := range want {
				if i < len(got) && got[i] != want[i] {
					t.Errorf("slow=%v row %d:\n driver %s\n packed %s", slow, i, want[i], got[i])
				}
			}
			t.Fatalf("slow=%v: %d rows, want %d", slow, len(got), len(want))
		}
	}
}

// TestPackedErrors: a packed statement that breaks a unique index fails as
// the driver's would (gorm.ErrDuplicatedKey after translation, the
// driver's error codes, SQLite's message) and leaves its statement usable;
// a wrong number of arguments is refused; a connection that is not this
// package's refuses packed arguments with ErrPackedUnsupported.
func TestPackedErrors(t *testing.T) {
	db := openPackedDB(t)
	q := "INSERT INTO p (a) VALUES (?), (?)"
	pack := func(vs ...any) *Packed {
		var p Packed
		for _, v := range vs {
			if err := p.Add(v); err != nil {
				t.Fatal(err)
			}
		}
		return &p
	}
	if err := db.Write.Exec(q, pack("x", "y")).Error; err != nil {
		t.Fatal(err)
	}
	err := db.Write.Exec(q, pack("z", "x")).Error
	if !errors.Is(err, gorm.ErrDuplicatedKey) {
		t.Errorf("duplicate: %v, want gorm.ErrDuplicatedKey", err)
	}
	var raw error
	writeConn(t, db, func(c *cachingConn) { _, raw = c.execPacked(q, pack("x", "w")) })
	var se *SQLiteError
	var de sqlite3.Error
	if !errors.As(raw, &se) || se.ExtendedCode != int(sqlite3.ErrConstraintUnique) || !strings.Contains(se.Message, "UNIQUE") ||
		!errors.As(raw, &de) || de.Code != sqlite3.ErrConstraint {
		t.Errorf("duplicate from the connection: %#v", raw)
	}
	if err := db.Write.Exec(q, pack("v", "w")).Error; err != nil {
		t.Errorf("the statement after a failure: %v", err)
	}
	if err := db.Write.Exec(q, pack("only one")).Error; err == nil || !strings.Contains(err.Error(), "1 packed arguments for a statement of 2") {
		t.Errorf("one argument for two: %v", err)
	}
	var n int64
	if err := db.Read.Raw("SELECT count(*) FROM p").Scan(&n).Error; err != nil || n != 4 {
		t.Errorf("%d rows (%v), want x y v w", n, err)
	}
	plain, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "plain.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.Exec("CREATE TABLE p (a)"); err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Exec("INSERT INTO p (a) VALUES (?)", pack("x")); !errors.Is(err, ErrPackedUnsupported) {
		t.Errorf("plain driver connection: %v, want ErrPackedUnsupported", err)
	}
}
