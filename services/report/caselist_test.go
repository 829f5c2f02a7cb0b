package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"fuyi/models"
	"fuyi/models/modelstest"
	"fuyi/services/codes"
	"fuyi/services/sheet"
	"fuyi/services/stats"
)

// inCaseList is the definition of the case list of a period, computed over
// the cases in Go: received in the period, closed in it (accepted cases), or
// accepted by its end and not closed by then.
func inCaseList(c models.Case, p stats.Period) bool {
	if c.ReceivedOn >= p.From && c.ReceivedOn <= p.To {
		return true
	}
	if c.AcceptedOn != nil && c.ClosedOn != nil && *c.ClosedOn >= p.From && *c.ClosedOn <= p.To {
		return true
	}
	return c.AcceptedOn != nil && *c.AcceptedOn <= p.To && (c.ClosedOn == nil || *c.ClosedOn > p.To)
}

// caseListDB inserts, for three organs, cases in all three categories of the
// list (received in 2024; received before it and closed in it; received
// before it and pending at its end), cases outside it, inconsistent ones
// (received after the year yet accepted and closed in it, closed without
// acceptance), with many cases received on the same day, inserted in random
// order so that the ids do not follow the dates.
func caseListDB(t *testing.T) (*models.DB, *stats.Service, []int64, []models.Case) {
	t.Helper()
	db := modelstest.Open(t)
	rng := rand.New(rand.NewSource(9))
	var organs, agencies []int64
	for i, name := range []string{"甲市人民政府", "乙区人民政府", "丙县人民政府"} {
		o := models.Organ{Name: name, ShortName: name[:3], CaseNoPattern: "{short}复〔{year}〕{seq}号"}
		if err := db.Write.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
		organs = append(organs, o.ID)
		for _, an := range []string{"公安局", "=市场监管局", "城管局"} {
			a := models.Agency{OrganID: o.ID, Name: fmt.Sprint(i) + an}
			if err := db.Write.Create(&a).Error; err != nil {
				t.Fatal(err)
			}
			agencies = append(agencies, a.ID)
		}
	}
	day := func(d string, n int) *string {
		tm, err := time.Parse("2006-01-02", d)
		if err != nil {
			t.Fatal(err)
		}
		s := tm.AddDate(0, 0, n).Format("2006-01-02")
		return &s
	}
	// Receipt days: a few days only, so that many cases tie on received_on.
	days := []string{"2022-11-30", "2023-06-15", "2023-12-29", "2023-12-31", "2024-01-01", "2024-03-08",
		"2024-07-01", "2024-12-20", "2024-12-31", "2025-01-01", "2025-02-03"}
	statuses := []string{"received", "not_accepted", "abandoned", "withdrawn_before_acceptance", "referred"}
	var cases []models.Case
	for i := 0; i < 900; i++ {
		organ := organs[i%3]
		c := models.Case{OrganID: organ, Year: 2024, Seq: i + 1, CaseNo: fmt.Sprintf("复〔2024〕%d号", i+1), Regime: "rl2017",
			Applicant: []string{"张三丰", "李四", "某某有限公司", "+王五", " 赵六"}[rng.Intn(5)], ApplicantType: []string{"citizen", "legal_person"}[rng.Intn(2)],
			RespondentID: agencies[(i%3)*3+rng.Intn(3)], ActType: codes.ActTypes.Codes()[rng.Intn(len(codes.ActTypes.Codes()))],
			Area: []string{"public_security", "natural_resources", "transport"}[rng.Intn(3)], Procedure: []string{"ordinary", "simplified"}[rng.Intn(2)],
			ReceivedOn: days[rng.Intn(len(days))]}
		switch k := rng.Intn(10); {
		case k < 2: // not accepted (closing date on some, as inconsistent data would have)
			c.Status = statuses[rng.Intn(len(statuses))]
			if rng.Intn(3) == 0 {
				c.ClosedOn = day(c.ReceivedOn, 20+rng.Intn(200))
			}
		case k < 5: // accepted, pending
			c.Status, c.AcceptedOn = "accepted", day(c.ReceivedOn, rng.Intn(40))
		default: // accepted and closed, within days or after a year
			c.Status, c.AcceptedOn = "closed", day(c.ReceivedOn, rng.Intn(40))
			c.ClosedOn = day(*c.AcceptedOn, []int{0, 30, 90, 400}[rng.Intn(4)])
			c.Outcome = []string{"upheld", "revoked", "terminated"}[rng.Intn(3)]
			if c.Outcome == "terminated" {
				c.Termination = "withdrawn_voluntary"
			}
		}
		if i%97 == 0 { // received after the year, accepted and closed in it
			c.ReceivedOn, c.AcceptedOn, c.ClosedOn, c.Status = "2025-01-06", day("2024-06-01", 0), day("2024-07-01", 0), "closed"
		}
		cases = append(cases, c)
	}
	rng.Shuffle(len(cases), func(i, j int) { cases[i], cases[j] = cases[j], cases[i] })
	for i := range cases {
		if err := db.Write.Create(&cases[i]).Error; err != nil {
			t.Fatal(err)
		}
	}
	st := stats.New(db)
	if err := st.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, st, organs, cases
}

