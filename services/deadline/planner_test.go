package deadline

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"fuyi/services/calendar"
)

func dp(s string) *calendar.Date { x := d(s); return &x }

type want struct {
	kind   Kind
	ref    string
	status Status
	due    string // "" = no due date
}

func planner() *Planner { return NewPlanner(DefaultRules(), calendar.Default()) }

func checkPlan(t *testing.T, got []Deadline, wants []want) {
	t.Helper()
	index := map[string]Deadline{}
	for _, g := range got {
		index[string(g.Kind)+g.Ref] = g
	}
	for _, w := range wants {
		g, ok := index[string(w.kind)+w.ref]
		if !ok {
			t.Errorf("%s%s: missing", w.kind, w.ref)
			continue
		}
		due := ""
		if g.DueOn != nil {
			due = g.DueOn.String()
		}
		if g.Status != w.status || due != w.due {
			t.Errorf("%s%s: got %s due %q, want %s due %q\n  %s\n  %s", w.kind, w.ref, g.Status, due, w.status, w.due, g.ExplanationEN, g.ExplanationZH)
		}
		if g.ExplanationZH == "" || g.ExplanationEN == "" {
			t.Errorf("%s%s: no explanation", w.kind, w.ref)
		}
		if g.Status != NotApplicable && g.ArticleZH == "" {
			t.Errorf("%s%s: no article", w.kind, w.ref)
		}
		delete(index, string(w.kind)+w.ref)
	}
	for k, g := range index {
		t.Errorf("unexpected deadline %s: %s due %v (%s)", k, g.Status, g.DueOn, g.ExplanationEN)
	}
}

