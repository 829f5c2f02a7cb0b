package clock

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/lifecycle"
)

// RL2023 Art. 30: 5 working days; the 2024 Spring Festival holiday
// (02-10..02-17) is skipped and the make-up Sunday 02-18 counts.
func TestAcceptanceReviewSpringFestival2024(t *testing.T) {
	fx := newFixture(t, "2024-02-09")
	v := fx.create(t, "2024-02-08")
	d := fx.deadlines(t, v.ID)["acceptance_review"]
	if str(d.DueOn) != "2024-02-21" || d.Status != "open" {
		t.Fatalf("acceptance_review = %s %s, want 2024-02-21 open", str(d.DueOn), d.Status)
	}
	for _, want := range []string{"春节", "2月18日"} {
		if !strings.Contains(d.ExplanationZH, want) {
			t.Errorf("explanation %q does not name %s", d.ExplanationZH, want)
		}
	}
	if !strings.Contains(d.ExplanationEN, "2024-02-18") || !strings.Contains(d.ArticleZH, "第三十条") || !strings.Contains(d.ArticleEN, "Art. 30") {
		t.Errorf("explanation/article: %q %q %q", d.ExplanationEN, d.ArticleZH, d.ArticleEN)
	}
}

// RL2023 Art. 62(1): 60 days from acceptance; Art. 39: a suspension pauses
// the clock, and the due date moves by the suspended days.
func TestSuspensionMovesDecisionDue(t *testing.T) {
	fx := newFixture(t, "2024-06-03")
	v := fx.create(t, "2024-06-03")
	v = fx.step(t, v, lifecycle.TransitionInput{Action: "accept", EffectiveOn: "2024-06-03", Procedure: "ordinary"})
	if d := fx.deadlines(t, v.ID)["decision"]; str(d.DueOn) != "2024-08-02" || d.Status != "open" {
		t.Fatalf("decision before suspension = %s %s, want 2024-08-02 open", str(d.DueOn), d.Status)
	}
	fx.clock.Set("2024-06-10")
	v = fx.step(t, v, lifecycle.TransitionInput{Action: "suspend", EffectiveOn: "2024-06-10", Ground: "force_majeure", Reason: "台风"})
	if d := fx.deadlines(t, v.ID)["decision"]; d.Status != "paused" || d.DueOn != nil {
		t.Fatalf("decision while suspended = %s %s, want paused with no date", str(d.DueOn), d.Status)
	}
	fx.clock.Set("2024-06-20")
	v = fx.step(t, v, lifecycle.TransitionInput{Action: "resume", EffectiveOn: "2024-06-20"})
	d := fx.deadlines(t, v.ID)["decision"]
	if str(d.DueOn) != "2024-08-12" || d.Status != "open" { // 08-02 + 10 suspended days
		t.Fatalf("decision after resumption = %s %s, want 2024-08-12 open", str(d.DueOn), d.Status)
	}
	if !strings.Contains(d.ExplanationEN, "10") {
		t.Errorf("explanation does not show the 10 suspended days: %q", d.ExplanationEN)
	}
}

