package bulk

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/models/modelstest"
)

// stored returns every column but id of table's rows with id in [from, to),
// in id order, as the database renders them with their storage type
// (SQLite's quote() tells 1 from '1' and NULL from ”).
func stored(t *testing.T, db *models.DB, table string, from, to int64) [][]string {
	t.Helper()
	var cols []string
	if db.Dialect == models.Postgres {
		if err := db.Read.Raw("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position", table).Scan(&cols).Error; err != nil {
			t.Fatal(err)
		}
	} else {
		if err := db.Read.Raw("SELECT name FROM pragma_table_info(?) ORDER BY cid", table).Scan(&cols).Error; err != nil {
			t.Fatal(err)
		}
	}
	var exprs []string
	for _, c := range cols {
		if c == "id" {
			continue
		}
		if db.Dialect == models.Postgres {
			exprs = append(exprs, fmt.Sprintf("COALESCE(pg_typeof(%q)::text || ':' || %q::text, 'NULL')", c, c))
		} else {
			exprs = append(exprs, fmt.Sprintf("quote(%q)", c))
		}
	}
	rows, err := db.Read.Raw("SELECT "+strings.Join(exprs, ", ")+" FROM "+table+" WHERE id >= ? AND id < ? ORDER BY id", from, to).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals := make([]string, len(exprs))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, vals)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no rows in [%d, %d)", table, from, to)
	}
	return out
}

func maxID(t *testing.T, db *models.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Read.Raw("SELECT COALESCE(MAX(id), 0) FROM " + table).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// same writes rows twice, with gorm's Create, then (those rows deleted)
// with Insert, and compares what the database stored.
func same[T any](t *testing.T, db *models.DB, table string, make func() []T) {
	t.Helper()
	ctx := context.Background()
	start := maxID(t, db, table) + 1
	if err := db.Write.CreateInBatches(make(), 100).Error; err != nil {
		t.Fatal(err)
	}
	mid := maxID(t, db, table) + 1
	a := stored(t, db, table, start, mid)
	// Insert in a transaction with its statements cached, then (those rows
	// deleted too) in one that is all or nothing (INSERT OR FAIL on SQLite).
	for _, session := range []func(context.Context, *gorm.DB) context.Context{WithStatements, WholeTransaction} {
		if err := db.Write.Exec("DELETE FROM "+table+" WHERE id >= ?", start).Error; err != nil {
			t.Fatal(err)
		}
		from := maxID(t, db, table) + 1
		if from < mid {
			from = mid // deleted ids are not reused
		}
		packed := models.PackedExecutions()
		err := db.Tx(ctx, func(tx *gorm.DB) error { return Insert(session(ctx, tx), tx, make()) })
		if err != nil {
			t.Fatal(err)
		}
		// On SQLite every statement binds its values in one call.
		if db.Dialect == models.SQLite && models.PackedExecutions() == packed {
			t.Errorf("%s: no packed execution on SQLite", table)
		}
		b := stored(t, db, table, from, maxID(t, db, table)+1)
		if !reflect.DeepEqual(a, b) {
			for i := range a {
				if i < len(b) && !reflect.DeepEqual(a[i], b[i]) {
					t.Errorf("%s row %d:\n create %v\n insert %v", table, i, a[i], b[i])
				}
			}
			t.Fatalf("%s: %d rows by Create, %d by Insert", table, len(a), len(b))
		}
	}
}

// TestInsertStoresWhatCreateStores: Insert writes the same columns and
// values as gorm's Create — defaults for zero values (version 1), NULL for
// nil pointers, booleans and times as the driver stores them, literals for
// the columns one value fills (≥ minLiteralRows rows), quotes in text —
// for the tables the import writes, on both dialects.
func TestInsertStoresWhatCreateStores(t *testing.T) {
	db := modelstest.Open(t)
	now := time.Date(2025, 6, 1, 4, 0, 0, 123456789, time.UTC)
	s := func(v string) *string { return &v }
	handler := int64(7)
	for _, n := range []int{1, 3, minLiteralRows + 5, 3*rowsPerStatement + 17} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			organ := models.Organ{Name: fmt.Sprintf("机关%d", n), ShortName: "机", Version: 1}
			if err := db.Write.Create(&organ).Error; err != nil {
				t.Fatal(err)
			}
			same(t, db, "cases", func() []models.Case {
				out := make([]models.Case, n)
				for i := range out {
					c := &out[i]
					c.OrganID, c.Year, c.Seq, c.Status, c.Regime = organ.ID, 2022, i+1, "decided", "rl2017"
					c.CaseNo = fmt.Sprintf("case-%d-%d", n, i)
					c.Applicant, c.ApplicantType, c.ActType, c.ReceivedOn = "张'三", "citizen", "penalty", "2022-03-05"
					c.Imported, c.ImportKey, c.CreatedAt, c.UpdatedAt = true, "no:"+c.CaseNo, now, now
					c.Note = `引号 " 与 ? 与 \ 与 $1`
					if i%2 == 0 {
						c.AcceptedOn, c.ClosedOn, c.Outcome, c.OutcomeRedo = s("2022-03-10"), s("2022-05-01"), "revoked", true
					}
					if i%3 == 0 {
						c.HandlerID, c.Version, c.ExtensionDays = &handler, 3, 10
					}
				}
				return out
			})
			ids := make([]int64, 0, n)
			if err := db.Read.Model(&models.Case{}).Where("organ_id = ?", organ.ID).Order("id").Limit(n).Pluck("id", &ids).Error; err != nil {
				t.Fatal(err)
			}
			same(t, db, "case_events", func() []models.CaseEvent {
				out := make([]models.CaseEvent, n)
				for i := range out {
					out[i] = models.CaseEvent{CaseID: ids[i], OrganID: organ.ID, Action: "create", ToStatus: "received",
						EffectiveOn: s("2022-03-05"), Payload: `{"imported":true}`, Note: "台账导入 / ledger import", Imported: true, CreatedAt: now}
					if i%2 == 1 {
						out[i].EffectiveOn, out[i].ActorName = nil, "fuyi import"
					}
				}
				return out
			})
			same(t, db, "case_parties", func() []models.CaseParty {
				out := make([]models.CaseParty, n)
				for i := range out {
					out[i] = models.CaseParty{CaseID: ids[i], Role: "applicant", Position: i % 2, Name: "李四", PartyType: "citizen"}
				}
				return out
			})
			same(t, db, "deadlines", func() []models.Deadline {
				out := make([]models.Deadline, n)
				for i := range out {
					out[i] = models.Deadline{SubjectType: "case", SubjectID: ids[i], Kind: fmt.Sprintf("decision:%d", n), OrganID: organ.ID,
						Status: "met", DueOn: s("2022-05-09"), MetOn: s("2022-05-01"), ExplanationZH: "2022-03-10 受理，60日 → 2022-05-09",
						ExplanationEN: "accepted 2022-03-10 + 60 calendar days = 2022-05-09", Article: "第六十二条 | Art. 62", UpdatedAt: now}
					if i%4 == 0 {
						out[i].MetOn, out[i].HandlerID, out[i].Status = nil, &handler, "open"
					}
				}
				return out
			})
		})
	}
}