func TestReconsiderationPlan(t *testing.T) {
	tests := []struct {
		article string
		name    string
		facts   Facts
		today   string
		want    []want
	}{
		{
			article: "RL2023 Art. 30, 31, 48, 62(1)",
			name:    "ordinary case, all on time",
			facts: Facts{ReceivedOn: d("2024-02-08"), AcceptedOn: dp("2024-02-20"), CopySentOn: dp("2024-02-22"),
				CopyReceivedOn: dp("2024-02-23"), ReplyReceivedOn: dp("2024-03-05"), DecidedOn: dp("2024-04-15")},
			today: "2024-05-01",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2024-02-21"},
				{AcceptanceReview, "", Met, "2024-02-21"},
				{RespondentCopy, "", Met, "2024-02-29"},
				{RespondentReply, "", Met, "2024-03-08"},
				{Decision, "", Met, "2024-04-22"},
			},
		},
		{
			article: "RL2023 Art. 48, 62(1)",
			name:    "reply late, decision open",
			facts: Facts{ReceivedOn: d("2024-02-08"), AcceptedOn: dp("2024-02-20"), CopySentOn: dp("2024-02-22"),
				ReplyReceivedOn: dp("2024-03-20")},
			today: "2024-03-25",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2024-02-21"},
				{AcceptanceReview, "", Met, "2024-02-21"},
				{RespondentCopy, "", Met, "2024-02-29"},
				{RespondentReply, "", Missed, "2024-03-07"}, // counted from the date sent: receipt unknown
				{Decision, "", Open, "2024-04-22"},
			},
		},
		{
			article: "RL2023 Art. 39, 62(1)",
			name:    "suspension of 10 days moves the decision due date",
			facts: Facts{ReceivedOn: d("2024-02-08"), AcceptedOn: dp("2024-02-20"),
				Suspensions: []Suspension{{From: d("2024-03-10"), To: dp("2024-03-20"), Ground: MediationSettlement}}},
			today: "2024-04-25",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2024-02-21"},
				{AcceptanceReview, "", Met, "2024-02-21"},
				{RespondentCopy, "", Missed, "2024-02-29"},
				{Decision, "", Open, "2024-04-30"},
			},
		},
		{
			article: "RL2023 Art. 39",
			name:    "open suspension pauses the decision",
			facts: Facts{ReceivedOn: d("2024-02-08"), AcceptedOn: dp("2024-02-20"), CopySentOn: dp("2024-02-22"),
				CopyReceivedOn: dp("2024-02-23"), ReplyReceivedOn: dp("2024-03-05"),
				Suspensions: []Suspension{{From: d("2024-03-10"), Ground: OtherCasePending}}},
			today: "2024-06-01",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2024-02-21"},
				{AcceptanceReview, "", Met, "2024-02-21"},
				{RespondentCopy, "", Met, "2024-02-29"},
				{RespondentReply, "", Met, "2024-03-08"},
				{Decision, "", Paused, ""},
			},
		},
		{
			article: "RL2023 Art. 41(5)",
			name:    "suspension for death lapses after 60 days: terminate",
			facts: Facts{ReceivedOn: d("2024-02-08"), AcceptedOn: dp("2024-02-20"), CopySentOn: dp("2024-02-22"),
				Suspensions: []Suspension{{From: d("2024-03-10"), Ground: PartyDied}}},
			today: "2024-05-20",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2024-02-21"},
				{AcceptanceReview, "", Met, "2024-02-21"},
				{RespondentCopy, "", Met, "2024-02-29"},
				{RespondentReply, "", Missed, "2024-03-07"},
				{SuspensionLapse, "suspension#1", Missed, "2024-05-09"},
				{Decision, "", Paused, ""},
			},
		},
		{
			article: "RL2023 Art. 41(5)",
			name:    "suspension for death resumed in time; a second one ignored by the lapse rule (mediation)",
			facts: Facts{ReceivedOn: d("2024-02-08"), AcceptedOn: dp("2024-02-20"), CopySentOn: dp("2024-02-22"),
				Suspensions: []Suspension{
					{From: d("2024-03-10"), To: dp("2024-04-01"), Ground: PartyDied},
					{From: d("2024-04-05"), To: dp("2024-04-15"), Ground: MediationSettlement},
				}},
			today: "2024-04-16",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2024-02-21"},
				{AcceptanceReview, "", Met, "2024-02-21"},
				{RespondentCopy, "", Met, "2024-02-29"},
				{RespondentReply, "", Missed, "2024-03-07"},
				{SuspensionLapse, "suspension#1", Met, "2024-05-09"},
				{Decision, "", Open, "2024-05-22"}, // 04-20 + 22 + 10 = 05-22
			},
		},
		{
			article: "RL2023 Art. 62(1)",
			name:    "extension of 30 days plus 10 suspended",
			facts: Facts{ReceivedOn: d("2024-02-08"), AcceptedOn: dp("2024-02-20"), CopySentOn: dp("2024-02-22"),
				CopyReceivedOn: dp("2024-02-23"), ReplyReceivedOn: dp("2024-03-05"), ExtensionDays: 30,
				Suspensions: []Suspension{{From: d("2024-03-10"), To: dp("2024-03-20"), Ground: ForceMajeure}},
				DecidedOn:   dp("2024-05-29")},
			today: "2024-06-01",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2024-02-21"},
				{AcceptanceReview, "", Met, "2024-02-21"},
				{RespondentCopy, "", Met, "2024-02-29"},
				{RespondentReply, "", Met, "2024-03-08"},
				{Decision, "", Met, "2024-05-30"},
			},
		},
		{
			article: "RL2023 Art. 31(2)(3), 30(3)",
			name:    "补正 restarts the review; no decision: deemed accepted at its end",
			facts: Facts{ReceivedOn: d("2024-02-08"), CorrectionNoticeOn: dp("2024-02-09"),
				CorrectionNoticeReceivedOn: dp("2024-02-19"), CorrectionReceivedOn: dp("2024-03-01")},
			today: "2024-03-11",
			want: []want{
				{CorrectionNotice, "", Met, "2024-02-21"},
				{CorrectionReply, "", Met, "2024-03-04"},
				{AcceptanceReview, "", Missed, "2024-03-08"},
				{RespondentCopy, "", Open, "2024-03-19"},
				{Decision, "", Open, "2024-05-07"},
			},
		},
		{
			article: "RL2023 Art. 31(2)(3)",
			name:    "awaiting corrected materials: review paused",
			facts: Facts{ReceivedOn: d("2024-02-08"), CorrectionNoticeOn: dp("2024-02-09"),
				CorrectionNoticeReceivedOn: dp("2024-02-19")},
			today: "2024-02-25",
			want: []want{
				{CorrectionNotice, "", Met, "2024-02-21"},
				{CorrectionReply, "", Open, "2024-03-04"},
				{AcceptanceReview, "", Paused, ""},
			},
		},
		{
			article: "RL2023 Art. 31(2)",
			name:    "correction period extended by 5 days",
			facts: Facts{ReceivedOn: d("2024-02-08"), CorrectionNoticeOn: dp("2024-02-09"),
				CorrectionNoticeReceivedOn: dp("2024-02-19"), CorrectionExtensionDays: 5},
			today: "2024-03-12",
			want: []want{
				{CorrectionNotice, "", Met, "2024-02-21"},
				{CorrectionReply, "", Missed, "2024-03-11"},
				{AcceptanceReview, "", Paused, ""},
			},
		},
		{
			article: "RL2023 Art. 30(3)",
			name:    "late explicit acceptance: clock runs from the deemed date",
			facts:   Facts{ReceivedOn: d("2024-02-08"), AcceptedOn: dp("2024-02-26")},
			today:   "2024-02-27",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2024-02-21"},
				{AcceptanceReview, "", Missed, "2024-02-21"},
				{RespondentCopy, "", Open, "2024-03-01"},
				{Decision, "", Open, "2024-04-22"},
			},
		},
		{
			article: "RL2023 Art. 30(2)",
			name:    "不予受理 in time ends the plan",
			facts:   Facts{ReceivedOn: d("2024-02-08"), RejectedOn: dp("2024-02-20")},
			today:   "2024-03-01",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2024-02-21"},
				{AcceptanceReview, "", Met, "2024-02-21"},
			},
		},
		{
			article: "RL2023 Art. 30",
			name:    "review still running: nothing after acceptance yet",
			facts:   Facts{ReceivedOn: d("2024-02-08")},
			today:   "2024-02-19",
			want: []want{
				{CorrectionNotice, "", Open, "2024-02-21"},
				{AcceptanceReview, "", Open, "2024-02-21"},
			},
		},
		{
			article: "RL2017 Art. 17(2), 23, 31",
			name:    "old law: deemed accepted from receipt; 10 reply days are calendar days",
			facts:   Facts{ReceivedOn: d("2023-03-01"), CopySentOn: dp("2023-03-06"), CopyReceivedOn: dp("2023-03-07")},
			today:   "2023-03-20",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2023-03-08"},
				{AcceptanceReview, "", Missed, "2023-03-08"},
				{RespondentCopy, "", Met, "2023-03-10"},
				{RespondentReply, "", Missed, "2023-03-17"},
				{Decision, "", Open, "2023-05-04"},
			},
		},
		{
			article: "RL2017 Art. 23",
			name:    "old law reply ends on make-up Saturday 2023-10-07 after the holiday",
			facts: Facts{ReceivedOn: d("2023-09-01"), AcceptedOn: dp("2023-09-01"), CopySentOn: dp("2023-09-19"),
				CopyReceivedOn: dp("2023-09-20"), ReplyReceivedOn: dp("2023-10-07")},
			today: "2023-10-08",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2023-09-08"},
				{AcceptanceReview, "", Met, "2023-09-08"},
				{RespondentCopy, "", Missed, "2023-09-12"},
				{RespondentReply, "", Met, "2023-10-07"},
				{Decision, "", Open, "2023-10-31"},
			},
		},
		{
			article: "RR2007 Art. 29",
			name:    "old law 补正: period set in the notice; decision from corrected materials",
			facts: Facts{ReceivedOn: d("2023-03-01"), CorrectionNoticeOn: dp("2023-03-03"), CorrectionDays: 15,
				CorrectionReceivedOn: dp("2023-03-15"), AcceptedOn: dp("2023-03-16")},
			today: "2023-03-20",
			want: []want{
				{CorrectionNotice, "", Met, "2023-03-08"},
				{CorrectionReply, "", Met, "2023-03-20"},
				{AcceptanceReview, "", Met, "2023-03-22"},
				{RespondentCopy, "", Open, "2023-03-24"},
				{Decision, "", Open, "2023-05-15"},
			},
		},
		{
			article: "RR2007 Art. 29",
			name:    "old law 补正 default 10 calendar days, corrections late",
			facts: Facts{ReceivedOn: d("2023-03-01"), CorrectionNoticeOn: dp("2023-03-03"),
				CorrectionReceivedOn: dp("2023-03-15")},
			today: "2023-03-16",
			want: []want{
				{CorrectionNotice, "", Met, "2023-03-08"},
				{CorrectionReply, "", Missed, "2023-03-13"},
				{AcceptanceReview, "", Open, "2023-03-22"}, // copy and decision start once the review ends unrejected
			},
		},
		{
			article: "RL2023 Art. 54, 62(2)",
			name:    "simplified procedure: 3 + 5 working days, decision in 30",
			facts: Facts{ReceivedOn: d("2024-05-29"), Procedure: Simplified, AcceptedOn: dp("2024-06-03"),
				CopySentOn: dp("2024-06-05"), CopyReceivedOn: dp("2024-06-06")},
			today: "2024-06-12",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2024-06-05"},
				{AcceptanceReview, "", Met, "2024-06-05"},
				{RespondentCopy, "", Met, "2024-06-06"},
				{RespondentReply, "", Open, "2024-06-14"},
				{Decision, "", Open, "2024-07-03"},
			},
		},
		{
			article: "RL2023 Art. 51",
			name:    "hearing notice sent a day late",
			facts: Facts{ReceivedOn: d("2024-08-01"), AcceptedOn: dp("2024-08-02"), CopySentOn: dp("2024-08-05"),
				CopyReceivedOn: dp("2024-08-05"), ReplyReceivedOn: dp("2024-08-12"),
				HearingOn: dp("2024-10-14"), HearingNoticeOn: dp("2024-10-09")},
			today: "2024-10-10",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2024-08-08"},
				{AcceptanceReview, "", Met, "2024-08-08"},
				{RespondentCopy, "", Met, "2024-08-13"},
				{RespondentReply, "", Met, "2024-08-19"},
				{HearingNotice, "", Missed, "2024-10-08"},
				{Decision, "", Missed, "2024-10-08"},
			},
		},
		{
			article: "RL2017 (no hearing-notice period)",
			name:    "hearing under the old law",
			facts: Facts{ReceivedOn: d("2023-08-01"), CopySentOn: dp("2023-08-03"), CopyReceivedOn: dp("2023-08-03"),
				ReplyReceivedOn: dp("2023-08-10"), HearingOn: dp("2023-09-04")},
			today: "2023-08-20",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2023-08-08"},
				{AcceptanceReview, "", Missed, "2023-08-08"},
				{RespondentCopy, "", Met, "2023-08-10"},
				{RespondentReply, "", Met, "2023-08-14"},
				{HearingNotice, "", NotApplicable, ""},
				{Decision, "", Open, "2023-10-07"}, // 09-30 → make-up Saturday 10-07
			},
		},
		{
			article: "RL2023 Art. 56, 58",
			name:    "normative document handled by the body; drafter notified and replies",
			facts: Facts{ReceivedOn: d("2024-02-26"), AcceptedOn: dp("2024-02-29"), CopySentOn: dp("2024-03-01"),
				CopyReceivedOn: dp("2024-03-01"), ReplyReceivedOn: dp("2024-03-08"),
				Suspensions: []Suspension{{From: d("2024-03-01"), To: dp("2024-03-25"), Ground: NormativeReview}},
				NormativeReview: &NormativeReviewFacts{RequestedOn: d("2024-03-01"), Competent: true, HandledOn: dp("2024-03-25"),
					DrafterNoticeOn: dp("2024-03-05"), DrafterNoticeReceivedOn: dp("2024-03-06")}},
			today: "2024-03-26",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2024-03-04"},
				{AcceptanceReview, "", Met, "2024-03-04"},
				{RespondentCopy, "", Met, "2024-03-11"},
				{RespondentReply, "", Met, "2024-03-15"},
				{NormativeReviewHandle, "", Met, "2024-04-01"},
				{DrafterNotice, "", Met, "2024-03-06"},
				{DrafterReply, "", Missed, "2024-03-20"},
				{Decision, "", Open, "2024-05-23"}, // 04-29 + 24 days suspended
			},
		},
		{
			article: "RL2023 Art. 57, 60",
			name:    "normative document forwarded; reply due on make-up Saturday 2024-05-11",
			facts: Facts{ReceivedOn: d("2024-02-26"), AcceptedOn: dp("2024-02-29"), CopySentOn: dp("2024-03-01"),
				CopyReceivedOn: dp("2024-03-01"), ReplyReceivedOn: dp("2024-03-08"),
				NormativeReview: &NormativeReviewFacts{RequestedOn: d("2024-03-01"), ForwardedOn: dp("2024-03-11"),
					ForwardReceivedOn: dp("2024-03-12")}},
			today: "2024-04-01",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2024-03-04"},
				{AcceptanceReview, "", Met, "2024-03-04"},
				{RespondentCopy, "", Met, "2024-03-11"},
				{RespondentReply, "", Met, "2024-03-15"},
				{NormativeReviewForward, "", Met, "2024-03-12"},
				{ForwardedReviewReply, "", Open, "2024-05-11"},
				{Decision, "", Open, "2024-04-29"},
			},
		},
		{
			article: "RL2023 Art. 76",
			name:    "opinion letter feedback rolls over National Day 2024",
			facts: Facts{ReceivedOn: d("2024-03-01"), AcceptedOn: dp("2024-03-01"), CopySentOn: dp("2024-03-04"),
				CopyReceivedOn: dp("2024-03-04"), ReplyReceivedOn: dp("2024-03-11"), DecidedOn: dp("2024-04-20"),
				OpinionLetters: []OpinionLetter{{IssuedOn: d("2024-07-30"), ReceivedOn: dp("2024-08-02")}, {IssuedOn: d("2024-08-01"), RepliedOn: dp("2024-09-01")}}},
			today: "2024-09-02",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2024-03-08"},
				{AcceptanceReview, "", Met, "2024-03-08"},
				{RespondentCopy, "", Met, "2024-03-12"},
				{RespondentReply, "", Met, "2024-03-18"},
				{Decision, "", Met, "2024-04-30"},
				{OpinionFeedback, "opinion#1", Open, "2024-10-08"},
				{OpinionFeedback, "opinion#2", Met, "2024-09-30"},
			},
		},
		{
			article: "RL2023 Art. 74 (withdrawal)",
			name:    "case closed by withdrawal: open deadlines not applicable",
			facts: Facts{ReceivedOn: d("2024-02-08"), AcceptedOn: dp("2024-02-20"), CopySentOn: dp("2024-02-22"),
				ClosedOn: dp("2024-03-01")},
			today: "2024-06-01",
			want: []want{
				{CorrectionNotice, "", NotApplicable, "2024-02-21"},
				{AcceptanceReview, "", Met, "2024-02-21"},
				{RespondentCopy, "", Met, "2024-02-29"},
				{RespondentReply, "", NotApplicable, "2024-03-07"},
				{Decision, "", NotApplicable, "2024-04-22"},
			},
		},
		{
			article: "RL2023 Art. 30 + calendar notice for 2027",
			name:    "received at the end of 2026: calendar missing, not guessed",
			facts:   Facts{ReceivedOn: d("2026-12-28")},
			today:   "2026-12-30",
			want: []want{
				{CorrectionNotice, "", CalendarMissing, ""},
				{AcceptanceReview, "", CalendarMissing, ""},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.article+"/"+tt.name, func(t *testing.T) {
			got, err := planner().Reconsideration(tt.facts, d(tt.today))
			if err != nil {
				t.Fatal(err)
			}
			checkPlan(t, got, tt.want)
		})
	}
}

