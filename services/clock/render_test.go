package clock

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/deadline"
	"fuyi/services/lifecycle"
)

// textOf is a deadline's explanation and article as the views show them.
type textOf struct{ zh, en, articleZH, articleEN string }

// storedTexts counts the stored case-deadline rows of caseIDs (all cases
// when none) and those with a stored explanation or article.
func storedTexts(t *testing.T, fx *fixture, caseIDs ...int64) (rows, withText int64) {
	t.Helper()
	q := fx.db.Read.Model(&models.Deadline{}).Where("subject_type = ?", SubjectCase)
	if len(caseIDs) > 0 {
		q = q.Where("subject_id IN ?", caseIDs)
	}
	must(t, q.Session(&gorm.Session{}).Count(&rows).Error)
	must(t, q.Where("explanation_zh <> '' OR explanation_en <> '' OR article <> ''").Count(&withText).Error)
	return rows, withText
}

// referencePlan plans the stored case caseID with a planner of its own
// (deadline.NewPlanner over the service's calendar, the default rules) as of
// the fixture's today, from the case row and its suspensions as stored, and
// applies the closed-case rule of docs/deadlines.md (an unrecorded step of
// a closed case that is missed, open or paused is not applicable, noted
// "案件已结，未记录办理日期"). It is keyed by stored kind.
func referencePlan(t *testing.T, fx *fixture, caseID int64) map[string]textOf {
	t.Helper()
	ctx := context.Background()
	var c models.Case
	must(t, fx.db.Read.First(&c, caseID).Error)
	var sus []models.CaseSuspension
	must(t, fx.db.Read.Where("case_id = ?", caseID).Order("from_on, id").Find(&sus).Error)
	f, err := factsOf(&c, sus)
	must(t, err)
	cal, err := fx.svc.Calendar(ctx, nil)
	must(t, err)
	ds, err := deadline.NewPlanner(deadline.DefaultRules(), cal).Reconsideration(f, fx.svc.Today())
	must(t, err)
	open := c.Status == "received" || c.Status == "correction_requested" || c.Status == "accepted" || c.Status == "suspended"
	out := map[string]textOf{}
	for _, d := range ds {
		if !open && d.MetOn == nil && (d.Status == deadline.Missed || d.Status == deadline.Open || d.Status == deadline.Paused) {
			d.ExplanationZH += "；案件已结，未记录办理日期"
			d.ExplanationEN += "; case closed, step not recorded"
		}
		key := string(d.Kind)
		if d.Ref != "" {
			key += ":" + d.Ref
		}
		out[key] = textOf{d.ExplanationZH, d.ExplanationEN, d.ArticleZH, d.ArticleEN}
	}
	return out
}

// checkRendered asserts that ForCase shows every stored deadline of the
// case with exactly the reference plan's explanation and article, and that
// the stored rows hold none. It returns the reference texts.
func checkRendered(t *testing.T, fx *fixture, label string, caseID int64) map[string]textOf {
	t.Helper()
	want := referencePlan(t, fx, caseID)
	got := fx.deadlines(t, caseID)
	if len(got) == 0 {
		t.Fatalf("%s: case %d has no deadlines", label, caseID)
	}
	for k, v := range got {
		w, ok := want[k]
		if !ok {
			t.Errorf("%s: stored deadline %s is not in the plan", label, k)
			continue
		}
		if g := (textOf{v.ExplanationZH, v.ExplanationEN, v.ArticleZH, v.ArticleEN}); g != w {
			t.Errorf("%s: %s rendered\n %+v\nwant\n %+v", label, k, g, w)
		}
		if w.zh == "" || w.en == "" {
			t.Errorf("%s: %s: the plan has no explanation", label, k)
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("%s: planned deadline %s is not stored", label, k)
		}
	}
	if rows, withText := storedTexts(t, fx, caseID); rows == 0 || withText != 0 {
		t.Errorf("%s: %d stored rows, %d of them with an explanation or article", label, rows, withText)
	}
	return want
}

