package ledger

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"fuyi/models/modelstest"
)

// BenchmarkImportCSV imports a generated ledger of b.N rows (closed,
// accepted, not-accepted cases over 2015–2024, 40 agencies) into an empty
// organ; `make bench` runs it at 1M rows (-benchtime=1000000x).
func BenchmarkImportCSV(b *testing.B) {
	db := modelstest.Open(b)
	path := filepath.Join(b.TempDir(), "bench.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, zhHeader)
	outcomes := []string{"维持,", "撤销,", "终止,纠正后撤回", "确认违法,", "驳回复议申请,", "调解,"}
	for i := 0; i < b.N; i++ {
		y, m, d := 2015+i%10, 1+i%12, 1+i%28
		ag := fmt.Sprintf("第%d局", i%40)
		switch i % 5 {
		case 0:
			fmt.Fprintf(w, ",申请人%d,公民,%s,行政处罚,公安,%d-%02d-%02d,不予受理,,,,,,\n", i, ag, y, m, d)
		case 1:
			fmt.Fprintf(w, ",申请人%d,公民,%s,行政处罚,公安,%d-%02d-%02d,受理,%d/%d/%d,,,,,\n", i, ag, y, m, d, y, m, d)
		default:
			fmt.Fprintf(w, ",申请人%d,法人,%s,行政许可,,%d年%d月%d日,受理,%d-%02d-%02d,普通,%d-%02d-28,%s,\n", i, ag, y, m, d, y, m, d, y, m, outcomes[i%len(outcomes)])
		}
	}
	w.Flush()
	f.Close()
	o := seedOrgan(b, db, "基准区人民政府", "基")
	b.ResetTimer()
	res, err := Import(context.Background(), db, ImportOptions{Path: path, OrganID: o.ID, Now: fixedNow}, nil)
	if err != nil || !res.OK() || res.Created != b.N {
		b.Fatalf("%v %+v", err, res.Errors)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
