package ledger

import (
	"fmt"
	"io"
	"sort"
)

// Problem is one finding about a ledger: a bad cell, a bad row, a header
// problem or a warning. Row is the spreadsheet row number (header = row 1);
// 0 means the file as a whole.
type Problem struct {
	Row int `json:"row"`
	// Column is the header as written in the file (or the canonical Chinese
	// header when the column is missing); empty for whole-row problems.
	Column string `json:"column,omitempty"`
	// Field is the column key (received_on …).
	Field string `json:"field,omitempty"`
	ZH    string `json:"zh"`
	EN    string `json:"en"`
}

// Line renders the problem as one zh + en report line:
// "第3行 收件日期：日期无效 / row 3 received_on: invalid date".
func (p Problem) Line() string {
	zhWhere, enWhere := "", ""
	switch {
	case p.Row > 0:
		zhWhere, enWhere = fmt.Sprintf("第%d行", p.Row), fmt.Sprintf("row %d", p.Row)
	default:
		zhWhere, enWhere = "文件", "file"
	}
	if p.Column != "" {
		zhWhere += " " + p.Column
		f := p.Field
		if f == "" {
			f = p.Column
		}
		enWhere += " " + f
	}
	return fmt.Sprintf("%s：%s / %s: %s", zhWhere, p.ZH, enWhere, p.EN)
}

// CellError is a bilingual reason a cell is refused.
type CellError struct{ ZH, EN string }

func (e *CellError) Error() string { return e.EN }

// Conflict is a ledger row whose case was edited in the app since its last
// import: the import does not overwrite it.
type Conflict struct {
	Row    int    `json:"row"`
	CaseID int64  `json:"case_id"`
	CaseNo string `json:"case_no"`
	ZH     string `json:"zh"`
	EN     string `json:"en"`
}

// MaxReportedProblems caps the problems kept in a Result; ErrorCount and
// WarningCount still count them all.
const MaxReportedProblems = 10000

// Result is the outcome of an import or a dry run.
type Result struct {
	Kind   string `json:"kind"`
	DryRun bool   `json:"dry_run"`
	// Written is true when the import committed (never on a dry run or with errors).
	Written      bool   `json:"written"`
	OrganID      int64  `json:"organ_id"`
	OrganName    string `json:"organ_name"`
	OrganCreated bool   `json:"organ_created"`
	Sheet        string `json:"sheet,omitempty"`
	// Rows counts the non-blank data rows.
	Rows      int `json:"rows"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	// Skipped counts conflicting rows left alone (skip_conflicts).
	Skipped         int        `json:"skipped"`
	AgenciesCreated []string   `json:"agencies_created"`
	Conflicts       []Conflict `json:"conflicts"`
	Errors          []Problem  `json:"errors"`
	Warnings        []Problem  `json:"warnings"`
	ErrorCount      int        `json:"error_count"`
	WarningCount    int        `json:"warning_count"`
	// BadRows counts the distinct rows with at least one error.
	BadRows int `json:"bad_rows"`
	// Refused explains why nothing was written when the file itself was fine
	// (conflicts without skip_conflicts).
	Refused *Problem `json:"refused,omitempty"`
	lastBad int
}

func newResult(kind string, dryRun bool) *Result {
	return &Result{Kind: kind, DryRun: dryRun, AgenciesCreated: []string{}, Conflicts: []Conflict{}, Errors: []Problem{}, Warnings: []Problem{}}
}

// AddError records an error (and counts its row).
func (r *Result) AddError(p Problem) {
	r.ErrorCount++
	if p.Row > 0 && p.Row != r.lastBad {
		r.BadRows++
		r.lastBad = p.Row
	}
	if len(r.Errors) < MaxReportedProblems {
		r.Errors = append(r.Errors, p)
	}
}

// AddWarning records a warning.
func (r *Result) AddWarning(p Problem) {
	r.WarningCount++
	if len(r.Warnings) < MaxReportedProblems {
		r.Warnings = append(r.Warnings, p)
	}
}

// OK reports whether the ledger was accepted: no bad row and no refusal.
// The CLI exits non-zero unless OK.
func (r *Result) OK() bool { return r.ErrorCount == 0 && r.Refused == nil }

// WriteReport prints the result for people: a summary line, then every
// error, conflict and warning as "第3行 收件日期：… / row 3 received_on: …".
func (r *Result) WriteReport(w io.Writer) error {
	ew := &errWriter{w: w}
	mode, modeEN := "导入", "import"
	if r.DryRun {
		mode, modeEN = "试导入（未写入）", "dry run (nothing written)"
	}
	ew.printf("%s：%s（%d） / %s: %s (%d)\n", mode, r.OrganName, r.OrganID, modeEN, r.OrganName, r.OrganID)
	if r.OrganCreated {
		ew.printf("新建复议机关“%s” / created organ %q\n", r.OrganName, r.OrganName)
	}
	for _, a := range r.AgenciesCreated {
		ew.printf("新建被申请人“%s” / created respondent agency %q\n", a, a)
	}
	ew.printf("数据行 %d：新增 %d，更新 %d，未变 %d，冲突 %d，跳过 %d；错误 %d（涉及 %d 行），警告 %d / rows %d: created %d, updated %d, unchanged %d, conflicts %d, skipped %d; errors %d (%d rows), warnings %d\n",
		r.Rows, r.Created, r.Updated, r.Unchanged, len(r.Conflicts), r.Skipped, r.ErrorCount, r.BadRows, r.WarningCount,
		r.Rows, r.Created, r.Updated, r.Unchanged, len(r.Conflicts), r.Skipped, r.ErrorCount, r.BadRows, r.WarningCount)
	for _, p := range r.Errors {
		ew.printf("错误 error: %s\n", p.Line())
	}
	if r.ErrorCount > len(r.Errors) {
		ew.printf("……另有 %d 个错误未列出 / … %d more errors not listed\n", r.ErrorCount-len(r.Errors), r.ErrorCount-len(r.Errors))
	}
	for _, c := range r.Conflicts {
		ew.printf("冲突 conflict: 第%d行 案号 %s：%s / row %d case_no %s: %s\n", c.Row, c.CaseNo, c.ZH, c.Row, c.CaseNo, c.EN)
	}
	if r.Refused != nil {
		ew.printf("拒绝 refused: %s\n", r.Refused.Line())
	}
	for _, p := range r.Warnings {
		ew.printf("警告 warning: %s\n", p.Line())
	}
	switch {
	case !r.OK():
		ew.printf("未写入任何数据 / nothing was written\n")
	case r.Written:
		ew.printf("已写入 / committed\n")
	}
	return ew.err
}

// sortProblems orders problems by row, keeping each row's order.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Row < ps[j].Row })
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}