// Stored case-deadline rows carry no explanation or article after the
// create and every lifecycle change of a case; ForCase renders exactly the
// planner's text at each step.
func TestLifecycleStoresNoExplanationAndForCaseRendersThePlan(t *testing.T) {
	fx := newFixture(t, "2024-06-03")
	v := fx.create(t, "2024-06-03")
	checkRendered(t, fx, "create", v.ID)
	for _, s := range []struct {
		today string
		in    lifecycle.TransitionInput
	}{
		{"2024-06-04", lifecycle.TransitionInput{Action: "request_correction", EffectiveOn: "2024-06-04"}},
		{"2024-06-12", lifecycle.TransitionInput{Action: "receive_correction", EffectiveOn: "2024-06-12"}},
		{"2024-06-13", lifecycle.TransitionInput{Action: "accept", EffectiveOn: "2024-06-13", Procedure: "ordinary"}},
		{"2024-06-20", lifecycle.TransitionInput{Action: "suspend", EffectiveOn: "2024-06-20", Ground: "party_died", Reason: "申请人死亡"}},
		{"2024-07-01", lifecycle.TransitionInput{Action: "resume", EffectiveOn: "2024-07-01"}},
		{"2024-08-20", lifecycle.TransitionInput{Action: "extend", EffectiveOn: "2024-08-20", Days: 30, ApprovedBy: "负责人"}},
		{"2024-10-30", lifecycle.TransitionInput{Action: "decide", EffectiveOn: "2024-10-30", Outcome: "upheld"}},
		{"2024-11-05", lifecycle.TransitionInput{Action: "serve", EffectiveOn: "2024-11-05"}},
	} {
		fx.clock.Set(s.today)
		v = fx.step(t, v, s.in)
		checkRendered(t, fx, s.in.Action, v.ID)
	}
	if _, ok := fx.deadlines(t, v.ID)["suspension_lapse:suspension#1"]; !ok {
		t.Fatal("no suspension_lapse:suspension#1 deadline: the refs were not covered")
	}
}

