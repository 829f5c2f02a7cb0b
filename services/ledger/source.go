package ledger

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Format is a ledger file format.
type Format string

// The supported formats.
const (
	FormatCSV  Format = "csv"
	FormatXLSX Format = "xlsx"
)

// Default limits of ReadOptions.
const (
	DefaultMaxFileBytes = 512 << 20
	DefaultMaxRows      = 2_000_000
	// DefaultMaxUnzipBytes caps the unpacked size of an XLSX (zip-bomb guard).
	DefaultMaxUnzipBytes = 4 << 30
	// DefaultMaxUnzipXMLBytes caps one worksheet unpacked in memory; larger
	// sheets spill to a temporary file.
	DefaultMaxUnzipXMLBytes = 64 << 20
	maxCellRunes            = 32767 // Excel's own cell limit
)

// ReadOptions configures reading a ledger file.
type ReadOptions struct {
	// Format forces the format; empty detects it from the content.
	Format Format
	// Sheet names the XLSX sheet (empty: the first one).
	Sheet string
	// MaxFileBytes, MaxRows, MaxUnzipBytes, MaxUnzipXMLBytes: zero means the default.
	MaxFileBytes     int64
	MaxRows          int
	MaxUnzipBytes    int64
	MaxUnzipXMLBytes int64
}

func (o ReadOptions) maxRows() int {
	if o.MaxRows > 0 {
		return o.MaxRows
	}
	return DefaultMaxRows
}

// Source streams the rows of a ledger file.
type Source interface {
	// Next returns the next row and its spreadsheet row number (1-based); io.EOF at the end.
	Next() (num int, cells []string, err error)
	// Sheet names the sheet read (empty for CSV).
	Sheet() string
	Close() error
}

// ErrTooManyRows is returned (wrapped in a *LimitError) past ReadOptions.MaxRows.
var ErrTooManyRows = errors.New("too many rows")

// LimitError is a file refused by a safety limit (size, rows, unpacked size)
// or unreadable as a ledger; it carries a bilingual message.
type LimitError struct {
	CellError
	Err error
}

func (e *LimitError) Error() string { return e.EN }
func (e *LimitError) Unwrap() error { return e.Err }

func limitErr(zh, en string, err error) *LimitError {
	return &LimitError{CellError: CellError{ZH: zh, EN: en}, Err: err}
}

// Open opens a ledger file for streaming: XLSX when the file is a zip
// archive (or Format says so), CSV otherwise.
func Open(path string, opts ReadOptions) (Source, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	maxBytes := opts.MaxFileBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxFileBytes
	}
	if fi.Size() > maxBytes {
		return nil, limitErr(fmt.Sprintf("文件过大（%d 字节，上限 %d）", fi.Size(), maxBytes),
			fmt.Sprintf("file too large (%d bytes, limit %d)", fi.Size(), maxBytes), nil)
	}
	format := opts.Format
	if format == "" {
		format, err = detectFormat(path)
		if err != nil {
			return nil, err
		}
	}
	switch format {
	case FormatXLSX:
		return openXLSX(path, opts)
	case FormatCSV:
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		utf, err := isUTF8(f)
		if err != nil {
			f.Close()
			return nil, err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
		return newCSV(f, utf, opts), nil
	}
	return nil, limitErr("不支持的文件格式："+string(format), "unsupported format: "+string(format), nil)
}

// detectFormat looks at the first bytes: "PK\x03\x04" is a zip (XLSX); an
// OLE2 header is the old binary .xls, which is refused with advice.
func detectFormat(path string) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return FormatXLSX, nil
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "", limitErr("不支持旧版 .xls 文件，请在 Excel/WPS 中另存为 .xlsx 或 CSV",
			"old binary .xls files are not supported; save the sheet as .xlsx or CSV", nil)
	}
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return "", limitErr("文件扩展名为 .xlsx，但内容不是 XLSX", "the file is named .xlsx but is not an XLSX workbook", nil)
	}
	return FormatCSV, nil
}

