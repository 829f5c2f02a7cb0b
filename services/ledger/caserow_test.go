package ledger

import (
	"strings"
	"testing"

	"fuyi/services/codes"
)

func caseHeader(t testing.TB, cells ...string) *Header {
	t.Helper()
	h, errs, _ := CaseLayout.Match(1, cells)
	if len(errs) > 0 {
		t.Fatalf("header: %v", errs)
	}
	return h
}

var allZH = []string{"案号", "申请人", "申请人类型", "被申请人", "行政行为类别", "管理领域", "收件日期", "受理情况", "受理日期", "审理程序", "结案日期", "审理结果", "终止原因", "备注"}

func TestParseCaseRowRules(t *testing.T) {
	h := caseHeader(t, allZH...)
	const today = "2025-06-01"
	row := func(cells ...string) Row { return Row{Num: 2, Cells: cells, Header: h} }
	for _, tc := range []struct {
		name      string
		cells     []string
		wantField string // "" = valid
	}{
		{"closed upheld", []string{"", "张三", "公民", "区公安分局", "行政处罚", "公安", "2022-03-05", "受理", "2022-03-10", "普通", "2022-05-01", "维持", "", ""}, ""},
		{"not accepted", []string{"", "张三", "", "区公安分局", "", "", "2022-03-05", "不予受理", "", "", "", "", "", ""}, ""},
		{"pending", []string{"", "张三", "", "区公安分局", "", "", "2022-03-05", "审查中", "", "", "", "", "", ""}, ""},
		{"applicant required", []string{"", "", "", "区公安分局", "", "", "2022-03-05", "受理", "2022-03-06", "", "", "", "", ""}, "applicant"},
		{"respondent required", []string{"", "张三", "", "", "", "", "2022-03-05", "受理", "2022-03-06", "", "", "", "", ""}, "respondent"},
		{"intake required", []string{"", "张三", "", "区公安分局", "", "", "2022-03-05", "", "", "", "", "", "", ""}, "intake"},
		{"unknown act type", []string{"", "张三", "", "区公安分局", "行政魔法", "", "2022-03-05", "审查中", "", "", "", "", "", ""}, "act_type"},
		{"accepted before received", []string{"", "张三", "", "区公安分局", "", "", "2022-03-05", "受理", "2022-03-01", "", "", "", "", ""}, "accepted_on"},
		{"closed before accepted", []string{"", "张三", "", "区公安分局", "", "", "2022-03-05", "受理", "2022-03-06", "", "2022-03-04", "维持", "", ""}, "closed_on"},
		{"outcome without closing date", []string{"", "张三", "", "区公安分局", "", "", "2022-03-05", "受理", "2022-03-06", "", "", "维持", "", ""}, "closed_on"},
		{"closing date without outcome", []string{"", "张三", "", "区公安分局", "", "", "2022-03-05", "受理", "2022-03-06", "", "2022-04-01", "", "", ""}, "outcome"},
		{"termination without 终止 (RL2023 Art. 41)", []string{"", "张三", "", "区公安分局", "", "", "2022-03-05", "受理", "2022-03-06", "", "2022-04-01", "维持", "自愿撤回", ""}, "termination"},
		{"终止 without subtype (RL2023 Art. 41, 74)", []string{"", "张三", "", "区公安分局", "", "", "2022-03-05", "受理", "2022-03-06", "", "2022-04-01", "终止", "", ""}, "termination"},
		{"accepted without date", []string{"", "张三", "", "区公安分局", "", "", "2022-03-05", "受理", "", "", "", "", "", ""}, "accepted_on"},
		{"not accepted with accepted_on", []string{"", "张三", "", "区公安分局", "", "", "2022-03-05", "不予受理", "2022-03-06", "", "", "", "", ""}, "accepted_on"},
		{"withdrawn with closing date", []string{"", "张三", "", "区公安分局", "", "", "2022-03-05", "撤回", "", "", "2022-03-09", "", "", ""}, "closed_on"},
		{"simplified under RL2017 (RL2023 Art. 53 is new)", []string{"", "张三", "", "区公安分局", "", "", "2023-12-31", "受理", "2024-01-02", "简易", "", "", "", ""}, "procedure"},
		{"simplified under RL2023", []string{"", "张三", "", "区公安分局", "", "", "2024-01-02", "受理", "2024-01-03", "简易", "", "", "", ""}, ""},
		{"confirmed void under RL2017 (RL2023 Art. 67 is new)", []string{"", "张三", "", "区公安分局", "", "", "2023-03-05", "受理", "2023-03-06", "", "2023-04-01", "确认无效", "", ""}, "outcome"},
		{"future date", []string{"", "张三", "", "区公安分局", "", "", "2025-06-02", "审查中", "", "", "", "", "", ""}, "received_on"},
		{"impossible date", []string{"", "张三", "", "区公安分局", "", "", "2022-02-30", "审查中", "", "", "", "", "", ""}, "received_on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ps := parseCaseRow(row(tc.cells...), today)
			if tc.wantField == "" {
				if len(ps) > 0 {
					t.Fatalf("unexpected problems: %+v", ps)
				}
				return
			}
			for _, p := range ps {
				if p.Field == tc.wantField && p.Row == 2 && p.ZH != "" && p.EN != "" {
					return
				}
			}
			t.Fatalf("want a problem in %s, got %+v", tc.wantField, ps)
		})
	}
}

