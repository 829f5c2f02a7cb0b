package api

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/ledger"
)

// renderImportEnv is the test env with the ledger import wired as cmd/fuyi
// wires its deadlines: new cases' rows planned by the import (PlanNew),
// changed cases recomputed per batch (RecomputeBatch).
func renderImportEnv(t *testing.T) (*testEnv, *ledger.Jobs) {
	t.Helper()
	e := newTestEnv(t)
	clk := e.clock()
	jobs := ledger.NewJobs(e.db, ledger.JobOptions{Dir: t.TempDir(),
		Deadlines: func(ctx context.Context, tx *gorm.DB) (ledger.PlanFunc, error) { return clk.PlanNew(ctx, tx) },
		BatchHook: func(ctx context.Context, tx *gorm.DB, changes []ledger.Change) error {
			var updated []models.Case
			for _, ch := range changes {
				if ch.Before != nil {
					updated = append(updated, *ch.After)
				} else if ch.Deadlines == nil {
					t.Errorf("case %s created without planned deadlines", ch.After.CaseNo)
				}
			}
			_, err := clk.RecomputeBatch(ctx, tx, updated, nil, false)
			return err
		}})
	e.deps.Imports = jobs
	e.router = NewRouter(e.deps)
	return e, jobs
}

// noStoredText fails when a stored case-deadline row has an explanation or
// article, or when there is none.
func noStoredText(t *testing.T, e *testEnv, label string) {
	t.Helper()
	var rows, withText int64
	q := e.db.Read.Model(&models.Deadline{}).Where("subject_type = 'case'")
	if err := q.Session(&gorm.Session{}).Count(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if err := q.Where("explanation_zh <> '' OR explanation_en <> '' OR article <> ''").Count(&withText).Error; err != nil {
		t.Fatal(err)
	}
	if rows == 0 || withText != 0 {
		t.Fatalf("%s: %d stored case-deadline rows, %d with an explanation or article", label, rows, withText)
	}
}

// The API shows every case deadline with the explanation and article that
// clock renders (services/clock: ForCase and List give the planner's text,
// render_test.go), in the request's language, for imported cases (created,
// then changed by a second import) and cases entered by hand; the stored
// rows hold no text.
func TestDeadlineAPIRendersExplanations(t *testing.T) {
	e, jobs := renderImportEnv(t)
	ctx := context.Background()
	csv := importCSV + ",王五,公民,区市场监督管理局,行政处罚,市场监管,2024-06-03,受理,2024-06-04,普通,,,,\r\n" +
		",赵六,公民,区市场监督管理局,行政处罚,市场监管,2024-06-11,受理,2024-06-12,普通,,,,\r\n"
	run := func(content string) *importResult {
		t.Helper()
		w := e.upload("officer", "?dry_run=false", content, nil)
		if w.Code != http.StatusAccepted {
			t.Fatalf("import: %d %s", w.Code, w.Body.String())
		}
		id := decode[importJobResponse](t, w).ID
		jobs.Wait()
		got := decode[importJobResponse](t, e.do(http.MethodGet, fmt.Sprintf("/api/v1/imports/%d", id), "officer", nil))
		if got.Result == nil || !got.Result.Written {
			t.Fatalf("import not written: %+v", got)
		}
		return got.Result
	}
	if r := run(csv); r.Created != 4 {
		t.Fatalf("first import created %d cases", r.Created)
	}
	noStoredText(t, e, "after the import")
	var wang models.Case
	if err := e.db.Read.Where("applicant = ?", "王五").Take(&wang).Error; err != nil {
		t.Fatal(err)
	}
	// The second import closes 王五's case: its rows are recomputed by the batch.
	second := importCSV + wang.CaseNo + ",王五,公民,区市场监督管理局,行政处罚,市场监管,2024-06-03,受理,2024-06-04,普通,2024-06-20,维持,,\r\n" +
		",赵六,公民,区市场监督管理局,行政处罚,市场监管,2024-06-11,受理,2024-06-12,普通,,,,\r\n"
	if r := run(second); r.Updated < 1 {
		t.Fatalf("second import updated %d cases: %+v", r.Updated, r)
	}
	noStoredText(t, e, "after the second import")
	// Cases entered by hand.
	id, v := e.createCase("2024-06-03")
	e.transition(id, v, map[string]any{"action": "accept", "effective_on": "2024-06-04", "procedure": "ordinary"})
	e.createCase("2024-02-08")
	noStoredText(t, e, "after hand entry")

	var ids []int64
	if err := e.db.Read.Model(&models.Case{}).Order("id").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	admin := &auth.Principal{Role: auth.RoleAdmin, OrganIDs: []int64{e.Organ1, e.Organ2}}
	n := 0
	for _, id := range ids {
		vs, err := e.clock().ForCase(ctx, admin, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"zh", "en"} {
			got := e.caseDeadlines(id, "?lang="+lang)
			if len(got) != len(vs) {
				t.Fatalf("case %d: the API shows %d deadlines, ForCase %d", id, len(got), len(vs))
			}
			for _, v := range vs {
				if v.Ref != "" {
					continue // caseDeadlines keys by kind
				}
				want := deadlineOut{Explanation: pick(lang, v.ExplanationZH, v.ExplanationEN), Article: pick(lang, v.ArticleZH, v.ArticleEN)}
				g := got[v.Kind]
				if g.Explanation != want.Explanation || g.Article != want.Article || want.Explanation == "" || want.Article == "" && v.Status != "not_applicable" {
					t.Errorf("case %d %s (%s): API %q / %q, rendered %q / %q", id, v.Kind, lang, g.Explanation, g.Article, want.Explanation, want.Article)
				}
				n++
			}
		}
	}
	if n < 20 {
		t.Fatalf("compared %d deadlines", n)
	}
	// The deadline list: each item's text is ForCase's for the same deadline.
	type item struct {
		CaseID      int64  `json:"case_id"`
		Kind        string `json:"kind"`
		Ref         string `json:"ref"`
		Explanation string `json:"explanation"`
		Article     string `json:"article"`
	}
	listed := 0
	for _, lang := range []string{"zh", "en"} {
		for _, q := range []string{"", "?overdue=true", "?due_within_days=30"} {
			sep := "?"
			if q != "" {
				sep = "&"
			}
			w := e.do(http.MethodGet, "/api/v1/deadlines"+q+sep+"lang="+lang, "officer", nil)
			if w.Code != http.StatusOK {
				t.Fatalf("list %s: %d %s", q, w.Code, w.Body.String())
			}
			for _, it := range decode[struct {
				Items []item `json:"items"`
			}](t, w).Items {
				vs, err := e.clock().ForCase(ctx, admin, it.CaseID)
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, v := range vs {
					if v.Kind == it.Kind && v.Ref == it.Ref {
						found = true
						if it.Explanation != pick(lang, v.ExplanationZH, v.ExplanationEN) || it.Article != pick(lang, v.ArticleZH, v.ArticleEN) || it.Explanation == "" {
							t.Errorf("list %s: case %d %s shows %q, ForCase %q", q, it.CaseID, it.Kind, it.Explanation, pick(lang, v.ExplanationZH, v.ExplanationEN))
						}
					}
				}
				if !found {
					t.Errorf("list %s: case %d %s not in ForCase", q, it.CaseID, it.Kind)
				}
				listed++
			}
		}
	}
	if listed < 4 {
		t.Fatalf("the lists showed %d deadlines", listed)
	}
}
