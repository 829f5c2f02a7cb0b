package report

import (
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestDownloadedYearlyXLSX reopens the yearly XLSX that the browser test's
// reporter downloaded (scripts/e2e.sh sets FUYI_E2E_XLSX) and checks that
// every sheet is there and the summary carries the seed's 2022 figures.
func TestDownloadedYearlyXLSX(t *testing.T) {
	path := os.Getenv("FUYI_E2E_XLSX")
	if path == "" {
		t.Skip("FUYI_E2E_XLSX is set by the browser tests (make test-e2e)")
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("the downloaded report does not open as XLSX: %v", err)
	}
	defer f.Close()
	sheets := map[string]bool{}
	for _, s := range f.GetSheetList() {
		sheets[s] = true
	}
	for _, want := range []string{SheetSummary, "审理结果", "被申请人", "行政行为类别", "统计表", "应诉", "案件清单"} {
		if !sheets[want] {
			t.Errorf("sheet %s missing; sheets: %v", want, f.GetSheetList())
		}
	}
	rows, err := f.GetRows(SheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, r := range rows {
		if len(r) >= 2 {
			found[r[0]] = r[1]
		}
	}
	for label, want := range map[string]string{"收件（接收行政复议申请）": "229", "受理": "212", "不予受理": "8", "办结": "182"} {
		if got := found[label]; strings.TrimSpace(got) != want {
			t.Errorf("%s: the downloaded summary says %q, the seed %s", label, got, want)
		}
	}
	lit, err := f.GetRows("应诉")
	if err != nil {
		t.Fatal(err)
	}
	litFound := map[string]string{}
	for _, r := range lit {
		if len(r) >= 2 {
			litFound[r[0]] = r[1]
		}
	}
	for label, want := range map[string]string{"行政应诉一审案件": "70", "行政应诉二审案件": "42", "行政应诉再审案件": "7", "民事应诉案件": "1", "本级政府为被申请人复议案件": "1"} {
		if got := litFound[label]; strings.TrimSpace(got) != want {
			t.Errorf("应诉 %s: the downloaded sheet says %q, the seed %s", label, got, want)
		}
	}
}
