package lifecycle

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"fuyi/models"
	"fuyi/services/codes"
	"fuyi/services/errs"
)

// path lists the steps that bring a freshly received RL2023 case (ordinary
// procedure) to each state.
var paths = map[string][]TransitionInput{
	StatusReceived:             nil,
	StatusCorrectionRequested:  {{Action: ActRequestCorrection}},
	StatusAbandoned:            {{Action: ActRequestCorrection}, {Action: ActAbandon}},
	StatusNotAccepted:          {{Action: ActNotAccept, Reason: "超过申请期限"}},
	StatusWithdrawnBeforeAccep: {{Action: ActWithdraw}},
	StatusReferred:             {{Action: ActRefer, Reason: "不属于本机关管辖"}},
	StatusAccepted:             {{Action: ActAccept, Procedure: ProcedureOrdinary}},
	StatusSuspended:            {{Action: ActAccept, Procedure: ProcedureOrdinary}, {Action: ActSuspend, Ground: "other", Reason: "等待鉴定"}},
	StatusDecided:              {{Action: ActAccept, Procedure: ProcedureOrdinary}, {Action: ActDecide, Outcome: "upheld"}},
	StatusMediated:             {{Action: ActAccept, Procedure: ProcedureOrdinary}, {Action: ActMediate}},
	StatusTerminated:           {{Action: ActAccept, Procedure: ProcedureOrdinary}, {Action: ActTerminate, Termination: "withdrawn_voluntary"}},
	StatusServed:               {{Action: ActAccept, Procedure: ProcedureOrdinary}, {Action: ActDecide, Outcome: "upheld"}, {Action: ActServe}},
	StatusClosed:               {{Action: ActAccept, Procedure: ProcedureOrdinary}, {Action: ActDecide, Outcome: "upheld"}, {Action: ActServe}, {Action: ActClose}},
}

// expected is the state machine written out by hand, independently of Table:
// for each state, the actions allowed from it (ordinary procedure, no
// extension yet) and where they lead. Every other (state, action) pair must
// be refused with a 422 naming the state.
var expected = map[string]map[string]string{
	StatusReceived: {
		ActRequestCorrection: StatusCorrectionRequested,  // RL2023 Art. 31(1): correction notice within 5 wd
		ActAccept:            StatusAccepted,             // RL2023 Art. 30(1), 36
		ActNotAccept:         StatusNotAccepted,          // RL2023 Art. 30(2)
		ActWithdraw:          StatusWithdrawnBeforeAccep, // RR2007 Art. 38
		ActRefer:             StatusReferred,             // RL2023 Art. 30(2), 32
	},
	StatusCorrectionRequested: {
		ActReceiveCorrection: StatusReceived,             // RL2023 Art. 31(3): review runs again
		ActAbandon:           StatusAbandoned,            // RL2023 Art. 31(2): 视为放弃
		ActWithdraw:          StatusWithdrawnBeforeAccep, // RR2007 Art. 38
		ActRefer:             StatusReferred,             // RL2023 Art. 30(2)
	},
	StatusAbandoned:            {}, // terminal pre-acceptance disposition (domain §4)
	StatusNotAccepted:          {}, // terminal (RL2023 Art. 30(2))
	StatusWithdrawnBeforeAccep: {}, // terminal
	StatusReferred:             {}, // terminal
	StatusAccepted: {
		ActSuspend:   StatusSuspended,  // RL2023 Art. 39
		ActExtend:    StatusAccepted,   // RL2023 Art. 62(1): ordinary, once, ≤30 days
		ActDecide:    StatusDecided,    // RL2023 Art. 61–69, 33
		ActMediate:   StatusMediated,   // RL2023 Art. 73
		ActTerminate: StatusTerminated, // RL2023 Art. 41
		// convert_procedure: refused, the case is ordinary (RL2023 Art. 55);
		// withdraw: refused, after acceptance a withdrawal is terminate (Art. 41(1)).
	},
	StatusSuspended: {
		ActResume:    StatusAccepted,   // RL2023 Art. 39(2)
		ActExtend:    StatusSuspended,  // RL2023 Art. 62(1)
		ActTerminate: StatusTerminated, // RL2023 Art. 41(5) and others
		// decide: refused, resume first (Art. 39(2)).
	},
	StatusDecided:    {ActServe: StatusServed}, // RL2023 Art. 75: effective on service
	StatusMediated:   {ActServe: StatusServed}, // RL2023 Art. 73, 75
	StatusTerminated: {ActServe: StatusServed}, // RL2023 Art. 41, 75
	StatusServed:     {ActClose: StatusClosed}, // archiving (domain §4)
	StatusClosed:     {},                       // archived
}

