package workflow

import (
	"context"
	"testing"
	"time"

	"fuyi/models"
	"fuyi/models/modelstest"
	"fuyi/services/auth"
	"fuyi/services/errs"
	"fuyi/services/lifecycle"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestFollowupTurnsOverdue: RL2023 Art. 77 / RR2007 Art. 49 — a revoked-and-
// redo decision opens a follow-up due 60 days after the decision; it is open
// until then and overdue after the sweep past that date. A plain uphold
// opens none; a direct decision refused while the rule exists.
func TestFollowupTurnsOverdue(t *testing.T) {
	ctx := context.Background()
	db := modelstest.Open(t)
	now := time.Date(2024, 6, 21, 10, 0, 0, 0, chinaTime)
	clock := func() time.Time { return now }
	cases := lifecycle.New(db, lifecycle.Options{Now: clock})
	wf := New(db, cases, Options{Now: clock, DataDir: t.TempDir()})
	cases.SetGuard(wf.Guard)
	cases.AddHook(wf.FollowupHook)
	organ := models.Organ{Name: "北京市平谷区人民政府", ShortName: "平政", CaseNoPattern: "{short}复〔{year}〕{seq}号"}
	must(t, db.Write.Create(&organ).Error)
	ag := models.Agency{OrganID: organ.ID, Name: "北京市平谷区市场监督管理局", Active: true}
	must(t, db.Write.Create(&ag).Error)
	u := models.User{Username: "officer", PasswordHash: "x", Role: auth.RoleOfficer, Active: true}
	must(t, db.Write.Create(&u).Error)
	must(t, db.Write.Create(&models.UserOrgan{UserID: u.ID, OrganID: organ.ID}).Error)
	p := &auth.Principal{UserID: u.ID, Username: "officer", Role: auth.RoleOfficer, OrganIDs: []int64{organ.ID}}
	admin := &auth.Principal{UserID: 999, Username: "admin", Role: auth.RoleAdmin, OrganIDs: []int64{organ.ID}}

	decide := func(outcome string, redo bool) *lifecycle.CaseView {
		v, err := cases.Create(ctx, p, lifecycle.CreateInput{Applicant: "张三", ApplicantType: "公民", RespondentName: ag.Name,
			ActType: "行政处罚", ReceivedOn: "2024-03-01"})
		must(t, err)
		v, err = cases.Transition(ctx, p, v.ID, lifecycle.TransitionInput{Action: "accept", Procedure: "ordinary", EffectiveOn: "2024-03-04", Version: v.Version})
		must(t, err)
		v, err = cases.Transition(ctx, p, v.ID, lifecycle.TransitionInput{Action: "decide", Outcome: outcome, Redo: redo, EffectiveOn: "2024-04-20", Version: v.Version})
		must(t, err)
		return v
	}
	redo := decide("revoked", true)
	decide("upheld", false)
	fs, total, err := wf.Followups(ctx, p, FollowupFilter{})
	must(t, err)
	if total != 1 || fs[0].CaseID != redo.ID || fs[0].DueOn != "2024-06-19" || fs[0].Status != FollowupOverdue {
		t.Fatalf("follow-ups: %+v", fs)
	}
	now = time.Date(2024, 6, 1, 10, 0, 0, 0, chinaTime)
	if n, _ := wf.RefreshFollowups(ctx); n != 0 {
		t.Fatalf("turned overdue before the due date: %d", n)
	}
	fs, _, _ = wf.Followups(ctx, p, FollowupFilter{})
	if fs[0].Status != FollowupOpen {
		t.Fatalf("before due: %s", fs[0].Status)
	}
	now = time.Date(2024, 6, 20, 10, 0, 0, 0, chinaTime)
	if n, _ := wf.RefreshFollowups(ctx); n != 1 {
		t.Fatalf("refresh: %d", n)
	}
	if n, _ := wf.RefreshFollowups(ctx); n != 0 {
		t.Fatalf("refresh is not idempotent: %d", n)
	}

	// With a rule for not_accept, a direct not_accept is refused (422).
	_, err = wf.PutApprovalRule(ctx, admin, 0, "not_accept", []Step{{Role: auth.RoleManager}}, 0)
	must(t, err)
	v, err := cases.Create(ctx, p, lifecycle.CreateInput{Applicant: "李四", ApplicantType: "公民", RespondentName: ag.Name, ActType: "行政处罚", ReceivedOn: "2024-06-03"})
	must(t, err)
	_, err = cases.Transition(ctx, p, v.ID, lifecycle.TransitionInput{Action: "not_accept", Reason: "超过申请期限", EffectiveOn: "2024-06-05", Version: v.Version})
	if e := errs.As(err); e.Kind != errs.KindRule || e.Code != "approval_required" {
		t.Fatalf("direct not_accept: %v", err)
	}
	if _, err := wf.Propose(ctx, p, v.ID, lifecycle.TransitionInput{Action: "not_accept", EffectiveOn: "2024-06-05", Version: v.Version}); !errs.IsKind(err, errs.KindInvalid) {
		t.Fatalf("proposal without reason: %v", err)
	}
}
