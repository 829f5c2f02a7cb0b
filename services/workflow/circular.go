package workflow

import (
	"bytes"
	"context"
	"html/template"
	"io"
	"slices"
	"time"

	"github.com/xuri/excelize/v2"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/errs"
)

// correctionOutcomes are the direct corrections (直接纠错, DESIGN §5).
var correctionOutcomes = []string{"varied", "revoked", "confirmed_unlawful", "confirmed_void", "ordered_to_perform"}

// Circular is the per-agency circular (通报) of a period: the cases closed,
// the corrections with their reasons, the unperformed follow-ups, and the
// typical cases flagged.
type Circular struct {
	OrganID     int64
	OrganName   string
	From, To    string
	GeneratedOn string
	Agencies    []CircularAgency
	Typical     []TypicalCaseView
}

// CircularAgency is one respondent agency's part of the circular.
type CircularAgency struct {
	AgencyID    int64
	Name        string
	Closed      int
	Corrected   int
	Corrections []CircularCase
	Unperformed []FollowupView
}

// CircularCase is one corrected case: its outcome and the reason (the note
// of its decision).
type CircularCase struct {
	CaseID       int64
	CaseNo       string
	Outcome      string
	OutcomeLabel string
	ClosedOn     string
	Reason       string
}

// Circular builds the circular of organ for [from, to] (YYYY-MM-DD).
// Agencies with nothing to report are left out.
func (s *Service) Circular(ctx context.Context, p *auth.Principal, organID int64, from, to string) (*Circular, error) {
	organ, err := organFor(p, organID)
	if err != nil {
		return nil, err
	}
	bad := errs.Invalid("查询参数有误", "invalid query parameters")
	for _, d := range []struct{ name, v string }{{"from", from}, {"to", to}} {
		if _, err := time.Parse(time.DateOnly, d.v); err != nil {
			bad.Field(d.name, "日期格式应为 YYYY-MM-DD", "must be a YYYY-MM-DD date")
		}
	}
	if len(bad.Fields) == 0 && from > to {
		bad.Field("to", "结束日期不能早于开始日期", "to must not precede from")
	}
	if len(bad.Fields) > 0 {
		return nil, bad
	}
	q := s.db.Read.WithContext(ctx)
	var o models.Organ
	if err := q.Where("id = ?", organ).Take(&o).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out := &Circular{OrganID: organ, OrganName: o.Name, From: from, To: to, GeneratedOn: s.today()}
	var closed []models.Case
	if err := q.Select("id", "case_no", "respondent_id", "outcome", "outcome_redo", "outcome_partial", "closed_on", "note").
		Where("organ_id = ? AND closed_on >= ? AND closed_on <= ? AND accepted_on IS NOT NULL", organ, from, to).
		Order("closed_on, id").Find(&closed).Error; err != nil {
		return nil, errs.Internal(err)
	}
	byAgency := map[int64]*CircularAgency{}
	get := func(id int64) *CircularAgency {
		if byAgency[id] == nil {
			byAgency[id] = &CircularAgency{AgencyID: id, Corrections: []CircularCase{}, Unperformed: []FollowupView{}}
		}
		return byAgency[id]
	}
	var corrected []int64
	for _, c := range closed {
		a := get(c.RespondentID)
		a.Closed++
		if slices.Contains(correctionOutcomes, c.Outcome) {
			corrected = append(corrected, c.ID)
		}
	}
	reasons := map[int64]string{}
	if len(corrected) > 0 {
		var evs []models.CaseEvent
		if err := q.Select("case_id", "note").Where("case_id IN ? AND action = ?", corrected, "decide").Order("id").Find(&evs).Error; err != nil {
			return nil, errs.Internal(err)
		}
		for _, e := range evs {
			if e.Note != "" {
				reasons[e.CaseID] = e.Note
			}
		}
	}
	for _, c := range closed {
		if !slices.Contains(correctionOutcomes, c.Outcome) {
			continue
		}
		a := get(c.RespondentID)
		a.Corrected++
		label := codes.Outcomes.Label(c.Outcome, "zh")
		if c.Outcome == "revoked" && c.OutcomeRedo {
			label = "撤销并责令重作"
		}
		reason := reasons[c.ID]
		if reason == "" {
			reason = c.Note
		}
		a.Corrections = append(a.Corrections, CircularCase{CaseID: c.ID, CaseNo: c.CaseNo, Outcome: c.Outcome, OutcomeLabel: label, ClosedOn: deref(c.ClosedOn), Reason: reason})
	}
	var fus []models.Followup
	if err := q.Where("organ_id = ? AND status IN ? AND opened_on <= ?", organ, unperformed, to).Order("due_on, id").Find(&fus).Error; err != nil {
		return nil, errs.Internal(err)
	}
	fvs, err := s.followupViews(ctx, fus)
	if err != nil {
		return nil, err
	}
	for _, f := range fvs {
		a := get(f.RespondentID)
		a.Unperformed = append(a.Unperformed, f)
	}
	var ids []int64
	for id := range byAgency {
		ids = append(ids, id)
	}
	names, err := agencyNames(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for _, a := range byAgency {
		a.Name = names[a.AgencyID]
		if a.Corrected > 0 || len(a.Unperformed) > 0 {
			out.Agencies = append(out.Agencies, *a)
		}
	}
	slices.SortFunc(out.Agencies, func(x, y CircularAgency) int {
		if x.Corrected != y.Corrected {
			return y.Corrected - x.Corrected
		}
		if x.Name < y.Name {
			return -1
		}
		return 1
	})
	if out.Agencies == nil {
		out.Agencies = []CircularAgency{}
	}
	typ, err := s.TypicalCases(ctx, p, organ)
	if err != nil {
		return nil, err
	}
	out.Typical = typ
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

var followupLabels = map[string]string{FollowupOpen: "履行期内", FollowupPerformed: "已履行", FollowupOverdue: "逾期未履行",
	FollowupInterviewed: "已约谈", FollowupCriticised: "已通报批评"}

var circularTmpl = template.Must(template.New("circular").Funcs(template.FuncMap{
	"cn": cnDate, "fu": func(s string) string { return followupLabels[s] }, "oc": func(s string) string { return codes.Outcomes.Label(s, "zh") },
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.OrganName}}行政复议工作情况通报</title>
<style>` + printCSS + `</style></head><body><article class="doc">
<h1>{{.OrganName}}<br>关于{{cn .From}}至{{cn .To}}行政复议决定纠错及履行情况的通报</h1>
{{if not .Agencies}}<p>本期无纠错案件，亦无未履行的行政复议决定。</p>{{end}}
{{range $i, $a := .Agencies}}<h2>{{$a.Name}}</h2>
<p>本期审结以该单位为被申请人的案件{{$a.Closed}}件，其中直接纠错{{$a.Corrected}}件。</p>
{{if $a.Corrections}}<table><thead><tr><th>案号</th><th>决定</th><th>结案日期</th><th>纠错理由</th></tr></thead><tbody>
{{range $a.Corrections}}<tr><td>{{.CaseNo}}</td><td>{{.OutcomeLabel}}</td><td>{{cn .ClosedOn}}</td><td>{{.Reason}}</td></tr>{{end}}
</tbody></table>{{end}}
{{if $a.Unperformed}}<p>尚未履行的行政复议决定（行政复议法第七十七条）：</p>
<table><thead><tr><th>案号</th><th>决定</th><th>履行期限</th><th>状态</th></tr></thead><tbody>
{{range $a.Unperformed}}<tr><td>{{.CaseNo}}</td><td>{{oc .Outcome}}{{if .Redo}}并责令重作{{end}}</td><td>{{cn .DueOn}}</td><td>{{fu .Status}}</td></tr>{{end}}
</tbody></table>{{end}}{{end}}
{{if .Typical}}<h2>典型案例</h2>{{range .Typical}}<p><strong>{{.CaseNo}}</strong>：{{.Summary}}</p>{{end}}{{end}}
<p class="sign">{{.OrganName}}<br>{{cn .GeneratedOn}}</p>
</article></body></html>`))

// CircularHTML writes the circular as a printable HTML page.
func CircularHTML(c *Circular, w io.Writer) error {
	return circularTmpl.Execute(w, c)
}

// CircularXLSX writes the circular as a workbook: corrections and
// unperformed follow-ups, one row per case.
func CircularXLSX(c *Circular, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	s1 := "纠错情况"
	f.SetSheetName("Sheet1", s1)
	rows := [][]any{{"被申请人", "审结件数", "直接纠错件数", "案号", "决定", "结案日期", "纠错理由"}}
	for _, a := range c.Agencies {
		if len(a.Corrections) == 0 {
			rows = append(rows, []any{a.Name, a.Closed, a.Corrected})
		}
		for _, x := range a.Corrections {
			rows = append(rows, []any{a.Name, a.Closed, a.Corrected, x.CaseNo, x.OutcomeLabel, x.ClosedOn, x.Reason})
		}
	}
	if err := writeRows(f, s1, rows); err != nil {
		return err
	}
	s2 := "未履行"
	if _, err := f.NewSheet(s2); err != nil {
		return err
	}
	rows = [][]any{{"被申请人", "案号", "决定", "开始日期", "履行期限", "状态"}}
	for _, a := range c.Agencies {
		for _, u := range a.Unperformed {
			oc := codes.Outcomes.Label(u.Outcome, "zh")
			if u.Redo {
				oc += "并责令重作"
			}
			rows = append(rows, []any{a.Name, u.CaseNo, oc, u.OpenedOn, u.DueOn, followupLabels[u.Status]})
		}
	}
	if err := writeRows(f, s2, rows); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func writeRows(f *excelize.File, sheet string, rows [][]any) error {
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			return err
		}
	}
	return nil
}

// cnDate writes 2024-06-25 as 2024年6月25日.
func cnDate(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.Format("2006") + "年" + itoa(int(t.Month())) + "月" + itoa(t.Day()) + "日"
}
