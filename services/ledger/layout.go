// Package ledger reads and writes the offices' spreadsheet ledgers (台账,
// DESIGN §7): CSV (UTF-8 with or without BOM, or GB18030) and XLSX sources,
// header matching against a column table (Layout), the date parser, the
// bilingual row-level error report, the reconsideration-case import (validate
// every row, then write everything in one transaction, idempotently), the
// ledger export, and the import jobs the API runs.
//
// The readers, Layout, ParseDate and Problem are shared: the litigation
// ledger supplies its own Layout and reuses the rest.
package ledger

import (
	"strings"
	"unicode"
)

// Column is one column of a ledger layout.
type Column struct {
	// Key is the canonical English header and the field name in reports, e.g. "received_on".
	Key string
	// ZH is the canonical Chinese header, e.g. "收件日期"; exports write it.
	ZH string
	// Aliases are other headers accepted for the column (matched after normalisation).
	Aliases []string
	// Required columns must be present in the header row.
	Required bool
}

// Layout is the column table of one kind of ledger.
type Layout struct {
	// Name names the ledger in messages, e.g. "行政复议案件台账".
	Name    string
	Columns []Column
}

// CaseLayout is the reconsideration ledger of DESIGN §7.
var CaseLayout = Layout{Name: "行政复议案件台账", Columns: []Column{
	{Key: "case_no", ZH: "案号", Aliases: []string{"复议案号", "案件编号", "case number"}},
	{Key: "applicant", ZH: "申请人", Required: true, Aliases: []string{"申请人姓名", "申请人名称", "申请人姓名或名称"}},
	{Key: "applicant_type", ZH: "申请人类型", Aliases: []string{"申请人类别"}},
	{Key: "respondent", ZH: "被申请人", Required: true, Aliases: []string{"被申请人名称"}},
	{Key: "act_type", ZH: "行政行为类别", Aliases: []string{"行政行为类型", "案件类别", "行为类别"}},
	{Key: "area", ZH: "管理领域", Aliases: []string{"行政管理领域"}},
	{Key: "received_on", ZH: "收件日期", Required: true, Aliases: []string{"收到日期", "申请日期", "收案日期", "received"}},
	{Key: "intake", ZH: "受理情况", Required: true, Aliases: []string{"受理结果", "是否受理"}},
	{Key: "accepted_on", ZH: "受理日期", Aliases: []string{"立案日期", "accepted"}},
	{Key: "procedure", ZH: "审理程序", Aliases: []string{"适用程序"}},
	{Key: "closed_on", ZH: "结案日期", Aliases: []string{"审结日期", "办结日期", "决定日期", "closed"}},
	{Key: "outcome", ZH: "审理结果", Aliases: []string{"结案方式", "复议结果", "处理结果"}},
	{Key: "termination", ZH: "终止原因", Aliases: []string{"终止情形"}},
	{Key: "note", ZH: "备注", Aliases: []string{"notes", "remark", "remarks"}},
}}

// Column returns the column of key.
func (l Layout) Column(key string) (Column, bool) {
	for _, c := range l.Columns {
		if c.Key == key {
			return c, true
		}
	}
	return Column{}, false
}

// Header is a matched header row: where each known column sits and how the
// file spells it.
type Header struct {
	// Row is the spreadsheet row number of the header (1 for the first row).
	Row int
	// Index maps a column key to its cell index.
	Index map[string]int
	// Written maps a column key to the header text as written in the file.
	Written map[string]string
	// Unknown lists the headers no column matched, as written.
	Unknown []string
	layout  Layout
}

