package lifecycle

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"fuyi/models"
	"fuyi/services/errs"
)

// Keyset pagination of the case list (docs/ENGINEERING.md "Case list
// paging"). A cursor names the last row of a page by its sort key values and
// id; the next page is the rows strictly after it in the list's order, found
// by a range seek on the index that serves the order instead of stepping
// over every earlier row as OFFSET does. Rows inserted or changed between two
// pages therefore never shift the rows that were already there.

// sortKey is one key of a validated sort: the column, its direction, and
// whether the column may hold NULL.
type sortKey struct {
	col      string
	desc     bool
	nullable bool
}

// nullableSort lists the sortable columns that may be NULL (accepted_on and
// closed_on of open cases; updated_at is nullable in the schema).
var nullableSort = map[string]bool{"closed_on": true, "accepted_on": true, "updated_at": true}

// sortKeys parses a validated sort (default -received_on). The list's order
// is these keys, then cases.id descending.
func sortKeys(sort string) []sortKey {
	if sort == "" {
		sort = "-received_on"
	}
	var out []sortKey
	for _, k := range strings.Split(sort, ",") {
		k = strings.TrimSpace(k)
		name := strings.TrimPrefix(k, "-")
		out = append(out, sortKey{col: sortColumns[name], desc: strings.HasPrefix(k, "-"), nullable: nullableSort[name]})
	}
	return out
}

// cursor is the decoded position: the sort key values of the last row of a
// page (raw database values: string, int64, float64, time.Time or nil), its
// id, and the number of the page it leads to.
type cursor struct {
	Values []any
	ID     int64
	Page   int
}

// cursorValue is one sort key value on the wire, tagged with its type so
// that it binds back exactly as the database returned it: a string for the
// text columns (SQLite returns updated_at as stored text too), a time for
// PostgreSQL's timestamps. Absent fields = NULL.
type cursorValue struct {
	S *string  `json:"s,omitempty"`
	T *string  `json:"t,omitempty"`
	I *int64   `json:"i,omitempty"`
	F *float64 `json:"f,omitempty"`
}

type cursorWire struct {
	V  []cursorValue `json:"v"`
	ID int64         `json:"id"`
	P  int           `json:"p"`
}

// cursorCheck binds a cursor to the filter, sort and page size it was made
// for: a cursor from another list (or one edited by hand) fails the check.
// It is a checksum, not a secret signature: a forged cursor can only name
// another position in the caller's own scoped list, since every value is a
// bound parameter of a query that keeps the organ scope.
func cursorCheck(payload []byte, f ListFilter) []byte {
	f.Page, f.After, f.ExactCount = 0, "", false
	if f.Sort == "" {
		f.Sort = "-received_on"
	}
	fj, _ := json.Marshal(f)
	h := sha256.New()
	h.Write([]byte("fuyi case list cursor v1\x00"))
	h.Write(fj)
	h.Write([]byte{0})
	h.Write(payload)
	return h.Sum(nil)[:12]
}

// encodeCursor makes the opaque token for c under filter f.
func encodeCursor(c cursor, f ListFilter) (string, error) {
	w := cursorWire{ID: c.ID, P: c.Page, V: make([]cursorValue, len(c.Values))}
	for i, v := range c.Values {
		switch x := v.(type) {
		case nil:
		case string:
			w.V[i].S = &x
		case []byte:
			s := string(x)
			w.V[i].S = &s
		case time.Time:
			s := x.Format(time.RFC3339Nano)
			w.V[i].T = &s
		case int64:
			w.V[i].I = &x
		case float64:
			w.V[i].F = &x
		default:
			return "", fmt.Errorf("list cursor: unexpected sort value %T", v)
		}
	}
	payload, err := json.Marshal(w)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(cursorCheck(payload, f)), nil
}

// errBadCursor is the 400 for a cursor that does not decode or does not
// belong to this filter and sort.
func errBadCursor() error {
	return errs.InvalidField("after", "翻页位置无效或不属于当前的筛选和排序，请从第一页重新翻页",
		"invalid cursor, or one made for another filter or sort: start again from page 1")
}