// TestInsertExplicitIDs: ids from IDs are written as given, follow the
// table's largest id, and a mix of set and unset ids is refused.
func TestInsertExplicitIDs(t *testing.T) {
	db := modelstest.Open(t)
	ctx := context.Background()
	o := models.Organ{Name: "甲", ShortName: "甲", Version: 1}
	if err := db.Write.Create(&o).Error; err != nil {
		t.Fatal(err)
	}
	first := models.Organ{Name: "乙", ShortName: "乙", Version: 1}
	if err := db.Write.Create(&first).Error; err != nil {
		t.Fatal(err)
	}
	err := db.Tx(ctx, func(tx *gorm.DB) error {
		src, err := NewIDs(ctx, tx, "organs")
		if err != nil {
			return err
		}
		ids, err := src.Take(ctx, 3)
		if err != nil {
			return err
		}
		if ids[0] <= first.ID || ids[1] != ids[0]+1 && db.Dialect != models.Postgres {
			t.Errorf("ids %v after %d", ids, first.ID)
		}
		rows := []models.Organ{{ID: ids[0], Name: "丙", Version: 1}, {ID: ids[1], Name: "丁", Version: 1}, {ID: ids[2], Name: "戊", Version: 1}}
		if err := Insert(ctx, tx, rows); err != nil {
			return err
		}
		var got []int64
		if err := tx.Model(&models.Organ{}).Where("name IN ?", []string{"丙", "丁", "戊"}).Order("name").Pluck("id", &got).Error; err != nil {
			return err
		}
		if len(got) != 3 {
			t.Errorf("ids stored %v, want %v", got, ids)
		}
		mixed := []models.Organ{{ID: ids[2] + 10, Name: "己"}, {Name: "庚"}}
		if err := Insert(ctx, tx, mixed); err == nil || !strings.Contains(err.Error(), "set on 1 of 2") {
			t.Errorf("mixed ids: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The next id the database hands out follows the explicit ones.
	next := models.Organ{Name: "辛", ShortName: "辛", Version: 1}
	if err := db.Write.Create(&next).Error; err != nil {
		t.Fatal(err)
	}
	if next.ID <= first.ID+3 {
		t.Errorf("database id %d reuses an explicit id (≤ %d)", next.ID, first.ID+3)
	}
}

// TestWholeTransactionFailure: in an all-or-nothing transaction a statement
// that breaks a unique index fails as in any other (gorm.ErrDuplicatedKey),
// and rolling the transaction back leaves none of its rows — also not the
// rows its failing statement wrote before the duplicate.
func TestWholeTransactionFailure(t *testing.T) {
	db := modelstest.Open(t)
	ctx := context.Background()
	organ := models.Organ{Name: "机关", ShortName: "机", Version: 1}
	if err := db.Write.Create(&organ).Error; err != nil {
		t.Fatal(err)
	}
	cases := make([]models.Case, minLiteralRows+10)
	for i := range cases {
		c := &cases[i]
		c.OrganID, c.Year, c.Seq, c.Status, c.Regime = organ.ID, 2022, i+1, "received", "rl2017"
		c.CaseNo = fmt.Sprintf("no-%d", i)
		c.Applicant, c.ApplicantType, c.ActType, c.ReceivedOn = "张三", "citizen", "penalty", "2022-03-05"
	}
	cases[len(cases)-1].CaseNo = cases[3].CaseNo // ux_case_organ_no
	var written error
	err := db.Tx(ctx, func(tx *gorm.DB) error {
		written = Insert(WholeTransaction(ctx, tx), tx, cases)
		return written
	})
	if !errors.Is(written, gorm.ErrDuplicatedKey) || err == nil {
		t.Fatalf("Insert: %v; transaction: %v; want a duplicate key that aborts the transaction", written, err)
	}
	var n int64
	if err := db.Read.Model(&models.Case{}).Where("organ_id = ?", organ.ID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d cases left after the rolled-back transaction", n)
	}
}

// TestSameValueAgreesWithNormal: the shortcut constant takes for the
// import's field types gives the answer of comparing their normal forms.
func TestSameValueAgreesWithNormal(t *testing.T) {
	a, b, c := "x", "x", "y"
	i, j := int64(1), int64(2)
	shanghai := time.FixedZone("CST", 8*3600)
	now := time.Date(2025, 6, 1, 4, 0, 0, 123456789, time.UTC)
	vals := []any{"x", "y", "", int64(1), int64(2), 1, 2, true, false, &a, &b, &c, (*string)(nil), &i, &j, (*int64)(nil),
		now, now.Add(time.Nanosecond), now.In(shanghai), now.Round(0), time.Time{}, nil}
	for _, x := range vals {
		for _, y := range vals {
			same, known := sameValue(x, y)
			if !known {
				continue
			}
			nx, okx := normal(x, false)
			ny, oky := normal(y, false)
			if want := okx && oky && nx == ny; same != want {
				t.Errorf("sameValue(%#v, %#v) = %v; normal forms %#v, %#v", x, y, same, nx, ny)
			}
		}
	}
}

// TestFieldReadersAgreeWithValueOf: for every field of the tables the
// import writes that bulk reads without reflection, the value and its
// zeroness are gorm's Field.ValueOf's — for a zero struct and a filled one.
func TestFieldReadersAgreeWithValueOf(t *testing.T) {
	db := modelstest.Open(t)
	ctx := context.Background()
	s, n := "文", int64(7)
	now := time.Date(2025, 6, 1, 4, 0, 0, 5, time.UTC)
	filled := []any{
		&models.Case{ID: 1, OrganID: 2, CaseNo: "x", Year: 2025, Seq: 3, Version: 4, AcceptedOn: &s, HandlerID: &n, Imported: true, CreatedAt: now, EditedInAppAt: &now},
		&models.CaseEvent{ID: 1, CaseID: 2, Action: "accept", EffectiveOn: &s, Imported: true, CreatedAt: now},
		&models.CaseParty{ID: 1, CaseID: 2, Role: "applicant", Position: 1, Name: "甲"},
		&models.Deadline{ID: 1, SubjectID: 2, Kind: "decision", DueOn: &s, HandlerID: &n, UpdatedAt: now},
	}
	zero := []any{&models.Case{}, &models.CaseEvent{}, &models.CaseParty{}, &models.Deadline{}}
	read := 0
	for i := range filled {
		stmt := &gorm.Statement{DB: db.Write}
		if err := stmt.Parse(filled[i]); err != nil {
			t.Fatal(err)
		}
		for _, model := range []any{filled[i], zero[i]} {
			row := reflect.ValueOf(model).Elem()
			for _, f := range stmt.Schema.Fields {
				rd := readerOf(f)
				if rd.read == nil {
					continue
				}
				read++
				v, z := rd.read(unsafe.Add(row.Addr().UnsafePointer(), rd.offset))
				wv, wz := f.ValueOf(ctx, row)
				if !reflect.DeepEqual(v, wv) || z != wz {
					t.Errorf("%s.%s: reader (%#v, %v), ValueOf (%#v, %v)", stmt.Schema.Name, f.Name, v, z, wv, wz)
				}
			}
		}
	}
	if read < 40 {
		t.Errorf("only %d fields read without reflection", read)
	}
}