// normaliseHeader folds a header cell for matching: trims spaces (also
// full-width ones), drops a BOM, required-field stars and a parenthesised
// note (“收件日期（年月日）”), folds full-width letters and lower-cases
// English; "Received On" and "received-on" both become "received_on".
func normaliseHeader(s string) string {
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.Map(func(r rune) rune {
		if r >= '！' && r <= '～' { // full-width ASCII
			r = r - '！' + '!'
		}
		if r == '\u3000' {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	for _, open := range []string{"(", "["} {
		if i := strings.Index(s, open); i > 0 {
			s = s[:i]
		}
	}
	s = strings.Trim(s, "*＊ \t\r\n")
	s = strings.ToLower(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '_' || unicode.IsSpace(r):
			space = true
		default:
			if space && b.Len() > 0 {
				b.WriteByte('_')
			}
			space = false
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lookup maps every normalised name of every column to its key.
func (l Layout) lookup() map[string]string {
	m := map[string]string{}
	for _, c := range l.Columns {
		m[normaliseHeader(c.Key)] = c.Key
		m[normaliseHeader(c.ZH)] = c.Key
		for _, a := range c.Aliases {
			m[normaliseHeader(a)] = c.Key
		}
	}
	return m
}

// recognised counts the cells of row that name a column of l.
func (l Layout) recognised(cells []string) int {
	m := l.lookup()
	n := 0
	for _, c := range cells {
		if _, ok := m[normaliseHeader(c)]; ok {
			n++
		}
	}
	return n
}

// Match reads cells as the header row (spreadsheet row number row). It
// returns the header, the fatal problems (a required column missing, a
// column given twice) and the warnings (unknown columns, which are ignored).
func (l Layout) Match(row int, cells []string) (*Header, []Problem, []Problem) {
	h := &Header{Row: row, Index: map[string]int{}, Written: map[string]string{}, layout: l}
	m := l.lookup()
	var errors, warnings []Problem
	for i, cell := range cells {
		written := strings.TrimSpace(strings.TrimPrefix(cell, "\uFEFF"))
		if written == "" {
			continue
		}
		key, ok := m[normaliseHeader(written)]
		if !ok {
			h.Unknown = append(h.Unknown, written)
			warnings = append(warnings, Problem{Row: row, Column: written,
				ZH: "未知的列，已忽略", EN: "unknown column, ignored"})
			continue
		}
		if _, dup := h.Index[key]; dup {
			errors = append(errors, Problem{Row: row, Column: written, Field: key,
				ZH: "与“" + h.Written[key] + "”是同一列，不能重复", EN: "the same column as " + h.Written[key] + "; a column may appear once"})
			continue
		}
		h.Index[key] = i
		h.Written[key] = written
	}
	for _, c := range l.Columns {
		if _, ok := h.Index[c.Key]; c.Required && !ok {
			errors = append(errors, Problem{Row: row, Column: c.ZH, Field: c.Key,
				ZH: "缺少必需的列“" + c.ZH + "”（或 " + c.Key + "）", EN: "required column missing: " + c.Key + " (" + c.ZH + ")"})
		}
	}
	return h, errors, warnings
}

// Has reports whether the file has the column key.
func (h *Header) Has(key string) bool {
	_, ok := h.Index[key]
	return ok
}

// ColumnName is the header of key as the file writes it, or its Chinese
// header when the file lacks the column.
func (h *Header) ColumnName(key string) string {
	if w, ok := h.Written[key]; ok {
		return w
	}
	if c, ok := h.layout.Column(key); ok {
		return c.ZH
	}
	return key
}

// Row is one data row of a ledger.
type Row struct {
	// Num is the spreadsheet row number (the header is row 1 when it is the first row).
	Num    int
	Cells  []string
	Header *Header
}

// Get returns the trimmed cell of column key ("" when absent). A leading
// apostrophe that an export added to neutralise a formula (sheet.Safe) is
// removed again.
func (r Row) Get(key string) string {
	i, ok := r.Header.Index[key]
	if !ok || i >= len(r.Cells) {
		return ""
	}
	return unescapeCell(strings.TrimSpace(r.Cells[i]))
}

// Blank reports whether every cell of the row is empty.
func (r Row) Blank() bool {
	for _, c := range r.Cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Problem builds a problem of this row in column key.
func (r Row) Problem(key, zh, en string) Problem {
	return Problem{Row: r.Num, Column: r.Header.ColumnName(key), Field: key, ZH: zh, EN: en}
}

// unescapeCell undoes sheet.Safe: "'=x" → "=x".
func unescapeCell(s string) string {
	if len(s) >= 2 && s[0] == '\'' {
		switch s[1] {
		case '=', '+', '-', '@', '\t', '\r':
			return s[1:]
		}
	}
	return s
}
