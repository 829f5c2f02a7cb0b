package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/errs"
)

func TestParallelCreatesGetDistinctNumbers(t *testing.T) {
	fx := newFixture(t)
	const n = 50
	var wg sync.WaitGroup
	nos := make([]string, n)
	errsCh := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			v, err := fx.svc.Create(context.Background(), fx.officer, fx.input("2024-03-01"))
			if err != nil {
				errsCh <- err
				return
			}
			nos[i] = v.CaseNo
		}(i)
	}
	wg.Wait()
	close(errsCh)
	for err := range errsCh {
		t.Fatalf("create: %v", err)
	}
	seen := map[string]bool{}
	for _, no := range nos {
		if seen[no] {
			t.Fatalf("duplicate case number %s", no)
		}
		seen[no] = true
	}
	for i := 1; i <= n; i++ {
		if want := fmt.Sprintf("平政复〔2024〕%d号", i); !seen[want] {
			t.Fatalf("missing %s (numbers are not 1..%d)", want, n)
		}
	}
	// Another organ and another year have their own sequences.
	v := fx.create(t, "2023-12-31")
	if v.CaseNo != "平政复〔2023〕1号" || v.Regime != RegimeRL2017 {
		t.Fatalf("2023 case: %s %s", v.CaseNo, v.Regime)
	}
	in := fx.input("2024-03-01")
	in.RespondentName = fx.otherAg.Name
	_, err := fx.svc.Create(context.Background(), fx.outside, in)
	if err == nil {
		t.Fatalf("handler of another organ accepted")
	}
	in.HandlerID = nil
	v, err = fx.svc.Create(context.Background(), fx.outside, in)
	must(t, err)
	if v.CaseNo != "某政复字〔2024〕第0001号" {
		t.Fatalf("other organ number %s", v.CaseNo)
	}
}

func TestCreateValidation(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	for _, tc := range []struct{ name, received, wantZH string }{
		{"impossible date", "2024-02-30", "YYYY-MM-DD"},
		{"bad format", "2024/3/1", "YYYY-MM-DD"},
		{"future", "2024-07-01", "不能晚于今天"},
		{"missing", "", "必填"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := fx.input(tc.received)
			in.ActDate = ""
			_, err := fx.svc.Create(ctx, fx.officer, in)
			e := errOf(t, err, errs.KindInvalid)
			if !strings.Contains(e.Fields["received_on"].ZH, tc.wantZH) || e.Fields["received_on"].EN == "" {
				t.Fatalf("fields = %v", e.Fields)
			}
		})
	}
	// Every field error at once.
	in := CreateInput{ReceivedOn: "2024-13-01", ActType: "不存在的类别", RespondentName: "不存在的机关", Area: "x",
		Applicants: []PartyInput{{Name: "", Type: "外星人"}}, HandlerID: &fx.outside.UserID}
	_, err := fx.svc.Create(ctx, fx.officer, in)
	e := errOf(t, err, errs.KindInvalid)
	for _, f := range []string{"received_on", "act_type", "area", "applicants[0].name", "applicants[0].type", "handler_id", "respondent"} {
		if _, ok := e.Fields[f]; !ok {
			t.Errorf("missing field error %s in %v", f, e.Fields)
		}
	}
	// Respondent and handler are checked against the organ once the rest is valid.
	in = fx.input("2024-03-01")
	in.RespondentName = fx.otherAg.Name
	in.HandlerID = &fx.outside.UserID
	_, err = fx.svc.Create(ctx, fx.officer, in)
	e = errOf(t, err, errs.KindInvalid)
	if _, ok := e.Fields["respondent"]; !ok {
		t.Errorf("another organ's agency accepted: %v", e.Fields)
	}
	if _, ok := e.Fields["handler_id"]; !ok {
		t.Errorf("another organ's user accepted as handler: %v", e.Fields)
	}
	// Respondent by id, act type by code, applicant as a plain name.
	v, err := fx.svc.Create(ctx, fx.officer, CreateInput{Applicant: "李四", ApplicantType: "legal_person", RespondentID: fx.agency2.ID,
		ActType: "penalty", ReceivedOn: "2024-06-30"})
	must(t, err)
	if v.RespondentName != fx.agency2.Name || v.ActType != "penalty" || len(v.Applicants) != 1 || v.Applicants[0].Type != "legal_person" || v.Status != StatusReceived || v.Version != 1 {
		t.Fatalf("created %+v", v)
	}
	// Reporter may not create; several organs need organ_id.
	_, err = fx.svc.Create(ctx, fx.report, fx.input("2024-03-01"))
	errOf(t, err, errs.KindForbidden)
	multi := *fx.manager
	multi.OrganIDs = []int64{fx.organ.ID, fx.other.ID}
	_, err = fx.svc.Create(ctx, &multi, fx.input("2024-03-01"))
	if e := errOf(t, err, errs.KindInvalid); e.Fields["organ_id"].ZH == "" {
		t.Fatalf("organ_id not required: %v", e.Fields)
	}
	in = fx.input("2024-03-01")
	in.OrganID = fx.organ.ID
	_, err = fx.svc.Create(ctx, &multi, in)
	must(t, err)
}

