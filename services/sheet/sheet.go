// Package sheet holds the small helpers every spreadsheet export (case
// lists, reports, import error reports) shares.
package sheet

// Safe neutralises spreadsheet formula injection: a cell whose text starts
// with =, +, -, @, a tab or a carriage return would be read as a formula by
// Excel, WPS or LibreOffice, so it gets a leading apostrophe and is shown as
// text. Every string cell of every CSV or XLSX export goes through Safe.
func Safe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// SafeRow applies Safe to every cell of row in place and returns it.
func SafeRow(row []string) []string {
	for i, s := range row {
		row[i] = Safe(s)
	}
	return row
}

// BOM is the UTF-8 byte-order mark that makes Excel open a CSV file as UTF-8.
const BOM = "\uFEFF"