func TestOutcomeFlagsAndDefaults(t *testing.T) {
	h := caseHeader(t, allZH...)
	r := Row{Num: 2, Header: h, Cells: []string{"", "甲公司", "法人", "区规自分局", "行政许可", "", "2024-03-05", "受理", "2024-03-06", "", "2024-04-01", "部分撤销并责令重作", "", "'=1+1"}}
	cr, ps := parseCaseRow(r, "2025-01-01")
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if cr.Outcome != "revoked" || !cr.Partial || !cr.Redo || cr.Procedure != "ordinary" || cr.Note != "=1+1" || cr.statusOf() != "decided" {
		t.Fatalf("parsed %+v", cr)
	}
}

// FuzzParseCaseRow: never panics; a row it accepts obeys the ledger's rules.
func FuzzParseCaseRow(f *testing.F) {
	f.Add("\t张三\t公民\t区公安分局\t行政处罚\t公安\t2022-03-05\t受理\t2022/3/10\t普通\t2022年5月1日\t维持\t\t")
	f.Add("平政复〔2022〕1号\t李四\t\t区市场监管局\t\t\t44625\t不予受理\t\t\t\t\t\t备注")
	f.Add("\t王五\t\t区城管委\t\t\t2024.1.5\t受理\t2024.1.6\t简易\t2024.2.1\t终止\t纠正后撤回\t")
	f.Add("\t\t\t\t\t\t\t\t\t\t\t\t\t")
	h := caseHeader(f, allZH...)
	f.Fuzz(func(t *testing.T, line string) {
		cells := strings.Split(line, "\t")
		cr, ps := parseCaseRow(Row{Num: 7, Cells: cells, Header: h}, "2025-06-01")
		for _, p := range ps {
			if p.Row != 7 || p.Column == "" || p.ZH == "" || p.EN == "" {
				t.Fatalf("problem without row/column/reason: %+v", p)
			}
		}
		if len(ps) > 0 {
			return
		}
		if cr.Applicant == "" || cr.Respondent == "" || cr.ReceivedOn == "" || !codes.Intakes.Has(cr.Intake) {
			t.Fatalf("accepted row lacks a required field: %+v", cr)
		}
		if cr.AcceptedOn != "" && cr.AcceptedOn < cr.ReceivedOn || cr.ClosedOn != "" && cr.ClosedOn < cr.AcceptedOn {
			t.Fatalf("dates out of order: %+v", cr)
		}
		if (cr.Outcome == "") != (cr.ClosedOn == "") {
			t.Fatalf("outcome and closing date disagree: %+v", cr)
		}
		if (cr.Termination != "") != (cr.Outcome == "terminated") {
			t.Fatalf("termination without 终止 or vice versa: %+v", cr)
		}
		if cr.Intake != intakeAccepted && (cr.AcceptedOn != "" || cr.ClosedOn != "") {
			t.Fatalf("dates on an application not accepted: %+v", cr)
		}
		if cr.Procedure == "simplified" && cr.ReceivedOn < simplifiedFrom {
			t.Fatalf("simplified procedure under RL2017: %+v", cr)
		}
	})
}

func TestHeaderMatching(t *testing.T) {
	h, errs, warns := CaseLayout.Match(3, []string{"\uFEFFReceived On", "申请人（姓名或名称）", "*被申请人", "受理情况", "经办人", "Intake"})
	if len(errs) != 1 || errs[0].Field != "intake" {
		t.Fatalf("want one duplicate-column error for intake, got %+v", errs)
	}
	if len(warns) != 1 || warns[0].Column != "经办人" || warns[0].Row != 3 {
		t.Fatalf("want a warning for 经办人, got %+v", warns)
	}
	if h.Index["received_on"] != 0 || h.Index["applicant"] != 1 || h.Index["respondent"] != 2 || h.ColumnName("received_on") != "Received On" {
		t.Fatalf("header %+v", h)
	}
	_, errs, _ = CaseLayout.Match(1, []string{"申请人", "被申请人"})
	if len(errs) != 2 {
		t.Fatalf("want received_on and intake missing, got %+v", errs)
	}
}