func TestTransitionRules(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	try := func(v *CaseView, in TransitionInput) error {
		if in.Version == 0 {
			in.Version = v.Version
		}
		_, err := fx.svc.Transition(ctx, fx.officer, v.ID, in)
		return err
	}
	t.Run("stale version is 409", func(t *testing.T) {
		v := fx.create(t, "2024-03-01")
		v2 := fx.step(t, v, TransitionInput{Action: ActRequestCorrection, EffectiveOn: "2024-03-02"})
		err := try(v2, TransitionInput{Action: ActReceiveCorrection, EffectiveOn: "2024-03-05", Version: v.Version})
		if e := errOf(t, err, errs.KindConflict); e.Code != "stale_version" || e.Details["current_version"] != v2.Version {
			t.Fatalf("stale: %v", e)
		}
	})
	t.Run("decide before accept is refused naming the state", func(t *testing.T) {
		v := fx.create(t, "2024-03-01")
		err := try(v, TransitionInput{Action: ActDecide, Outcome: "revoked", EffectiveOn: "2024-03-02"})
		e := errOf(t, err, errs.KindRule)
		if e.Code != "invalid_transition" || !strings.Contains(e.Message.ZH, "已收件") || !strings.Contains(e.Message.EN, "received") || !strings.Contains(e.Message.EN, "accept") {
			t.Fatalf("refusal: %v", e)
		}
	})
	t.Run("RL2017 had no simplified procedure", func(t *testing.T) {
		v := fx.create(t, "2023-12-29")
		err := try(v, TransitionInput{Action: ActAccept, Procedure: ProcedureSimplified, EffectiveOn: "2024-01-02"})
		if e := errOf(t, err, errs.KindInvalid); e.Fields["procedure"].ZH == "" {
			t.Fatalf("simplified under rl2017: %v", e)
		}
		must(t, try(v, TransitionInput{Action: ActAccept, Procedure: ProcedureOrdinary, EffectiveOn: "2024-01-02"}))
	})
	t.Run("extend: 1–30 days, once, approved (RL2023 Art. 62(1))", func(t *testing.T) {
		v := fx.reach(t, StatusAccepted)
		err := try(v, TransitionInput{Action: ActExtend, Days: 31, ApprovedBy: "李", EffectiveOn: "2024-04-01"})
		if e := errOf(t, err, errs.KindInvalid); e.Fields["days"].ZH == "" {
			t.Fatalf("31 days: %v", e)
		}
		err = try(v, TransitionInput{Action: ActExtend, Days: 0, EffectiveOn: "2024-04-01"})
		if e := errOf(t, err, errs.KindInvalid); e.Fields["days"].ZH == "" || e.Fields["approved_by"].ZH == "" {
			t.Fatalf("0 days, no approver: %v", e)
		}
		v = fx.step(t, v, TransitionInput{Action: ActExtend, Days: 30, ApprovedBy: "李科长", EffectiveOn: "2024-04-01"})
		err = try(v, TransitionInput{Action: ActExtend, Days: 5, ApprovedBy: "李科长", EffectiveOn: "2024-04-02"})
		if e := errOf(t, err, errs.KindRule); e.Code != "extension_used" || e.Details["current_status"] != StatusAccepted {
			t.Fatalf("second extend: %v", e)
		}
	})
	t.Run("RR2007 had no mediation ground (RL2023 Art. 39(1)(6))", func(t *testing.T) {
		v := fx.create(t, "2023-11-01")
		v = fx.step(t, v, TransitionInput{Action: ActAccept, Procedure: ProcedureOrdinary, EffectiveOn: "2023-11-03"})
		err := try(v, TransitionInput{Action: ActSuspend, Ground: "mediation", Reason: "调解", EffectiveOn: "2023-12-01"})
		if e := errOf(t, err, errs.KindInvalid); e.Fields["ground"].ZH == "" {
			t.Fatalf("mediation ground under rl2017: %v", e)
		}
		err = try(v, TransitionInput{Action: ActSuspend, Ground: "force_majeure", EffectiveOn: "2023-12-01"})
		if e := errOf(t, err, errs.KindInvalid); e.Fields["reason"].ZH == "" {
			t.Fatalf("suspend without reason: %v", e)
		}
		v2 := fx.reach(t, StatusAccepted)
		must(t, try(v2, TransitionInput{Action: ActSuspend, Ground: "mediation", Reason: "双方同意调解", EffectiveOn: "2024-04-01"}))
	})
	t.Run("suspend, resume and the suspension periods", func(t *testing.T) {
		v := fx.reach(t, StatusAccepted)
		v = fx.step(t, v, TransitionInput{Action: ActSuspend, Ground: "pending_other_case", Reason: "等待法院判决", EffectiveOn: "2024-04-01"})
		if v.SuspendedOn == nil || *v.SuspendedOn != "2024-04-01" || v.SuspendGround != "pending_other_case" {
			t.Fatalf("suspended: %+v", v)
		}
		// Resumption cannot precede the suspension.
		err := try(v, TransitionInput{Action: ActResume, EffectiveOn: "2024-03-31"})
		if e := errOf(t, err, errs.KindInvalid); e.Fields["effective_on"].ZH == "" {
			t.Fatalf("resume before suspension: %v", e)
		}
		v = fx.step(t, v, TransitionInput{Action: ActResume, EffectiveOn: "2024-05-01"})
		var sus []models.CaseSuspension
		must(t, fx.db.Read.Where("case_id = ?", v.ID).Find(&sus).Error)
		if len(sus) != 1 || sus[0].FromOn != "2024-04-01" || sus[0].ToOn == nil || *sus[0].ToOn != "2024-05-01" {
			t.Fatalf("suspension rows %+v", sus)
		}
		// A decision cannot be dated before the resumption.
		err = try(v, TransitionInput{Action: ActDecide, Outcome: "upheld", EffectiveOn: "2024-04-15"})
		if e := errOf(t, err, errs.KindInvalid); !strings.Contains(e.Fields["effective_on"].EN, "2024-05-01") {
			t.Fatalf("decide before resumption: %v", e)
		}
	})
	t.Run("suspension_lapsed only after 60 days on grounds 1, 2, 4 (RL2023 Art. 41(5))", func(t *testing.T) {
		v := fx.reach(t, StatusAccepted)
		err := try(v, TransitionInput{Action: ActTerminate, Termination: "suspension_lapsed", EffectiveOn: "2024-04-01"})
		if e := errOf(t, err, errs.KindInvalid); e.Fields["termination"].ZH == "" {
			t.Fatalf("lapse without suspension: %v", e)
		}
		v = fx.step(t, v, TransitionInput{Action: ActSuspend, Ground: "party_died", Reason: "申请人死亡", EffectiveOn: "2024-04-01"})
		err = try(v, TransitionInput{Action: ActTerminate, Termination: "suspension_lapsed", EffectiveOn: "2024-05-30"})
		if e := errOf(t, err, errs.KindInvalid); !strings.Contains(e.Fields["effective_on"].EN, "2024-05-31") {
			t.Fatalf("lapse at 59 days: %v", e)
		}
		v = fx.step(t, v, TransitionInput{Action: ActTerminate, Termination: "suspension_lapsed", EffectiveOn: "2024-05-31"})
		if v.Status != StatusTerminated || v.Outcome != "terminated" || v.ClosedOn == nil || *v.ClosedOn != "2024-05-31" || v.SuspendedOn != nil {
			t.Fatalf("terminated: %+v", v)
		}
		var open int64
		must(t, fx.db.Read.Model(&models.CaseSuspension{}).Where("case_id = ? AND to_on IS NULL", v.ID).Count(&open).Error)
		if open != 0 {
			t.Fatalf("suspension left open")
		}
	})
	t.Run("decide: outcomes and flags (RL2023 Art. 64, 67)", func(t *testing.T) {
		v := fx.reach(t, StatusAccepted)
		for _, tc := range []struct {
			in    TransitionInput
			field string
		}{
			{TransitionInput{Outcome: ""}, "outcome"},
			{TransitionInput{Outcome: "mediated"}, "outcome"},
			{TransitionInput{Outcome: "terminated"}, "outcome"},
			{TransitionInput{Outcome: "nonsense"}, "outcome"},
			{TransitionInput{Outcome: "upheld", Partial: true}, "outcome"},
			{TransitionInput{Outcome: "confirmed_unlawful", Redo: true}, "outcome"},
			{TransitionInput{Outcome: "upheld"}, "effective_on"}, // no date
		} {
			in := tc.in
			in.Action = ActDecide
			if tc.field != "effective_on" {
				in.EffectiveOn = "2024-04-01"
			}
			e := errOf(t, try(v, in), errs.KindInvalid)
			if e.Fields[tc.field].ZH == "" {
				t.Errorf("%+v: fields %v", tc.in, e.Fields)
			}
		}
		old := fx.create(t, "2023-06-01")
		old = fx.step(t, old, TransitionInput{Action: ActAccept, Procedure: ProcedureOrdinary, EffectiveOn: "2023-06-05"})
		if e := errOf(t, try(old, TransitionInput{Action: ActDecide, Outcome: "confirmed_void", EffectiveOn: "2023-07-01"}), errs.KindInvalid); e.Fields["outcome"].ZH == "" {
			t.Fatalf("confirmed_void under rl2017: %v", e)
		}
		v = fx.step(t, v, TransitionInput{Action: ActDecide, Outcome: "revoked", Partial: true, Redo: true, EffectiveOn: "2024-04-01"})
		if v.Outcome != "revoked" || !v.OutcomePartial || !v.OutcomeRedo || *v.ClosedOn != "2024-04-01" {
			t.Fatalf("decided %+v", v)
		}
		// Dates run forward: service not before the decision, archive not before service.
		if e := errOf(t, try(v, TransitionInput{Action: ActServe, EffectiveOn: "2024-03-31"}), errs.KindInvalid); e.Fields["effective_on"].ZH == "" {
			t.Fatalf("served before decided: %v", e)
		}
		v = fx.step(t, v, TransitionInput{Action: ActServe, EffectiveOn: "2024-04-03"})
		v = fx.step(t, v, TransitionInput{Action: ActClose, EffectiveOn: "2024-04-10"})
		if *v.ServedOn != "2024-04-03" || *v.ArchivedOn != "2024-04-10" || *v.ClosedOn != "2024-04-01" || len(v.AllowedActions) != 0 {
			t.Fatalf("closed %+v", v)
		}
	})
	t.Run("effective_on not in the future", func(t *testing.T) {
		v := fx.create(t, "2024-03-01")
		e := errOf(t, try(v, TransitionInput{Action: ActAccept, Procedure: ProcedureOrdinary, EffectiveOn: "2024-07-01"}), errs.KindInvalid)
		if !strings.Contains(e.Fields["effective_on"].ZH, "今天") {
			t.Fatalf("future: %v", e)
		}
		e = errOf(t, try(v, TransitionInput{Action: ActAccept, Procedure: ProcedureOrdinary, EffectiveOn: "2024-02-29"}), errs.KindInvalid)
		if !strings.Contains(e.Fields["effective_on"].EN, "received_on") {
			t.Fatalf("before receipt: %v", e)
		}
	})
	t.Run("correction notice is one-time under RL2023 (Art. 31(1))", func(t *testing.T) {
		v := fx.create(t, "2024-03-01")
		v = fx.step(t, v, TransitionInput{Action: ActRequestCorrection, EffectiveOn: "2024-03-04"})
		if v.CorrectionDueDays != 10 {
			t.Fatalf("correction period %d, want 10 (Art. 31(2))", v.CorrectionDueDays)
		}
		v = fx.step(t, v, TransitionInput{Action: ActReceiveCorrection, EffectiveOn: "2024-03-10"})
		e := errOf(t, try(v, TransitionInput{Action: ActRequestCorrection, EffectiveOn: "2024-03-11"}), errs.KindRule)
		if e.Code != "correction_once" {
			t.Fatalf("second notice: %v", e)
		}
		// Under RR2007 Art. 29 a further notice is possible.
		old := fx.create(t, "2023-03-01")
		old = fx.step(t, old, TransitionInput{Action: ActRequestCorrection, EffectiveOn: "2023-03-02", Days: 15})
		old = fx.step(t, old, TransitionInput{Action: ActReceiveCorrection, EffectiveOn: "2023-03-10"})
		old = fx.step(t, old, TransitionInput{Action: ActRequestCorrection, EffectiveOn: "2023-03-11", Days: 15})
		// RL2017 Art. 17(2): deemed accepted from receipt of the (corrected) application.
		old = fx.step(t, old, TransitionInput{Action: ActReceiveCorrection, EffectiveOn: "2023-03-20"})
		e = errOf(t, try(old, TransitionInput{Action: ActAccept, Procedure: ProcedureOrdinary, Deemed: true, EffectiveOn: "2023-03-27"}), errs.KindInvalid)
		if e.Fields["effective_on"].ZH == "" {
			t.Fatalf("deemed acceptance date under rl2017: %v", e)
		}
		old = fx.step(t, old, TransitionInput{Action: ActAccept, Procedure: ProcedureOrdinary, Deemed: true, EffectiveOn: "2023-03-20"})
		if !old.DeemedAccepted {
			t.Fatalf("deemed flag lost")
		}
	})
	t.Run("not_accept and refer need a reason; not_accepted_on", func(t *testing.T) {
		v := fx.create(t, "2024-03-01")
		for _, a := range []string{ActNotAccept, ActRefer} {
			if e := errOf(t, try(v, TransitionInput{Action: a, EffectiveOn: "2024-03-04"}), errs.KindInvalid); e.Fields["reason"].ZH == "" {
				t.Fatalf("%s without reason: %v", a, e)
			}
		}
		v = fx.step(t, v, TransitionInput{Action: ActNotAccept, Reason: "超过申请期限", EffectiveOn: "2024-03-04"})
		if v.NotAcceptedOn == nil || *v.NotAcceptedOn != "2024-03-04" || v.IntakeReason != "超过申请期限" {
			t.Fatalf("not accepted %+v", v)
		}
	})
	t.Run("scope and role", func(t *testing.T) {
		v := fx.create(t, "2024-03-01")
		_, err := fx.svc.Transition(ctx, fx.outside, v.ID, TransitionInput{Action: ActAccept, Procedure: "ordinary", EffectiveOn: "2024-03-02", Version: 1})
		errOf(t, err, errs.KindNotFound)
		_, err = fx.svc.Get(ctx, fx.outside, v.ID)
		errOf(t, err, errs.KindNotFound)
		_, err = fx.svc.Events(ctx, fx.outside, v.ID)
		errOf(t, err, errs.KindNotFound)
		_, err = fx.svc.Transition(ctx, fx.report, v.ID, TransitionInput{Action: ActAccept, Procedure: "ordinary", EffectiveOn: "2024-03-02", Version: 1})
		errOf(t, err, errs.KindForbidden)
		rv, err := fx.svc.Get(ctx, fx.report, v.ID)
		must(t, err)
		if len(rv.AllowedActions) != 0 {
			t.Fatalf("reporter allowed %v", rv.AllowedActions)
		}
		_, err = fx.svc.Get(ctx, fx.officer, 999999)
		errOf(t, err, errs.KindNotFound)
		errOf(t, try(v, TransitionInput{Action: "dance", EffectiveOn: "2024-03-02"}), errs.KindInvalid)
	})
}

