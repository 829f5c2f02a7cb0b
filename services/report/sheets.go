package report

import (
	"context"
	"database/sql"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"fuyi/models"
	"fuyi/services/codes"
	"fuyi/services/errs"
	"fuyi/services/sheet"
	"fuyi/services/stats"
)

// caseListHeader is the header of the case list (XLSX sheet and CSV).
var caseListHeader = []string{"案号", "申请人", "申请人类型", "被申请人", "行政行为类别", "管理领域", "收件日期",
	"受理情况", "受理日期", "审理程序", "结案日期", "审理结果", "终止原因"}

// MaskName masks a citizen's name (personal data): 张三 → 张*; organisations stay.
func MaskName(name, applicantType string) string {
	if applicantType != "citizen" {
		return name
	}
	r := []rune(strings.TrimSpace(name))
	if len(r) <= 1 {
		return string(r)
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}

func intakeLabel(c *models.Case) string {
	switch {
	case c.AcceptedOn != nil:
		return "受理"
	case c.Status == "not_accepted":
		return "不予受理"
	case c.Status == "abandoned":
		return "补正逾期"
	case c.Status == "withdrawn_before_acceptance":
		return "撤回"
	case c.Status == "referred":
		return "转送"
	}
	return "审查中"
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// eachCase streams the cases of the period — received in it, closed in it or
// pending at its end — with masked personal data, one row at a time (fn
// must not keep row: it is reused).
func (s *Service) eachCase(ctx context.Context, p stats.Period, organIDs []int64, fn func(row []string) error) error {
	agencies := map[int64]string{}
	var ags []models.Agency
	if err := s.db.Read.WithContext(ctx).Select("id, name").Where("organ_id IN ?", append([]int64{-1}, organIDs...)).Find(&ags).Error; err != nil {
		return errs.Internal(err)
	}
	for _, a := range ags {
		agencies[a.ID] = a.Name
	}
	var c models.Case
	row := make([]string, len(caseListHeader))
	emit := func(rows *sql.Rows) error {
		defer rows.Close()
		for n := 0; rows.Next(); n++ {
			if n%1024 == 0 && ctx.Err() != nil {
				return errs.Internal(ctx.Err())
			}
			c.AcceptedOn, c.ClosedOn = nil, nil
			if err := rows.Scan(&c.CaseNo, &c.Applicant, &c.ApplicantType, &c.RespondentID, &c.ActType, &c.Area,
				&c.ReceivedOn, &c.Status, &c.AcceptedOn, &c.Procedure, &c.ClosedOn, &c.Outcome, &c.Termination); err != nil {
				return errs.Internal(err)
			}
			row = append(row[:0], c.CaseNo, MaskName(c.Applicant, c.ApplicantType), codes.ApplicantTypes.Label(c.ApplicantType, "zh"),
				agencies[c.RespondentID], codes.ActTypes.Label(c.ActType, "zh"), codes.Areas.Label(c.Area, "zh"), c.ReceivedOn,
				intakeLabel(&c), deref(c.AcceptedOn), codes.Procedures.Label(c.Procedure, "zh"), deref(c.ClosedOn),
				codes.Outcomes.Label(c.Outcome, "zh"), codes.Terminations.Label(c.Termination, "zh"))
			if err := fn(sheet.SafeRow(row)); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return errs.Internal(err)
		}
		return nil
	}
	// The list is ordered by received_on, id, and received_on splits it into
	// three consecutive parts read one after the other:
	//  1. received before the period (closed in it or pending at its end):
	//     the carry-over, a few months of intake at most, sorted;
	//  2. received in the period: every case of the organs, read in the order
	//     of an index (received_on, id), not sorted;
	//  3. received after the period yet accepted by its end (only inconsistent
	//     data), sorted.
	// One query with ORDER BY over the three had SQLite sort the whole year
	// whenever the planner had no statistics (the app never runs ANALYZE): it
	// read the organ's cases through ux_case_organ_no into a temporary B-tree.
	// Parts 1 and 3 keep the original condition, with its consequences
	// spelled out for the index (accepted, and not closed before the period).
	cols := `SELECT case_no, applicant, applicant_type, respondent_id, act_type, area,
		received_on, status, accepted_on, procedure, closed_on, outcome, termination FROM cases`
	outside := `accepted_on IS NOT NULL AND (closed_on IS NULL OR closed_on >= ?)
		AND ((closed_on BETWEEN ? AND ?) OR (accepted_on <= ? AND (closed_on IS NULL OR closed_on > ?)))`
	organs, organArg := "organ_id IN ?", any(append([]int64{-1}, organIDs...))
	if len(organIDs) == 1 {
		organs, organArg = "organ_id = ?", organIDs[0]
	}
	// Several organs: the index on received_on, id, organ_id gives the order
	// (SQLite would otherwise read the per-organ index, organ after organ,
	// and sort). PostgreSQL plans it itself; its sorting happens in the
	// database server.
	inPeriod := cols
	if s.db.Dialect == models.SQLite && len(organIDs) != 1 {
		inPeriod += " INDEXED BY ix_case_received"
	}
	// The parts are read without the request's cancellation, which emit
	// checks every 1,024 rows instead: go-sqlite3 steps a cancellable query
	// in a new goroutine for every row (~15 % of a million-row export's CPU).
	q := s.db.Read.WithContext(context.WithoutCancel(ctx))
	for _, part := range []struct {
		sql  string
		args []any
	}{
		{cols + " WHERE " + organs + " AND received_on < ? AND " + outside + " ORDER BY received_on, id",
			[]any{organArg, p.From, p.From, p.From, p.To, p.To, p.To}},
		{inPeriod + " WHERE " + organs + " AND received_on BETWEEN ? AND ? ORDER BY received_on, id",
			[]any{organArg, p.From, p.To}},
		{cols + " WHERE " + organs + " AND received_on > ? AND " + outside + " ORDER BY received_on, id",
			[]any{organArg, p.To, p.From, p.From, p.To, p.To, p.To}},
	} {
		if ctx.Err() != nil {
			return errs.Internal(ctx.Err())
		}
		rows, err := q.Raw(part.sql, part.args...).Rows()
		if err != nil {
			return errs.Internal(err)
		}
		if err := emit(rows); err != nil {
			return err
		}
	}
	return nil
}

// writeCSV writes the case list as CSV: UTF-8 with BOM, formulas neutralised.
func (s *Service) writeCSV(ctx context.Context, w io.Writer, p stats.Period, organIDs []int64) error {
	if _, err := io.WriteString(w, sheet.BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(caseListHeader); err != nil {
		return err
	}
	err := s.eachCase(ctx, p, organIDs, func(row []string) error { return cw.Write(row) })
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// Sheet names of the workbook.
const (
	SheetSummary    = "汇总"
	SheetOutcomes   = "审理结果"
	SheetRespondent = "被申请人"
	SheetActType    = "行政行为类别"
	SheetForm       = "统计表"
	SheetLitigation = "应诉"
	SheetCases      = "案件清单"
)

type book struct {
	f       *excelize.File
	pct     int
	head    int
	lastErr error
}

func (b *book) set(sheetName string, row int, vals ...any) {
	for i, v := range vals {
		cell, _ := excelize.CoordinatesToCellName(i+1, row)
		if s, ok := v.(string); ok {
			v = sheet.Safe(s)
		}
		if err := b.f.SetCellValue(sheetName, cell, v); err != nil && b.lastErr == nil {
			b.lastErr = err
		}
	}
}

// rate writes a metric as a fraction with a percent number format (empty when undefined).
func (b *book) rate(sheetName string, col, row int, m stats.Metric) {
	cell, _ := excelize.CoordinatesToCellName(col, row)
	if m.Rate == nil {
		_ = b.f.SetCellValue(sheetName, cell, "")
		return
	}
	_ = b.f.SetCellValue(sheetName, cell, float64(m.Numerator)/float64(m.Denominator))
	_ = b.f.SetCellStyle(sheetName, cell, cell, b.pct)
}

func (b *book) header(sheetName string, cols []string, widths ...float64) {
	b.set(sheetName, 1, toAny(cols)...)
	last, _ := excelize.CoordinatesToCellName(len(cols), 1)
	_ = b.f.SetCellStyle(sheetName, "A1", last, b.head)
	_ = b.f.SetPanes(sheetName, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	for i := range cols {
		w := 12.0
		if i < len(widths) {
			w = widths[i]
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		_ = b.f.SetColWidth(sheetName, col, col, w)
	}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func metricKeys(rc stats.Reconsideration) []string {
	order := []string{"direct_correction", "comprehensive_correction", "resolution", "acceptance", "upheld", "on_time"}
	var out []string
	for _, k := range order {
		if _, ok := rc.Metrics[k]; ok {
			out = append(out, k)
		}
	}
	var extra []string
	for k := range rc.Metrics {
		found := false
		for _, o := range order {
			found = found || o == k
		}
		if !found {
			extra = append(extra, k)
		}
	}
	sortStrings(extra)
	return append(out, extra...)
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func (s *Service) writeXLSX(ctx context.Context, w io.Writer, rep *stats.Report, organIDs []int64) error {
	f := sheet.NewXLSX()
	defer f.Close()
	pct, err := f.NewStyle(&excelize.Style{CustomNumFmt: strPtr("0.0%")})
	if err != nil {
		return errs.Internal(err)
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return errs.Internal(err)
	}
	b := &book{f: f, pct: pct, head: head}
	_ = f.SetSheetName("Sheet1", SheetSummary)
	for _, name := range []string{SheetOutcomes, SheetRespondent, SheetActType, SheetForm, SheetLitigation, SheetCases} {
		if _, err := f.NewSheet(name); err != nil {
			return errs.Internal(err)
		}
	}
	rc := rep.Reconsideration
	mk := metricKeys(rc)

	// 汇总: the counts, the outcomes, the metrics and the balance checks.
	b.header(SheetSummary, []string{"项目", "数值", "说明"}, 34, 14, 60)
	row := 2
	line := func(label string, v any, note string) {
		b.set(SheetSummary, row, label, v, note)
		row++
	}
	line("统计期间", rep.Period.From+" 至 "+rep.Period.To, "")
	line("收件（接收行政复议申请）", rc.Received, "收件日期在期间内")
	line("受理", rc.Accepted, "受理日期在期间内（含视为受理）")
	line("不予受理", rc.NotAccepted, "不予受理决定日期在期间内")
	line("办结", rc.Closed, "结案日期在期间内的已受理案件（含以前年度受理）")
	line("上期结转", rc.CarriedOver, "期初未结的已受理案件")
	line("期末未结", rc.PendingEnd, "期末未结的已受理案件")
	for _, o := range codes.Outcomes {
		line("审理结果："+o.ZH, rc.Outcomes[o.Code], "")
	}
	for _, t := range codes.Terminations {
		line("终止原因："+t.ZH, rc.Terminations[t.Code], "")
	}
	for _, d := range stats.IntakeDispositions {
		line("收件受理情况："+intakeZH[d], rc.Intake[d], "期末时的受理情况")
	}
	for _, k := range mk {
		m := rc.Metrics[k]
		b.set(SheetSummary, row, m.Name, nil, n(m.Numerator)+"/"+n(m.Denominator))
		b.rate(SheetSummary, 2, row, m)
		row++
	}
	for _, bal := range rc.Balance {
		status := "平衡"
		if !bal.OK {
			status = "不平衡"
		}
		line("平衡检查："+bal.Name, status, bal.DetailZH)
	}
	for _, l := range rep.Locks {
		line("锁定", l.LockedAt.Format("2006-01-02"), "机关"+strconv.FormatInt(l.OrganID, 10)+" "+strconv.Itoa(l.Year)+"年度")
	}

	// 审理结果 by month, 被申请人, 行政行为类别
	outcomeCols := func(first string, withMetrics bool) []string {
		cols := []string{first, "收件", "受理", "办结"}
		for _, o := range codes.Outcomes {
			cols = append(cols, o.ZH)
		}
		if withMetrics {
			for _, k := range mk {
				cols = append(cols, rc.Metrics[k].Name)
			}
		}
		return cols
	}
	breakdownSheet := func(name, by, first string, withMetrics bool) error {
		bd, err := s.stats.Breakdown(ctx, by, rep.Period, organIDs, "zh")
		if err != nil {
			return err
		}
		b.header(name, outcomeCols(first, withMetrics), 24)
		r := 2
		for _, br := range bd.Rows {
			vals := []any{br.Label, br.Received, br.Accepted, br.Closed}
			for _, o := range codes.Outcomes {
				vals = append(vals, br.Outcomes[o.Code])
			}
			b.set(name, r, vals...)
			if withMetrics {
				for i, k := range mk {
					b.rate(name, len(vals)+1+i, r, br.Metrics[k])
				}
			}
			r++
		}
		total := []any{"合计", rc.Received, rc.Accepted, rc.Closed}
		for _, o := range codes.Outcomes {
			total = append(total, rc.Outcomes[o.Code])
		}
		b.set(name, r, total...)
		if withMetrics {
			for i, k := range mk {
				b.rate(name, len(total)+1+i, r, rc.Metrics[k])
			}
		}
		return nil
	}
	if err := breakdownSheet(SheetOutcomes, stats.SliceMonth, "月份", false); err != nil {
		return err
	}
	if err := breakdownSheet(SheetRespondent, stats.SliceRespondent, "被申请人", true); err != nil {
		return err
	}
	if err := breakdownSheet(SheetActType, stats.SliceActType, "行政行为类别", true); err != nil {
		return err
	}
	if err := s.formSheet(ctx, b, rep, organIDs); err != nil {
		return err
	}
	litigationSheet(b, rep.Litigation)
	cases, err := s.caseSheet(ctx, f, rep.Period, organIDs, head)
	if err != nil {
		return err
	}
	if b.lastErr != nil {
		return errs.Internal(b.lastErr)
	}
	f.SetActiveSheet(0)
	return sheet.Write(f, w, cases)
}

var intakeZH = map[string]string{"accepted": "受理", "not_accepted": "不予受理", "abandoned": "补正逾期",
	"withdrawn_before_acceptance": "受理前撤回", "referred": "告知转送", "pending": "审查中"}

func strPtr(s string) *string { return &s }

// formColumns lay out the national form 国法复统字1号 (domain §7.1): types of
// act × results; 终止 split into 和解/调解, 自愿撤回, 被申请人改变后撤回, 其他.
var formColumns = []struct {
	title    string
	outcomes []string
	terms    []string
}{
	{"驳回", []string{"request_rejected", "application_dismissed"}, nil},
	{"维持", []string{"upheld"}, nil},
	{"确认违法", []string{"confirmed_unlawful"}, nil},
	{"撤销", []string{"revoked"}, nil},
	{"变更", []string{"varied"}, nil},
	{"责令履行", []string{"ordered_to_perform"}, nil},
	{"确认无效", []string{"confirmed_void"}, nil},
	{"调解", []string{"mediated"}, nil},
	{"终止：和解/调解", nil, []string{"withdrawn_after_settlement", "withdrawn_after_mediation"}},
	{"终止：自愿撤回申请", nil, []string{"withdrawn_voluntary"}},
	{"终止：被申请人改变后撤回", nil, []string{"withdrawn_after_correction"}},
	{"终止：其他", nil, []string{"party_ended", "criminal_measures", "suspension_lapsed", "other", ""}},
}

func (s *Service) formSheet(ctx context.Context, b *book, rep *stats.Report, organIDs []int64) error {
	bd, err := s.stats.Breakdown(ctx, stats.SliceActType, rep.Period, organIDs, "zh")
	if err != nil {
		return err
	}
	cols := []string{"申请复议事项", "本期新收", "受理", "审结"}
	for _, c := range formColumns {
		cols = append(cols, c.title)
	}
	b.header(SheetForm, cols, 24)
	byKey := map[string]stats.BreakdownRow{}
	for _, r := range bd.Rows {
		byKey[r.Key] = r
	}
	cell := func(br stats.BreakdownRow, c int) int64 {
		var v int64
		for _, o := range formColumns[c].outcomes {
			v += br.Outcomes[o]
		}
		for _, t := range formColumns[c].terms {
			v += br.Terminations[t]
		}
		return v
	}
	r := 2
	var total stats.BreakdownRow
	total.Outcomes, total.Terminations = map[string]int64{}, map[string]int64{}
	keys := codes.ActTypes.Codes()
	for k := range byKey {
		if !codes.ActTypes.Has(k) {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		br, ok := byKey[k]
		if !ok {
			br = stats.BreakdownRow{Label: codes.ActTypes.Label(k, "zh"), Outcomes: map[string]int64{}, Terminations: map[string]int64{}}
		}
		vals := []any{br.Label, br.Received, br.Accepted, br.Closed}
		for c := range formColumns {
			vals = append(vals, cell(br, c))
		}
		b.set(SheetForm, r, vals...)
		total.Received, total.Accepted, total.Closed = total.Received+br.Received, total.Accepted+br.Accepted, total.Closed+br.Closed
		for o, v := range br.Outcomes {
			total.Outcomes[o] += v
		}
		for t, v := range br.Terminations {
			total.Terminations[t] += v
		}
		r++
	}
	vals := []any{"合计", total.Received, total.Accepted, total.Closed}
	for c := range formColumns {
		vals = append(vals, cell(total, c))
	}
	b.set(SheetForm, r, vals...)
	b.set(SheetForm, r+1, "上期结转", rep.Reconsideration.CarriedOver)
	b.set(SheetForm, r+2, "未审结（期末）", rep.Reconsideration.PendingEnd)
	return nil
}

// caseSheet prepares the case list sheet (widths, frozen header) and returns
// its rows, which sheet.Write streams into the archive (a million rows stay
// within memory bounds).
func (s *Service) caseSheet(ctx context.Context, f *excelize.File, p stats.Period, organIDs []int64, head int) (sheet.Rows, error) {
	sw, err := f.NewStreamWriter(SheetCases)
	if err != nil {
		return sheet.Rows{}, errs.Internal(err)
	}
	widths := []float64{22, 14, 10, 24, 18, 16, 12, 10, 12, 10, 12, 14, 16}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return sheet.Rows{}, errs.Internal(err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return sheet.Rows{}, errs.Internal(err)
	}
	if err := sw.SetRow("A1", toAny(caseListHeader), excelize.RowOpts{StyleID: head}); err != nil {
		return sheet.Rows{}, errs.Internal(err)
	}
	if err := sw.Flush(); err != nil {
		return sheet.Rows{}, errs.Internal(err)
	}
	return sheet.Rows{Sheet: SheetCases, First: 2, Fill: func(rw *sheet.RowWriter) error {
		return s.eachCase(ctx, p, organIDs, func(row []string) error {
			if err := rw.Row(row); err != nil {
				return errs.Internal(err)
			}
			return nil
		})
	}}, nil
}

// litigationSheet writes 应诉: the suits by kind and instance received in the
// period, first-instance conclusions and losses (domain §5.4: withdrawal and
// dismissal of the suit are not losses), the loss and head-appearance rates,
// and the judicial and procuratorial suggestions.
func litigationSheet(b *book, l stats.Litigation) {
	b.header(SheetLitigation, []string{"项目", "数值", "说明"}, 34, 14, 60)
	row := 2
	line := func(label string, v any, note string) {
		b.set(SheetLitigation, row, label, v, note)
		row++
	}
	line("行政应诉一审案件", l.FirstInstance, "收到应诉通知日期在期间内")
	line("行政应诉二审案件", l.SecondInstance, "收到应诉通知日期在期间内")
	line("行政应诉再审案件", l.Retrial, "收到应诉通知日期在期间内")
	line("民事应诉案件", l.Civil, "收到应诉通知日期在期间内")
	line("本级政府为被申请人复议案件", l.AsRespondent, "收到答复通知日期在期间内")
	line("一审审结", l.ConcludedFirstInstance, "裁判日期在期间内")
	line("一审败诉", l.LostFirstInstance, "撤诉、驳回起诉不计为败诉")
	for _, k := range []string{"loss_rate", "head_appearance"} {
		if m, ok := l.Metrics[k]; ok {
			b.set(SheetLitigation, row, m.Name, nil, strconv.FormatInt(m.Numerator, 10)+"/"+strconv.FormatInt(m.Denominator, 10))
			b.rate(SheetLitigation, 2, row, m)
			row++
		}
	}
	line("收到司法建议、检察建议", l.Suggestions.Received, "")
	line("已回复", l.Suggestions.Replied, "")
	line("按期回复", l.Suggestions.RepliedOnTime, "")
}