// RL2023 Art. 62(1) with Art. 39: the decision period moves by To − From for
// each suspension (the suspension day is not counted, the resumption day is).
func TestDecisionSuspensionArithmetic(t *testing.T) {
	base := Facts{ReceivedOn: d("2024-02-08"), AcceptedOn: dp("2024-02-20")} // nominal end 04-20 (Sat) → 04-22
	tests := []struct {
		name string
		susp []Suspension
		want string
	}{
		{"none", nil, "2024-04-22"},
		{"same-day suspension and resumption adds nothing", []Suspension{{From: d("2024-03-10"), To: dp("2024-03-10")}}, "2024-04-22"},
		{"one day", []Suspension{{From: d("2024-03-10"), To: dp("2024-03-11")}}, "2024-04-22"}, // 04-21 Sun → 04-22
		{"two days", []Suspension{{From: d("2024-03-10"), To: dp("2024-03-12")}}, "2024-04-22"},
		{"three days", []Suspension{{From: d("2024-03-10"), To: dp("2024-03-13")}}, "2024-04-23"},
		{"overlapping suspensions merge", []Suspension{
			{From: d("2024-03-10"), To: dp("2024-03-20")}, {From: d("2024-03-15"), To: dp("2024-03-25")}}, "2024-05-06"}, // 04-20+15 = 05-05 (Labour Day) → 05-06
		{"suspension after the period ran out is ignored", []Suspension{{From: d("2024-04-25"), To: dp("2024-05-10")}}, "2024-04-22"},
		{"suspension before acceptance is clipped", []Suspension{{From: d("2024-02-10"), To: dp("2024-02-25")}}, "2024-04-25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base
			f.Suspensions = tt.susp
			got, err := planner().Reconsideration(f, d("2024-03-01"))
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range got {
				if g.Kind == Decision {
					if g.DueOn == nil || g.DueOn.String() != tt.want {
						t.Errorf("RL2023 Art. 62(1): due %v, want %s (%s)", g.DueOn, tt.want, g.ExplanationEN)
					}
					return
				}
			}
			t.Fatal("no decision deadline")
		})
	}
}