// isUTF8 reports whether the whole stream is valid UTF-8 (a BOM counts as
// UTF-8). Chinese Excel writes CSV in GB18030 (GBK), which is rarely valid
// UTF-8, so invalid UTF-8 means GB18030.
func isUTF8(r io.Reader) (bool, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	buf := make([]byte, 1<<16)
	var carry []byte
	for {
		n, err := br.Read(buf)
		chunk := append(carry, buf[:n]...)
		carry = nil
		// Keep an incomplete rune at the end for the next chunk.
		end := len(chunk)
		for i := 1; i <= utf8.UTFMax && i <= len(chunk); i++ {
			b := chunk[len(chunk)-i]
			if b&0xC0 != 0x80 { // a rune start (or ASCII)
				if !utf8.FullRune(chunk[len(chunk)-i:]) {
					end = len(chunk) - i
				}
				break
			}
		}
		if !utf8.Valid(chunk[:end]) {
			return false, nil
		}
		carry = append([]byte(nil), chunk[end:]...)
		if err == io.EOF {
			return len(carry) == 0, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// csvSource reads CSV records; the row number is the record's ordinal
// (what a spreadsheet shows after opening the file).
type csvSource struct {
	r      *csv.Reader
	c      io.Closer
	num    int
	max    int
	closed bool
}

// NewCSV reads CSV from r. utf8 says the bytes are UTF-8 (a leading BOM is
// dropped); otherwise they are decoded as GB18030.
func NewCSV(r io.Reader, utf8 bool, opts ReadOptions) Source {
	return newCSV(readNopCloser{r}, utf8, opts)
}

type readNopCloser struct{ io.Reader }

func (readNopCloser) Close() error { return nil }

func newCSV(rc io.ReadCloser, utf bool, opts ReadOptions) *csvSource {
	var r io.Reader = bufio.NewReaderSize(rc, 1<<16)
	if utf {
		r = &bomSkipper{r: r}
	} else {
		r = transform.NewReader(r, simplifiedchinese.GB18030.NewDecoder())
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	return &csvSource{r: cr, c: rc, max: opts.maxRows()}
}

func (s *csvSource) Next() (int, []string, error) {
	rec, err := s.r.Read()
	if err != nil {
		if err == io.EOF {
			return 0, nil, io.EOF
		}
		line, _ := s.r.FieldPos(0)
		return 0, nil, limitErr(fmt.Sprintf("CSV 格式错误（约第%d行）：%v", line, err), fmt.Sprintf("malformed CSV (near line %d): %v", line, err), err)
	}
	s.num++
	if s.num > s.max+1 {
		return 0, nil, limitErr(fmt.Sprintf("行数超过上限 %d", s.max), fmt.Sprintf("more than %d rows", s.max), ErrTooManyRows)
	}
	for i, c := range rec {
		if len(c) > maxCellRunes*4 {
			rec[i] = c[:maxCellRunes*4]
		}
	}
	return s.num, rec, nil
}

func (s *csvSource) Sheet() string { return "" }

func (s *csvSource) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	return s.c.Close()
}

// bomSkipper drops a leading UTF-8 BOM.
type bomSkipper struct {
	r    io.Reader
	done bool
}

func (b *bomSkipper) Read(p []byte) (int, error) {
	if !b.done {
		b.done = true
		head := make([]byte, 3)
		n, err := io.ReadFull(b.r, head)
		head = head[:n]
		if !bytes.Equal(head, []byte("\uFEFF")) {
			b.r = io.MultiReader(bytes.NewReader(head), b.r)
		}
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return 0, err
		}
	}
	return b.r.Read(p)
}

// xlsxSource streams one worksheet with excelize's row iterator.
type xlsxSource struct {
	f     *excelize.File
	rows  *excelize.Rows
	sheet string
	num   int
	max   int
}

func openXLSX(path string, opts ReadOptions) (Source, error) {
	unzip, unzipXML := opts.MaxUnzipBytes, opts.MaxUnzipXMLBytes
	if unzip <= 0 {
		unzip = DefaultMaxUnzipBytes
	}
	if unzipXML <= 0 {
		unzipXML = DefaultMaxUnzipXMLBytes
	}
	if unzipXML > unzip {
		unzipXML = unzip
	}
	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: unzip, UnzipXMLSizeLimit: unzipXML})
	if err != nil {
		return nil, limitErr("无法读取 XLSX 文件："+err.Error(), "cannot read the XLSX file: "+err.Error(), err)
	}
	sheet := opts.Sheet
	if sheet == "" {
		list := f.GetSheetList()
		if len(list) == 0 {
			f.Close()
			return nil, limitErr("工作簿中没有工作表", "the workbook has no sheet", nil)
		}
		sheet = list[0]
	} else if idx, err := f.GetSheetIndex(sheet); err != nil || idx < 0 {
		list := f.GetSheetList()
		f.Close()
		return nil, limitErr(fmt.Sprintf("工作簿中没有名为“%s”的工作表（现有：%s）", sheet, strings.Join(list, "、")),
			fmt.Sprintf("no sheet named %q (sheets: %s)", sheet, strings.Join(list, ", ")), nil)
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, limitErr("无法读取工作表："+err.Error(), "cannot read the sheet: "+err.Error(), err)
	}
	return &xlsxSource{f: f, rows: rows, sheet: sheet, max: opts.maxRows()}, nil
}

func (s *xlsxSource) Next() (int, []string, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return 0, nil, limitErr("读取工作表出错："+err.Error(), "error reading the sheet: "+err.Error(), err)
		}
		return 0, nil, io.EOF
	}
	s.num++
	if s.num > s.max+1 {
		return 0, nil, limitErr(fmt.Sprintf("行数超过上限 %d", s.max), fmt.Sprintf("more than %d rows", s.max), ErrTooManyRows)
	}
	// Raw values: a date cell comes back as its serial number, which
	// ParseDate reads, instead of in a locale-dependent display format.
	cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return 0, nil, limitErr("读取工作表出错："+err.Error(), "error reading the sheet: "+err.Error(), err)
	}
	return s.num, cells, nil
}

func (s *xlsxSource) Sheet() string { return s.sheet }

func (s *xlsxSource) Close() error {
	err := s.rows.Close()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// maxHeaderScan is how many leading rows may precede the header (a title
// such as “2022年行政复议案件台账”).
const maxHeaderScan = 10

// ReadHeader reads rows until the header of layout: the first row, among the
// first ten, that names at least two of its columns. Rows before it are
// skipped (titles). The problems are fatal; the warnings are not.
func ReadHeader(src Source, layout Layout) (h *Header, problems, warnings []Problem, err error) {
	for i := 0; i < maxHeaderScan; i++ {
		num, cells, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, nil, err
		}
		if layout.recognised(cells) >= 2 {
			h, problems, warnings := layout.Match(num, append([]string(nil), cells...))
			return h, problems, warnings, nil
		}
	}
	var names []string
	for _, c := range layout.Columns {
		if c.Required {
			names = append(names, c.ZH)
		}
	}
	return nil, []Problem{{Row: 1, ZH: "找不到表头行：前" + fmt.Sprint(maxHeaderScan) + "行中没有包含“" + strings.Join(names, "”“") + "”等列名的行",
		EN: fmt.Sprintf("no header row found in the first %d rows (expected column names such as %s)", maxHeaderScan, strings.Join(names, ", "))}}, nil, nil
}
