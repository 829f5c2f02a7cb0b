package lifecycle

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/errs"
	"fuyi/services/sheet"
)

// Export formats.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// exportBatch is how many cases are read (and their parties looked up) at a time.
const exportBatch = 500

// Export is a validated case export ready to stream.
type Export struct {
	// Filename is a suggested file name, e.g. cases-20240301.csv.
	Filename string
	// ContentType is the MIME type of the file.
	ContentType string

	s      *Service
	ctx    context.Context
	p      *auth.Principal
	q      *gorm.DB
	sort   string
	format string
}

// Export validates the filter (errors surface here, before anything is
// written) and returns the export of every matching case, ignoring paging.
// Personal data is always masked in exports; every cell is neutralised
// against formula injection (sheet.Safe).
func (s *Service) Export(ctx context.Context, p *auth.Principal, f ListFilter, format string) (*Export, error) {
	if format == "" {
		format = FormatCSV
	}
	if format != FormatCSV && format != FormatXLSX {
		return nil, errs.InvalidField("format", "导出格式只能是 csv 或 xlsx", "format must be csv or xlsx")
	}
	f.Page, f.PageSize = 0, 0
	q, err := s.query(ctx, p, &f)
	if err != nil {
		return nil, err
	}
	e := &Export{s: s, ctx: ctx, p: p, q: q, sort: f.Sort, format: format,
		Filename: "cases-" + strings.ReplaceAll(s.today(), "-", "") + "." + format}
	if format == FormatCSV {
		e.ContentType = "text/csv; charset=utf-8"
	} else {
		e.ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return e, nil
}

// exportHeader are the Chinese column headers of a case export.
var exportHeader = []string{"案号", "复议机关", "状态", "申请人", "申请人类型", "申请人证件号码", "申请人联系电话", "代理人", "第三人",
	"被申请人", "行政行为类别", "管理领域", "行政行为文号", "行政行为日期", "复议请求", "申请方式", "审理程序", "承办人",
	"收件日期", "补正通知日期", "补正材料收到日期", "受理日期", "视为受理", "受理前处理日期", "中止日期", "延期天数",
	"结案日期", "审理结果", "部分撤销", "责令重作", "终止原因", "送达日期", "归档日期", "听证", "咨询复议委员会",
	"请求赔偿金额（元）", "决定赔偿金额（元）", "法律适用", "备注"}

func exportRow(v *CaseView) []string {
	var ids, phones, thirds []string
	for _, a := range v.Applicants {
		ids = append(ids, a.IDNumber)
		phones = append(phones, a.Phone)
	}
	for _, t := range v.ThirdParties {
		thirds = append(thirds, t.Name)
	}
	d := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	yes := func(b bool) string {
		if b {
			return "是"
		}
		return "否"
	}
	handler := v.HandlerName
	regime := map[string]string{RegimeRL2017: "行政复议法（2017）及实施条例", RegimeRL2023: "行政复议法（2023）"}[v.Regime]
	return sheet.SafeRow([]string{v.CaseNo, v.OrganName, codes.Statuses.Label(v.Status, "zh"), v.Applicant,
		label(codes.ApplicantTypes, v.ApplicantType), strings.Join(ids, "；"), strings.Join(phones, "；"), v.Agent,
		strings.Join(thirds, "、"), v.RespondentName, label(codes.ActTypes, v.ActType), label(codes.Areas, v.Area),
		v.ActDocumentNo, d(v.ActDate), v.Request, label(codes.Channels, v.Channel), label(codes.Procedures, v.Procedure),
		handler, v.ReceivedOn, d(v.CorrectionNoticeOn), d(v.CorrectionReceivedOn), d(v.AcceptedOn), yes(v.DeemedAccepted),
		d(v.IntakeOn), d(v.SuspendedOn), itoaZero(v.ExtensionDays), d(v.ClosedOn), label(codes.Outcomes, v.Outcome),
		yes(v.OutcomePartial), yes(v.OutcomeRedo), label(codes.Terminations, v.Termination), d(v.ServedOn), d(v.ArchivedOn),
		yes(v.HearingHeld), yes(v.CommitteeConsulted), yuan(v.CompensationClaimed), yuan(v.CompensationAwarded), regime, v.Note})
}

func label(l codes.List, code string) string {
	if code == "" {
		return ""
	}
	return l.Label(code, "zh")
}

func itoaZero(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// yuan formats an amount in fen as yuan with two decimals ("" for zero).
func yuan(fen int64) string {
	if fen == 0 {
		return ""
	}
	return fmt.Sprintf("%d.%02d", fen/100, fen%100)
}

// Write streams the export to w, reading the cases in batches.
func (e *Export) Write(w io.Writer) error {
	switch e.format {
	case FormatXLSX:
		return e.writeXLSX(w)
	default:
		return e.writeCSV(w)
	}
}

func (e *Export) writeCSV(w io.Writer) error {
	if _, err := io.WriteString(w, sheet.BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(exportHeader); err != nil {
		return err
	}
	err := e.each(func(row []string) error { return cw.Write(row) })
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

func (e *Export) writeXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const name = "案件"
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	rowNo := 1
	put := func(row []string) error {
		cells := make([]any, len(row))
		for i, s := range row {
			cells[i] = s
		}
		cell, _ := excelize.CoordinatesToCellName(1, rowNo)
		rowNo++
		return sw.SetRow(cell, cells)
	}
	if err := put(exportHeader); err != nil {
		return err
	}
	if err := e.each(put); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return sheet.Write(f, w) // zipped into w, not built in memory first
}

// each reads the matching cases with Rows(), exportBatch at a time, and calls
// fn with each one's masked, neutralised row.
func (e *Export) each(fn func([]string) error) error {
	rows, err := orderBy(e.q, e.sort).Rows()
	if err != nil {
		return errs.Internal(err)
	}
	defer rows.Close()
	batch := make([]models.Case, 0, exportBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		// allowPersonal=false: exports are always masked.
		vs, err := e.s.views(e.ctx, e.s.db.Read, e.p, batch, false)
		if err != nil {
			return err
		}
		for i := range vs {
			if err := fn(exportRow(&vs[i])); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	for rows.Next() {
		var c models.Case
		if err := e.q.ScanRows(rows, &c); err != nil {
			return errs.Internal(err)
		}
		batch = append(batch, c)
		if len(batch) == exportBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return errs.Internal(err)
	}
	return flush()
}