// decodeCursor checks and decodes token for filter f with keys sort keys.
func decodeCursor(token string, f ListFilter, keys []sortKey) (cursor, error) {
	enc := base64.RawURLEncoding
	body, sum, ok := strings.Cut(token, ".")
	if !ok || len(token) > 4096 {
		return cursor{}, errBadCursor()
	}
	payload, err1 := enc.DecodeString(body)
	check, err2 := enc.DecodeString(sum)
	if err1 != nil || err2 != nil || !bytes.Equal(check, cursorCheck(payload, f)) {
		return cursor{}, errBadCursor()
	}
	var w cursorWire
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil || len(w.V) != len(keys) || w.ID <= 0 || w.P < 2 {
		return cursor{}, errBadCursor()
	}
	if _, err := dec.Token(); err != io.EOF {
		return cursor{}, errBadCursor() // trailing data
	}
	c := cursor{ID: w.ID, Page: w.P, Values: make([]any, len(w.V))}
	for i, v := range w.V {
		set := 0
		if v.S != nil {
			c.Values[i], set = *v.S, set+1
		}
		if v.T != nil {
			t, err := time.Parse(time.RFC3339Nano, *v.T)
			if err != nil {
				return cursor{}, errBadCursor()
			}
			c.Values[i], set = t, set+1
		}
		if v.I != nil {
			c.Values[i], set = *v.I, set+1
		}
		if v.F != nil {
			c.Values[i], set = *v.F, set+1
		}
		if set > 1 || set == 0 && !keys[i].nullable {
			return cursor{}, errBadCursor()
		}
	}
	return c, nil
}

// segment is one condition of a keyset page; a page reads its segments in
// order until it has its rows.
type segment struct {
	where string
	args  []any
}

// keysetWhere returns the condition "strictly after c" in the order keys,
// then id descending, where NULL sorts as the dialect sorts it: SQLite below
// every value, PostgreSQL above (the list's ORDER BY leaves NULLs where the
// engine puts them, so that the per-organ date indexes serve it).
//
// The condition starts with a redundant bound on the first key ("received_on
// <= ?") that the planners use as the start of an index range seek; the
// disjunction alone would be a filter over every earlier row. Where the first
// key is nullable and its NULLs come after every value in this direction
// (closed_on descending on SQLite), "after" is "closed_on < ? OR closed_on IS
// NULL", which no range serves; it is then two segments read one after the
// other — the values after the cursor's, then the NULLs, which all sort after
// them.
func keysetWhere(d models.Dialect, keys []sortKey, c cursor) []segment {
	nullsHigh := d == models.Postgres
	// nullsAfter: in key k's direction NULLs sort after every value.
	nullsAfter := func(k sortKey) bool { return k.nullable && !k.desc == nullsHigh }
	op := func(k sortKey, strict bool) string {
		switch {
		case k.desc && strict:
			return " < ?"
		case k.desc:
			return " <= ?"
		case strict:
			return " > ?"
		}
		return " >= ?"
	}
	// after is "k is after v" for the non-NULL values (NULLs handled by
	// the caller for the first key).
	after := func(k sortKey, v any) (string, []any) {
		if v == nil {
			if nullsAfter(k) {
				return "", nil // nothing after a NULL at the end of the order
			}
			return k.col + " IS NOT NULL", nil
		}
		if nullsAfter(k) {
			return "(" + k.col + op(k, true) + " OR " + k.col + " IS NULL)", []any{v}
		}
		return k.col + op(k, true), []any{v}
	}
	eq := func(k sortKey, v any) (string, []any) {
		if v == nil {
			return k.col + " IS NULL", nil
		}
		return k.col + " = ?", []any{v}
	}
	// The terms after the first key: keys[1:] and id under keys[0] = v0.
	var ors []string
	var args []any
	var prefix []string
	var prefixArgs []any
	k0, v0 := keys[0], c.Values[0]
	s, a := eq(k0, v0)
	prefix, prefixArgs = append(prefix, s), append(prefixArgs, a...)
	for i, k := range keys[1:] {
		if s, a := after(k, c.Values[i+1]); s != "" {
			ors = append(ors, strings.Join(append(slices.Clone(prefix), s), " AND "))
			args = append(append(args, prefixArgs...), a...)
		}
		s, a := eq(k, c.Values[i+1])
		prefix, prefixArgs = append(prefix, s), append(prefixArgs, a...)
	}
	ors = append(ors, strings.Join(append(prefix, "cases.id < ?"), " AND "))
	args = append(append(args, prefixArgs...), c.ID)
	if v0 == nil {
		// The cursor is among the NULLs of the first key.
		if s, _ := after(k0, nil); s != "" {
			ors = append([]string{s}, ors...)
		}
		return []segment{{"(" + strings.Join(ors, " OR ") + ")", args}}
	}
	// The first key strictly after v0, or equal to it and the rest after:
	// within the range "k0 at or after v0".
	where := k0.col + op(k0, false) + " AND (" + k0.col + op(k0, true) + " OR " + strings.Join(ors, " OR ") + ")"
	segs := []segment{{where, append([]any{v0, v0}, args...)}}
	if nullsAfter(k0) {
		segs = append(segs, segment{k0.col + " IS NULL", nil})
	}
	return segs
}
