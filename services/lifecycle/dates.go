package lifecycle

import (
	"time"
)

// chinaTime is the offices' clock: "today" for a legal date is the civil date
// in China Standard Time, whatever the server's zone.
var chinaTime = time.FixedZone("CST", 8*3600)

// validDate reports whether s is a real YYYY-MM-DD date.
func validDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// addDays returns the date n calendar days after s (s must be valid).
func addDays(s string, n int) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

// regimeFor derives the legal regime from the receipt date: the 2023 law
// applies to applications received from 2024-01-01 (RL2023 Art. 90).
func regimeFor(receivedOn string) string {
	if receivedOn < "2024-01-01" {
		return RegimeRL2017
	}
	return RegimeRL2023
}

// dateCheck validates one date field: required or not, format, not in the future.
func dateCheck(f fieldErrs, field, value string, required bool, today string) bool {
	if value == "" {
		if required {
			f.add(field, "必填", "required")
		}
		return false
	}
	if !validDate(value) {
		f.add(field, "日期格式应为 YYYY-MM-DD 且为有效日期："+value, "must be a valid YYYY-MM-DD date: "+value)
		return false
	}
	if value > today {
		f.add(field, "日期不能晚于今天（"+today+"）", "must not be in the future (today is "+today+")")
		return false
	}
	return true
}

// dateChain is the statutory order of a case's dates: each set date must not
// precede the set dates before it (received ≤ correction ≤ accepted ≤ closed
// ≤ served ≤ archived). Suspension dates are checked by the transitions.
var dateChain = []struct {
	field string
	zh    string
	get   func(c *dateView) *string
}{
	{"received_on", "收件日期", func(c *dateView) *string { return &c.ReceivedOn }},
	{"correction_notice_on", "补正通知日期", func(c *dateView) *string { return c.CorrectionNoticeOn }},
	{"correction_received_on", "补正材料收到日期", func(c *dateView) *string { return c.CorrectionReceivedOn }},
	{"accepted_on", "受理日期", func(c *dateView) *string { return c.AcceptedOn }},
	{"closed_on", "结案日期", func(c *dateView) *string { return c.ClosedOn }},
	{"served_on", "送达日期", func(c *dateView) *string { return c.ServedOn }},
	{"archived_on", "归档日期", func(c *dateView) *string { return c.ArchivedOn }},
}

// dateView is the subset of case dates the order check reads.
type dateView struct {
	ReceivedOn                                                     string
	CorrectionNoticeOn, CorrectionReceivedOn, AcceptedOn, ClosedOn *string
	ServedOn, ArchivedOn, IntakeOn, CopySentOn, ReplyReceivedOn    *string
}

// checkDateOrder adds a field error for every date that precedes an earlier
// step's date. Intake dispositions and the respondent copy/reply dates come
// after receipt (and acceptance).
func checkDateOrder(d *dateView, f fieldErrs) {
	var prevVal, prevZH, prevField string
	for _, step := range dateChain {
		v := step.get(d)
		if v == nil || *v == "" {
			continue
		}
		if prevVal != "" && *v < prevVal {
			f.add(step.field, step.zh+"不能早于"+prevZH+"（"+prevVal+"）", step.field+" must not precede "+prevField+" ("+prevVal+")")
		}
		prevVal, prevZH, prevField = *v, step.zh, step.field
	}
	if d.IntakeOn != nil && *d.IntakeOn < d.ReceivedOn {
		f.add("intake_on", "处理日期不能早于收件日期（"+d.ReceivedOn+"）", "intake_on must not precede received_on ("+d.ReceivedOn+")")
	}
	for _, x := range []struct {
		field, zh string
		v         *string
	}{{"copy_sent_on", "副本发送日期", d.CopySentOn}, {"reply_received_on", "答复收到日期", d.ReplyReceivedOn}} {
		if x.v == nil {
			continue
		}
		if d.AcceptedOn == nil {
			f.add(x.field, "案件受理后才能记录"+x.zh, x.field+" can be recorded only after acceptance")
		} else if *x.v < *d.AcceptedOn {
			f.add(x.field, x.zh+"不能早于受理日期（"+*d.AcceptedOn+"）", x.field+" must not precede accepted_on ("+*d.AcceptedOn+")")
		}
	}
	if d.CopySentOn != nil && d.ReplyReceivedOn != nil && *d.ReplyReceivedOn < *d.CopySentOn {
		f.add("reply_received_on", "答复收到日期不能早于副本发送日期", "reply_received_on must not precede copy_sent_on")
	}
}