// renderCases builds cases that cover the explanation's variants: correction
// pending and received, suspensions (refs, open and resumed), deemed
// acceptance, extension, closed cases with unrecorded steps, not accepted,
// withdrawn, RL2017, and a year the calendar lacks (calendar_missing).
func renderCases(t *testing.T, fx *fixture) []int64 {
	t.Helper()
	dp := func(s string) *string { return &s }
	var ids []int64
	add := func(organ models.Organ, ag models.Agency, received string, edit func(c *models.Case), sus ...models.CaseSuspension) {
		c := fx.insert(t, organ, ag, received, edit)
		if len(sus) > 0 {
			for i := range sus {
				sus[i].CaseID = c.ID
			}
			must(t, fx.db.Write.Create(&sus).Error)
			if _, err := fx.svc.RecomputeCases(context.Background(), []int64{c.ID}); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, c.ID)
	}
	// Still under review, the review period long over: deemed accepted.
	add(fx.organ, fx.agency, "2026-11-02", nil)
	add(fx.organ, fx.agency, "2023-03-06", nil)
	// Correction notice awaiting materials; and materials received, accepted.
	add(fx.organ, fx.agency, "2026-12-01", func(c *models.Case) {
		c.Status, c.CorrectionNoticeOn = "correction_requested", dp("2026-12-03")
	})
	add(fx.organ, fx.agency, "2026-10-08", func(c *models.Case) {
		c.Status, c.CorrectionNoticeOn, c.CorrectionDueDays, c.CorrectionReceivedOn = "accepted", dp("2026-10-09"), 15, dp("2026-10-20")
		c.AcceptedOn, c.Procedure, c.CopySentOn = dp("2026-10-22"), "ordinary", dp("2026-10-23")
	})
	// Suspended twice (the second still open), grounds with and without a lapse.
	add(fx.organ, fx.agency, "2026-08-03", func(c *models.Case) {
		c.Status, c.AcceptedOn, c.Procedure, c.SuspendedOn = "suspended", dp("2026-08-04"), "ordinary", dp("2026-11-02")
	}, models.CaseSuspension{Ground: "party_died", FromOn: "2026-08-20", ToOn: dp("2026-09-01")},
		models.CaseSuspension{Ground: "force_majeure", FromOn: "2026-09-10", ToOn: dp("2026-09-15")},
		models.CaseSuspension{Ground: "party_incapacitated", FromOn: "2026-11-02"})
	// Resumed after a suspension, with an extension; RL2017 suspended past the lapse.
	add(fx.organ, fx.agency, "2026-09-01", func(c *models.Case) {
		c.Status, c.AcceptedOn, c.Procedure, c.CopySentOn, c.ExtensionDays = "accepted", dp("2026-09-02"), "ordinary", dp("2026-09-03"), 30
	}, models.CaseSuspension{Ground: "party_org_terminated", FromOn: "2026-09-20", ToOn: dp("2026-10-08")})
	add(fx.organ, fx.agency, "2023-05-04", func(c *models.Case) {
		c.Status, c.AcceptedOn, c.Procedure, c.SuspendedOn = "suspended", dp("2023-05-05"), "ordinary", dp("2023-06-01")
	}, models.CaseSuspension{Ground: "party_died", FromOn: "2023-06-01"})
	// Closed cases with unrecorded steps; one with its steps recorded late.
	add(fx.organ, fx.agency, "2024-05-06", func(c *models.Case) {
		c.Status, c.AcceptedOn, c.Procedure, c.ClosedOn, c.Outcome = "decided", dp("2024-05-07"), "ordinary", dp("2024-09-20"), "upheld"
	})
	add(fx.organ, fx.agency, "2023-02-06", func(c *models.Case) {
		c.Status, c.AcceptedOn, c.Procedure, c.CopySentOn, c.ReplyReceivedOn = "decided", dp("2023-02-07"), "ordinary", dp("2023-02-28"), dp("2023-03-30")
		c.ClosedOn, c.Outcome = dp("2023-06-01"), "revoked"
	})
	add(fx.organ, fx.agency, "2025-03-03", func(c *models.Case) {
		c.Status, c.AcceptedOn, c.Procedure, c.ClosedOn, c.Outcome = "terminated", dp("2025-03-04"), "simplified", dp("2025-03-20"), "terminated"
	})
	// Pre-acceptance dispositions.
	add(fx.other, fx.otherAg, "2025-06-02", func(c *models.Case) { c.Status, c.IntakeOn = "not_accepted", dp("2025-06-05") })
	add(fx.other, fx.otherAg, "2025-06-09", func(c *models.Case) { c.Status, c.IntakeOn = "withdrawn_before_acceptance", dp("2025-06-20") })
	// The acceptance review runs into 2027, a year the calendar lacks.
	add(fx.other, fx.otherAg, "2026-12-29", nil)
	add(fx.other, fx.otherAg, "2026-12-24", func(c *models.Case) {
		c.Status, c.AcceptedOn, c.Procedure = "accepted", dp("2026-12-25"), "simplified"
	})
	return ids
}

