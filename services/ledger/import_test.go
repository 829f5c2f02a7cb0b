package ledger

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/models/modelstest"
	"fuyi/services/lifecycle"
)

// testNow is the clock of every import test.
var testNow = time.Date(2025, 6, 1, 4, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// seedOrgan creates an organ with one agency and returns it.
func seedOrgan(t testing.TB, db *models.DB, name, short string) models.Organ {
	t.Helper()
	o := models.Organ{Name: name, ShortName: short, CaseNoPattern: "{short}政复〔{year}〕{seq}号", Version: 1}
	if err := db.Write.Create(&o).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Write.Create(&models.Agency{OrganID: o.ID, Name: "区公安分局", Active: true}).Error; err != nil {
		t.Fatal(err)
	}
	return o
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func csvOf(lines ...string) []byte { return []byte(strings.Join(lines, "\r\n") + "\r\n") }

func run(t *testing.T, db *models.DB, opts ImportOptions) *Result {
	t.Helper()
	opts.Now = fixedNow
	res, err := Import(context.Background(), db, opts, nil)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

// counts returns the row counts of the tables an import writes.
func counts(t *testing.T, db *models.DB) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range []string{"organs", "agencies", "cases", "case_events", "case_parties", "case_versions", "case_counters"} {
		var n int64
		if err := db.Read.Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func sameCounts(t *testing.T, a, b map[string]int64) {
	t.Helper()
	for k, v := range a {
		if b[k] != v {
			t.Errorf("%s: %d rows before, %d after", k, v, b[k])
		}
	}
}

const zhHeader = "案号,申请人,申请人类型,被申请人,行政行为类别,管理领域,收件日期,受理情况,受理日期,审理程序,结案日期,审理结果,终止原因,备注"

var goodLedger = csvOf(zhHeader,
	",张三,公民,区公安分局,行政处罚,公安,2022-03-05,受理,2022/3/10,普通,2022年5月1日,维持,,",
	",李四,公民,区市场监督管理局,行政处罚,市场监管,2022/4/6,受理,2022.4.8,,2022-06-01,终止,纠正后撤回,",
	",王五,法人,区公安分局,行政许可,,2022.5.7,不予受理,,,,,,不属于受理范围",
	",赵六,公民,区公安分局,政府信息公开,,2022年6月8日,受理,44720,,,,,",
	"平政复〔2022〕50号,钱七,公民,区城管委,行政强制执行,城管,44727,受理,2022-06-16,,2022-08-01,撤销并责令重作,,",
	",孙八,其他组织,区公安分局,行政处罚,,2024-01-05,受理,2024-01-08,简易,2024-02-01,调解,,",
)

func TestImportDatesFourWaysChineseHeaders(t *testing.T) {
	db := modelstest.Open(t)
	o := seedOrgan(t, db, "平谷区人民政府", "平")
	res := run(t, db, ImportOptions{Path: writeFile(t, "ledger.csv", goodLedger), OrganName: o.Name})
	if !res.OK() || !res.Written || res.Created != 6 || res.Rows != 6 {
		var b bytes.Buffer
		res.WriteReport(&b)
		t.Fatalf("result: %s", b.String())
	}
	if len(res.AgenciesCreated) != 2 {
		t.Fatalf("agencies created %v, want 区市场监督管理局 and 区城管委", res.AgenciesCreated)
	}
	var cs []models.Case
	db.Read.Order("received_on").Find(&cs)
	want := []struct{ received, status, caseNo string }{
		{"2022-03-05", "decided", "平政复〔2022〕1号"},
		{"2022-04-06", "terminated", "平政复〔2022〕2号"},
		{"2022-05-07", "not_accepted", "平政复〔2022〕3号"},
		{"2022-06-08", "accepted", "平政复〔2022〕4号"},
		{"2022-06-15", "decided", "平政复〔2022〕50号"},
		{"2024-01-05", "mediated", "平政复〔2024〕1号"},
	}
	for i, w := range want {
		c := cs[i]
		if c.ReceivedOn != w.received || c.Status != w.status || c.CaseNo != w.caseNo || !c.Imported {
			t.Errorf("case %d: %s %s %s imported=%v, want %+v", i, c.ReceivedOn, c.Status, c.CaseNo, c.Imported, w)
		}
	}
	if cs[3].AcceptedOn == nil || *cs[3].AcceptedOn != "2022-06-08" {
		t.Errorf("serial 44720 read as %v", *cs[3].AcceptedOn)
	}
	if cs[4].Outcome != "revoked" || !cs[4].OutcomeRedo || cs[4].Seq != 50 {
		t.Errorf("撤销并责令重作: %+v", cs[4])
	}
	if cs[2].IntakeOn == nil || *cs[2].IntakeOn != "2022-05-07" {
		t.Errorf("not accepted case has intake_on %v", cs[2].IntakeOn)
	}
	if cs[0].Regime != "rl2017" || cs[5].Regime != "rl2023" || cs[5].Procedure != "simplified" || cs[0].Procedure != "ordinary" {
		t.Errorf("regime/procedure: %+v / %+v", cs[0], cs[5])
	}
	// Synthesised history: received → accept → decide, each dated and marked imported.
	var evs []models.CaseEvent
	db.Read.Where("case_id = ?", cs[0].ID).Order("id").Find(&evs)
	var got []string
	for _, e := range evs {
		if !e.Imported || e.EffectiveOn == nil {
			t.Errorf("event %+v not imported or undated", e)
		}
		got = append(got, e.Action+"@"+*e.EffectiveOn)
	}
	if strings.Join(got, " ") != "create@2022-03-05 accept@2022-03-10 decide@2022-05-01" {
		t.Errorf("events %v", got)
	}
	// The counter moved past the file's own number 50.
	var last int
	db.Read.Raw("SELECT last_seq FROM case_counters WHERE organ_id = ? AND year = 2022 AND kind = 'case'", o.ID).Scan(&last)
	if last != 50 {
		t.Errorf("2022 counter at %d, want 50", last)
	}
	var parties int64
	db.Read.Model(&models.CaseParty{}).Where("role = 'applicant'").Count(&parties)
	if parties != 6 {
		t.Errorf("%d applicant parties, want 6", parties)
	}
}

func TestThreeBadRowsNamedAndNothingWritten(t *testing.T) {
	db := modelstest.Open(t)
	o := seedOrgan(t, db, "平谷区人民政府", "平")
	before := counts(t, db)
	bad := csvOf(zhHeader,
		",张三,公民,区公安分局,行政处罚,公安,2022-03-05,受理,2022-03-10,普通,2022-05-01,维持,,",
		",李四,公民,区公安分局,行政处罚,,2022-02-30,受理,2022-03-10,,,,,",       // row 3: no such day
		",王五,公民,新机关,行政处罚,,2022-03-05,受理,2022-03-01,,,,,",         // row 4: accepted before received
		",赵六,公民,区公安分局,行政处罚,,2022-03-05,受理,2022-03-06,,,维持,自愿撤回,", // row 5: outcome w/o closed_on, termination w/o 终止
	)
	res := run(t, db, ImportOptions{Path: writeFile(t, "bad.csv", bad), OrganID: o.ID})
	if res.OK() || res.Written || res.BadRows != 3 {
		t.Fatalf("want 3 bad rows and nothing written, got %+v", res)
	}
	want := map[int]string{3: "收件日期", 4: "受理日期", 5: "结案日期"}
	for row, col := range want {
		found := false
		for _, p := range res.Errors {
			if p.Row == row && p.Column == col {
				found = true
			}
		}
		if !found {
			t.Errorf("row %d column %s not reported: %+v", row, col, res.Errors)
		}
	}
	var b bytes.Buffer
	if err := res.WriteReport(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "第3行 收件日期：") || !strings.Contains(b.String(), "row 3 received_on: ") {
		t.Errorf("report lacks the zh/en line of row 3:\n%s", b.String())
	}
	sameCounts(t, before, counts(t, db))
}

func TestImportTwiceChangesNothing(t *testing.T) {
	db := modelstest.Open(t)
	o := seedOrgan(t, db, "平谷区人民政府", "平")
	path := writeFile(t, "ledger.csv", goodLedger)
	run(t, db, ImportOptions{Path: path, OrganID: o.ID})
	before := counts(t, db)
	res := run(t, db, ImportOptions{Path: path, OrganID: o.ID})
	if !res.OK() || res.Created != 0 || res.Updated != 0 || res.Unchanged != 6 || len(res.AgenciesCreated) != 0 {
		t.Fatalf("second import: %+v", res)
	}
	sameCounts(t, before, counts(t, db))
}

func TestChangedRowUpdatesCaseWithEvent(t *testing.T) {
	db := modelstest.Open(t)
	o := seedOrgan(t, db, "平谷区人民政府", "平")
	run(t, db, ImportOptions{Path: writeFile(t, "v1.csv", goodLedger), OrganID: o.ID})
	// 赵六 (row 5, keyless) is now closed; 钱七 (with a case number) unchanged.
	changed := bytes.Replace(goodLedger, []byte(",赵六,公民,区公安分局,政府信息公开,,2022年6月8日,受理,44720,,,,,"),
		[]byte(",赵六,公民,区公安分局,政府信息公开,,2022年6月8日,受理,44720,,2022-07-20,确认违法,,"), 1)
	before := counts(t, db)
	res := run(t, db, ImportOptions{Path: writeFile(t, "v2.csv", changed), OrganID: o.ID})
	if !res.OK() || res.Updated != 1 || res.Unchanged != 5 || res.Created != 0 {
		t.Fatalf("result %+v", res)
	}
	var c models.Case
	db.Read.Where("applicant = ?", "赵六").Take(&c)
	if c.Status != "decided" || c.Outcome != "confirmed_unlawful" || c.ClosedOn == nil || *c.ClosedOn != "2022-07-20" || c.Version != 2 {
		t.Fatalf("case not updated: %+v", c)
	}
	var ev models.CaseEvent
	if err := db.Read.Where("case_id = ? AND action = 'import_update'", c.ID).Take(&ev).Error; err != nil || !ev.Imported || ev.FromStatus != "accepted" || ev.ToStatus != "decided" {
		t.Fatalf("import_update event: %+v %v", ev, err)
	}
	after := counts(t, db)
	if after["cases"] != before["cases"] || after["case_events"] != before["case_events"]+1 || after["case_versions"] != before["case_versions"]+1 {
		t.Fatalf("counts %v → %v", before, after)
	}
}

func TestAppEditedCaseIsAConflict(t *testing.T) {
	db := modelstest.Open(t)
	o := seedOrgan(t, db, "平谷区人民政府", "平")
	run(t, db, ImportOptions{Path: writeFile(t, "v1.csv", goodLedger), OrganID: o.ID})
	// An officer edits 钱七's case in the app (lifecycle sets both stamps).
	edited := testNow.Add(time.Hour)
	if err := db.Write.Model(&models.Case{}).Where("case_no = ?", "平政复〔2022〕50号").
		Updates(map[string]any{"note": "app edit", "edited_in_app_at": edited, "updated_at": edited, "version": 2}).Error; err != nil {
		t.Fatal(err)
	}
	v2 := bytes.Replace(goodLedger, []byte("2022-08-01,撤销并责令重作"), []byte("2022-08-02,撤销并责令重作"), 1)
	v2 = bytes.Replace(v2, []byte(",赵六,公民,区公安分局,政府信息公开,,2022年6月8日,受理,44720,,,,,"),
		[]byte(",赵六,公民,区公安分局,政府信息公开,,2022年6月8日,受理,44720,,2022-07-20,维持,,"), 1)
	path := writeFile(t, "v2.csv", v2)
	before := counts(t, db)
	res := run(t, db, ImportOptions{Path: path, OrganID: o.ID})
	if res.OK() || res.Written || len(res.Conflicts) != 1 || res.Conflicts[0].CaseNo != "平政复〔2022〕50号" || res.Conflicts[0].Row != 6 || res.Refused == nil {
		t.Fatalf("want the conflict to refuse the import: %+v", res)
	}
	sameCounts(t, before, counts(t, db))
	res = run(t, db, ImportOptions{Path: path, OrganID: o.ID, SkipConflicts: true})
	if !res.OK() || !res.Written || res.Updated != 1 || res.Skipped != 1 {
		t.Fatalf("skip_conflicts: %+v", res)
	}
	var c models.Case
	db.Read.Where("case_no = ?", "平政复〔2022〕50号").Take(&c)
	if c.Note != "app edit" || *c.ClosedOn != "2022-08-01" {
		t.Fatalf("the app's version was overwritten: %+v", c)
	}
}

func TestEncodingsAndXLSX(t *testing.T) {
	ledger := csvOf(zhHeader, ",张三,公民,区公安分局,行政处罚,公安,2022-03-05,受理,2022-03-10,普通,2022-05-01,维持,,备注：中文")
	gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes(ledger)
	if err != nil {
		t.Fatal(err)
	}
	xlsx := func() []byte {
		f := excelize.NewFile()
		defer f.Close()
		f.NewSheet("2022年")
		for i, h := range strings.Split(zhHeader, ",") {
			cell, _ := excelize.CoordinatesToCellName(i+1, 2)
			f.SetCellValue("2022年", cell, h)
		}
		f.SetCellValue("2022年", "A1", "2022年行政复议案件台账") // a title row above the header
		row := []any{"", "张三", "公民", "区公安分局", "行政处罚", "公安", time.Date(2022, 3, 5, 0, 0, 0, 0, time.UTC), "受理", "2022/3/10", "普通", 44682, "维持", "", "备注：中文"}
		f.SetSheetRow("2022年", "A3", &row)
		style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		f.SetCellStyle("2022年", "G3", "G3", style)
		var b bytes.Buffer
		if err := f.Write(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}()
	for _, tc := range []struct {
		name  string
		file  string
		data  []byte
		sheet string
	}{
		{"utf8", "a.csv", ledger, ""},
		{"bom", "b.csv", append([]byte("\uFEFF"), ledger...), ""},
		{"gb18030", "c.csv", gb, ""},
		{"xlsx", "d.xlsx", xlsx, "2022年"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := modelstest.Open(t)
			o := seedOrgan(t, db, "平谷区人民政府", "平")
			res := run(t, db, ImportOptions{Path: writeFile(t, tc.file, tc.data), OrganID: o.ID, Read: ReadOptions{Sheet: tc.sheet}})
			if !res.OK() || res.Created != 1 || res.WarningCount != 0 {
				var b bytes.Buffer
				res.WriteReport(&b)
				t.Fatalf("%s", b.String())
			}
			var c models.Case
			db.Read.Take(&c)
			if c.Applicant != "张三" || c.ReceivedOn != "2022-03-05" || *c.ClosedOn != "2022-05-01" || c.Note != "备注：中文" {
				t.Fatalf("case %+v", c)
			}
		})
	}
	t.Run("missing sheet", func(t *testing.T) {
		db := modelstest.Open(t)
		o := seedOrgan(t, db, "平谷区人民政府", "平")
		res := run(t, db, ImportOptions{Path: writeFile(t, "d.xlsx", xlsx), OrganID: o.ID, Read: ReadOptions{Sheet: "2023年"}})
		if res.OK() || !strings.Contains(res.Errors[0].ZH, "2023年") {
			t.Fatalf("%+v", res.Errors)
		}
	})
}

func TestHeaderProblems(t *testing.T) {
	db := modelstest.Open(t)
	o := seedOrgan(t, db, "平谷区人民政府", "平")
	// English headers in another order, one unknown column: a warning only.
	res := run(t, db, ImportOptions{Path: writeFile(t, "en.csv", csvOf(
		"received_on,intake,respondent,applicant,handler,accepted_on",
		"2022-03-05,accepted,区公安分局,张三,小王,2022-03-06",
	)), OrganID: o.ID})
	if !res.OK() || res.Created != 1 || len(res.Warnings) != 1 || res.Warnings[0].Column != "handler" || res.Warnings[0].Row != 1 {
		t.Fatalf("%+v", res)
	}
	// A required column missing: fatal, nothing written.
	before := counts(t, db)
	res = run(t, db, ImportOptions{Path: writeFile(t, "missing.csv", csvOf("申请人,被申请人,受理情况", "张三,区公安分局,受理")), OrganID: o.ID})
	if res.OK() || res.Errors[0].Field != "received_on" {
		t.Fatalf("%+v", res)
	}
	sameCounts(t, before, counts(t, db))
}

func TestDryRunAndNewOrgan(t *testing.T) {
	db := modelstest.Open(t)
	path := writeFile(t, "ledger.csv", goodLedger)
	before := counts(t, db)
	res := run(t, db, ImportOptions{Path: path, OrganName: "新区人民政府", CreateOrgan: true, DryRun: true})
	if !res.OK() || res.Written || !res.OrganCreated || res.Created != 6 || len(res.AgenciesCreated) != 3 {
		t.Fatalf("dry run: %+v", res)
	}
	sameCounts(t, before, counts(t, db))
	res = run(t, db, ImportOptions{Path: path, OrganName: "新区人民政府", CreateOrgan: true})
	if !res.OK() || !res.Written || !res.OrganCreated || res.OrganID == 0 || res.Created != 6 {
		t.Fatalf("import: %+v", res)
	}
	var o models.Organ
	db.Read.Take(&o, res.OrganID)
	if o.Name != "新区人民政府" || o.ShortName == "" {
		t.Fatalf("organ %+v", o)
	}
	// Without CreateOrgan an unknown organ is an error.
	if _, err := Import(context.Background(), db, ImportOptions{Path: path, OrganName: "没有这个区"}, nil); err == nil {
		t.Fatal("unknown organ accepted")
	}
}

func TestHooksRunForEveryCaseInTheTransaction(t *testing.T) {
	db := modelstest.Open(t)
	o := seedOrgan(t, db, "平谷区人民政府", "平")
	var creates, updates int
	hook := func(ctx context.Context, tx *gorm.DB, before, after *models.Case) error {
		var n int64
		if err := tx.Model(&models.Case{}).Where("id = ?", after.ID).Count(&n).Error; err != nil || n != 1 || after.ID == 0 {
			t.Errorf("hook does not see case %d in its transaction", after.ID)
		}
		if before == nil {
			creates++
		} else {
			updates++
		}
		return nil
	}
	run(t, db, ImportOptions{Path: writeFile(t, "a.csv", goodLedger), OrganID: o.ID, Hooks: []lifecycle.Hook{hook}})
	if creates != 6 || updates != 0 {
		t.Fatalf("hooks: %d creates, %d updates", creates, updates)
	}
	// A failing hook rolls everything back.
	before := counts(t, db)
	failing := func(context.Context, *gorm.DB, *models.Case, *models.Case) error { return os.ErrInvalid }
	_, err := Import(context.Background(), db, ImportOptions{Path: writeFile(t, "b.csv", csvOf(zhHeader, ",新人,公民,区公安分局,,,2023-01-05,审查中,,,,,,")),
		OrganID: o.ID, Now: fixedNow, Hooks: []lifecycle.Hook{failing}}, nil)
	if err == nil {
		t.Fatal("failing hook did not fail the import")
	}
	sameCounts(t, before, counts(t, db))
}

func TestGeneratedNumbersAvoidTheFilesNumbers(t *testing.T) {
	db := modelstest.Open(t)
	o := seedOrgan(t, db, "平谷区人民政府", "平")
	res := run(t, db, ImportOptions{Path: writeFile(t, "a.csv", csvOf(zhHeader,
		",甲,公民,区公安分局,,,2022-01-05,审查中,,,,,,",
		"平政复〔2022〕2号,乙,公民,区公安分局,,,2022-01-06,审查中,,,,,,",
		",丙,公民,区公安分局,,,2022-01-07,审查中,,,,,,",
		"平政复〔2022〕2号,丁,公民,区公安分局,,,2022-01-08,审查中,,,,,,",
	)), OrganID: o.ID})
	if res.OK() || res.Errors[0].Row != 5 || res.Errors[0].Field != "case_no" {
		t.Fatalf("duplicate case number not reported: %+v", res.Errors)
	}
	res = run(t, db, ImportOptions{Path: writeFile(t, "b.csv", csvOf(zhHeader,
		",甲,公民,区公安分局,,,2022-01-05,审查中,,,,,,",
		"平政复〔2022〕2号,乙,公民,区公安分局,,,2022-01-06,审查中,,,,,,",
		",丙,公民,区公安分局,,,2022-01-07,审查中,,,,,,",
		",丙,公民,区公安分局,,,2022-01-07,审查中,,,,,,", // the same person, agency and day twice: two cases
	)), OrganID: o.ID})
	if !res.OK() || res.Created != 4 {
		t.Fatalf("%+v", res)
	}
	var nos []string
	db.Read.Model(&models.Case{}).Order("id").Pluck("case_no", &nos)
	if strings.Join(nos, " ") != "平政复〔2022〕1号 平政复〔2022〕2号 平政复〔2022〕3号 平政复〔2022〕4号" {
		t.Fatalf("numbers %v", nos)
	}
}

// TestSynthesisedEventPayloads: the events synthesised from a ledger row
// carry the payload of their step (memoised across rows: the same JSON for
// every row that says the same), marked imported.
func TestSynthesisedEventPayloads(t *testing.T) {
	db := modelstest.Open(t)
	organ := seedOrgan(t, db, "平谷区人民政府", "平")
	path := writeFile(t, "l.csv", csvOf(
		"申请人,被申请人,收件日期,受理情况,受理日期,审理程序,结案日期,审理结果,终止原因",
		"甲,区公安分局,2024-03-01,受理,2024-03-04,简易,2024-03-20,部分撤销并责令重作,,",
		"乙,区公安分局,2024-03-01,受理,2024-03-04,,2024-04-20,终止,自愿撤回",
		"丙,区公安分局,2024-03-02,受理,2024-03-05,,2024-04-21,维持,",
		"丁,区公安分局,2024-03-02,受理,2024-03-05,,2024-04-21,维持,",
		"戊,区公安分局,2024-03-03,不予受理,,,,,",
	))
	res := run(t, db, ImportOptions{Path: path, OrganID: organ.ID})
	if !res.OK() || res.Created != 5 {
		t.Fatalf("%+v", res)
	}
	var got []string
	if err := db.Read.Raw("SELECT c.applicant || ' ' || e.action || ' ' || e.payload FROM case_events e JOIN cases c ON c.id = e.case_id ORDER BY e.id").Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	want := []string{
		`甲 create {"imported":true}`,
		`甲 accept {"imported":true,"procedure":"simplified"}`,
		`甲 decide {"imported":true,"outcome":"revoked","partial":true,"redo":true}`,
		`乙 create {"imported":true}`,
		`乙 accept {"imported":true,"procedure":"ordinary"}`,
		`乙 terminate {"imported":true,"termination":"withdrawn_voluntary"}`,
		`丙 create {"imported":true}`,
		`丙 accept {"imported":true,"procedure":"ordinary"}`,
		`丙 decide {"imported":true,"outcome":"upheld","partial":false,"redo":false}`,
		`丁 create {"imported":true}`,
		`丁 accept {"imported":true,"procedure":"ordinary"}`,
		`丁 decide {"imported":true,"outcome":"upheld","partial":false,"redo":false}`,
		`戊 create {"imported":true}`,
		`戊 not_accept {"imported":true}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
