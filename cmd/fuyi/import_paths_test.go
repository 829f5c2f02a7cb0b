package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/models/modelstest"
	"fuyi/services/clock"
	"fuyi/services/errs"
	"fuyi/services/ledger"
	"fuyi/services/lifecycle"
	"fuyi/services/workflow"
)

// importNow is the clock of the import path tests: 2025-06-01 in China.
var importNow = time.Date(2025, 6, 1, 4, 0, 0, 0, time.UTC)

// importApp opens a fresh app (SQLite, or a PostgreSQL schema when
// FUYI_TEST_POSTGRES_DSN is set) whose clocks stand at importNow, with the
// organ 平谷区人民政府 and one agency.
func importApp(t *testing.T) (*app, models.Organ) {
	t.Helper()
	return importAppFor(t, false)
}

// importAppFor is importApp; bulkWrite opens the database as fuyi import
// does (models.OpenOptions.BulkWrite: a rollback journal on SQLite).
func importAppFor(t *testing.T, bulkWrite bool) (*app, models.Organ) {
	t.Helper()
	ctx := context.Background()
	env := map[string]string{"FUYI_DATA_DIR": t.TempDir(), "FUYI_SWEEP_INTERVAL": "0"}
	if dsn := os.Getenv(modelstest.EnvPostgresDSN); dsn != "" {
		env["FUYI_DATABASE_URL"] = modelstest.NewPostgresSchema(t, dsn)
	}
	cfg, err := loadConfig(nil, envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	a, err := openAppFor(ctx, cfg, nil, true, bulkWrite)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if bulkWrite && a.db.Dialect == models.SQLite && !a.db.RollbackJournal() {
		t.Fatal("a bulk-write app alone with its database should write through a rollback journal")
	}
	now := func() time.Time { return importNow }
	a.clock = clock.New(a.db, clock.Options{Now: now, Cases: a.cases})
	a.wf = workflow.New(a.db, a.cases, workflow.Options{Now: now, Calendar: a.clock.Calendar})
	o := models.Organ{Name: "平谷区人民政府", ShortName: "平", CaseNoPattern: "{short}政复〔{year}〕{seq}号", Version: 1}
	if err := a.db.Write.Create(&o).Error; err != nil {
		t.Fatal(err)
	}
	if err := a.db.Write.Create(&models.Agency{OrganID: o.ID, Name: "区公安分局", Active: true}).Error; err != nil {
		t.Fatal(err)
	}
	// A locked year no row touches: the fast path then runs the lock hook.
	if err := a.db.Write.Create(&models.ReportLock{OrganID: o.ID, Year: 2010, Snapshot: "{}", LockedAt: importNow}).Error; err != nil {
		t.Fatal(err)
	}
	return a, o
}

const ledgerHeader = "案号,申请人,申请人类型,被申请人,行政行为类别,管理领域,收件日期,受理情况,受理日期,审理程序,结案日期,审理结果,终止原因,备注"

// ledgerV1 mixes every intake, outcome and regime, numbered and keyless
// rows, a repeated keyless triple, on-time and late decisions.
var ledgerV1 = []string{
	",张三,公民,区公安分局,行政处罚,公安,2022-03-04,受理,2022-03-10,普通,2022-05-01,维持,,",
	",李四,公民,区市场监督管理局,行政处罚,市场监管,2022-04-06,受理,2022-04-08,,2022-08-20,终止,纠正后撤回,",
	",王五,法人,区公安分局,行政许可,,2022-05-07,不予受理,,,,,,不属于受理范围",
	",赵六,公民,区公安分局,政府信息公开,,2022-06-08,受理,2022-06-09,,,,,",
	"平政复〔2022〕50号,钱七,公民,区城管委,行政强制执行,城管,2022-06-15,受理,2022-06-16,,2022-08-01,撤销并责令重作,,",
	",孙八,其他组织,区公安分局,行政处罚,,2024-01-05,受理,2024-01-08,简易,2024-02-01,调解,,",
	",周九,公民,区公安分局,,,2022-12-20,审查中,,,,,,",
	",吴十,公民,区公安分局,,,2023-02-20,撤回,,,,,,",
	",郑一,公民,区公安分局,行政处罚,,2023-03-01,补正逾期,,,,,,",
	",王二,公民,区交通局,行政处罚,,2023-04-03,转送,,,,,,",
	",冯三,公民,区公安分局,行政处罚,,2023-05-04,受理,2023-05-06,,2023-06-30,确认违法,,",
	",陈四,法人,区交通局,行政处罚,,2023-06-05,受理,2023-06-07,,2023-07-20,驳回复议申请,,",
	",褚五,公民,区公安分局,不履行法定职责,,2024-03-05,受理,2024-03-08,,2024-05-01,确认无效,,",
	",卫六,公民,区公安分局,行政处罚,,2024-07-01,受理,2024-07-02,,,,,",
	",蒋七,公民,区公安分局,行政处罚,,2024-08-01,受理,2024-08-02,,,,,",
	",蒋七,公民,区公安分局,行政处罚,,2024-08-01,受理,2024-08-02,,,,,",
	"平政复〔2024〕7号,沈八,公民,区城管委,行政处罚,城管,2024-09-02,受理,2024-09-03,,2024-12-30,撤销,,",
	",韩九,公民,区公安分局,行政处罚,,2025-05-20,审查中,,,,,,",
	",杨十,公民,区公安分局,行政处罚,,2025-04-01,受理,2025-04-02,简易,,,,",
}

func ledgerFile(t *testing.T, rows ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ledger.csv")
	if err := os.WriteFile(p, []byte(ledgerHeader+"\r\n"+strings.Join(rows, "\r\n")+"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// importVia imports a ledger the fast way (batch hook, deadlines planned by
// the import, batches of 4 so that the pipeline runs several) or the way a
// hand entry runs its hooks (per case).
func importVia(t *testing.T, a *app, organ models.Organ, fast bool, path string) *ledger.Result {
	return importCounting(t, a, organ, fast, path, nil)
}

// importCounting is importVia that counts in prepared the batches whose
// hook the fast path prepared on its reading goroutine (prepareImportBatch).
func importCounting(t *testing.T, a *app, organ models.Organ, fast bool, path string, prepared *int) *ledger.Result {
	t.Helper()
	opts := ledger.ImportOptions{Path: path, OrganID: organ.ID, SkipConflicts: true, ActorName: "test", Now: func() time.Time { return importNow }, BatchSize: 4}
	if fast {
		opts.BatchHook, opts.Deadlines = a.importBatchHook, a.planImported
		var mu sync.Mutex
		opts.PrepareBatch = func(changes []ledger.Change) (ledger.BatchHook, error) {
			hook, err := a.prepareImportBatch(changes)
			if hook != nil && prepared != nil {
				mu.Lock()
				*prepared++
				mu.Unlock()
			}
			return hook, err
		}
	} else {
		opts.Hooks = a.caseHooks()
	}
	res, err := ledger.Import(context.Background(), a.db, opts, nil)
	if err != nil {
		t.Fatalf("import (fast %v): %v", fast, err)
	}
	if !res.OK() || !res.Written {
		var b bytes.Buffer
		res.WriteReport(&b)
		t.Fatalf("import (fast %v) not written:\n%s", fast, b.String())
	}
	return res
}

// tableRows renders every row of a table as the database stores it (SQLite's
// quote() keeps the storage type), leaving out the columns in skip, in the
// order of orderBy.
func tableRows(t *testing.T, db *models.DB, table, orderBy string, skip ...string) []string {
	t.Helper()
	// "name WHERE cond" restricts the rows compared.
	where := ""
	if i := strings.Index(table, " WHERE "); i >= 0 {
		table, where = table[:i], table[i:]
	}
	var cols []string
	q := "SELECT name FROM pragma_table_info(?) ORDER BY cid"
	if db.Dialect == models.Postgres {
		q = "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position"
	}
	if err := db.Read.Raw(q, table).Scan(&cols).Error; err != nil {
		t.Fatal(err)
	}
	var exprs []string
	for _, c := range cols {
		if contains(skip, c) {
			continue
		}
		if db.Dialect == models.Postgres {
			exprs = append(exprs, fmt.Sprintf("COALESCE(%q::text, 'NULL')", c))
		} else {
			exprs = append(exprs, fmt.Sprintf("quote(%q)", c))
		}
	}
	var out []string
	rows, err := db.Read.Raw("SELECT " + strings.Join(exprs, " || '|' || ") + " FROM " + table + where + " ORDER BY " + orderBy).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestImportFastPathWritesWhatHandEntryHooksWrite: the import's fast path
// (pipelined batches, explicit ids, deadlines planned by the import, the
// batch hook) and the path of a hand entry (the per-case lifecycle hooks)
// leave identical databases — cases with their numbers, parties, events,
// versions, deadlines with statuses and explanations, counters, the
// statistics rollup and its memo, follow-ups — for a first ledger of new
// rows and a second that mixes unchanged, changed, conflicting and new ones.
//
// It runs twice: with the ledger's mostly keyless rows (the batches whose
// cases the writer numbers run importBatchHook) and with every row
// numbered (every batch of new cases runs the hook prepareImportBatch
// prepared on the reading goroutine).
func TestImportFastPathWritesWhatHandEntryHooksWrite(t *testing.T) {
	t.Run("keyless", func(t *testing.T) { testFastPathAsHandEntry(t, false) })
	t.Run("numbered", func(t *testing.T) { testFastPathAsHandEntry(t, true) })
}

// numberRows gives every keyless row a case number of the organ's pattern
// (the row's index i: the same row of two versions gets the same number).
func numberRows(rows []string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		if strings.HasPrefix(r, ",") {
			year := strings.Split(r, ",")[6][:4]
			r = fmt.Sprintf("平政复〔%s〕%d号", year, 100+i) + r
		}
		out[i] = r
	}
	return out
}

func testFastPathAsHandEntry(t *testing.T, numbered bool) {
	fast, fo := importApp(t)
	slow, so := importApp(t)
	v1 := ledgerV1
	if numbered {
		v1 = numberRows(ledgerV1)
	}
	v2 := append([]string(nil), ledgerV1...)
	// 赵六 decided with an obliging outcome (a follow-up opens), 卫六 closed
	// late, 周九 now accepted; 钱七 changed in the ledger but edited in the
	// app (a conflict); three new rows.
	v2[3] = ",赵六,公民,区公安分局,政府信息公开,,2022-06-08,受理,2022-06-09,,2022-07-20,责令履行,,"
	v2[13] = ",卫六,公民,区公安分局,行政处罚,,2024-07-01,受理,2024-07-02,,2024-11-30,维持,,"
	v2[6] = ",周九,公民,区公安分局,,,2022-12-20,受理,2022-12-22,,,,,"
	v2[4] = "平政复〔2022〕50号,钱七,公民,区城管委,行政强制执行,城管,2022-06-15,受理,2022-06-16,,2022-08-02,撤销并责令重作,,"
	v2 = append(v2,
		",新一,公民,区公安分局,行政处罚,,2025-01-06,受理,2025-01-07,,2025-03-01,维持,,",
		",新二,公民,区新机关,行政处罚,,2025-02-03,不予受理,,,,,,",
		",新三,公民,区公安分局,行政处罚,,2022-01-04,受理,2022-01-05,,,,,",
	)
	if numbered {
		v2 = numberRows(v2)
	}
	p1, p2 := ledgerFile(t, v1...), ledgerFile(t, v2...)
	prepared := 0
	for _, side := range []struct {
		a     *app
		organ models.Organ
		fast  bool
	}{{fast, fo, true}, {slow, so, false}} {
		res := importCounting(t, side.a, side.organ, side.fast, p1, &prepared)
		if res.Created != len(ledgerV1) {
			t.Fatalf("first import: %+v", res)
		}
		edited := importNow.Add(-time.Hour)
		if err := side.a.db.Write.Model(&models.Case{}).Where("case_no = ?", "平政复〔2022〕50号").
			Updates(map[string]any{"note": "app edit", "edited_in_app_at": edited, "updated_at": edited, "version": 2}).Error; err != nil {
			t.Fatal(err)
		}
		res = importCounting(t, side.a, side.organ, side.fast, p2, &prepared)
		if res.Created != 3 || res.Updated != 3 || res.Unchanged != len(ledgerV1)-4 || len(res.Conflicts) != 1 {
			t.Fatalf("second import (fast %v): %+v", side.fast, res)
		}
	}
	// 19 new rows in batches of 4, then 3: five batches, then one; only a
	// batch whose every case has its number is prepared.
	if want := map[bool]int{false: 0, true: 6}[numbered]; prepared != want {
		t.Errorf("%d batches prepared, want %d", prepared, want)
	}
	var followups int64
	fast.db.Read.Model(&models.Followup{}).Count(&followups)
	if followups != 1 {
		t.Errorf("%d follow-ups, want 1 (赵六's 责令履行)", followups)
	}
	for _, tc := range []struct {
		table, order string
		skip         []string
	}{
		// Organs and agencies are stamped by gorm's own clock.
		{"organs", "id", []string{"created_at", "updated_at"}},
		{"agencies", "id", []string{"created_at", "updated_at"}},
		{"cases", "id", nil},
		{"case_parties", "id", nil},
		{"case_events", "id", nil},
		{"case_versions", "id", nil},
		{"case_counters", "organ_id, year, kind", nil},
		{"deadlines", "subject_type, subject_id, kind", []string{"id"}},
		{"case_stat_flags", "case_id", nil},
		// The rollup's cells (year, month and day grain) and spans; a cell
		// that a case entered and left again stays behind with count 0 on
		// the per-case path only, and adds nothing to any figure.
		{"case_stat_year WHERE count <> 0", "organ_id, slice, measure, period, slice_key, outcome, termination", nil},
		{"case_stat_month WHERE count <> 0", "organ_id, slice, measure, period, slice_key, outcome, termination", nil},
		{"case_stat_daily WHERE count <> 0", "organ_id, slice, measure, period, slice_key, outcome, termination", nil},
		{"case_stat_span WHERE count <> 0", "organ_id, grain, bucket, end_on, start_on, kind", nil},
		{"followups", "id", nil},
	} {
		a, b := tableRows(t, fast.db, tc.table, tc.order, tc.skip...), tableRows(t, slow.db, tc.table, tc.order, tc.skip...)
		if len(a) == 0 {
			t.Errorf("%s: no rows", tc.table)
		}
		if !reflect.DeepEqual(a, b) {
			for i := 0; i < max(len(a), len(b)); i++ {
				var x, y string
				if i < len(a) {
					x = a[i]
				}
				if i < len(b) {
					y = b[i]
				}
				if x != y {
					t.Errorf("%s row %d:\n fast %s\n slow %s", tc.table, i, x, y)
				}
			}
		}
	}
}

// TestCaseHooksWriteWhatTheSeparateHooksWrite: the app's case hooks (the
// deadlines and statistics in one hook, the on-time flag read off the
// deadline rows just planned) leave the same deadlines, rollup and memo as
// the separate hooks they replace (clock.Recompute, then stats.LockHook and
// stats.RollupHook reading the decision deadline back), for new rows and for
// changes that close cases on time and late.
func TestCaseHooksWriteWhatTheSeparateHooksWrite(t *testing.T) {
	wired, wo := importApp(t)
	ref, ro := importApp(t)
	v2 := append([]string(nil), ledgerV1...)
	v2[3] = ",赵六,公民,区公安分局,政府信息公开,,2022-06-08,受理,2022-06-09,,2022-07-20,责令履行,,"
	v2[13] = ",卫六,公民,区公安分局,行政处罚,,2024-07-01,受理,2024-07-02,,2024-11-30,维持,,"
	v2[14] = ",蒋七,公民,区公安分局,行政处罚,,2024-08-01,受理,2024-08-02,,2024-09-02,维持,,"
	v2[6] = ",周九,公民,区公安分局,,,2022-12-20,受理,2022-12-22,,,,,"
	p1, p2 := ledgerFile(t, ledgerV1...), ledgerFile(t, v2...)
	refHooks := []lifecycle.Hook{ref.clock.Recompute, ref.stats.LockHook, ref.stats.RollupHook, ref.wf.FollowupHook}
	for _, side := range []struct {
		a     *app
		organ models.Organ
		hooks []lifecycle.Hook
	}{{wired, wo, wired.caseHooks()}, {ref, ro, refHooks}} {
		for _, p := range []string{p1, p2} {
			opts := ledger.ImportOptions{Path: p, OrganID: side.organ.ID, SkipConflicts: true, ActorName: "test",
				Now: func() time.Time { return importNow }, BatchSize: 4, Hooks: side.hooks}
			res, err := ledger.Import(context.Background(), side.a.db, opts, nil)
			if err != nil || !res.OK() || !res.Written {
				t.Fatalf("import: %v %+v", err, res)
			}
		}
	}
	var onTime int64
	wired.db.Read.Raw("SELECT COALESCE(SUM(f_on_time), 0) FROM case_stat_year WHERE measure = 'closed'").Scan(&onTime)
	if onTime == 0 {
		t.Fatal("no case closed on time: the comparison would not cover the flag")
	}
	for _, tc := range []struct{ table, order string }{
		{"deadlines", "subject_type, subject_id, kind"},
		{"case_stat_flags", "case_id"},
		{"case_stat_year", "organ_id, slice, measure, period, slice_key, outcome, termination"},
		{"case_stat_month", "organ_id, slice, measure, period, slice_key, outcome, termination"},
		{"case_stat_daily", "organ_id, slice, measure, period, slice_key, outcome, termination"},
		{"case_stat_span", "organ_id, grain, bucket, end_on, start_on, kind"},
		{"followups", "id"},
	} {
		a, b := tableRows(t, wired.db, tc.table, tc.order, "id"), tableRows(t, ref.db, tc.table, tc.order, "id")
		if len(a) == 0 {
			t.Errorf("%s: no rows", tc.table)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s differs:\n wired %v\n   ref %v", tc.table, a, b)
		}
	}
}

// TestImportFailingMidwayWritesNothing: a failure after earlier batches
// were written — a row the database refuses, a hook that fails, a deadline
// plan that fails — leaves the database as it was, whether the import
// writes through the WAL (beside a server) or a rollback journal (fuyi
// import alone with the file).
func TestImportFailingMidwayWritesNothing(t *testing.T) {
	for _, bulkWrite := range []bool{false, true} {
		t.Run(fmt.Sprintf("bulkWrite=%v", bulkWrite), func(t *testing.T) { importFailingMidway(t, bulkWrite) })
	}
}

func importFailingMidway(t *testing.T, bulkWrite bool) {
	a, organ := importAppFor(t, bulkWrite)
	path := ledgerFile(t, ledgerV1...)
	counts := func() map[string]int64 {
		out := map[string]int64{}
		for _, table := range []string{"cases", "case_events", "case_parties", "case_versions", "case_counters", "deadlines", "case_stat_year", "case_stat_month", "case_stat_daily", "case_stat_span", "case_stat_flags", "agencies"} {
			var n int64
			if err := a.db.Read.Table(table).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			out[table] = n
		}
		return out
	}
	before := counts()
	// The database refuses the 13th row's case (batch 4 of 5).
	trigger := []string{
		"CREATE TRIGGER refuse_case BEFORE INSERT ON cases WHEN NEW.applicant = '褚五' BEGIN SELECT RAISE(ABORT, 'refused'); END",
	}
	drop := "DROP TRIGGER refuse_case"
	if a.db.Dialect == models.Postgres {
		trigger = []string{
			"CREATE FUNCTION refuse_case() RETURNS trigger AS $$ BEGIN IF NEW.applicant = '褚五' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
			"CREATE TRIGGER refuse_case BEFORE INSERT ON cases FOR EACH ROW EXECUTE FUNCTION refuse_case()",
		}
		drop = "DROP TRIGGER refuse_case ON cases"
	}
	for _, q := range trigger {
		if err := a.db.Write.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	batches := 0
	for _, tc := range []struct {
		name string
		opts func(*ledger.ImportOptions)
	}{
		{"insert refused", func(*ledger.ImportOptions) {}},
		{"hook fails", func(o *ledger.ImportOptions) {
			o.BatchHook = func(ctx context.Context, tx *gorm.DB, ch []ledger.Change) error {
				if batches++; batches == 3 {
					return errs.Rule("test", "第三批失败", "the third batch fails")
				}
				return a.importBatchHook(ctx, tx, ch)
			}
		}},
		{"plan fails", func(o *ledger.ImportOptions) {
			o.Deadlines = func(ctx context.Context, tx *gorm.DB) (ledger.PlanFunc, error) {
				plan, err := a.planImported(ctx, tx)
				return func(c *models.Case) ([]models.Deadline, error) {
					if c.Applicant == "蒋七" {
						return nil, errs.Rule("test", "计划失败", "planning fails")
					}
					return plan(c)
				}, err
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := ledger.ImportOptions{Path: path, OrganID: organ.ID, Now: func() time.Time { return importNow }, BatchSize: 3,
				BatchHook: a.importBatchHook, Deadlines: a.planImported}
			tc.opts(&opts)
			res, err := ledger.Import(context.Background(), a.db, opts, nil)
			if err == nil {
				t.Fatalf("import succeeded: %+v", res)
			}
			if after := counts(); !reflect.DeepEqual(before, after) {
				t.Fatalf("rows before %v, after %v", before, after)
			}
			if tc.name == "insert refused" {
				if err := a.db.Write.Exec(drop).Error; err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	if batches < 3 {
		t.Fatalf("the failing hook ran %d times", batches)
	}
	// Without a failure the same ledger imports.
	res := importVia(t, a, organ, true, path)
	if res.Created != len(ledgerV1) {
		t.Fatalf("%+v", res)
	}
}