func TestPersonalDataMasked(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	v := fx.create(t, "2024-03-01")
	if v.Applicants[0].IDNumber != "110117199001011234" || v.Applicants[0].Phone != "13812345678" {
		t.Fatalf("officer sees masked data: %+v", v.Applicants[0])
	}
	rv, err := fx.svc.Get(ctx, fx.report, v.ID)
	must(t, err)
	if rv.Applicants[0].IDNumber != "1101**********1234" || rv.Applicants[0].Phone != "138****5678" {
		t.Fatalf("reporter sees %+v", rv.Applicants[0])
	}
	if got := MaskPhone("010-6996123"); got != "010****6123" {
		t.Fatalf("MaskPhone = %s", got)
	}
}

func TestHooksRunInTheTransaction(t *testing.T) {
	type call struct {
		before, after string
	}
	var calls []call
	fail := false
	hook := func(ctx context.Context, tx *gorm.DB, before, after *models.Case) error {
		b := "<nil>"
		if before != nil {
			b = before.Status
		}
		calls = append(calls, call{b, after.Status})
		// The hook sees the uncommitted row through tx.
		var c models.Case
		if err := tx.Where("id = ?", after.ID).Take(&c).Error; err != nil {
			return err
		}
		if c.Version != after.Version {
			return fmt.Errorf("hook sees version %d, want %d", c.Version, after.Version)
		}
		if fail {
			return errors.New("deadline engine failed")
		}
		return nil
	}
	fx := newFixture(t, func(o *Options) { o.Hooks = []Hook{hook} })
	ctx := context.Background()
	v := fx.create(t, "2024-03-01")
	v = fx.step(t, v, TransitionInput{Action: ActAccept, Procedure: ProcedureOrdinary, EffectiveOn: "2024-03-02"})
	note := "改"
	_, err := fx.svc.Edit(ctx, fx.officer, v.ID, EditInput{Version: v.Version, Note: &note})
	must(t, err)
	want := []call{{"<nil>", StatusReceived}, {StatusReceived, StatusAccepted}, {StatusAccepted, StatusAccepted}}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Fatalf("hook calls %v, want %v", calls, want)
	}
	fail = true
	cur, _ := fx.svc.Get(ctx, fx.officer, v.ID)
	_, err = fx.svc.Transition(ctx, fx.officer, v.ID, TransitionInput{Action: ActDecide, Outcome: "upheld", EffectiveOn: "2024-04-01", Version: cur.Version})
	errOf(t, err, errs.KindInternal)
	after, _ := fx.svc.Get(ctx, fx.officer, v.ID)
	var n int64
	must(t, fx.db.Read.Model(&models.CaseEvent{}).Where("case_id = ? AND action = ?", v.ID, ActDecide).Count(&n).Error)
	if after.Status != StatusAccepted || after.Version != cur.Version || n != 0 {
		t.Fatalf("failed hook did not roll back: %s v%d events %d", after.Status, after.Version, n)
	}
}

