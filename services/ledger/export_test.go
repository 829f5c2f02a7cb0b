package ledger

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"fuyi/models"
	"fuyi/models/modelstest"
)

// yearlyFigures are the yearly statistics of an organ, counted by SQL as
// DESIGN §5 defines them: received, accepted, not accepted, closed by
// outcome and termination, pending at the year's end.
func yearlyFigures(t *testing.T, db *models.DB, organID int64) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	type row struct {
		K string
		N int64
	}
	for _, q := range []string{
		"SELECT 'received:' || substr(received_on, 1, 4) AS k, COUNT(*) AS n FROM cases WHERE organ_id = ? GROUP BY substr(received_on, 1, 4)",
		"SELECT 'accepted:' || substr(accepted_on, 1, 4) AS k, COUNT(*) AS n FROM cases WHERE organ_id = ? AND accepted_on IS NOT NULL GROUP BY substr(accepted_on, 1, 4)",
		"SELECT 'not_accepted:' || substr(intake_on, 1, 4) AS k, COUNT(*) AS n FROM cases WHERE organ_id = ? AND status = 'not_accepted' GROUP BY substr(intake_on, 1, 4)",
		"SELECT 'closed:' || substr(closed_on, 1, 4) || ':' || outcome || ':' || termination AS k, COUNT(*) AS n FROM cases WHERE organ_id = ? AND accepted_on IS NOT NULL AND closed_on IS NOT NULL GROUP BY substr(closed_on, 1, 4), outcome, termination",
		"SELECT 'status:' || status AS k, COUNT(*) AS n FROM cases WHERE organ_id = ? GROUP BY status",
	} {
		var rows []row
		if err := db.Read.Raw(q, organID).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			out[r.K] = r.N
		}
	}
	return out
}

func TestExportImportRoundTrip(t *testing.T) {
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			db := modelstest.Open(t)
			a := seedOrgan(t, db, "平谷区人民政府", "平")
			ledger := csvOf(zhHeader,
				",张三,公民,区公安分局,行政处罚,公安,2022-03-05,受理,2022-03-10,普通,2022-05-01,维持,,",
				",=HYPERLINK(\"x\"),公民,区公安分局,行政处罚,公安,2022-03-06,受理,2022-03-10,,2022-05-02,撤销,,-注意",
				",李四,公民,区市场监督管理局,行政处罚,市场监管,2022-04-06,受理,2022-04-08,,2023-01-10,终止,纠正后撤回,",
				",王五,法人,区公安分局,行政许可,,2022-05-07,不予受理,,,,,,",
				",赵六,公民,区公安分局,政府信息公开,,2022-12-08,受理,2022-12-09,,,,,",
				",周九,公民,区公安分局,,,2022-12-20,审查中,,,,,,",
				",吴十,公民,区公安分局,,,2023-02-20,撤回,,,,,,",
				",钱七,其他组织,区城管委,行政强制执行,城管,2023-06-15,受理,2023-06-16,,2023-08-01,部分撤销并责令重作,,",
				",孙八,其他组织,区公安分局,行政处罚,,2024-01-05,受理,2024-01-08,简易,2024-02-01,调解,,",
				",郑十一,公民,区公安分局,行政处罚,,2024-03-05,受理,2024-03-08,,2024-05-01,确认无效,,",
			)
			res := run(t, db, ImportOptions{Path: writeFile(t, "a.csv", ledger), OrganID: a.ID})
			if !res.OK() || res.Created != 10 {
				t.Fatalf("%+v", res)
			}
			var out bytes.Buffer
			if err := Export(context.Background(), db, a.ID, format, &out); err != nil {
				t.Fatal(err)
			}
			if format == "csv" {
				s := out.String()
				if !strings.HasPrefix(s, "\uFEFF案号,申请人") || !strings.Contains(s, "'=HYPERLINK") || !strings.Contains(s, "'-注意") {
					t.Fatalf("csv export not BOM-prefixed or not formula-safe:\n%s", s)
				}
			}
			b := seedOrgan(t, db, "测试区人民政府", "测")
			res = run(t, db, ImportOptions{Path: writeFile(t, "export."+format, out.Bytes()), OrganID: b.ID})
			if !res.OK() || res.Created != 10 || res.WarningCount != 0 {
				var rep bytes.Buffer
				res.WriteReport(&rep)
				t.Fatalf("re-import:\n%s", rep.String())
			}
			fa, fb := yearlyFigures(t, db, a.ID), yearlyFigures(t, db, b.ID)
			if len(fa) < 10 {
				t.Fatalf("too few figures to compare: %v", fa)
			}
			for k, v := range fa {
				if fb[k] != v {
					t.Errorf("%s: %d in the original, %d after the round trip", k, v, fb[k])
				}
			}
			if len(fa) != len(fb) {
				t.Errorf("figures differ: %v vs %v", fa, fb)
			}
			var applicant string
			db.Read.Model(&models.Case{}).Where("organ_id = ? AND received_on = ?", b.ID, "2022-03-06").Pluck("applicant", &applicant)
			if applicant != "=HYPERLINK(\"x\")" {
				t.Errorf("escaped cell came back as %q", applicant)
			}
			// Exporting again and importing into the same organ changes nothing.
			out.Reset()
			if err := Export(context.Background(), db, b.ID, format, &out); err != nil {
				t.Fatal(err)
			}
			res = run(t, db, ImportOptions{Path: writeFile(t, "again."+format, out.Bytes()), OrganID: b.ID})
			if !res.OK() || res.Unchanged != 10 {
				t.Fatalf("re-import of own export: %+v", res)
			}
		})
	}
}
