package lifecycle

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"fuyi/models"
)

// randomize sets a random subset (each field with probability p) of c's
// fields to random values, including nil and non-nil pointers.
func randomize(r *rand.Rand, c *models.Case, p float64) {
	v := reflect.ValueOf(c).Elem()
	strs := []string{"", "a", "b", "2025-01-02", "2025-03-04"}
	for i := 0; i < v.NumField(); i++ {
		if r.Float64() >= p {
			continue
		}
		f := v.Field(i)
		switch x := f.Addr().Interface().(type) {
		case *string:
			*x = strs[r.IntN(len(strs))]
		case **string:
			if r.IntN(3) == 0 {
				*x = nil
			} else {
				s := strs[r.IntN(len(strs))]
				*x = &s
			}
		case *int:
			*x = r.IntN(3)
		case *int64:
			*x = int64(r.IntN(3))
		case **int64:
			if r.IntN(3) == 0 {
				*x = nil
			} else {
				n := int64(r.IntN(3))
				*x = &n
			}
		case *bool:
			*x = r.IntN(2) == 0
		case *time.Time:
			*x = time.Unix(int64(r.IntN(3)), 0).UTC()
		case **time.Time:
			if r.IntN(3) == 0 {
				*x = nil
			} else {
				t := time.Unix(int64(r.IntN(3)), 0).UTC()
				*x = &t
			}
		default:
			panic("randomize: unhandled field " + v.Type().Field(i).Name)
		}
	}
}

// Writing only changedColumns over a row that holds before leaves exactly
// the row that writing every caseColumns would: the old full UPDATE is the
// reference.
func TestChangedColumnsWriteTheSameRowAsAllColumns(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 3000; i++ {
		var before models.Case
		randomize(r, &before, 1)
		after := before
		randomize(r, &after, r.Float64())
		row := caseColumns(&before) // what the guarded UPDATE finds
		changed := changedColumns(&before, &after)
		for k, v := range changed {
			row[k] = v
		}
		if want := caseColumns(&after); !reflect.DeepEqual(row, want) {
			t.Fatalf("case %d: the row after writing %v differs from the full update", i, changed)
		}
		for _, k := range []string{"version", "updated_at", "edited_in_app_at"} {
			if _, ok := changed[k]; !ok {
				t.Fatalf("case %d: %s not written", i, k)
			}
		}
		for k, v := range changed {
			switch k {
			case "version", "updated_at", "edited_in_app_at":
				continue
			}
			if reflect.DeepEqual(caseColumns(&before)[k], v) {
				t.Fatalf("case %d: unchanged column %s written", i, k)
			}
		}
	}
}