// TestCaseListOrderAndContent checks the case sheet of the XLSX and the CSV
// against the list computed in Go over the cases (inCaseList, ordered by
// received_on then id), cell by cell, for one organ, two organs and none;
// and that the data has every category and ties, so the check means something.
func TestCaseListOrderAndContent(t *testing.T) {
	db, st, organs, all := caseListDB(t)
	ctx := context.Background()
	p := stats.YearPeriod(2024)
	agencyName := map[int64]string{}
	var ags []models.Agency
	if err := db.Read.Find(&ags).Error; err != nil {
		t.Fatal(err)
	}
	for _, a := range ags {
		agencyName[a.ID] = a.Name
	}
	svc := New(st)
	for _, scope := range [][]int64{{organs[1]}, {organs[0], organs[2]}, organs, {}} {
		in := map[int64]bool{}
		for _, o := range scope {
			in[o] = true
		}
		var want []models.Case
		before, during, after, ties := 0, 0, 0, 0
		for _, c := range all {
			if in[c.OrganID] && inCaseList(c, p) {
				want = append(want, c)
				switch {
				case c.ReceivedOn < p.From:
					before++
				case c.ReceivedOn > p.To:
					after++
				default:
					during++
				}
			}
		}
		sort.Slice(want, func(i, j int) bool {
			if want[i].ReceivedOn != want[j].ReceivedOn {
				return want[i].ReceivedOn < want[j].ReceivedOn
			}
			return want[i].ID < want[j].ID
		})
		for i := 1; i < len(want); i++ {
			if want[i].ReceivedOn == want[i-1].ReceivedOn && want[i].CaseNo < want[i-1].CaseNo {
				ties++ // tied days whose id order is not the case number order
			}
		}
		if len(scope) > 0 && (before < 10 || during < 10 || after < 1 || ties < 10) {
			t.Fatalf("scope %v: the data lacks a category or ties: before %d, during %d, after %d, ties %d", scope, before, during, after, ties)
		}
		wantRows := [][]string{caseListHeader}
		for _, c := range want {
			intake := intakeLabel(&c)
			wantRows = append(wantRows, sheet.SafeRow([]string{c.CaseNo, MaskName(c.Applicant, c.ApplicantType),
				codes.ApplicantTypes.Label(c.ApplicantType, "zh"), agencyName[c.RespondentID], codes.ActTypes.Label(c.ActType, "zh"),
				codes.Areas.Label(c.Area, "zh"), c.ReceivedOn, intake, deref(c.AcceptedOn), codes.Procedures.Label(c.Procedure, "zh"),
				deref(c.ClosedOn), codes.Outcomes.Label(c.Outcome, "zh"), codes.Terminations.Label(c.Termination, "zh")}))
		}

		var out bytes.Buffer
		if err := svc.Render(ctx, &out, "xlsx", 2024, scope, "zh"); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&out)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.GetRows(SheetCases, excelize.Options{RawCellValue: true})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		compareRows(t, fmt.Sprintf("xlsx %v", scope), got, wantRows)

		out.Reset()
		if err := svc.Render(ctx, &out, "csv", 2024, scope, "zh"); err != nil {
			t.Fatal(err)
		}
		got, err = csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), sheet.BOM))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		compareRows(t, fmt.Sprintf("csv %v", scope), got, wantRows)
	}
}

// compareRows compares rows cell by cell; GetRows drops trailing empty cells.
func compareRows(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range want {
		w := want[i]
		for len(w) > 0 && w[len(w)-1] == "" && len(got[i]) < len(w) {
			w = w[:len(w)-1]
		}
		if strings.Join(got[i], "|") != strings.Join(w, "|") {
			t.Fatalf("%s: row %d = %q, want %q", what, i, got[i], w)
		}
	}
}

// The case list is read without the request's cancellation (see eachCase),
// so eachCase itself stops when the request is cancelled.
func TestCaseListStopsWhenCancelled(t *testing.T) {
	_, st, organs, _ := caseListDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc := New(st)
	n, total := 0, 0
	if err := svc.eachCase(context.Background(), stats.YearPeriod(2024), organs, func([]string) error { total++; return nil }); err != nil {
		t.Fatal(err)
	}
	err := svc.eachCase(ctx, stats.YearPeriod(2024), organs, func([]string) error {
		n++
		cancel()
		return nil
	})
	if err == nil || n == 0 || n >= total {
		t.Fatalf("cancelled after the first row: err %v, %d of %d rows", err, n, total)
	}
}