// params are valid parameters for every action.
func params(action string) TransitionInput {
	return TransitionInput{Action: action, Procedure: ProcedureOrdinary, Reason: "理由", Ground: "other",
		Days: 10, ApprovedBy: "李科长", Outcome: "upheld", Termination: "withdrawn_voluntary"}
}

// reach creates a case received 2024-03-01 and walks it to state, one day per step.
func (fx *fixture) reach(t *testing.T, state string) *CaseView {
	t.Helper()
	v := fx.create(t, "2024-03-01")
	day := 2
	for _, st := range paths[state] {
		st.EffectiveOn = "2024-03-" + twoDigits(day)
		day++
		v = fx.step(t, v, st)
	}
	if v.Status != state {
		t.Fatalf("reach %s: got %s", state, v.Status)
	}
	return v
}

func twoDigits(n int) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

func TestEveryStateActionPair(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	if len(expected) != len(codes.Statuses) {
		t.Fatalf("expected covers %d states, codes.Statuses has %d", len(expected), len(codes.Statuses))
	}
	for _, st := range codes.Statuses {
		allowedHere := expected[st.Code]
		var wantAllowed []string
		for _, a := range codes.Actions {
			if _, ok := allowedHere[a.Code]; ok {
				wantAllowed = append(wantAllowed, a.Code)
			}
		}
		for _, act := range codes.Actions {
			t.Run(st.Code+"/"+act.Code, func(t *testing.T) {
				v := fx.reach(t, st.Code)
				got := v.AllowedActions
				if !slices.Equal(got, wantAllowed) && !(len(got) == 0 && len(wantAllowed) == 0) {
					t.Fatalf("allowed actions in %s = %v, want %v", st.Code, got, wantAllowed)
				}
				in := params(act.Code)
				in.EffectiveOn, in.Version = "2024-06-01", v.Version
				nv, err := fx.svc.Transition(ctx, fx.officer, v.ID, in)
				target, allowed := allowedHere[act.Code]
				if allowed {
					if err != nil {
						t.Fatalf("%s from %s: want %s, got %v", act.Code, st.Code, target, err)
					}
					if nv.Status != target || nv.Version != v.Version+1 {
						t.Fatalf("%s from %s: got status %s version %d, want %s version %d", act.Code, st.Code, nv.Status, nv.Version, target, v.Version+1)
					}
					var ev models.CaseEvent
					must(t, fx.db.Read.Where("case_id = ?", v.ID).Order("id DESC").Take(&ev).Error)
					if ev.Action != act.Code || ev.FromStatus != st.Code || ev.ToStatus != target || ev.EffectiveOn == nil || *ev.EffectiveOn != "2024-06-01" || ev.ActorID != fx.officer.UserID {
						t.Fatalf("event = %+v", ev)
					}
					var n int64
					must(t, fx.db.Read.Model(&models.CaseVersion{}).Where("case_id = ? AND version = ?", v.ID, nv.Version).Count(&n).Error)
					if n != 1 {
						t.Fatalf("no version snapshot %d", nv.Version)
					}
					return
				}
				e := errOf(t, err, errs.KindRule)
				if e.Details["current_status"] != st.Code {
					t.Fatalf("details current_status = %v, want %s", e.Details["current_status"], st.Code)
				}
				if !strings.Contains(e.Message.ZH, st.ZH) || !strings.Contains(e.Message.ZH, st.Code) || !strings.Contains(e.Message.EN, st.Code) {
					t.Fatalf("message does not name the state %s: %q / %q", st.Code, e.Message.ZH, e.Message.EN)
				}
				if aa, _ := e.Details["allowed_actions"].([]string); !slices.Equal(aa, wantAllowed) && !(len(aa) == 0 && len(wantAllowed) == 0) {
					t.Fatalf("details allowed_actions = %v, want %v", aa, wantAllowed)
				}
				for _, a := range wantAllowed {
					if !strings.Contains(e.Message.EN, a) {
						t.Fatalf("message does not list allowed action %s: %q", a, e.Message.EN)
					}
				}
				cur, err := fx.svc.Get(ctx, fx.officer, v.ID)
				must(t, err)
				if cur.Status != st.Code || cur.Version != v.Version {
					t.Fatalf("refused action changed the case: %s v%d", cur.Status, cur.Version)
				}
			})
		}
	}
}