// Overdue = past due and not done (OverdueSQL); the deadline list and the
// case-list filter agree, organ-scoped, and a closed case is never overdue.
func TestOverdueListMatchesPassedDeadlines(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, "2024-06-30")
	dp := func(s string) *string { return &s }
	// A: still under review, review ended 2024-06-13 → overdue.
	a := fx.insert(t, fx.organ, fx.agency, "2024-06-05", nil)
	// B: received two days ago → nothing due yet.
	fx.insert(t, fx.organ, fx.agency, "2024-06-28", nil)
	// C: accepted, copy to respondent never sent (due 7 working days) → overdue.
	c := fx.insert(t, fx.organ, fx.agency, "2024-06-03", func(c *models.Case) {
		c.Status, c.AcceptedOn, c.Procedure = "accepted", dp("2024-06-04"), "ordinary"
	})
	// D: accepted, copy sent late but sent → history, not overdue.
	fx.insert(t, fx.organ, fx.agency, "2024-06-03", func(c *models.Case) {
		c.Status, c.AcceptedOn, c.Procedure, c.CopySentOn = "accepted", dp("2024-06-04"), "ordinary", dp("2024-06-25")
	})
	// E: decided (closed) without a recorded copy → not overdue.
	e := fx.insert(t, fx.organ, fx.agency, "2024-05-06", func(c *models.Case) {
		c.Status, c.AcceptedOn, c.Procedure, c.ClosedOn, c.Outcome = "decided", dp("2024-05-07"), "ordinary", dp("2024-06-20"), "upheld"
	})
	// F: another organ's overdue case → not in organ 1's list.
	f := fx.insert(t, fx.other, fx.otherAg, "2024-06-05", nil)

	list, err := fx.svc.List(ctx, fx.officer, ListFilter{Overdue: true})
	must(t, err)
	var got []int64
	for _, it := range list.Items {
		if !slices.Contains(got, it.CaseID) {
			got = append(got, it.CaseID)
		}
		if it.CaseNo == "" || it.RespondentName != fx.agency.Name || it.HandlerName != "officer名" {
			t.Errorf("item lacks case/handler/respondent: %+v", it)
		}
	}
	slices.Sort(got)
	want := []int64{a.ID, c.ID}
	if !slices.Equal(got, want) || list.Total != int64(len(list.Items)) {
		t.Fatalf("overdue cases = %v (total %d), want %v", got, list.Total, want)
	}
	// The case list's filter selects the same cases.
	var filtered []int64
	must(t, fx.db.Read.Model(&models.Case{}).Scopes(fx.svc.OverdueCaseFilter()).
		Where("organ_id = ?", fx.organ.ID).Order("id").Pluck("id", &filtered).Error)
	if !slices.Equal(filtered, want) {
		t.Fatalf("OverdueCaseFilter = %v, want %v", filtered, want)
	}
	// The closed case's unrecorded step is not applicable, not missed.
	if d := fx.deadlines(t, e.ID)["respondent_copy"]; d.Status != "not_applicable" {
		t.Errorf("closed case respondent_copy = %s, want not_applicable", d.Status)
	}
	other, err := fx.svc.List(ctx, fx.outside, ListFilter{Overdue: true})
	must(t, err)
	if len(other.Items) == 0 || other.Items[0].CaseID != f.ID {
		t.Errorf("other organ's overdue list = %+v", other.Items)
	}
	// Due within 7 days: B's acceptance review (5 working days from 06-28 = 07-05).
	seven := 7
	soon, err := fx.svc.List(ctx, fx.officer, ListFilter{DueWithinDays: &seven})
	must(t, err)
	for _, it := range soon.Items {
		if it.Status != "open" || str(it.DueOn) < "2024-06-30" || str(it.DueOn) > "2024-07-07" {
			t.Errorf("due-soon item out of range: %+v", it)
		}
	}
	if len(soon.Items) == 0 {
		t.Error("due-soon list empty")
	}
	// Another organ's case is not found.
	if _, err := fx.svc.ForCase(ctx, fx.officer, f.ID); err == nil {
		t.Error("ForCase of another organ's case: want not found")
	}
}

func countNotifications(t *testing.T, fx *fixture) map[string]int {
	t.Helper()
	var rows []models.Notification
	must(t, fx.db.Read.Find(&rows).Error)
	out := map[string]int{}
	for _, r := range rows {
		out[r.DeadlineKind+"/"+r.Kind]++
	}
	return out
}