func TestEdit(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	v := fx.create(t, "2024-03-01")
	s := func(x string) *string { return &x }
	// Stale.
	_, err := fx.svc.Edit(ctx, fx.officer, v.ID, EditInput{Version: v.Version + 1, Note: s("x")})
	errOf(t, err, errs.KindConflict)
	// Transition-owned dates cannot be set before the step.
	_, err = fx.svc.Edit(ctx, fx.officer, v.ID, EditInput{Version: v.Version, AcceptedOn: s("2024-03-02")})
	if e := errOf(t, err, errs.KindInvalid); e.Fields["accepted_on"].ZH == "" {
		t.Fatalf("accepted_on set by edit: %v", e)
	}
	v = fx.step(t, v, TransitionInput{Action: ActAccept, Procedure: ProcedureOrdinary, EffectiveOn: "2024-03-05"})
	// received_on after accepted_on is refused; so is a bad date.
	_, err = fx.svc.Edit(ctx, fx.officer, v.ID, EditInput{Version: v.Version, ReceivedOn: s("2024-03-06")})
	if e := errOf(t, err, errs.KindInvalid); e.Fields["accepted_on"].ZH == "" {
		t.Fatalf("date order on edit: %v", e)
	}
	_, err = fx.svc.Edit(ctx, fx.officer, v.ID, EditInput{Version: v.Version, ReceivedOn: s("2024-02-31")})
	if e := errOf(t, err, errs.KindInvalid); e.Fields["received_on"].ZH == "" {
		t.Fatalf("bad date on edit: %v", e)
	}
	// A real edit: applicants, respondent, dates, flags.
	nv, err := fx.svc.Edit(ctx, fx.officer, v.ID, EditInput{Version: v.Version,
		Applicants:     &[]PartyInput{{Name: "张三", IDNumber: "110117199001015678"}, {Name: "王五"}},
		RespondentName: s(fx.agency2.Name), ReceivedOn: s("2024-02-28"), AcceptedOn: s("2024-03-04"),
		CopySentOn: s("2024-03-06"), HearingHeld: ptrBool(true), Note: s("  已补充  ")})
	must(t, err)
	if nv.Version != v.Version+1 || nv.Applicant != "张三、王五" || nv.RespondentID != fx.agency2.ID || nv.ReceivedOn != "2024-02-28" ||
		*nv.AcceptedOn != "2024-03-04" || *nv.CopySentOn != "2024-03-06" || !nv.HearingHeld || nv.Note != "已补充" || len(nv.Applicants) != 2 {
		t.Fatalf("edited %+v", nv)
	}
	var ev models.CaseEvent
	must(t, fx.db.Read.Where("case_id = ? AND action = 'edit'", v.ID).Take(&ev).Error)
	for _, k := range []string{`"received_on":{"after":"2024-02-28","before":"2024-03-01"}`, `"respondent_id"`, `"1101**********5678"`, `"hearing_held"`} {
		if !strings.Contains(ev.Payload, k) {
			t.Errorf("edit payload lacks %s: %s", k, ev.Payload)
		}
	}
	if strings.Contains(ev.Payload, "110117199001015678") {
		t.Errorf("edit payload holds an unmasked id number")
	}
	var c models.Case
	must(t, fx.db.Read.Take(&c, v.ID).Error)
	if c.EditedInAppAt == nil {
		t.Fatalf("EditedInAppAt not set")
	}
	// Reporter and outsider.
	_, err = fx.svc.Edit(ctx, fx.report, v.ID, EditInput{Version: nv.Version, Note: s("x")})
	errOf(t, err, errs.KindForbidden)
	_, err = fx.svc.Edit(ctx, fx.outside, v.ID, EditInput{Version: nv.Version, Note: s("x")})
	errOf(t, err, errs.KindNotFound)
}

func ptrBool(b bool) *bool { return &b }
