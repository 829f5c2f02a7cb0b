package lifecycle

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/errs"
	"fuyi/services/sheet"
)

func ids(items []CaseView) []int64 {
	out := make([]int64, len(items))
	for i, v := range items {
		out[i] = v.ID
	}
	return out
}

func TestListFiltersSortAndScope(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	a := fx.create(t, "2024-03-01")
	b := fx.create(t, "2024-03-05")
	b = fx.step(t, b, TransitionInput{Action: ActAccept, Procedure: ProcedureOrdinary, EffectiveOn: "2024-03-06"})
	b = fx.step(t, b, TransitionInput{Action: ActDecide, Outcome: "revoked", EffectiveOn: "2024-04-20"})
	c := fx.create(t, "2024-02-01")
	c = fx.step(t, c, TransitionInput{Action: ActAccept, Procedure: ProcedureOrdinary, EffectiveOn: "2024-02-02"})
	c = fx.step(t, c, TransitionInput{Action: ActTerminate, Termination: "withdrawn_after_correction", EffectiveOn: "2024-03-10"})
	in := fx.input("2024-03-02")
	in.Applicants = []PartyInput{{Name: "赵六_100%"}}
	in.ActType, in.RespondentName, in.ActDocumentNo = "licensing", fx.agency2.Name, "京平许〔2024〕9号"
	in.HandlerID = nil
	d, err := fx.svc.Create(ctx, fx.officer, in)
	must(t, err)
	// Another organ's case never shows.
	oin := fx.input("2024-03-03")
	oin.RespondentName, oin.HandlerID = fx.otherAg.Name, nil
	o, err := fx.svc.Create(ctx, fx.outside, oin)
	must(t, err)

	for _, tc := range []struct {
		name string
		f    ListFilter
		want []int64
	}{
		{"default sort -received_on", ListFilter{}, []int64{b.ID, d.ID, a.ID, c.ID}},
		{"sort received_on", ListFilter{Sort: "received_on"}, []int64{c.ID, a.ID, d.ID, b.ID}},
		{"sort case_no desc", ListFilter{Sort: "-case_no"}, []int64{d.ID, c.ID, b.ID, a.ID}},
		{"status list", ListFilter{Status: "decided,terminated", Sort: "received_on"}, []int64{c.ID, b.ID}},
		{"outcome", ListFilter{Outcome: "revoked"}, []int64{b.ID}},
		{"termination", ListFilter{Termination: "withdrawn_after_correction"}, []int64{c.ID}},
		{"respondent", ListFilter{Respondent: itoa(fx.agency2.ID)}, []int64{d.ID}},
		{"act_type", ListFilter{ActType: "licensing"}, []int64{d.ID}},
		{"handler", ListFilter{Handler: fx.handler.ID, Sort: "received_on"}, []int64{c.ID, a.ID, b.ID}},
		{"q applicant with LIKE metacharacters", ListFilter{Q: "_100%"}, []int64{d.ID}},
		{"q document number", ListFilter{Q: "京平许"}, []int64{d.ID}},
		{"q case number", ListFilter{Q: a.CaseNo}, []int64{a.ID}},
		{"received range", ListFilter{ReceivedFrom: "2024-03-01", ReceivedTo: "2024-03-02", Sort: "received_on"}, []int64{a.ID, d.ID}},
		{"closed range", ListFilter{ClosedFrom: "2024-04-01", ClosedTo: "2024-04-30"}, []int64{b.ID}},
		{"page 2", ListFilter{Page: 2, PageSize: 3}, []int64{c.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := fx.svc.List(ctx, fx.officer, tc.f)
			must(t, err)
			if got := ids(res.Items); !equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			if tc.name == "page 2" && (res.Total != 4 || res.Page != 2 || res.PageSize != 3) {
				t.Fatalf("paging %d %d %d", res.Total, res.Page, res.PageSize)
			}
		})
	}
	res, err := fx.svc.List(ctx, fx.outside, ListFilter{})
	must(t, err)
	if !equal(ids(res.Items), []int64{o.ID}) || res.Total != 1 {
		t.Fatalf("outsider sees %v", ids(res.Items))
	}

	// Overdue: an open deadline past due, or a missed one.
	past, future := "2024-06-01", "2024-07-30"
	must(t, fx.db.Write.Create(&models.Deadline{SubjectType: "case", SubjectID: a.ID, Kind: "acceptance_review", OrganID: fx.organ.ID, Status: "open", DueOn: &past}).Error)
	must(t, fx.db.Write.Create(&models.Deadline{SubjectType: "case", SubjectID: d.ID, Kind: "acceptance_review", OrganID: fx.organ.ID, Status: "open", DueOn: &future}).Error)
	must(t, fx.db.Write.Create(&models.Deadline{SubjectType: "case", SubjectID: b.ID, Kind: "decision", OrganID: fx.organ.ID, Status: "met", DueOn: &past}).Error)
	must(t, fx.db.Write.Create(&models.Deadline{SubjectType: "case", SubjectID: c.ID, Kind: "decision", OrganID: fx.organ.ID, Status: "missed", DueOn: &past}).Error)
	res, err = fx.svc.List(ctx, fx.officer, ListFilter{Overdue: true, Sort: "received_on"})
	must(t, err)
	if !equal(ids(res.Items), []int64{c.ID, a.ID}) {
		t.Fatalf("overdue %v", ids(res.Items))
	}

	// Bad filters: every field named.
	_, err = fx.svc.List(ctx, fx.officer, ListFilter{Status: "nope", Sort: "applicant", PageSize: 201, ReceivedFrom: "2024-1-1", Respondent: "x", Metric: "comprehensive_correction"})
	e := errOf(t, err, errs.KindInvalid)
	for _, f := range []string{"status", "sort", "page_size", "received_from", "respondent", "metric"} {
		if _, ok := e.Fields[f]; !ok {
			t.Errorf("no field error %s: %v", f, e.Fields)
		}
	}
	// Another organ named explicitly.
	_, err = fx.svc.List(ctx, fx.officer, ListFilter{OrganID: fx.other.ID})
	errOf(t, err, errs.KindInvalid)
}

