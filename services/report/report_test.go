package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"fuyi/models"
	"fuyi/models/modelstest"
	"fuyi/services/stats"
)

type seedLitigation struct{}

func (seedLitigation) LitigationFigures(ctx context.Context, from, to string, organIDs []int64) (stats.Litigation, error) {
	l := stats.EmptyLitigation()
	if from[:4] != "2022" {
		return l, nil
	}
	l.FirstInstance, l.SecondInstance, l.Retrial, l.Civil, l.AsRespondent = 70, 42, 7, 1, 1
	l.Suggestions = stats.Suggestions{Received: 1, Replied: 1, RepliedOnTime: 1}
	return l, nil
}

// seedDB inserts cases reproducing the seed's 2022 figures (DESIGN §5, §8)
// directly as rows, then rebuilds the rollup.
func seedDB(t *testing.T) (*models.DB, *stats.Service, int64) {
	t.Helper()
	db := modelstest.Open(t)
	organ := models.Organ{Name: "北京市平谷区人民政府", ShortName: "平", CaseNoPattern: "{short}复〔{year}〕{seq}号"}
	if err := db.Write.Create(&organ).Error; err != nil {
		t.Fatal(err)
	}
	var agencies []int64
	for _, name := range []string{"区公安分局", "区市场监管局", "区城管执法局", "=HYPERLINK(\"x\")"} {
		a := models.Agency{OrganID: organ.ID, Name: name}
		if err := db.Write.Create(&a).Error; err != nil {
			t.Fatal(err)
		}
		agencies = append(agencies, a.ID)
	}
	seq := 0
	var rows []models.Case
	add := func(k int, status, outcome, termination string, accepted, closed bool, intake string) {
		for i := 0; i < k; i++ {
			seq++
			day := func(offset int) *string {
				m := 1 + (seq*7)%10 // months 1..10 so 60-day windows stay in 2022
				s := fmt.Sprintf("2022-%02d-%02d", m+offset/28, 1+(seq+offset)%28)
				return &s
			}
			c := models.Case{OrganID: organ.ID, CaseNo: fmt.Sprintf("平政复〔2022〕%d号", seq), Year: 2022, Seq: seq, Status: status,
				Regime: "rl2017", Applicant: "张三丰", ApplicantType: "citizen", RespondentID: agencies[seq%len(agencies)],
				ActType: []string{"penalty", "licensing", "information_disclosure", "nonperformance"}[seq%4],
				Area:    "public_security", Procedure: "ordinary", ReceivedOn: *day(0), Outcome: outcome, Termination: termination}
			if seq == 1 {
				c.Applicant, c.ApplicantType = "=cmd|' /C calc'!A0", "legal_person"
			}
			if accepted {
				c.AcceptedOn = day(3)
			}
			if closed {
				c.ClosedOn = day(40)
			}
			if intake != "" {
				c.IntakeOn = day(4)
			}
			rows = append(rows, c)
		}
	}
	add(91, "closed", "upheld", "", true, true, "")
	add(20, "closed", "revoked", "", true, true, "")
	add(9, "closed", "confirmed_unlawful", "", true, true, "")
	add(17, "closed", "application_dismissed", "", true, true, "")
	add(3, "closed", "ordered_to_perform", "", true, true, "")
	add(30, "closed", "terminated", "withdrawn_after_correction", true, true, "")
	add(5, "closed", "terminated", "withdrawn_after_settlement", true, true, "")
	add(4, "closed", "terminated", "withdrawn_after_mediation", true, true, "")
	add(3, "closed", "terminated", "withdrawn_voluntary", true, true, "")
	add(30, "accepted", "", "", true, false, "") // pending at the end
	add(8, "not_accepted", "", "", false, false, "y")
	add(3, "abandoned", "", "", false, false, "y")
	add(3, "withdrawn_before_acceptance", "", "", false, false, "y")
	add(3, "received", "", "", false, false, "") // under review at year end
	for _, c := range rows {
		c := c
		if c.Status == "received" {
			c.ReceivedOn = "2022-12-29"
		}
		if c.Status == "accepted" {
			c.AcceptedOn = &[]string{"2022-12-05"}[0]
			c.ReceivedOn = "2022-12-01"
		}
		if err := db.Write.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
	}
	st := stats.New(db)
	st.SetLitigation(seedLitigation{})
	if err := st.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, st, organ.ID
}

