// Package report renders the yearly report from the statistics of
// services/stats: the report JSON, the Markdown paragraph in the style of the
// seed report (zh-CN and English), the XLSX workbook and the CSV case list.
package report

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"fuyi/models"
	"fuyi/services/errs"
	"fuyi/services/stats"
)

// Formats are the formats Render writes.
var Formats = []string{"json", "md", "xlsx", "csv"}

// Service renders reports.
type Service struct {
	stats *stats.Service
	db    *models.DB
}

// New returns a report renderer over the statistics service.
func New(st *stats.Service) *Service { return &Service{stats: st, db: st.DB()} }

// ContentType is the MIME type of a format.
func ContentType(format string) string {
	switch format {
	case "md":
		return "text/markdown; charset=utf-8"
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "csv":
		return "text/csv; charset=utf-8"
	}
	return "application/json; charset=utf-8"
}

// Filename is the download name of a yearly report.
func Filename(format string, year int) string {
	if format == "csv" {
		return fmt.Sprintf("fuyi-%d-cases.csv", year)
	}
	return fmt.Sprintf("fuyi-report-%d.%s", year, format)
}

// CheckFormat validates a format name.
func CheckFormat(format string) error {
	for _, f := range Formats {
		if f == format {
			return nil
		}
	}
	return errs.InvalidField("format", "格式应为 json、md、xlsx 或 csv", "format must be json, md, xlsx or csv")
}

// Render writes the yearly report of year over organIDs in format (json, md,
// xlsx, csv) to w; lang ("en" or zh) chooses the Markdown language.
func (s *Service) Render(ctx context.Context, w io.Writer, format string, year int, organIDs []int64, lang string) error {
	if err := CheckFormat(format); err != nil {
		return err
	}
	if year < 1990 || year > 9999 {
		return errs.InvalidField("year", "年份无效", "invalid year")
	}
	p := stats.YearPeriod(year)
	rep, err := s.stats.Report(ctx, p, organIDs)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return errs.Internal(err)
		}
		_, err = w.Write(append(b, '\n'))
		return err
	case "md":
		gov, err := s.governmentName(ctx, organIDs)
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, Markdown(rep, year, gov, lang))
		return err
	case "csv":
		return s.writeCSV(ctx, w, p, organIDs)
	default:
		return s.writeXLSX(ctx, w, rep, organIDs)
	}
}

// governmentName is how the paragraph names the organ: 区政府, 市政府, 县政府.
func (s *Service) governmentName(ctx context.Context, organIDs []int64) (string, error) {
	var names []string
	if len(organIDs) > 0 {
		if err := s.db.Read.WithContext(ctx).Model(&models.Organ{}).Where("id IN ?", organIDs).Order("id").Pluck("name", &names).Error; err != nil {
			return "", errs.Internal(err)
		}
	}
	return GovernmentName(names), nil
}

// GovernmentName shortens an organ's name the way the seed does: a name
// ending in 区人民政府 is 区政府 (also 市, 县, 旗); otherwise 本级政府.
func GovernmentName(organNames []string) string {
	if len(organNames) == 1 {
		n := strings.TrimSuffix(organNames[0], "人民政府")
		if n != organNames[0] && n != "" {
			r := []rune(n)
			return string(r[len(r)-1]) + "政府"
		}
	}
	return "本级政府"
}

// paragraphOrder is the order of outcomes in the paragraph (the seed's
// order, with the outcomes it does not mention in between).
var paragraphOrder = []struct{ code, zh, en string }{
	{"upheld", "维持", "upheld"},
	{"varied", "变更", "varied"},
	{"revoked", "撤销", "revoked"},
	{"terminated", "终止", "terminated"},
	{"confirmed_unlawful", "确认违法", "confirmed unlawful"},
	{"confirmed_void", "确认无效", "confirmed void"},
	{"request_rejected", "驳回复议请求", "with the request rejected"},
	{"application_dismissed", "驳回复议申请", "with the application dismissed"},
	{"ordered_to_perform", "责令履职", "ordered to perform"},
	{"mediated", "调解结案", "closed by mediation"},
}

func n(v int64) string { return strconv.FormatInt(v, 10) }