func TestListMetricFilter(t *testing.T) {
	var gotKey, gotFrom, gotTo string
	var gotOrgans []int64
	mf := func(ctx context.Context, db *gorm.DB, key, from, to string, organIDs []int64) (func(*gorm.DB) *gorm.DB, error) {
		if key != "revoked_cases" {
			return nil, errs.InvalidField("metric", "未知的指标", "unknown metric")
		}
		gotKey, gotFrom, gotTo, gotOrgans = key, from, to, organIDs
		return func(q *gorm.DB) *gorm.DB {
			return q.Where("cases.outcome = ? AND cases.closed_on BETWEEN ? AND ?", "revoked", from, to)
		}, nil
	}
	fx := newFixture(t, func(o *Options) { o.MetricFilter = mf })
	ctx := context.Background()
	a := fx.create(t, "2024-03-01")
	a = fx.step(t, a, TransitionInput{Action: ActAccept, Procedure: ProcedureOrdinary, EffectiveOn: "2024-03-02"})
	a = fx.step(t, a, TransitionInput{Action: ActDecide, Outcome: "revoked", EffectiveOn: "2024-04-02"})
	fx.create(t, "2024-03-01")
	res, err := fx.svc.List(ctx, fx.officer, ListFilter{Metric: "revoked_cases", From: "2024-01-01", To: "2024-12-31"})
	must(t, err)
	if !equal(ids(res.Items), []int64{a.ID}) || gotKey != "revoked_cases" || gotFrom != "2024-01-01" || gotTo != "2024-12-31" || !equal(gotOrgans, []int64{fx.organ.ID}) {
		t.Fatalf("metric list %v (%s %s %s %v)", ids(res.Items), gotKey, gotFrom, gotTo, gotOrgans)
	}
	_, err = fx.svc.List(ctx, fx.officer, ListFilter{Metric: "nope"})
	if e := errOf(t, err, errs.KindInvalid); e.Fields["metric"].ZH == "" {
		t.Fatalf("unknown metric: %v", e)
	}
}

func TestExport(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	in := fx.input("2024-03-01")
	in.Applicants[0].Name = "=HYPERLINK(\"http://evil\",\"x\")"
	in.Note = "@SUM(A1)"
	v, err := fx.svc.Create(ctx, fx.officer, in)
	must(t, err)
	fx.create(t, "2024-03-02")
	oin := fx.input("2024-03-03")
	oin.RespondentName, oin.HandlerID = fx.otherAg.Name, nil
	oin.Applicants[0].Name = "外机关申请人"
	_, err = fx.svc.Create(ctx, fx.outside, oin)
	must(t, err)

	_, err = fx.svc.Export(ctx, fx.officer, ListFilter{}, "pdf")
	errOf(t, err, errs.KindInvalid)
	_, err = fx.svc.Export(ctx, fx.officer, ListFilter{Sort: "bogus"}, "csv")
	errOf(t, err, errs.KindInvalid)

	exp, err := fx.svc.Export(ctx, fx.officer, ListFilter{Sort: "received_on"}, "csv")
	must(t, err)
	var buf bytes.Buffer
	must(t, exp.Write(&buf))
	out := buf.String()
	if !strings.HasPrefix(out, sheet.BOM+"案号,") {
		t.Fatalf("no BOM/header: %q", out[:40])
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, sheet.BOM))).ReadAll()
	must(t, err)
	if len(recs) != 3 {
		t.Fatalf("rows %d, want header + 2", len(recs))
	}
	row := recs[1]
	col := func(h string) string {
		for i, x := range recs[0] {
			if x == h {
				return row[i]
			}
		}
		t.Fatalf("no column %s", h)
		return ""
	}
	if col("案号") != v.CaseNo || col("申请人") != `'=HYPERLINK("http://evil","x")` || col("备注") != "'@SUM(A1)" ||
		col("申请人证件号码") != "1101**********1234" || col("申请人联系电话") != "138****5678" || col("被申请人") != fx.agency.Name || col("状态") != "已收件" {
		t.Fatalf("row %v", row)
	}
	if strings.Contains(out, "外机关申请人") || strings.Contains(out, "110117199001011234") {
		t.Fatalf("export leaks another organ's case or an unmasked id")
	}

	exp, err = fx.svc.Export(ctx, fx.officer, ListFilter{Sort: "received_on"}, "xlsx")
	must(t, err)
	buf.Reset()
	must(t, exp.Write(&buf))
	f, err := excelize.OpenReader(&buf)
	must(t, err)
	rows, err := f.GetRows("案件")
	must(t, err)
	if len(rows) != 3 || rows[0][0] != "案号" || rows[1][0] != v.CaseNo || rows[1][3] != `'=HYPERLINK("http://evil","x")` || rows[1][5] != "1101**********1234" {
		t.Fatalf("xlsx rows %v", rows)
	}
}

func TestRenderCaseNo(t *testing.T) {
	for _, tc := range []struct{ pattern, want string }{
		{"{short}复〔{year}〕{seq}号", "平政复〔2022〕12号"},
		{"{short}复字〔{year}〕第{seq4}号", "平政复字〔2022〕第0012号"},
		{"", "平政复〔2022〕12号"},
	} {
		if got := RenderCaseNo(tc.pattern, "平政", 2022, 12); got != tc.want {
			t.Errorf("RenderCaseNo(%q) = %s, want %s", tc.pattern, got, tc.want)
		}
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
