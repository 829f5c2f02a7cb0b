package sheet

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// A workbook from NewXLSX (fast deflate) opens again with its cells intact.
func TestNewXLSXRoundTrip(t *testing.T) {
	f := NewXLSX()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for r := 1; r <= 500; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := sw.SetRow(cell, []any{"平政复〔2025〕" + string(rune('0'+r%10)) + "号", r}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := g.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 500 || rows[499][0] != "平政复〔2025〕0号" || rows[499][1] != "500" {
		t.Fatalf("rows %d, last %v", len(rows), rows[len(rows)-1])
	}
}
