package litigation

import (
	"os"
	"path/filepath"
	"testing"

	"fuyi/models"
	"fuyi/services/ledger"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	must(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

// The litigation ledger: validate all rows first, dry run writes nothing,
// all or nothing, idempotent by court case number; the report reproduces its counts.
func TestLedgerImport(t *testing.T) {
	f := newFixture(t)
	good := "法院案号,案件类别,审级,原告,被告,法院,收到应诉通知日期,开庭日期,负责人出庭,裁判日期,裁判结果,备注\n" +
		"（2022）京0117行初1号,行政诉讼,一审,张三,区市场监督管理局,平谷区法院,2022/3/5,2022-04-10,是,2022年6月1日,撤销,\n" +
		"（2022）京0117行初2号,行政诉讼,一审,李四,区城管执法局,平谷区法院,2022-03-08,2022-04-12,否,2022-06-03,撤诉,\n" +
		"（2022）京03行终9号,行政诉讼,二审,王五,平谷区人民政府,三中院,2022-05-01,,,,,\n" +
		"（2022）京0117民初3号,民事诉讼,一审,赵六,,平谷区法院,2022-07-01,,,,,\n"
	path := writeFile(t, "lit.csv", good)
	opts := ledger.ImportOptions{Path: path, OrganID: f.organ.ID, DryRun: true}
	res, err := f.s.ImportLedger(f.ctx, opts, nil)
	must(t, err)
	var n int64
	f.db.Read.Model(&models.LitigationCase{}).Count(&n)
	if !res.OK() || res.Created != 4 || res.Written || n != 0 || len(res.AgenciesCreated) != 1 {
		t.Fatalf("dry run %+v, %d records", res, n)
	}
	opts.DryRun = false
	var last [2]int
	res, err = f.s.ImportLedger(f.ctx, opts, func(p, total int) { last = [2]int{p, total} })
	must(t, err)
	if !res.Written || res.Created != 4 || last != [2]int{4, 4} {
		t.Fatalf("import %+v progress %v", res, last)
	}
	res, err = f.s.ImportLedger(f.ctx, opts, nil)
	must(t, err)
	if res.Unchanged != 4 || res.Created != 0 || res.Updated != 0 {
		t.Fatalf("re-import %+v", res)
	}
	fig, err := f.s.Stats(f.ctx, f.p.OrganIDs, "2022-01-01", "2022-12-31")
	must(t, err)
	if fig.FirstInstance != 2 || fig.SecondInstance != 1 || fig.Civil != 1 || fig.ConcludedFirstInstance != 2 || fig.LostFirstInstance != 1 ||
		fig.Metrics.HeadAppearance.Numerator != 1 || fig.Metrics.HeadAppearance.Denominator != 2 {
		t.Fatalf("figures %+v", fig)
	}
	// A changed row updates the imported record.
	changed := writeFile(t, "lit2.csv", "court_case_no,kind,instance,notified_on,concluded_on,outcome\n（2022）京03行终9号,administrative,second,2022-05-01,2022-09-01,appeal_rejected\n")
	res, err = f.s.ImportLedger(f.ctx, ledger.ImportOptions{Path: changed, OrganID: f.organ.ID}, nil)
	must(t, err)
	if res.Updated != 1 || !res.Written {
		t.Fatalf("update %+v", res)
	}
	// Bad rows: every problem reported with row and column; nothing written.
	bad := writeFile(t, "bad.csv", "法院案号,案件类别,审级,收到应诉通知日期,裁判日期,裁判结果,负责人出庭\n"+
		"X1,行政诉讼,一审,2022-13-01,,,\n"+
		"X2,刑事,三审,2022-03-01,2022-04-01,胜诉,\n"+
		"X3,行政诉讼,一审,2022-03-01,,,是\n"+
		"X4,行政诉讼,一审,2022-03-01,,,\n"+
		"X4,行政诉讼,一审,2022-03-01,,,\n")
	res, err = f.s.ImportLedger(f.ctx, ledger.ImportOptions{Path: bad, OrganID: f.organ.ID}, nil)
	must(t, err)
	cols := map[string]bool{}
	for _, p := range res.Errors {
		cols[p.Field] = true
		if p.Row < 2 {
			t.Errorf("problem without a row: %+v", p)
		}
	}
	for _, want := range []string{"notified_on", "kind", "instance", "outcome", "head_appeared", "court_case_no"} {
		if !cols[want] {
			t.Errorf("no error on %s: %+v", want, res.Errors)
		}
	}
	var x int64
	f.db.Read.Model(&models.LitigationCase{}).Where("court_case_no LIKE ?", "X%").Count(&x)
	if res.OK() || res.Written || x != 0 {
		t.Fatalf("bad ledger written: %+v (%d)", res, x)
	}
}
