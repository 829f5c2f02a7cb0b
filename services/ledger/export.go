package ledger

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"fuyi/models"
	"fuyi/services/codes"
	"fuyi/services/errs"
	"fuyi/services/sheet"
)

// exportRow is one case as the ledger export reads it.
type exportRow struct {
	CaseNo, Applicant, ApplicantType, Respondent, ActType, Area, ReceivedOn string
	Status                                                                  string
	AcceptedOn                                                              *string
	Procedure                                                               string
	ClosedOn                                                                *string
	Outcome                                                                 string
	OutcomePartial, OutcomeRedo                                             bool
	Termination, Note                                                       string
}

// cells renders the row in CaseLayout order, formula-safe.
func (r *exportRow) cells() []string {
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	intake := intakeOf(r.Status, r.AcceptedOn)
	procedure := ""
	if r.AcceptedOn != nil {
		procedure = r.Procedure
		if procedure == "" {
			procedure = "ordinary"
		}
	}
	outcome := codes.Outcomes.Label(r.Outcome, "zh")
	if r.Outcome == "revoked" {
		switch {
		case r.OutcomePartial && r.OutcomeRedo:
			outcome = "部分撤销并责令重作"
		case r.OutcomePartial:
			outcome = "部分撤销"
		case r.OutcomeRedo:
			outcome = "撤销并责令重作"
		}
	}
	label := func(l codes.List, code string) string {
		if code == "" {
			return ""
		}
		return l.Label(code, "zh")
	}
	if r.Outcome == "" {
		outcome = ""
	}
	return sheet.SafeRow([]string{
		r.CaseNo, r.Applicant, label(codes.ApplicantTypes, r.ApplicantType), r.Respondent,
		label(codes.ActTypes, r.ActType), label(codes.Areas, r.Area), r.ReceivedOn,
		label(codes.Intakes, intake), deref(r.AcceptedOn), label(codes.Procedures, procedure),
		deref(r.ClosedOn), outcome, label(codes.Terminations, r.Termination), r.Note,
	})
}

// ExportHeader is the header row of a ledger export (Chinese, CaseLayout order).
func ExportHeader() []string {
	out := make([]string, len(CaseLayout.Columns))
	for i, c := range CaseLayout.Columns {
		out[i] = c.ZH
	}
	return out
}

// Export writes every case of organ organID as a reconsideration ledger in
// the columns of DESIGN §7 with Chinese headers, ordered by receipt date
// and case number: format "xlsx" (streamed) or "csv" (UTF-8 with BOM). Every
// text cell is neutralised against formula injection (sheet.Safe); Import
// reverses that, so an export imports back unchanged.
func Export(ctx context.Context, db *models.DB, organID int64, format string, w io.Writer) error {
	var write func(cells []string) error
	var finish func() error
	switch Format(format) {
	case FormatCSV:
		if _, err := io.WriteString(w, sheet.BOM); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		cw.UseCRLF = true
		write = func(cells []string) error { return cw.Write(cells) }
		finish = func() error { cw.Flush(); return cw.Error() }
	case FormatXLSX:
		f := excelize.NewFile()
		defer f.Close()
		const name = "台账"
		if err := f.SetSheetName("Sheet1", name); err != nil {
			return errs.Internal(err)
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return errs.Internal(err)
		}
		_ = sw.SetColWidth(1, 1, 22)
		_ = sw.SetColWidth(2, len(CaseLayout.Columns), 14)
		row := 0
		write = func(cells []string) error {
			row++
			vals := make([]any, len(cells))
			for i, c := range cells {
				vals[i] = c
			}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			return sw.SetRow(cell, vals)
		}
		finish = func() error {
			if err := sw.Flush(); err != nil {
				return err
			}
			return sheet.Write(f, w) // zipped into w, not built in memory first
		}
	default:
		return errs.InvalidField("format", "格式只能是 xlsx 或 csv", "format must be xlsx or csv")
	}
	if err := write(ExportHeader()); err != nil {
		return err
	}
	rows, err := db.Read.WithContext(ctx).Table("cases").
		Select("cases.case_no, cases.applicant, cases.applicant_type, COALESCE(agencies.name, ''), cases.act_type, cases.area, cases.received_on, "+
			"cases.status, cases.accepted_on, cases.procedure, cases.closed_on, cases.outcome, cases.outcome_partial, cases.outcome_redo, cases.termination, cases.note").
		Joins("LEFT JOIN agencies ON agencies.id = cases.respondent_id").
		Where("cases.organ_id = ?", organID).Order("cases.received_on, cases.year, cases.seq, cases.id").Rows()
	if err != nil {
		return errs.Internal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var r exportRow
		if err := rows.Scan(&r.CaseNo, &r.Applicant, &r.ApplicantType, &r.Respondent, &r.ActType, &r.Area, &r.ReceivedOn,
			&r.Status, &r.AcceptedOn, &r.Procedure, &r.ClosedOn, &r.Outcome, &r.OutcomePartial, &r.OutcomeRedo, &r.Termination, &r.Note); err != nil {
			return errs.Internal(err)
		}
		if err := write(r.cells()); err != nil {
			return err
		}
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return errs.Internal(err)
	}
	return finish()
}

// ExportFileName is a download name for an organ's ledger, e.g. "台账-平谷区-20240105.xlsx".
func ExportFileName(organName, format string, now time.Time) string {
	return fmt.Sprintf("台账-%s-%s.%s", organName, now.In(chinaTime).Format("20060102"), format)
}