const seedParagraph = "全年共接收行政复议申请229件，受理行政复议案件212件，作出不予受理决定8件，办结案件182件。" +
	"其中行政复议维持案件91件，撤销20件，终止42件，确认违法9件，驳回复议申请17件，责令履职3件。综合纠错71件，综合纠错率39%。" +
	"行政应诉一审案件70件，二审案件42件，区政府为被申请人复议案件1件，再审案件7件，民事应诉案件1件。办理区政府司法建议回函1件。"

func TestSeedReport(t *testing.T) {
	_, st, organ := seedDB(t)
	ctx := context.Background()
	svc := New(st)
	var out bytes.Buffer
	if err := svc.Render(ctx, &out, "json", 2022, []int64{organ}, "zh"); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Period          map[string]string `json:"period"`
		Reconsideration struct {
			Received, Accepted, NotAccepted, Closed, CarriedOver, PendingEnd int64
			Outcomes                                                         map[string]int64
			Terminations                                                     map[string]int64
			Metrics                                                          map[string]struct {
				Numerator, Denominator int64
				Rate                   *float64
			}
			Balance []stats.Balance
		}
		Litigation map[string]any
	}
	// the JSON keys are snake_case; decode through a generic map for them
	var raw map[string]any
	if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	rc := raw["reconsideration"].(map[string]any)
	wantCounts := map[string]float64{"received": 229, "accepted": 212, "not_accepted": 8, "closed": 182, "carried_over": 0, "pending_end": 30}
	for k, v := range wantCounts {
		if rc[k] != v {
			t.Errorf("%s = %v, want %v", k, rc[k], v)
		}
	}
	wantOutcomes := map[string]float64{"upheld": 91, "varied": 0, "revoked": 20, "confirmed_unlawful": 9, "confirmed_void": 0,
		"ordered_to_perform": 3, "request_rejected": 0, "application_dismissed": 17, "mediated": 0, "terminated": 42}
	oc := rc["outcomes"].(map[string]any)
	if len(oc) != 10 {
		t.Errorf("outcomes has %d codes, want 10", len(oc))
	}
	for k, v := range wantOutcomes {
		if oc[k] != v {
			t.Errorf("outcome %s = %v, want %v", k, oc[k], v)
		}
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	cc := rc["metrics"].(map[string]any)["comprehensive_correction"].(map[string]any)
	if cc["numerator"] != 71.0 || cc["denominator"] != 182.0 || cc["rate"] != 0.3901 {
		t.Errorf("comprehensive_correction = %v", cc)
	}
	dc := rc["metrics"].(map[string]any)["direct_correction"].(map[string]any)
	if dc["numerator"] != 32.0 || dc["rate"] != 0.1758 {
		t.Errorf("direct_correction = %v", dc)
	}
	for _, b := range got.Reconsideration.Balance {
		if !b.OK {
			t.Errorf("seed unbalanced: %+v", b)
		}
	}
	lit := raw["litigation"].(map[string]any)
	if lit["first_instance"] != 70.0 || lit["metrics"].(map[string]any)["loss_rate"].(map[string]any)["rate"] != nil {
		t.Errorf("litigation = %v", lit)
	}

	out.Reset()
	if err := svc.Render(ctx, &out, "md", 2022, []int64{organ}, "zh"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\n"+seedParagraph+"\n") {
		t.Errorf("paragraph:\n%s\nwant:\n%s", out.String(), seedParagraph)
	}
	out.Reset()
	if err := svc.Render(ctx, &out, "md", 2022, []int64{organ}, "en"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"229 applications", "91 upheld, 20 revoked, 42 terminated", "rate of 39%", "70 first-instance"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("English paragraph lacks %q:\n%s", want, out.String())
		}
	}
	// without litigation figures the paragraph ends after the correction rate
	st.SetLitigation(nil)
	out.Reset()
	_ = svc.Render(ctx, &out, "md", 2022, []int64{organ}, "zh")
	if !strings.Contains(out.String(), "综合纠错率39%。\n") || strings.Contains(out.String(), "行政应诉一审") {
		t.Errorf("paragraph without litigation:\n%s", out.String())
	}
}