// The sweep reminds the handler at 5 and 1 working days before a due date
// and when it is missed, each once — also when sweeps run concurrently.
func TestSweepNotifiesOnce(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, "2024-06-25")
	// Accepted 06-21: copy to respondent due 7 working days later = 07-02,
	// 5 working days after 06-25 → due_5.
	v := fx.create(t, "2024-06-20")
	fx.step(t, v, lifecycle.TransitionInput{Action: "accept", EffectiveOn: "2024-06-21", Procedure: "ordinary"})
	// A missed copy: accepted 06-05, due 06-14 (06-10 is 端午节).
	fx.insert(t, fx.organ, fx.agency, "2024-06-04", func(c *models.Case) {
		c.Status, c.AcceptedOn, c.Procedure = "accepted", sp("2024-06-05"), "ordinary"
	})

	other := New(fx.db, Options{Now: fx.clock.Now, Holder: "instance-b"})
	other.SetCases(fx.cases)
	var wg sync.WaitGroup
	results := make([]SweepResult, 4)
	errsOut := make([]error, 4)
	for i, s := range []*Service{fx.svc, other, fx.svc, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errsOut[i] = s.Sweep(ctx)
		}()
	}
	wg.Wait()
	ran := 0
	for i := range results {
		must(t, errsOut[i])
		if !results[i].Skipped {
			ran++
		}
	}
	if ran == 0 {
		t.Fatal("every sweep skipped")
	}
	first := countNotifications(t, fx)
	if first["respondent_copy/due_5"] != 1 || first["respondent_copy/missed"] != 1 || len(first) != 2 {
		t.Fatalf("after concurrent sweeps: %v", first)
	}
	// Unleased sweeps racing each other still insert each reminder once.
	var wg2 sync.WaitGroup
	for range 3 {
		wg2.Add(1)
		go func() { defer wg2.Done(); _, _ = fx.svc.sweep(ctx) }()
	}
	wg2.Wait()
	r, err := fx.svc.Sweep(ctx)
	must(t, err)
	if r.Skipped || r.Notified != 0 {
		t.Fatalf("second sweep: %+v, want nothing new", r)
	}
	if again := countNotifications(t, fx); len(again) != 2 || again["respondent_copy/due_5"] != 1 {
		t.Fatalf("after repeated sweeps: %v", again)
	}
	// One working day before (07-01): the due_1 reminder, once.
	fx.clock.Set("2024-07-01")
	for range 2 {
		_, err := fx.svc.Sweep(ctx)
		must(t, err)
	}
	n := countNotifications(t, fx)
	if n["respondent_copy/due_1"] != 1 || n["respondent_copy/due_5"] != 1 {
		t.Fatalf("after 07-01 sweeps: %v", n)
	}
	page, err := fx.svc.Notifications(ctx, fx.officer, true, 1, 50)
	must(t, err)
	if page.Unread == 0 || int64(len(page.Items)) != page.Unread {
		t.Fatalf("notifications page: %+v", page)
	}
	must(t, fx.svc.MarkRead(ctx, fx.officer, page.Items[0].ID))
	if err := fx.svc.MarkRead(ctx, fx.outside, page.Items[0].ID); err == nil {
		t.Error("another user's notification: want not found")
	}
	after, err := fx.svc.Notifications(ctx, fx.officer, false, 1, 50)
	must(t, err)
	if after.Unread != page.Unread-1 {
		t.Errorf("unread after MarkRead = %d, want %d", after.Unread, page.Unread-1)
	}
}

// RL2023 Art. 30(3): with no decision when the review period ends, the
// application is deemed accepted from its last day; the sweep records it
// once, through the state machine.
func TestSweepRecordsDeemedAcceptanceOnce(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, "2024-06-03")
	v := fx.create(t, "2024-06-03")
	fx.clock.Set("2024-06-30")
	for range 2 {
		_, err := fx.svc.Sweep(ctx)
		must(t, err)
	}
	var c models.Case
	must(t, fx.db.Read.First(&c, v.ID).Error)
	// 5 working days from 06-03, skipping 端午节 06-10: 06-11.
	if c.Status != "accepted" || str(c.AcceptedOn) != "2024-06-11" || !c.DeemedAccepted {
		t.Fatalf("case after sweep: status %s accepted_on %s deemed %v", c.Status, str(c.AcceptedOn), c.DeemedAccepted)
	}
	var events []models.CaseEvent
	must(t, fx.db.Read.Where("case_id = ? AND action = ?", v.ID, "accept").Find(&events).Error)
	if len(events) != 1 || str(events[0].EffectiveOn) != "2024-06-11" || !strings.Contains(events[0].Payload, `"deemed":true`) {
		t.Fatalf("accept events = %+v", events)
	}
	ds := fx.deadlines(t, v.ID)
	if ds["acceptance_review"].Status != "met" || str(ds["decision"].DueOn) != "2024-08-12" {
		t.Fatalf("deadlines after deemed acceptance: review %s, decision %s", ds["acceptance_review"].Status, str(ds["decision"].DueOn))
	}
}

