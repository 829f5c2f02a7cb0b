package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// trickyCells are texts whose encoding is not a plain copy: XML specials,
// control characters, invalid UTF-8, edge spaces, line feeds, _xHHHH_
// sequences (escaped by excelize), over-long texts (cut at 32,767 UTF-16
// units, with a character outside the BMP at the cut).
var trickyCells = []string{
	"", "平政复〔2025〕12号", "张*", "'=HYPERLINK(\"x\")", "a&b<c>d\"e'f", " 前导空格", "尾随空格 ", "\t制表", "行一\n行二",
	"回车\r\n", "控制\x01字符\x1f", "坏\xff\xfeUTF-8", "\uFFFE\uFFFF", "\uFFFD", "_x0041_", "_x005F_x0041_", "_x005F_", "a_xZZZZ_b",
	"_x12", "__x0041__", "😀🎉", "\u2028\u0085", strings.Repeat("长", 40000), strings.Repeat("a", 32766) + "😀b",
	strings.Repeat("b", 32767) + " ", "\x7f",
}

// bookWithHeader is a workbook with a summary sheet and a streamed sheet
// "清单" holding a styled header row, widths and frozen panes; data rows are
// written by SetRow when withRows.
func bookWithHeader(t *testing.T, data [][]string, withRows bool) *excelize.File {
	t.Helper()
	f := NewXLSX()
	if err := f.SetCellValue("Sheet1", "A1", "汇总"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("清单"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("其后"); err != nil {
		t.Fatal(err)
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter("清单")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetColWidth(1, 3, 20); err != nil {
		t.Fatal(err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"案号", "申请人", "说明"}, excelize.RowOpts{StyleID: head}); err != nil {
		t.Fatal(err)
	}
	if withRows {
		for i, r := range data {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			vals := make([]any, len(r))
			for j, v := range r {
				vals[j] = v
			}
			if err := sw.SetRow(cell, vals); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	return f
}

// Rows written by Write are byte for byte what StreamWriter.SetRow and
// excelize's WriteTo produce, tricky texts included, for 0, a few and many
// rows (past excelize's 16 MiB in-memory chunk), with rows of varying width.
func TestRowsSameBytesAsSetRow(t *testing.T) {
	var many [][]string
	for i := 0; i < 60000; i++ {
		many = append(many, []string{fmt.Sprintf("平政复〔2025〕%d号", i), trickyCells[i%len(trickyCells)], "说明" + fmt.Sprint(i%7)}[:1+i%3])
	}
	var tricky [][]string
	for i, c := range trickyCells {
		tricky = append(tricky, []string{c, trickyCells[(i+1)%len(trickyCells)], c + "尾"})
	}
	for name, data := range map[string][][]string{"none": nil, "tricky": tricky, "many": many} {
		a := bookWithHeader(t, data, true)
		var want bytes.Buffer
		if _, err := a.WriteTo(&want); err != nil {
			t.Fatal(err)
		}
		a.Close()
		b := bookWithHeader(t, data, false)
		var got bytes.Buffer
		err := Write(b, &got, Rows{Sheet: "清单", First: 2, Fill: func(rw *RowWriter) error {
			for _, r := range data {
				if err := rw.Row(r); err != nil {
					return err
				}
			}
			return nil
		}})
		b.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%s: Write with Rows gave %d bytes, SetRow and WriteTo %d, and they differ", name, got.Len(), want.Len())
		}
		g, err := excelize.OpenReader(&got)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := g.GetRows("清单")
		g.Close()
		if err != nil || len(rows) != len(data)+1 {
			t.Fatalf("%s: %d rows, %v", name, len(rows), err)
		}
	}
}

// An error of Fill is Write's error; a sheet given rows must exist.
func TestRowsErrors(t *testing.T) {
	boom := errors.New("boom")
	f := bookWithHeader(t, nil, false)
	defer f.Close()
	var buf bytes.Buffer
	err := Write(f, &buf, Rows{Sheet: "清单", First: 2, Fill: func(rw *RowWriter) error {
		if err := rw.Row([]string{"一"}); err != nil {
			return err
		}
		return boom
	}})
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want the Fill error", err)
	}
	g := bookWithHeader(t, nil, false)
	defer g.Close()
	if err := Write(g, &buf, Rows{Sheet: "没有", First: 2, Fill: func(*RowWriter) error { return nil }}); err == nil {
		t.Fatal("Write with rows for a missing sheet succeeded")
	}
}
