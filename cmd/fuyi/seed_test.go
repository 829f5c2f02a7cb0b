package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fuyi/models/modelstest"
	"fuyi/services/auth"
	"fuyi/services/lifecycle"
	"fuyi/services/stats"
)

// seedParagraph is the reconsideration and litigation paragraph of the seed
// report (Beijing Pinggu District, 2022年法治政府建设年度情况报告, (五)1), in
// Simplified Chinese as the report prints it.
const seedParagraph = "全年共接收行政复议申请229件，受理行政复议案件212件，作出不予受理决定8件，办结案件182件。" +
	"其中行政复议维持案件91件，撤销20件，终止42件，确认违法9件，驳回复议申请17件，责令履职3件。" +
	"综合纠错71件，综合纠错率39%。" +
	"行政应诉一审案件70件，二审案件42件，区政府为被申请人复议案件1件，再审案件7件，民事应诉案件1件。" +
	"办理区政府司法建议回函1件。"

// demoEnv loads the demo once into a fresh database (SQLite, or a PostgreSQL
// schema when FUYI_TEST_POSTGRES_DSN is set) and returns its environment.
func demoEnv(t *testing.T) func(string) string {
	t.Helper()
	env := map[string]string{"FUYI_DATA_DIR": t.TempDir(), "FUYI_DEMO_PASSWORD": "Demo-passw0rd-seed", "FUYI_SWEEP_INTERVAL": "0"}
	if dsn := os.Getenv(modelstest.EnvPostgresDSN); dsn != "" {
		env["FUYI_DATABASE_URL"] = modelstest.NewPostgresSchema(t, dsn)
	}
	getenv := func(k string) string { return env[k] }
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"demo"}, nil, &out, &errb, getenv); code != 0 {
		t.Fatalf("fuyi demo: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	return getenv
}

func fuyiOut(t *testing.T, getenv func(string) string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, nil, &out, &errb, getenv); code != 0 {
		t.Fatalf("fuyi %v: exit %d\n%s", args, code, errb.String())
	}
	return out.String()
}

// TestDemoReproducesSeedReport is the product's first acceptance test
// (DESIGN §8): `fuyi demo`, then `fuyi report --year 2022` for the first
// organ equals every figure of the seed, and the Markdown paragraph is the
// seed's; then every count and metric of the demo years drills down to a
// case list of exactly that many cases.
func TestDemoReproducesSeedReport(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the whole demo")
	}
	getenv := demoEnv(t)
	organ := "北京市平谷区人民政府"

	var rep stats.Report
	if err := json.Unmarshal([]byte(fuyiOut(t, getenv, "report", "--year", "2022", "--organ", organ, "--format", "json")), &rep); err != nil {
		t.Fatal(err)
	}
	r := rep.Reconsideration
	got := map[string]int64{
		"received": r.Received, "accepted": r.Accepted, "not_accepted": r.NotAccepted, "closed": r.Closed,
		"carried_over": r.CarriedOver, "pending_end": r.PendingEnd,
		"upheld": r.Outcomes["upheld"], "revoked": r.Outcomes["revoked"], "terminated": r.Outcomes["terminated"],
		"confirmed_unlawful": r.Outcomes["confirmed_unlawful"], "application_dismissed": r.Outcomes["application_dismissed"],
		"ordered_to_perform": r.Outcomes["ordered_to_perform"], "varied": r.Outcomes["varied"], "mediated": r.Outcomes["mediated"],
		"comprehensive": r.Metrics["comprehensive_correction"].Numerator, "comprehensive_of": r.Metrics["comprehensive_correction"].Denominator,
		"direct":         r.Metrics["direct_correction"].Numerator,
		"first_instance": rep.Litigation.FirstInstance, "second_instance": rep.Litigation.SecondInstance,
		"retrial": rep.Litigation.Retrial, "civil": rep.Litigation.Civil, "as_respondent": rep.Litigation.AsRespondent,
		"suggestion_replies": rep.Litigation.Suggestions.Replied,
	}
	want := map[string]int64{
		"received": 229, "accepted": 212, "not_accepted": 8, "closed": 182, "carried_over": 0, "pending_end": 30,
		"upheld": 91, "revoked": 20, "terminated": 42, "confirmed_unlawful": 9, "application_dismissed": 17,
		"ordered_to_perform": 3, "varied": 0, "mediated": 0, "comprehensive": 71, "comprehensive_of": 182, "direct": 32,
		"first_instance": 70, "second_instance": 42, "retrial": 7, "civil": 1, "as_respondent": 1, "suggestion_replies": 1,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("2022 %s = %d, the seed says %d", k, got[k], w)
		}
	}
	if !r.Balanced() {
		t.Errorf("2022 does not balance: %+v", r.Balance)
	}
	md := fuyiOut(t, getenv, "report", "--year", "2022", "--organ", organ, "--format", "md")
	if !strings.Contains(md, seedParagraph) {
		t.Errorf("the 2022 paragraph differs from the seed:\n got: %s\nwant: %s", md, seedParagraph)
	}

	// Drill-down: every figure of every demo year lists exactly that many cases.
	ctx := context.Background()
	cfg, err := loadConfig(nil, getenv)
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, cfg, &bytes.Buffer{}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ids, err := a.organIDs(ctx, organ)
	if err != nil {
		t.Fatal(err)
	}
	manager := &auth.Principal{Role: auth.RoleManager, OrganIDs: ids}
	for _, year := range []int{2022, 2023, 2024} {
		p := stats.YearPeriod(year)
		rep, err := a.stats.Report(ctx, p, ids)
		if err != nil {
			t.Fatal(err)
		}
		rc := rep.Reconsideration
		if !rc.Balanced() {
			t.Errorf("%d does not balance: %+v", year, rc.Balance)
		}
		figures := map[string]int64{"received": rc.Received, "accepted": rc.Accepted, "not_accepted": rc.NotAccepted,
			"closed": rc.Closed, "carried_over": rc.CarriedOver, "pending_end": rc.PendingEnd}
		for code, n := range rc.Outcomes {
			figures["outcome:"+code] = n
		}
		for code, n := range rc.Terminations {
			figures["termination:"+code] = n
		}
		for key, m := range rc.Metrics {
			figures[key] = m.Numerator
			figures[key+":denominator"] = m.Denominator
		}
		for key, n := range figures {
			list, err := a.cases.List(ctx, manager, lifecycle.ListFilter{Metric: key, From: p.From, To: p.To, PageSize: 1})
			if err != nil {
				t.Errorf("%d %s: %v", year, key, err)
				continue
			}
			if list.Total != n {
				t.Errorf("%d %s: the report says %d, the drill-down lists %d cases", year, key, n, list.Total)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(getenv("FUYI_DATA_DIR"))); err != nil {
		t.Fatal(err)
	}
}
