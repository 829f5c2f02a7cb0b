package models_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"fuyi/models"
	"fuyi/models/modelstest"
)

// randomCase fills every field of a case with a random value (nil and
// non-nil pointers, empty and non-empty texts, Chinese text, times with
// sub-second parts).
func randomCase(r *rand.Rand, organID, n int64) models.Case {
	var c models.Case
	v := reflect.ValueOf(&c).Elem()
	strs := []string{"", "a", "复议", "2025-01-02", "x'y\"z", "长长长长长长长长长长"} // fits the narrowest (10) columns
	for i := 0; i < v.NumField(); i++ {
		switch x := v.Field(i).Addr().Interface().(type) {
		case *string:
			*x = strs[r.IntN(len(strs))]
		case **string:
			if r.IntN(2) == 0 {
				s := strs[r.IntN(len(strs))]
				*x = &s
			}
		case *int:
			*x = r.IntN(100)
		case *int64:
			*x = r.Int64N(1 << 40)
		case **int64:
			if r.IntN(2) == 0 {
				n := r.Int64N(1000)
				*x = &n
			}
		case *bool:
			*x = r.IntN(2) == 0
		case *time.Time:
			*x = time.Unix(1.7e9+r.Int64N(1e8), r.Int64N(1e9)).UTC().Truncate(time.Microsecond)
		case **time.Time:
			if r.IntN(2) == 0 {
				t := time.Unix(1.7e9+r.Int64N(1e8), r.Int64N(1e9)).UTC().Truncate(time.Microsecond)
				*x = &t
			}
		default:
			panic("randomCase: unhandled field " + v.Type().Field(i).Name)
		}
	}
	c.ID = 0
	c.OrganID = organID
	c.CaseNo = fmt.Sprint("no-", n)
	c.Version = 1 + r.Int64N(9)
	return c
}

// TakeCase reads the same struct as GORM's Take, field by field, on either
// dialect, and its column list is the model's.
func TestTakeCaseMatchesGORMTake(t *testing.T) {
	db := modelstest.Open(t)
	s, err := schema.Parse(&models.Case{}, &sync.Map{}, db.Write.NamingStrategy)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range s.Fields {
		want = append(want, f.DBName)
	}
	var got []string
	for _, c := range strings.Split(models.CaseColumnNamesForTest, ",") {
		got = append(got, strings.Trim(strings.TrimSpace(c), `"`))
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("column list\n%v\nmodel\n%v", got, want)
	}

	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 150; i++ {
		c := randomCase(r, int64(1+i%3), int64(i))
		if err := db.Write.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		// GORM leaves zero values of columns with defaults to the database;
		// write the struct's values so that every column holds them.
		if err := db.Write.Model(&models.Case{}).Where("id = ?", c.ID).Select("*").Updates(&c).Error; err != nil {
			t.Fatal(err)
		}
		var ref models.Case
		if err := db.Read.Where("id = ?", c.ID).Take(&ref).Error; err != nil {
			t.Fatal(err)
		}
		for _, q := range []*gorm.DB{db.Read, db.Write} {
			got, err := models.TakeCaseScanForTest(q, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, ref) {
				t.Fatalf("case %d:\nTakeCase %+v\nGORM     %+v", i, *got, ref)
			}
		}
	}
	if _, err := models.TakeCase(db.Read, 1<<50); !errors.Is(err, gorm.ErrRecordNotFound) {
		t.Errorf("missing case: %v", err)
	}
}

// InsertCase writes the row GORM's Create writes and sets the same ID and
// Version on the struct; a duplicate case number is gorm.ErrDuplicatedKey
// as with Create.
func TestInsertCaseMatchesGORMCreate(t *testing.T) {
	db := modelstest.Open(t)
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 150; i++ {
		c := randomCase(r, int64(1+i%3), int64(i))
		if i%4 == 0 {
			c.Version = 0 // left to the column default
		}
		ref, raw := c, c
		raw.CaseNo += "-raw"
		if err := db.Write.Create(&ref).Error; err != nil {
			t.Fatal(err)
		}
		if err := models.InsertCase(db.Write, &raw); err != nil {
			t.Fatal(err)
		}
		if raw.ID == 0 || raw.ID == ref.ID || raw.Version != ref.Version {
			t.Fatalf("case %d: struct after insert: id %d (GORM %d), version %d (GORM %d)", i, raw.ID, ref.ID, raw.Version, ref.Version)
		}
		var a, b models.Case
		if err := db.Read.Where("id = ?", ref.ID).Take(&a).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Read.Where("id = ?", raw.ID).Take(&b).Error; err != nil {
			t.Fatal(err)
		}
		b.ID, b.CaseNo = a.ID, a.CaseNo
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("case %d:\nInsertCase wrote %+v\nGORM wrote       %+v", i, b, a)
		}
	}
	dup := randomCase(r, 1, 0) // case number no-0 of organ 1 exists
	dup.CreatedAt, dup.UpdatedAt = time.Now(), time.Now()
	if err := models.InsertCase(db.Write, &dup); !errors.Is(err, gorm.ErrDuplicatedKey) {
		t.Errorf("duplicate case number: %v", err)
	}
}

// FindCaseParties and FindCaseSuspensions give what GORM's Find gives (same
// order, same JSON — an empty result is [] not null).
func TestFindPartiesAndSuspensionsMatchGORM(t *testing.T) {
	db := modelstest.Open(t)
	r := rand.New(rand.NewPCG(5, 6))
	roles := []string{"applicant", "third_party", "agent"}
	for caseID := int64(1); caseID <= 30; caseID++ {
		for i := 0; i < r.IntN(5); i++ {
			p := models.CaseParty{CaseID: caseID, Role: roles[r.IntN(3)], Position: r.IntN(3), Name: fmt.Sprint("当事人", i),
				PartyType: []string{"", "citizen"}[r.IntN(2)], IDNumber: []string{"", "enc:v1:abc"}[r.IntN(2)], Phone: "138", Address: ""}
			if err := db.Write.Create(&p).Error; err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < r.IntN(3); i++ {
			s := models.CaseSuspension{CaseID: caseID, Ground: "g", Reason: []string{"", "理由"}[r.IntN(2)], FromOn: "2025-01-02"}
			if r.IntN(2) == 0 {
				to := "2025-02-03"
				s.ToOn = &to
			}
			if err := db.Write.Create(&s).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	for caseID := int64(1); caseID <= 31; caseID++ {
		var wantP []models.CaseParty
		if err := db.Read.Where("case_id = ?", caseID).Order("role, position, id").Find(&wantP).Error; err != nil {
			t.Fatal(err)
		}
		gotP, err := models.FindCaseParties(db.Read, caseID)
		if err != nil {
			t.Fatal(err)
		}
		wj, _ := json.Marshal(wantP)
		gj, _ := json.Marshal(gotP)
		if string(wj) != string(gj) {
			t.Errorf("case %d parties:\n%s\nGORM %s", caseID, gj, wj)
		}
		var wantS []models.CaseSuspension
		if err := db.Read.Where("case_id = ?", caseID).Order("id").Find(&wantS).Error; err != nil {
			t.Fatal(err)
		}
		gotS, err := models.FindCaseSuspensions(db.Read, caseID)
		if err != nil {
			t.Fatal(err)
		}
		wj, _ = json.Marshal(wantS)
		gj, _ = json.Marshal(gotS)
		if string(wj) != string(gj) {
			t.Errorf("case %d suspensions:\n%s\nGORM %s", caseID, gj, wj)
		}
	}
}