// A year the calendar lacks is calendar_missing; adding the year moves the
// case in progress to a real date.
func TestPutYearRecomputesCalendarMissing(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, "2026-12-29")
	c := fx.insert(t, fx.organ, fx.agency, "2026-12-29", nil)
	if d := fx.deadlines(t, c.ID)["acceptance_review"]; d.Status != "calendar_missing" || d.DueOn != nil || !strings.Contains(d.ExplanationZH, "2027") {
		t.Fatalf("before: %+v", d)
	}
	admin := &auth.Principal{UserID: 1, Role: auth.RoleAdmin, OrganIDs: []int64{fx.organ.ID}}
	body := []byte(`{"year":2027,"source":"测试通知","days":[{"date":"2027-01-01","name":"元旦","off":true}]}`)
	if _, err := fx.svc.PutYear(ctx, fx.officer, 2027, body); err == nil {
		t.Fatal("officer may not change the calendar")
	}
	if _, err := fx.svc.PutYear(ctx, admin, 2028, body); err == nil {
		t.Fatal("path year 2028 with body year 2027 must be refused")
	}
	r, err := fx.svc.PutYear(ctx, admin, 2027, body)
	must(t, err)
	if r.Recomputed.Cases != 1 || r.Year.OffDays != 1 || r.Year.Builtin {
		t.Fatalf("PutYear result %+v", r)
	}
	// 12-30, 12-31, (01-01 元旦, weekend), 01-04, 01-05, 01-06 = 5 working days.
	if d := fx.deadlines(t, c.ID)["acceptance_review"]; d.Status != "open" || str(d.DueOn) != "2027-01-06" {
		t.Fatalf("after: %s %s", d.Status, str(d.DueOn))
	}
	// Another instance (its own cache) sees the year once its check is due.
	other := New(fx.db, Options{Now: fx.clock.Now})
	cal, err := other.Calendar(ctx, nil)
	must(t, err)
	if !cal.Covers(2027) {
		t.Fatal("a fresh instance does not see 2027")
	}
}

// The due-soon and overdue lists are range scans on ix_deadline_open
// (organ_id, status, due_on), not table scans (checked on SQLite's planner).
func TestListUsesDeadlineIndex(t *testing.T) {
	fx := newFixture(t, "2024-06-30")
	if fx.db.Dialect != models.SQLite {
		t.Skip("query plan checked on SQLite")
	}
	today := "2024-06-30"
	for name, cond := range map[string]string{
		"overdue":  OverdueSQL("deadlines"),
		"due soon": "deadlines.status = 'open' AND deadlines.due_on >= ? AND deadlines.due_on <= '2024-07-07'",
	} {
		var plan []struct {
			ID, Parent, Notused int
			Detail              string
		}
		q := "EXPLAIN QUERY PLAN SELECT deadlines.id FROM deadlines JOIN cases ON cases.id = deadlines.subject_id " +
			"WHERE deadlines.organ_id IN (1, 2) AND deadlines.subject_type || '' = 'case' AND " + cond + " ORDER BY deadlines.due_on"
		must(t, fx.db.Read.Raw(q, today).Scan(&plan).Error)
		var details []string
		for _, p := range plan {
			details = append(details, p.Detail)
		}
		joined := strings.Join(details, "; ")
		if !strings.Contains(joined, "ix_deadline_open") || !strings.Contains(joined, "status=?") {
			t.Errorf("%s: plan does not range-scan ix_deadline_open: %s", name, joined)
		}
		if testing.Verbose() {
			t.Logf("%s: %s", name, joined)
		}
	}
}