// ForCase and List give every case deadline exactly the explanation and
// article a planner of its own gives for the case (referencePlan), over cases
// that cover every variant of the text; the stored rows hold none.
func TestRenderedExplanationsAreThePlanners(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, "2026-12-30")
	ids := renderCases(t, fx)
	all := map[int64]map[string]textOf{}
	var texts []string
	for _, id := range ids {
		all[id] = checkRendered(t, fx, fmt.Sprintf("case %d", id), id)
		for k, x := range all[id] {
			texts = append(texts, k+" "+x.zh+" "+x.en)
		}
	}
	joined := strings.Join(texts, "\n")
	for _, want := range []string{"案件已结，未记录办理日期", "视为受理", "2027年节假日安排尚未导入", "calendar for 2027 not loaded",
		"suspension_lapse:suspension#1", "suspension_lapse:suspension#3", "补正", "中止审理", "延长", "加中止期间", "未发补正通知"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the cases' plans never say %q: the set does not cover it", want)
		}
	}
	// The list, every variant and page size, across both organs.
	p := &auth.Principal{Role: auth.RoleAdmin, OrganIDs: []int64{fx.organ.ID, fx.other.ID}}
	days := 366
	seen := 0
	for _, f := range []ListFilter{{PageSize: MaxPageSize}, {Overdue: true, PageSize: MaxPageSize}, {DueWithinDays: &days, PageSize: MaxPageSize},
		{Overdue: true, PageSize: 3, Page: 2}, {OrganID: fx.other.ID, PageSize: MaxPageSize}} {
		r, err := fx.svc.List(ctx, p, f)
		must(t, err)
		for _, it := range r.Items {
			k := storedKey(it.Kind, it.Ref)
			w, ok := all[it.CaseID][k]
			if !ok {
				t.Errorf("list: case %d %s is not in the plan", it.CaseID, k)
				continue
			}
			if g := (textOf{it.ExplanationZH, it.ExplanationEN, it.ArticleZH, it.ArticleEN}); g != w {
				t.Errorf("list %+v: case %d %s rendered\n %+v\nwant\n %+v", f, it.CaseID, k, g, w)
			}
			seen++
		}
	}
	if seen < 10 {
		t.Fatalf("the lists showed %d deadlines: too few to compare", seen)
	}
	// RecomputeAll (the repair path) and the sweep's refresh store no text either.
	if _, err := fx.svc.RecomputeAll(ctx); err != nil {
		t.Fatal(err)
	}
	if rows, withText := storedTexts(t, fx); rows == 0 || withText != 0 {
		t.Fatalf("after RecomputeAll: %d rows, %d with text", rows, withText)
	}
	fx.clock.Set("2026-12-31")
	if _, err := fx.svc.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if rows, withText := storedTexts(t, fx); rows == 0 || withText != 0 {
		t.Fatalf("after the sweep: %d rows, %d with text", rows, withText)
	}
	for _, id := range ids {
		checkRendered(t, fx, fmt.Sprintf("case %d after the sweep", id), id)
	}
}

// The import's paths (PlanNew for new cases, RecomputeBatch for a batch)
// return and write rows without explanation or article, otherwise exactly
// the rows RecomputeCases writes.
func TestImportPathsStoreNoExplanation(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, "2026-12-30")
	ids := renderCases(t, fx)
	var cases []models.Case
	must(t, fx.db.Read.Where("id IN ?", ids).Order("id").Find(&cases).Error)
	before := map[int64]map[string]string{}
	for _, id := range ids {
		before[id], _ = storedDeadlines(t, fx, id)
	}
	plan, err := fx.svc.PlanNew(ctx, fx.db.Read)
	must(t, err)
	for i := range cases {
		var n int64
		must(t, fx.db.Read.Model(&models.CaseSuspension{}).Where("case_id = ?", cases[i].ID).Count(&n).Error)
		if n > 0 {
			continue // PlanNew is for new cases: they have no suspensions
		}
		rows, err := plan(&cases[i])
		must(t, err)
		if len(rows) == 0 {
			t.Fatalf("PlanNew: no rows for case %d", cases[i].ID)
		}
		for _, r := range rows {
			if r.ExplanationZH != "" || r.ExplanationEN != "" || r.Article != "" {
				t.Errorf("PlanNew: case %d %s has text %q %q %q", cases[i].ID, r.Kind, r.ExplanationZH, r.ExplanationEN, r.Article)
			}
		}
	}
	err = fx.db.Tx(ctx, func(tx *gorm.DB) error {
		rows, err := fx.svc.RecomputeBatch(ctx, tx, cases, nil, false)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.ExplanationZH != "" || r.ExplanationEN != "" || r.Article != "" {
				t.Errorf("RecomputeBatch: case %d %s has text", r.SubjectID, r.Kind)
			}
		}
		return nil
	})
	must(t, err)
	if rows, withText := storedTexts(t, fx); rows == 0 || withText != 0 {
		t.Fatalf("after RecomputeBatch: %d rows, %d with text", rows, withText)
	}
	for _, id := range ids {
		if after, _ := storedDeadlines(t, fx, id); fmt.Sprint(after) != fmt.Sprint(before[id]) {
			t.Errorf("case %d: RecomputeBatch wrote\n %v\nRecomputeCases\n %v", id, after, before[id])
		}
	}
}