// Paragraph is the yearly paragraph in the seed's style (zh) or in English,
// with only the non-zero outcomes, followed by the litigation sentence when
// litigation figures exist. gov names the government (区政府).
func Paragraph(r *stats.Report, gov, lang string) string {
	rc := r.Reconsideration
	var b strings.Builder
	if lang == "en" {
		fmt.Fprintf(&b, "In the year, %s applications for administrative reconsideration were received, %s cases were accepted, %s decisions not to accept were made and %s cases were closed",
			n(rc.Received), n(rc.Accepted), n(rc.NotAccepted), n(rc.Closed))
		var parts []string
		for _, o := range paragraphOrder {
			if v := rc.Outcomes[o.code]; v > 0 {
				parts = append(parts, n(v)+" "+o.en)
			}
		}
		if len(parts) > 0 {
			b.WriteString(": " + joinEN(parts))
		}
		b.WriteString(".")
		if m, ok := rc.Metrics["comprehensive_correction"]; ok && m.Denominator > 0 {
			fmt.Fprintf(&b, " Comprehensive corrections: %s, a comprehensive correction rate of %s.", n(m.Numerator), stats.Percent(m.Numerator, m.Denominator, 0))
		}
		l := r.Litigation
		if l.Any() {
			var lp []string
			add := func(v int64, s string) {
				if v > 0 {
					lp = append(lp, n(v)+" "+s)
				}
			}
			add(l.FirstInstance, "first-instance administrative suits")
			add(l.SecondInstance, "second-instance suits")
			add(l.AsRespondent, "reconsiderations with the government as respondent")
			add(l.Retrial, "retrials")
			add(l.Civil, "civil suits")
			if len(lp) > 0 {
				b.WriteString(" Litigation defence: " + joinEN(lp) + ".")
			}
			if l.Suggestions.Replied > 0 {
				fmt.Fprintf(&b, " %s replies to judicial suggestions were made.", n(l.Suggestions.Replied))
			}
		}
		return b.String()
	}
	fmt.Fprintf(&b, "全年共接收行政复议申请%s件，受理行政复议案件%s件，作出不予受理决定%s件，办结案件%s件。",
		n(rc.Received), n(rc.Accepted), n(rc.NotAccepted), n(rc.Closed))
	first := true
	for _, o := range paragraphOrder {
		v := rc.Outcomes[o.code]
		if v == 0 {
			continue
		}
		if first {
			b.WriteString("其中行政复议" + o.zh + "案件" + n(v) + "件")
			first = false
		} else {
			b.WriteString("，" + o.zh + n(v) + "件")
		}
	}
	if !first {
		b.WriteString("。")
	}
	if m, ok := rc.Metrics["comprehensive_correction"]; ok && m.Denominator > 0 {
		name := m.Name
		fmt.Fprintf(&b, "%s%s件，%s%s。", strings.TrimSuffix(name, "率"), n(m.Numerator), name, stats.Percent(m.Numerator, m.Denominator, 0))
	}
	l := r.Litigation
	if l.Any() {
		var lp []string
		add := func(v int64, s string) {
			if v > 0 {
				lp = append(lp, s+n(v)+"件")
			}
		}
		add(l.FirstInstance, "行政应诉一审案件")
		add(l.SecondInstance, "二审案件")
		add(l.AsRespondent, gov+"为被申请人复议案件")
		add(l.Retrial, "再审案件")
		add(l.Civil, "民事应诉案件")
		if len(lp) > 0 {
			b.WriteString(strings.Join(lp, "，") + "。")
		}
		if l.Suggestions.Replied > 0 {
			b.WriteString("办理" + gov + "司法建议回函" + n(l.Suggestions.Replied) + "件。")
		}
	}
	return b.String()
}

func joinEN(parts []string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// Markdown is the yearly report as Markdown: a title, the paragraph, and the
// balance checks when one fails.
func Markdown(r *stats.Report, year int, gov, lang string) string {
	var b strings.Builder
	if lang == "en" {
		fmt.Fprintf(&b, "# Administrative reconsideration and litigation defence, %d\n\n", year)
	} else {
		fmt.Fprintf(&b, "# %d年行政复议和行政应诉工作情况\n\n", year)
	}
	b.WriteString(Paragraph(r, gov, lang) + "\n")
	for _, bal := range r.Reconsideration.Balance {
		if !bal.OK {
			if lang == "en" {
				b.WriteString("\n> Warning: " + bal.DetailEN + "\n")
			} else {
				b.WriteString("\n> 注意：" + bal.DetailZH + "\n")
			}
		}
	}
	for _, l := range r.Locks {
		if lang == "en" {
			fmt.Fprintf(&b, "\n_Locked on %s._\n", l.LockedAt.Format("2006-01-02"))
		} else {
			fmt.Fprintf(&b, "\n_本年度报告已于%s锁定。_\n", l.LockedAt.Format("2006-01-02"))
		}
	}
	return b.String()
}