func TestTableRowsCiteArticlesAndCoverActions(t *testing.T) {
	if len(Table) != len(codes.Actions) {
		t.Fatalf("Table has %d rows, codes.Actions %d", len(Table), len(codes.Actions))
	}
	for _, a := range codes.Actions {
		row, ok := Lookup(a.Code)
		if !ok {
			t.Fatalf("no row for %s", a.Code)
		}
		if row.Article == "" || row.Apply == nil {
			t.Errorf("%s: article or apply missing", a.Code)
		}
		for _, f := range row.From {
			if !codes.Statuses.Has(f) {
				t.Errorf("%s: unknown from state %s", a.Code, f)
			}
		}
		if row.To != "" && !codes.Statuses.Has(row.To) {
			t.Errorf("%s: unknown target %s", a.Code, row.To)
		}
	}
}

func TestSimplifiedProcedureConversion(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	v := fx.create(t, "2024-03-01")
	v = fx.step(t, v, TransitionInput{Action: ActAccept, Procedure: ProcedureSimplified, EffectiveOn: "2024-03-04"})
	if !slices.Contains(v.AllowedActions, ActConvertProcedure) || slices.Contains(v.AllowedActions, ActExtend) {
		t.Fatalf("simplified case allowed = %v", v.AllowedActions)
	}
	// RL2023 Art. 62(2): no extension in the simplified procedure.
	_, err := fx.svc.Transition(ctx, fx.officer, v.ID, TransitionInput{Action: ActExtend, Days: 10, ApprovedBy: "李", EffectiveOn: "2024-03-05", Version: v.Version})
	if e := errOf(t, err, errs.KindRule); e.Code != "extension_not_allowed" || e.Details["current_status"] != StatusAccepted {
		t.Fatalf("extend simplified: %v", e)
	}
	// RL2023 Art. 55: conversion needs the head's approval.
	_, err = fx.svc.Transition(ctx, fx.officer, v.ID, TransitionInput{Action: ActConvertProcedure, EffectiveOn: "2024-03-05", Version: v.Version})
	if e := errOf(t, err, errs.KindInvalid); e.Fields["approved_by"].ZH == "" {
		t.Fatalf("convert without approval: %v", e)
	}
	v = fx.step(t, v, TransitionInput{Action: ActConvertProcedure, ApprovedBy: "李科长", EffectiveOn: "2024-03-05"})
	if v.Procedure != ProcedureOrdinary || v.Status != StatusAccepted || !slices.Contains(v.AllowedActions, ActExtend) {
		t.Fatalf("after conversion: %s %s %v", v.Procedure, v.Status, v.AllowedActions)
	}
	v = fx.step(t, v, TransitionInput{Action: ActExtend, Days: 30, ApprovedBy: "李科长", EffectiveOn: "2024-03-06"})
	if v.ExtensionDays != 30 || v.ExtendedBy != "李科长" {
		t.Fatalf("extension not recorded: %d %q", v.ExtensionDays, v.ExtendedBy)
	}
	// The payload records the parameters and the article.
	evs, err := fx.svc.Events(ctx, fx.officer, v.ID)
	must(t, err)
	var payload map[string]any
	must(t, json.Unmarshal(evs[len(evs)-1].Payload, &payload))
	if payload["days"] != float64(30) || payload["approved_by"] != "李科长" || !strings.Contains(payload["article"].(string), "Art. 62") {
		t.Fatalf("extend payload = %v", payload)
	}
}