func TestPausedExplanation(t *testing.T) {
	f := Facts{ReceivedOn: d("2024-02-08"), AcceptedOn: dp("2024-02-20"),
		Suspensions: []Suspension{{From: d("2024-03-10"), Ground: OtherCasePending}}}
	got, _ := planner().Reconsideration(f, d("2024-03-15"))
	for _, g := range got {
		if g.Kind == Decision {
			// RL2023 Art. 39: 04-20 − 03-10 = 41 days of the period left.
			if g.Status != Paused || !strings.Contains(g.ExplanationEN, "41 days") || !strings.Contains(g.ExplanationZH, "剩余41日") {
				t.Errorf("%s: %s / %s", g.Status, g.ExplanationEN, g.ExplanationZH)
			}
		}
	}
}

func TestDeemedAcceptanceDate(t *testing.T) {
	p := planner()
	tests := []struct {
		article string
		facts   Facts
		want    string // "" = not deemed
	}{
		{"RL2023 Art. 30(3)", Facts{ReceivedOn: d("2024-02-08")}, "2024-02-21"},
		{"RL2023 Art. 30(3), 31(3)", Facts{ReceivedOn: d("2024-02-08"), CorrectionNoticeOn: dp("2024-02-09"), CorrectionReceivedOn: dp("2024-03-01")}, "2024-03-08"},
		{"RL2023 Art. 31(3): corrections pending", Facts{ReceivedOn: d("2024-02-08"), CorrectionNoticeOn: dp("2024-02-09")}, ""},
		{"RL2023 Art. 30(2): rejected", Facts{ReceivedOn: d("2024-02-08"), RejectedOn: dp("2024-02-20")}, ""},
		{"RL2017 Art. 17(2)", Facts{ReceivedOn: d("2023-03-01")}, "2023-03-01"},
		{"RL2017 Art. 17(2); RR2007 Art. 29", Facts{ReceivedOn: d("2023-03-01"), CorrectionNoticeOn: dp("2023-03-03"), CorrectionReceivedOn: dp("2023-03-15")}, "2023-03-15"},
	}
	for _, tt := range tests {
		t.Run(tt.article, func(t *testing.T) {
			got, ok, err := p.DeemedAcceptanceDate(tt.facts)
			if err != nil {
				t.Fatal(err)
			}
			if (tt.want == "") == ok || (ok && got.String() != tt.want) {
				t.Errorf("%s: got %s %v, want %q", tt.article, got, ok, tt.want)
			}
		})
	}
	_, _, err := p.DeemedAcceptanceDate(Facts{ReceivedOn: d("2026-12-28")})
	if !errors.Is(err, calendar.ErrCalendarMissing) {
		t.Errorf("2026-12-28: err = %v, want ErrCalendarMissing", err)
	}
}

