package stats

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"fuyi/models"
	"fuyi/services/errs"
)

// FuzzMetricDefinition feeds arbitrary JSON to the metric-definition
// parser: the stored form (toDefinition) and the API's (Spec +
// ValidateSpec). A formula the validator accepts, previewed with any period
// against a real SQLite database, must never panic nor fail with an
// internal (SQL) error; one it refuses must name a field.
func FuzzMetricDefinition(f *testing.F) {
	dir, err := os.MkdirTemp("", "fuyi-fuzz-metric")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { os.RemoveAll(dir) })
	ctx := context.Background()
	db, err := models.Open(ctx, models.OpenOptions{SQLitePath: filepath.Join(dir, "fuyi.db")})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		f.Fatal(err)
	}
	svc := New(db)
	f.Add(`{"numerator":{"count":"closed","outcomes":["varied","revoked"],"terminations":["withdrawn_after_correction"]},"denominator":"closed"}`, "2022-01-01", "2022-12-31")
	f.Add(`{"numerator":{"count":"accepted","flags":["deemed_accepted"]},"denominator":"received"}`, "2024-02-29", "2024-03-01")
	f.Add(`{"numerator":{"count":"closed","flags":["on_time","hearing_held"]}}`, "2022-13-01", "x")
	f.Add(`{"numerator":{"count":"received'; DROP TABLE cases;--"},"denominator":"closed"}`, "", "")
	f.Add(`{"numerator":{"outcomes":["' OR 1=1 --"]}}`, "2022-01-01", "2021-01-01")
	f.Add(`[]`, "0000-00-00", "9999-12-31")
	f.Fuzz(func(t *testing.T, definition, from, to string) {
		if _, err := toDefinition(models.MetricDefinition{Key: "k", Definition: definition}); err != nil && !errs.IsKind(err, errs.KindInternal) {
			t.Fatalf("stored definition: unexpected error kind: %v", err)
		}
		var sp Spec
		if json.Unmarshal([]byte(definition), &sp) != nil {
			return
		}
		if err := ValidateSpec(sp); err != nil {
			e := errs.As(err)
			if e.Kind != errs.KindInvalid || len(e.Fields) == 0 {
				t.Fatalf("refusal without a field: %v", err)
			}
			return
		}
		p, err := ParsePeriod(from, to)
		if err != nil {
			if errs.IsKind(err, errs.KindInternal) {
				t.Fatalf("period: %v", err)
			}
			return
		}
		m, err := svc.Preview(ctx, sp, p, []int64{1, 2})
		if err != nil && errs.IsKind(err, errs.KindInternal) {
			t.Fatalf("preview %s %+v: %v", definition, p, err)
		}
		if err == nil && (m.Numerator < 0 || m.Denominator < 0) {
			t.Fatalf("negative count: %+v", m)
		}
	})
}
