package sheet

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Rows are the data rows of a sheet that Write adds to it while zipping.
// The sheet must have been written with a StreamWriter (its header rows, its
// widths and panes) and flushed: Write inserts the rows before its
// </sheetData>, encoded exactly as StreamWriter.SetRow encodes a row of
// strings, but without a Go value and an XML cell struct per cell (for a
// million-row case list, SetRow was ~40 % of the export's CPU) and without
// excelize's temporary copy of the sheet (it goes straight into the zip).
type Rows struct {
	Sheet string
	// First is the number of the first row Write gives to Fill's rows.
	First int
	// Fill writes the rows, in order, with RowWriter.Row.
	Fill func(rw *RowWriter) error
}

// RowWriter writes rows of text cells (see Rows).
type RowWriter struct {
	w    *bufio.Writer
	row  int
	cols [][]byte // column names A, B, …
	esc  bytes.Buffer
}

// Row writes the next row; every cell is text (an inline string, as
// StreamWriter.SetRow writes a Go string).
func (rw *RowWriter) Row(cells []string) error {
	if rw.row > excelize.TotalRows {
		return excelize.ErrMaxRows
	}
	for len(rw.cols) < len(cells) {
		name, err := excelize.ColumnNumberToName(len(rw.cols) + 1)
		if err != nil {
			return err
		}
		rw.cols = append(rw.cols, []byte(name))
	}
	var num [20]byte
	r := strconv.AppendInt(num[:0], int64(rw.row), 10)
	w := rw.w
	w.WriteString(`<row r="`)
	w.Write(r)
	w.WriteString(`">`)
	for i, v := range cells {
		if len(v) > excelize.TotalCellChars { // bytes ≥ UTF-16 units: only then can it be too long
			v = truncateUTF16(v, excelize.TotalCellChars)
		}
		w.WriteString(`<c r="`)
		w.Write(rw.cols[i])
		w.Write(r)
		w.WriteString(`" t="inlineStr"><is><t`)
		if v != "" && (edgeSpace(v[0]) || edgeSpace(v[len(v)-1])) {
			w.WriteString(` xml:space="preserve"`)
		}
		w.WriteString(`>`)
		rw.text(v)
		w.WriteString(`</t></is></c>`)
	}
	_, err := w.WriteString(`</row>`)
	rw.row++
	return err
}

func edgeSpace(b byte) bool { return b == '\t' || b == '\n' || b == '\r' || b == ' ' }

// text writes a cell's text (already cut to 32,767 UTF-16 units) as
// excelize's trimCellValue(v, true) and bstrMarshal do: XML-escaped but with
// line feeds kept, _xHHHH_ sequences escaped.
func (rw *RowWriter) text(v string) {
	if v == "" {
		return
	}
	if plainText(v) {
		rw.w.WriteString(v)
		return
	}
	rw.esc.Reset()
	_ = xml.EscapeText(&rw.esc, []byte(v))
	s := rw.esc.String()
	if strings.Contains(s, "&#xA;") {
		s = strings.ReplaceAll(s, "&#xA;", "\n")
	}
	rw.w.WriteString(bstrMarshal(s))
}

// plainText reports whether xml.EscapeText and bstrMarshal leave v as it is:
// valid UTF-8 without XML specials, control characters or "_x".
func plainText(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c < 0x20, c == '&', c == '<', c == '>', c == '"', c == '\'':
			return false
		case c == '_' && i+1 < len(v) && v[i+1] == 'x':
			return false
		case c >= 0x80:
			// Multi-byte: let the escaper judge anything unusual.
			r, size := utf8.DecodeRuneInString(v[i:])
			if r == 0xFFFD || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF) {
				return false
			}
			i += size - 1
		}
	}
	return true
}

func truncateUTF16(s string, n int) string {
	cnt := 0
	for i, r := range s {
		if cnt += utf16.RuneLen(r); cnt > n {
			return s[:i]
		}
	}
	return s
}

// bstrMarshal is excelize's (lib.go, BSD-3-Clause): it escapes the literal
// _xHHHH_ sequences of a text as _x005F_xHHHH_.
var (
	bstrExp       = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)
	bstrEscapeExp = regexp.MustCompile(`x[a-fA-F\d]{4}_`)
)

