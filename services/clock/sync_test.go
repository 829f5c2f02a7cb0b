package clock

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"fuyi/services/lifecycle"
)

// storedDeadlines are the case's deadline rows as stored, keyed by kind,
// every column but updated_at (ids separately).
func storedDeadlines(t *testing.T, fx *fixture, caseID int64) (map[string]string, map[string]int64) {
	t.Helper()
	rows, err := fx.db.Read.Raw(`SELECT id, kind, subject_type, subject_id, organ_id, status, due_on, met_on, handler_id,
		explanation_zh, explanation_en, article FROM deadlines WHERE subject_id = ? ORDER BY kind`, caseID).Rows()
	must(t, err)
	defer rows.Close()
	out, ids := map[string]string{}, map[string]int64{}
	for rows.Next() {
		var id, subjectID, organID int64
		var kind, subjectType, status, zh, en, article string
		var due, met *string
		var handler *int64
		must(t, rows.Scan(&id, &kind, &subjectType, &subjectID, &organID, &status, &due, &met, &handler, &zh, &en, &article))
		h := "<nil>"
		if handler != nil {
			h = fmt.Sprint(*handler)
		}
		out[kind] = fmt.Sprintf("%s|%d|%d|%s|%s|%s|%s|%s|%s|%s", subjectType, subjectID, organID, status, str(due), str(met), h, zh, en, article)
		ids[kind] = id
	}
	must(t, rows.Err())
	return out, ids
}

// The hook writes a case's deadlines as a diff of the stored rows (syncRows);
// after every step of a case's life the rows must be exactly those the
// reference path — delete every row and insert the plan, as RecomputeCases
// does — writes, and rows the step did not change keep their ids.
func TestSyncRowsWritesWhatReplacingWrites(t *testing.T) {
	fx := newFixture(t, "2024-06-03")
	v := fx.create(t, "2024-06-03")
	kept := 0
	check := func(label string) {
		t.Helper()
		got, _ := storedDeadlines(t, fx, v.ID)
		if len(got) == 0 {
			t.Fatalf("%s: no deadline rows", label)
		}
		if _, err := fx.svc.RecomputeCases(context.Background(), []int64{v.ID}); err != nil {
			t.Fatal(err)
		}
		want, _ := storedDeadlines(t, fx, v.ID)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: rows written by the diff differ from the replaced ones:\n got %v\nwant %v", label, got, want)
		}
	}
	var ids map[string]int64
	step := func(label string, today string, in lifecycle.TransitionInput) {
		t.Helper()
		_, ids = storedDeadlines(t, fx, v.ID)
		fx.clock.Set(today)
		v = fx.step(t, v, in)
		_, now := storedDeadlines(t, fx, v.ID)
		for k, id := range ids {
			if now[k] == id {
				kept++
			}
		}
		check(label)
	}
	check("create")
	step("request_correction", "2024-06-04", lifecycle.TransitionInput{Action: "request_correction", EffectiveOn: "2024-06-04"})
	step("receive_correction", "2024-06-12", lifecycle.TransitionInput{Action: "receive_correction", EffectiveOn: "2024-06-12"})
	step("accept", "2024-06-13", lifecycle.TransitionInput{Action: "accept", EffectiveOn: "2024-06-13", Procedure: "ordinary"})
	step("suspend", "2024-06-20", lifecycle.TransitionInput{Action: "suspend", EffectiveOn: "2024-06-20", Ground: "force_majeure", Reason: "台风"})
	step("resume", "2024-07-01", lifecycle.TransitionInput{Action: "resume", EffectiveOn: "2024-07-01"})
	step("extend", "2024-08-20", lifecycle.TransitionInput{Action: "extend", EffectiveOn: "2024-08-20", Days: 30, ApprovedBy: "负责人"})
	// Late: the decision deadline is missed, its explanation changes.
	step("decide", "2024-10-30", lifecycle.TransitionInput{Action: "decide", EffectiveOn: "2024-10-30", Outcome: "upheld"})
	step("serve", "2024-11-05", lifecycle.TransitionInput{Action: "serve", EffectiveOn: "2024-11-05"})
	if kept == 0 {
		t.Fatal("no row kept its id across a step: the diff path was not taken")
	}
}
