package sheet

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// testBook builds the same workbook every time: a small sheet written cell by
// cell and a streamed one of rows rows.
func testBook(t *testing.T, rows int) *excelize.File {
	t.Helper()
	f := NewXLSX()
	if err := f.SetCellValue("Sheet1", "A1", "汇总"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("清单"); err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter("清单")
	if err != nil {
		t.Fatal(err)
	}
	for r := 1; r <= rows; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := sw.SetRow(cell, []any{"平政复〔2025〕" + string(rune('0'+r%10)) + "号", r, " 张* ", ""}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	return f
}

// A workbook from NewXLSX (fast deflate) opens again with its cells intact.
func TestNewXLSXRoundTrip(t *testing.T) {
	f := testBook(t, 500)
	defer f.Close()
	var buf bytes.Buffer
	if err := Write(f, &buf); err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := g.GetRows("清单")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 500 || rows[499][0] != "平政复〔2025〕0号" || rows[499][1] != "500" || rows[499][2] != " 张* " {
		t.Fatalf("rows %d, last %v", len(rows), rows[len(rows)-1])
	}
	if v, _ := g.GetCellValue("Sheet1", "A1"); v != "汇总" {
		t.Fatalf("Sheet1!A1 = %q", v)
	}
}

// Write produces byte for byte the archive excelize's own WriteTo produces,
// also when the streamed sheet has outgrown excelize's in-memory chunk (16
// MiB) and lives in its temporary file.
func TestWriteSameBytesAsWriteTo(t *testing.T) {
	for _, rows := range []int{0, 10, 300000} {
		a := testBook(t, rows)
		var want bytes.Buffer
		if _, err := a.WriteTo(&want); err != nil {
			t.Fatal(err)
		}
		a.Close()
		b := testBook(t, rows)
		var got bytes.Buffer
		if err := Write(b, &got); err != nil {
			t.Fatal(err)
		}
		b.Close()
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%d rows: Write gave %d bytes, WriteTo %d, and they differ", rows, got.Len(), want.Len())
		}
	}
}

// Write keeps the workbook's own zip writer: a plain excelize workbook (default
// deflate) comes out as its WriteTo writes it.
func TestWriteKeepsTheWorkbooksZipWriter(t *testing.T) {
	book := func() *excelize.File {
		f := excelize.NewFile()
		for r := 1; r <= 2000; r++ {
			cell, _ := excelize.CoordinatesToCellName(1, r)
			if err := f.SetCellValue("Sheet1", cell, "台账行"+cell); err != nil {
				t.Fatal(err)
			}
		}
		return f
	}
	var want, got bytes.Buffer
	a := book()
	if _, err := a.WriteTo(&want); err != nil {
		t.Fatal(err)
	}
	b := book()
	if err := Write(b, &got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("Write gave %d bytes, WriteTo %d, and they differ", got.Len(), want.Len())
	}
}