func bstrMarshal(s string) (result string) {
	matches, l, cursor := bstrExp.FindAllStringSubmatchIndex(s, -1), len(s), 0
	for _, match := range matches {
		result += s[cursor:match[0]]
		subStr := s[match[0]:match[1]]
		if subStr == "_x005F_" {
			cursor = match[1]
			if match[1]+6 <= l && bstrEscapeExp.MatchString(s[match[1]:match[1]+6]) {
				_, err := strconv.Unquote(`"\u` + s[match[1]+1:match[1]+5] + `"`)
				if err == nil {
					result += subStr + "x005F" + subStr
					continue
				}
			}
			result += subStr + "x005F_"
			continue
		}
		if bstrExp.MatchString(subStr) {
			cursor = match[1]
			if _, err := strconv.Unquote(`"\u` + s[match[0]+2:match[1]-1] + `"`); err == nil {
				result += "_x005F" + subStr
				continue
			}
		}
	}
	if cursor < l {
		result += s[cursor:]
	}
	return result
}

// splicingZip buffers the zip entry of a sheet that gets Rows and, when
// excelize moves on to the next entry (or closes the archive), writes the
// sheet with the rows inserted before its </sheetData>.
type splicingZip struct {
	excelize.ZipWriter
	f       *excelize.File
	rows    map[string]Rows // by sheet name
	paths   map[string]Rows // by zip entry, resolved at the first Create
	pending *pendingEntry
	written int
	err     error
}

type pendingEntry struct {
	w    io.Writer
	buf  bytes.Buffer
	rows Rows
}

func (z *splicingZip) Create(name string) (io.Writer, error) {
	if err := z.finish(); err != nil {
		return nil, err
	}
	if z.paths == nil {
		if err := z.resolve(); err != nil {
			z.err = err
			return nil, err
		}
	}
	w, err := z.ZipWriter.Create(name)
	if err != nil {
		return nil, err
	}
	if r, ok := z.paths[name]; ok {
		z.pending = &pendingEntry{w: w, rows: r}
		return &z.pending.buf, nil
	}
	return w, nil
}

func (z *splicingZip) Close() error {
	if err := z.finish(); err != nil {
		return err
	}
	if z.written != len(z.rows) {
		return errors.New("sheet.Write: a sheet given rows was not written")
	}
	return z.ZipWriter.Close()
}

// finish writes the pending spliced entry, once.
func (z *splicingZip) finish() error {
	if z.err != nil {
		return z.err
	}
	p := z.pending
	if p == nil {
		return nil
	}
	z.pending = nil
	b := p.buf.Bytes()
	i := bytes.LastIndex(b, []byte("</sheetData>"))
	if i < 0 {
		z.err = fmt.Errorf("sheet.Write: sheet %s has no </sheetData> (not flushed by its StreamWriter?)", p.rows.Sheet)
		return z.err
	}
	bw := bufio.NewWriterSize(p.w, 64<<10)
	bw.Write(b[:i])
	rw := &RowWriter{w: bw, row: p.rows.First}
	if err := p.rows.Fill(rw); err != nil {
		z.err = err
		return err
	}
	bw.Write(b[i:])
	if err := bw.Flush(); err != nil {
		z.err = err
		return err
	}
	z.written++
	return nil
}

// resolve maps the sheet names to their zip entries through xl/workbook.xml
// and its relationships (excelize has stored both when it creates the first
// entry).
func (z *splicingZip) resolve() error {
	wb, ok1 := z.f.Pkg.Load("xl/workbook.xml")
	rels, ok2 := z.f.Pkg.Load("xl/_rels/workbook.xml.rels")
	if !ok1 || !ok2 {
		return errors.New("sheet.Write: the workbook has no xl/workbook.xml or its relationships")
	}
	var book struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rel struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(wb.([]byte), &book); err != nil {
		return fmt.Errorf("sheet.Write: xl/workbook.xml: %w", err)
	}
	if err := xml.Unmarshal(rels.([]byte), &rel); err != nil {
		return fmt.Errorf("sheet.Write: xl/_rels/workbook.xml.rels: %w", err)
	}
	z.paths = map[string]Rows{}
	for _, s := range book.Sheets {
		r, ok := z.rows[s.Name]
		if !ok {
			continue
		}
		for _, l := range rel.Rels {
			if l.ID == s.RID {
				p := l.Target
				if strings.HasPrefix(p, "/") {
					p = p[1:]
				} else {
					p = path.Join("xl", p)
				}
				z.paths[p] = r
			}
		}
	}
	if len(z.paths) != len(z.rows) {
		return errors.New("sheet.Write: a sheet given rows is not in the workbook")
	}
	return nil
}
