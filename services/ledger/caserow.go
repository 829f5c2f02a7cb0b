package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"fuyi/services/codes"
)

// caseRow is one reconsideration ledger row, parsed and normalised: codes
// instead of labels, YYYY-MM-DD dates, the procedure defaulted for accepted
// cases. Two rows meaning the same case have the same hash.
type caseRow struct {
	CaseNo        string
	Applicant     string
	ApplicantType string
	Respondent    string
	ActType       string
	Area          string
	ReceivedOn    string
	Intake        string
	AcceptedOn    string
	Procedure     string
	ClosedOn      string
	Outcome       string
	Partial, Redo bool
	Termination   string
	Note          string
}

// Intake codes (codes.Intakes).
const (
	intakeAccepted    = "accepted"
	intakeNotAccepted = "not_accepted"
	intakeAbandoned   = "abandoned"
	intakeWithdrawn   = "withdrawn"
	intakeReferred    = "referred"
	intakePending     = "pending"
)

// simplifiedFrom is the first receipt date under the 2023 law, which
// introduced the simplified procedure (RL2023 Art. 53, in force 2024-01-01).
const simplifiedFrom = "2024-01-01"

// Field length limits (runes), as the case model stores them.
var caseLimits = map[string]int{"case_no": 80, "applicant": 300, "respondent": 200, "note": 5000}

// parseCaseRow validates one row and returns it normalised, or the problems
// (every problem of the row, not only the first). today bounds the dates.
func parseCaseRow(r Row, today string) (caseRow, []Problem) {
	var c caseRow
	var ps []Problem
	add := func(key, zh, en string) { ps = append(ps, r.Problem(key, zh, en)) }
	text := func(key string) string {
		v := r.Get(key)
		if max, ok := caseLimits[key]; ok && utf8.RuneCountInString(v) > max {
			add(key, fmt.Sprintf("不能超过%d个字", max), fmt.Sprintf("at most %d characters", max))
		}
		if !utf8.ValidString(v) {
			add(key, "含有无效字符", "invalid characters")
			v = strings.ToValidUTF8(v, "\uFFFD")
		}
		return v
	}
	required := func(key, v string) {
		if v == "" {
			add(key, "必填", "required")
		}
	}
	code := func(key string, list codes.List, must bool) string {
		v := r.Get(key)
		if v == "" {
			if must {
				add(key, "必填", "required")
			}
			return ""
		}
		cd, ok := list.Parse(v)
		if !ok {
			labels := make([]string, 0, len(list))
			for _, x := range list {
				labels = append(labels, x.ZH)
			}
			add(key, "无法识别的取值“"+v+"”（可填："+strings.Join(labels, "、")+"）",
				fmt.Sprintf("unknown value %q (allowed: %s)", v, strings.Join(list.Codes(), ", ")))
		}
		return cd
	}
	date := func(key string, must bool) string {
		v := r.Get(key)
		if v == "" {
			if must {
				add(key, "必填", "required")
			}
			return ""
		}
		d, err := ParseDate(v)
		if err != nil {
			ce := err.(*CellError)
			add(key, ce.ZH, ce.EN)
			return ""
		}
		if d > today {
			add(key, "日期不能晚于今天（"+today+"）："+d, "must not be in the future (today is "+today+"): "+d)
			return ""
		}
		return d
	}

	c.CaseNo = text("case_no")
	c.Applicant = text("applicant")
	required("applicant", c.Applicant)
	c.ApplicantType = code("applicant_type", codes.ApplicantTypes, false)
	c.Respondent = text("respondent")
	required("respondent", c.Respondent)
	c.ActType = code("act_type", codes.ActTypes, false)
	c.Area = code("area", codes.Areas, false)
	c.ReceivedOn = date("received_on", true)
	c.Intake = code("intake", codes.Intakes, true)
	c.AcceptedOn = date("accepted_on", false)
	c.Procedure = code("procedure", codes.Procedures, false)
	c.ClosedOn = date("closed_on", false)
	rawOutcome := r.Get("outcome")
	if strings.HasPrefix(rawOutcome, "部分撤销并") { // 部分撤销并责令重作: revoked, partial and redo
		c.Outcome = "revoked"
	} else {
		c.Outcome = code("outcome", codes.Outcomes, false)
	}
	if c.Outcome == "revoked" {
		c.Partial = strings.Contains(rawOutcome, "部分")
		c.Redo = strings.Contains(rawOutcome, "重作") || strings.Contains(rawOutcome, "重新作出")
	}
	c.Termination = code("termination", codes.Terminations, false)
	c.Note = text("note")

	// Dates in order: received ≤ accepted ≤ closed.
	if c.ReceivedOn != "" && c.AcceptedOn != "" && c.AcceptedOn < c.ReceivedOn {
		add("accepted_on", "受理日期（"+c.AcceptedOn+"）不能早于收件日期（"+c.ReceivedOn+"）", "accepted_on ("+c.AcceptedOn+") precedes received_on ("+c.ReceivedOn+")")
	}
	floor, floorZH, floorEN := c.AcceptedOn, "受理日期", "accepted_on"
	if floor == "" {
		floor, floorZH, floorEN = c.ReceivedOn, "收件日期", "received_on"
	}
	if floor != "" && c.ClosedOn != "" && c.ClosedOn < floor {
		add("closed_on", "结案日期（"+c.ClosedOn+"）不能早于"+floorZH+"（"+floor+"）", "closed_on ("+c.ClosedOn+") precedes "+floorEN+" ("+floor+")")
	}

	// The intake decides which other columns may be filled.
	hasOutcome := r.Get("outcome") != ""
	hasClosed := r.Get("closed_on") != ""
	switch c.Intake {
	case intakeAccepted:
		if r.Get("accepted_on") == "" {
			add("accepted_on", "受理情况为“受理”时须填写受理日期", "accepted_on is required when the intake is accepted")
		}
		if c.Procedure == "" && r.Get("procedure") == "" {
			c.Procedure = "ordinary"
		}
	case intakeNotAccepted, intakeAbandoned, intakeWithdrawn, intakeReferred, intakePending:
		label := codes.Intakes.Label(c.Intake, "zh")
		if r.Get("accepted_on") != "" {
			add("accepted_on", "受理情况为“"+label+"”的申请不应有受理日期", "accepted_on is only for accepted applications (intake is "+c.Intake+")")
		}
		if hasClosed {
			add("closed_on", "只有已受理的案件才有结案日期（受理情况为“"+label+"”）", "closed_on is only for accepted cases (intake is "+c.Intake+")")
		}
		if hasOutcome {
			add("outcome", "只有已受理的案件才有审理结果（受理情况为“"+label+"”）", "an outcome is only for accepted cases (intake is "+c.Intake+")")
		}
		if r.Get("procedure") != "" {
			add("procedure", "只有已受理的案件才有审理程序（受理情况为“"+label+"”）", "a procedure is only for accepted cases (intake is "+c.Intake+")")
		}
	}
	// An outcome with a closing date, and vice versa.
	if c.Intake == intakeAccepted {
		if hasOutcome && !hasClosed {
			add("closed_on", "有审理结果时须填写结案日期", "closed_on is required with an outcome")
		}
		if hasClosed && !hasOutcome {
			add("outcome", "有结案日期时须填写审理结果", "an outcome is required with closed_on")
		}
	}
	// A termination subtype only with 终止, and 终止 needs one (RL2023 Art. 41, 74).
	switch {
	case c.Outcome == "terminated" && r.Get("termination") == "":
		add("termination", "审理结果为“终止”时须填写终止原因", "termination is required when the outcome is terminated")
	case r.Get("termination") != "" && c.Outcome != "terminated" && (c.Outcome != "" || !hasOutcome):
		add("termination", "只有审理结果为“终止”时才填写终止原因", "termination is only for the outcome terminated")
	}
	// RL2017 had no simplified procedure (RL2023 Art. 53 is new, in force 2024-01-01).
	if c.Procedure == "simplified" && c.ReceivedOn != "" && c.ReceivedOn < simplifiedFrom {
		add("procedure", "2024年1月1日前收到的申请适用旧法，旧法没有简易程序", "applications received before 2024-01-01 fall under the 2017 law, which had no simplified procedure")
	}
	// 确认无效 is new in RL2023 Art. 67.
	if c.Outcome == "confirmed_void" && c.ReceivedOn != "" && c.ReceivedOn < simplifiedFrom {
		add("outcome", "确认无效决定为2023年修订新增（第六十七条），2024年1月1日前收到的申请不适用", "confirmed_void is new in RL2023 Art. 67; not available for applications received before 2024-01-01")
	}
	return c, ps
}