// A row stored with an explanation (by a version that stored them) is
// blanked by the next sync of its case's deadlines; until then, and for a
// stored kind the plan lacks, the views fall back to the stored columns only
// where the plan has nothing.
func TestOldStoredExplanationsAreBlankedAndFallBack(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, "2024-06-03")
	v := fx.create(t, "2024-06-03")
	// Text as an earlier version stored it, on every row; and a row of a
	// kind the plan does not have (the rows lag behind the plan).
	must(t, fx.db.Write.Exec(`UPDATE deadlines SET explanation_zh = '旧说明', explanation_en = 'old text', article = '旧条款 | old article'
		WHERE subject_type = 'case' AND subject_id = ?`, v.ID).Error)
	lag := models.Deadline{SubjectType: SubjectCase, SubjectID: v.ID, Kind: "respondent_copy", OrganID: fx.organ.ID, Status: "open",
		DueOn: sp("2024-06-20"), ExplanationZH: "滞后行", ExplanationEN: "lagging row", Article: "某条 | some article", UpdatedAt: fx.clock.Now()}
	must(t, fx.db.Write.Create(&lag).Error)
	got := fx.deadlines(t, v.ID)
	ref := referencePlan(t, fx, v.ID)
	if d := got["acceptance_review"]; d.ExplanationZH != ref["acceptance_review"].zh || d.ArticleEN != ref["acceptance_review"].articleEN ||
		strings.Contains(d.ExplanationZH, "旧说明") {
		t.Errorf("a planned kind shows %q / %q, want the plan's %q", d.ExplanationZH, d.ArticleEN, ref["acceptance_review"].zh)
	}
	if d := got["respondent_copy"]; d.ExplanationZH != "滞后行" || d.ExplanationEN != "lagging row" || d.ArticleZH != "某条" || d.ArticleEN != "some article" {
		t.Errorf("a kind the plan lacks shows %+v, want its stored columns", d)
	}
	r, err := fx.svc.List(ctx, &auth.Principal{Role: auth.RoleAdmin, OrganIDs: []int64{fx.organ.ID}}, ListFilter{})
	must(t, err)
	var kinds []string
	for _, it := range r.Items {
		kinds = append(kinds, it.Kind)
		switch it.Kind {
		case "respondent_copy":
			if it.ExplanationZH != "滞后行" {
				t.Errorf("list: lagging row shows %q", it.ExplanationZH)
			}
		default:
			if w := ref[storedKey(it.Kind, it.Ref)]; it.ExplanationZH != w.zh || it.ExplanationEN != w.en {
				t.Errorf("list: %s shows %q, want %q", it.Kind, it.ExplanationZH, w.zh)
			}
		}
	}
	if !slices.Contains(kinds, "respondent_copy") || !slices.Contains(kinds, "acceptance_review") {
		t.Fatalf("list kinds %v", kinds)
	}
	// The next sync (a transition) blanks every row and deletes the lagging one.
	fx.clock.Set("2024-06-04")
	v = fx.step(t, v, lifecycle.TransitionInput{Action: "request_correction", EffectiveOn: "2024-06-04"})
	if rows, withText := storedTexts(t, fx, v.ID); rows == 0 || withText != 0 {
		t.Fatalf("after the sync: %d rows, %d with text", rows, withText)
	}
	checkRendered(t, fx, "after the sync", v.ID)
}