func TestParagraphOnlyNonZero(t *testing.T) {
	r := &stats.Report{Reconsideration: stats.Reconsideration{Received: 3, Accepted: 2, Closed: 2,
		Outcomes: map[string]int64{"revoked": 1, "mediated": 1}, Metrics: map[string]stats.Metric{}}, Litigation: stats.EmptyLitigation()}
	got := Paragraph(r, "区政府", "zh")
	want := "全年共接收行政复议申请3件，受理行政复议案件2件，作出不予受理决定0件，办结案件2件。其中行政复议撤销案件1件，调解结案1件。"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if g := GovernmentName([]string{"北京市平谷区人民政府"}); g != "区政府" {
		t.Errorf("GovernmentName = %s", g)
	}
}

func TestXLSXAndCSV(t *testing.T) {
	_, st, organ := seedDB(t)
	ctx := context.Background()
	svc := New(st)
	var out bytes.Buffer
	if err := svc.Render(ctx, &out, "xlsx", 2022, []int64{organ}, "zh"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{SheetSummary, SheetOutcomes, SheetRespondent, SheetActType, SheetForm, SheetLitigation, SheetCases}
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("sheets = %v, want %v", got, want)
	}
	find := func(sheet, label string) []string {
		rows, _ := f.GetRows(sheet)
		for _, r := range rows {
			if len(r) > 0 && r[0] == label {
				return r
			}
		}
		t.Errorf("%s: no row %q", sheet, label)
		return make([]string, 30)
	}
	if r := find(SheetSummary, "收件（接收行政复议申请）"); r[1] != "229" {
		t.Errorf("summary received = %v", r)
	}
	if r := find(SheetSummary, "办结"); r[1] != "182" {
		t.Errorf("summary closed = %v", r)
	}
	if r := find(SheetSummary, "综合纠错率"); r[1] != "39.0%" || r[2] != "71/182" {
		t.Errorf("summary comprehensive = %v", r)
	}
	if r := find(SheetSummary, "平衡检查：carry_over"); r[1] != "平衡" {
		t.Errorf("balance row = %v", r)
	}
	if r := find(SheetOutcomes, "合计"); r[3] != "182" || r[4] != "91" {
		t.Errorf("outcomes total = %v", r)
	}
	head, _ := f.GetRows(SheetRespondent)
	if head[0][0] != "被申请人" || head[0][len(head[0])-1] == "" {
		t.Errorf("respondent header = %v", head[0])
	}
	if r := find(SheetRespondent, "'=HYPERLINK(\"x\")"); r[1] == "" {
		t.Errorf("respondent with formula name = %v", r)
	}
	if r := find(SheetForm, "合计"); r[1] != "229" || r[3] != "182" || r[4] != "17" || r[5] != "91" || r[14] != "30" {
		t.Errorf("form total = %v", r)
	}
	if r := find(SheetForm, "未审结（期末）"); r[1] != "30" {
		t.Errorf("form pending = %v", r)
	}
	cases, _ := f.GetRows(SheetCases)
	if len(cases) != 230 || cases[0][0] != "案号" {
		t.Errorf("case list has %d rows, header %v", len(cases), cases[0])
	}
	applicants := map[string]int{}
	for _, r := range cases[1:] {
		applicants[r[1]]++
	}
	if applicants["'=cmd|' /C calc'!A0"] != 1 || applicants["张**"] != 228 {
		t.Errorf("case list applicants %v: want one neutralised formula and 228 masked names", applicants)
	}
	panes, err := f.GetPanes(SheetCases)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("case list panes = %+v, %v", panes, err)
	}
	if w, _ := f.GetColWidth(SheetSummary, "A"); w < 30 {
		t.Errorf("summary width = %v", w)
	}

	out.Reset()
	if err := svc.Render(ctx, &out, "csv", 2022, []int64{organ}, "zh"); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.HasPrefix(s, "\uFEFF案号,") {
		t.Errorf("CSV does not start with BOM + header: %q", s[:20])
	}
	if !strings.Contains(s, "\"'=cmd|' /C calc'!A0\"") && !strings.Contains(s, ",'=cmd|' /C calc'!A0,") {
		t.Errorf("CSV formula not neutralised:\n%s", s[:300])
	}
	if strings.Count(s, "\n") != 230 {
		t.Errorf("CSV lines = %d", strings.Count(s, "\n"))
	}
}