func TestInvalidFacts(t *testing.T) {
	tests := []struct {
		article string
		facts   Facts
	}{
		{"RL2017: no simplified procedure", Facts{ReceivedOn: d("2023-03-01"), Procedure: Simplified}},
		{"RL2023 Art. 62(1): extension ≤ 30", Facts{ReceivedOn: d("2024-02-08"), AcceptedOn: dp("2024-02-20"), ExtensionDays: 31}},
		{"RL2023 Art. 62(2): simplified not extendable", Facts{ReceivedOn: d("2024-02-08"), Procedure: Simplified, AcceptedOn: dp("2024-02-20"), ExtensionDays: 5}},
		{"RL2023 Art. 39: resumption before suspension", Facts{ReceivedOn: d("2024-02-08"), Suspensions: []Suspension{{From: d("2024-03-10"), To: dp("2024-03-01")}}}},
		{"received_on required", Facts{}},
		{"RR2007 Art. 29: old-law correction period not extendable", Facts{ReceivedOn: d("2023-03-01"), CorrectionNoticeOn: dp("2023-03-03"), CorrectionExtensionDays: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.article, func(t *testing.T) {
			_, err := planner().Reconsideration(tt.facts, d("2024-03-01"))
			if !errors.Is(err, ErrInvalidFacts) {
				t.Errorf("err = %v, want ErrInvalidFacts", err)
			}
		})
	}
}

func TestLitigationPlan(t *testing.T) {
	tests := []struct {
		article string
		facts   LitigationFacts
		today   string
		want    []want
	}{
		{"ALL Art. 67", LitigationFacts{ComplaintReceivedOn: dp("2024-09-20")}, "2024-10-01",
			[]want{{Defence, "", Open, "2024-10-08"}}},
		{"ALL Art. 67", LitigationFacts{ComplaintReceivedOn: dp("2024-09-20"), DefenceFiledOn: dp("2024-10-09")}, "2024-10-10",
			[]want{{Defence, "", Missed, "2024-10-08"}}},
		{"ALL Art. 85 (judgment)", LitigationFacts{JudgmentServedOn: dp("2025-09-23"), JudgmentAppealedOn: dp("2025-10-09")}, "2025-10-10",
			[]want{{AppealJudgment, "", Met, "2025-10-09"}}},
		{"ALL Art. 85 (ruling, make-up Saturday)", LitigationFacts{RulingServedOn: dp("2025-10-01")}, "2025-10-20",
			[]want{{AppealRuling, "", NotApplicable, "2025-10-11"}}},
		{"ALL-Interp Art. 108", LitigationFacts{AppealCopyReceivedOn: dp("2024-12-20")}, "2024-12-30",
			[]want{{AppealAnswer, "", Open, "2025-01-06"}}},
		{"ALL-Interp Art. 149 / 法释〔2023〕11号 Art. 8", LitigationFacts{Suggestions: []Suggestion{
			{Kind: Judicial, ReceivedOn: d("2024-03-01")},
			{Kind: Judicial, ReceivedOn: d("2024-03-01"), DueOn: dp("2024-04-15"), RepliedOn: dp("2024-04-16")},
		}}, "2024-04-20",
			[]want{{SuggestionReply, "suggestion#1", Open, "2024-04-30"}, {SuggestionReply, "suggestion#2", Missed, "2024-04-15"}}},
		{"SPC/SPP Public-Interest Interp. Art. 21", LitigationFacts{Suggestions: []Suggestion{
			{Kind: Procuratorial, ReceivedOn: d("2024-08-01")},
			{Kind: Procuratorial, Urgent: true, ReceivedOn: d("2024-09-16"), RepliedOn: dp("2024-09-30")},
		}}, "2024-10-02",
			[]want{{ProcuratorialReply, "suggestion#1", Open, "2024-10-08"}, {ProcuratorialReplyUrgent, "suggestion#2", Met, "2024-10-08"}}},
	}
	for _, tt := range tests {
		t.Run(tt.article, func(t *testing.T) {
			got, err := planner().Litigation(tt.facts, d(tt.today))
			if err != nil {
				t.Fatal(err)
			}
			checkPlan(t, got, tt.want)
		})
	}
	if _, err := planner().Litigation(LitigationFacts{Suggestions: []Suggestion{{Kind: "oracle", ReceivedOn: d("2024-01-02")}}}, d("2024-01-03")); !errors.Is(err, ErrInvalidFacts) {
		t.Errorf("unknown suggestion kind: %v", err)
	}
}

func ExampleResult_Explain() {
	r, _ := ComputePeriod(calendar.Default(), Period{Start: calendar.MustParseDate("2024-02-08"), Length: 5, Unit: Working, Event: "received"})
	fmt.Println(r.Explain("zh"))
	fmt.Println(r.Explain("en"))
	// Output:
	// 2024-02-08 收件，5个工作日（跳过2月10日至17日春节假期，2月18日调休上班）→ 2024-02-21
	// received 2024-02-08 + 5 working days (skipping 2024-02-10..17 Spring Festival, counting make-up working day 2024-02-18) = 2024-02-21
}

// A decision made within the period counts as met even when the year the due
// date falls in has no calendar yet (RL2023 Art. 62(1): 60 days from acceptance).
func TestDoneBeforeEarliestDueIsMetWithoutCalendar(t *testing.T) {
	p := NewPlanner(DefaultRules(), calendar.Default())
	accepted := calendar.MustParseDate("2026-11-23")
	decided := calendar.MustParseDate("2026-11-25")
	ds, err := p.Reconsideration(Facts{Regime: RL2023, Procedure: "ordinary", ReceivedOn: calendar.MustParseDate("2026-11-20"),
		AcceptedOn: &accepted, DecidedOn: &decided}, calendar.MustParseDate("2026-11-28"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Kind == Decision {
			if d.Status != Met || d.MissingYear != 2027 {
				t.Fatalf("decision: status %s, missing year %d; want met despite the missing 2027 calendar", d.Status, d.MissingYear)
			}
			return
		}
	}
	t.Fatal("no decision deadline")
}