// rowHash is the identity of a row's content: equal rows, equal hashes.
type rowHash [16]byte

// String is the hash as stored in cases.import_hash (32 hex digits).
func (h rowHash) String() string { return hex.EncodeToString(h[:]) }

// parseRowHash reads a stored import_hash; ok is false for anything that
// String does not write (such a hash matches no row).
func parseRowHash(s string) (h rowHash, ok bool) {
	if len(s) != 2*len(h) {
		return h, false
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil || h.String() != s {
		return rowHash{}, false
	}
	return h, true
}

// sum is the hash of the row's content.
func (c *caseRow) sum() rowHash {
	h := sha256.New()
	// The case number is the key, not the content: a generated number must
	// not make a keyless row look changed.
	for _, f := range []string{c.Applicant, c.ApplicantType, c.Respondent, c.ActType, c.Area, c.ReceivedOn,
		c.Intake, c.AcceptedOn, c.Procedure, c.ClosedOn, c.Outcome, fmt.Sprint(c.Partial), fmt.Sprint(c.Redo), c.Termination, c.Note} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	var out rowHash
	copy(out[:], h.Sum(nil))
	return out
}

// compositeKey is the import key of a row without a case number: applicant,
// respondent and receipt date, plus the occurrence within the file (the n-th
// identical triple is #n) so two applications of one person against one
// agency on one day stay two cases.
func compositeKey(applicant, respondent, receivedOn string, occurrence int) string {
	h := sha256.Sum256([]byte(applicant + "\x00" + respondent + "\x00" + receivedOn + "\x00" + fmt.Sprint(occurrence)))
	return "k:" + hex.EncodeToString(h[:20])
}

// caseNoKey is the import key of a row with a case number.
func caseNoKey(caseNo string) string { return "no:" + caseNo }

// statusOf derives the case status of a row.
func (c *caseRow) statusOf() string {
	switch c.Intake {
	case intakeAccepted:
		switch {
		case c.ClosedOn == "":
			return "accepted"
		case c.Outcome == "mediated":
			return "mediated"
		case c.Outcome == "terminated":
			return "terminated"
		default:
			return "decided"
		}
	case intakeNotAccepted:
		return "not_accepted"
	case intakeAbandoned:
		return "abandoned"
	case intakeWithdrawn:
		return "withdrawn_before_acceptance"
	case intakeReferred:
		return "referred"
	}
	return "received"
}

// intakeOf is the ledger intake of a case (the inverse of statusOf).
func intakeOf(status string, acceptedOn *string) string {
	if acceptedOn != nil {
		return intakeAccepted
	}
	switch status {
	case "not_accepted":
		return intakeNotAccepted
	case "abandoned":
		return intakeAbandoned
	case "withdrawn_before_acceptance":
		return intakeWithdrawn
	case "referred":
		return intakeReferred
	}
	return intakePending
}
