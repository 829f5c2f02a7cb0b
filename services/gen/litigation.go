package gen

import (
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
)

var litFirst = []choice{{"claims_rejected", 600}, {"suit_dismissed", 120}, {"withdrawn", 120}, {"revoked", 70},
	{"confirmed_unlawful", 50}, {"ordered_to_perform", 20}, {"mediated", 10}, {"other", 10}}
var litSecond = []choice{{"appeal_rejected", 850}, {"reversed", 50}, {"remanded", 30}, {"appeal_withdrawn", 70}}

var lossOutcomes = map[string]bool{"revoked": true, "varied": true, "confirmed_unlawful": true, "confirmed_void": true, "ordered_to_perform": true, "ordered_to_pay": true}

// loadLitigation writes the litigation records (first instance 65%, second
// 30%, retrial 5%; administrative suits, a few civil and as-respondent).
func loadLitigation(b *bulk, p *Plan, res *LoadResult, agencyIDs, handlerIDs [][]int64, ids map[string]int64) error {
	cols := []string{"id", "organ_id", "internal_no", "year", "seq", "kind", "instance", "court", "court_case_no", "plaintiffs",
		"defendant_agency_id", "co_defendant_role", "handler_id", "status", "version", "notified_on", "defence_due_on", "defence_filed_on",
		"concluded_on", "judgment_form", "served_on", "effective_on", "closed_on", "outcome", "against_agency", "lost", "note",
		"imported", "import_hash", "created_by", "created_at", "updated_at"}
	end := p.idx(p.Until)
	start := p.idx(p.Start)
	for o, org := range p.Scale.Organs {
		n := p.LitigationOf(o)
		r := rand.New(rand.NewPCG(p.Seed, uint64(o)+500000))
		seqs := map[string]int{}
		var rows [][]any
		for i := 0; i < n; i++ {
			nd := p.onOrAfterWorking(start + r.IntN(end-start+1))
			if nd > end {
				nd = p.onOrBeforeWorking(end)
			}
			notified := p.str(nd)
			year := notified[:4]
			seqs[year]++
			seq := seqs[year]
			kind := "administrative"
			switch x := r.IntN(100); {
			case x < 2:
				kind = "civil"
			case x < 8:
				kind = "as_respondent"
			}
			inst, word := "first", "行初"
			switch x := r.IntN(100); {
			case x >= 95:
				inst, word = "retrial", "行再"
			case x >= 65:
				inst, word = "second", "行终"
			}
			if kind == "civil" {
				word = "民初"
			}
			ag := agencyIDs[o][r.IntN(len(agencyIDs[o]))]
			status, outcome, lost := "defence_filed", "", false
			var against any
			due := p.str(nd + 15)
			filed := p.str(nd + 5 + r.IntN(10))
			var concluded, served, effective, closed any
			form := ""
			cd := nd + 60 + r.IntN(240)
			if cd <= end {
				if inst == "first" || kind != "administrative" {
					outcome = pick(r, litFirst)
				} else {
					outcome = pick(r, litSecond)
				}
				lost = lossOutcomes[outcome]
				if outcome == "reversed" {
					a := r.IntN(2) == 0
					against, lost = a, a
				}
				form = "judgment"
				if outcome == "suit_dismissed" || outcome == "withdrawn" || outcome == "appeal_withdrawn" {
					form = "ruling"
				}
				concluded = p.str(cd)
				served = p.str(cd + 3)
				status = "decided"
				if cd+40 <= end {
					effective, closed, status = p.str(cd+35), p.str(cd+40), "closed"
				}
				if outcome == "withdrawn" {
					status = "withdrawn"
					if cd+40 <= end {
						status = "closed"
					}
				}
			}
			ids["litigation_cases"]++
			t := dayTime(notified)
			rows = append(rows, []any{ids["litigation_cases"], res.OrganIDs[o], fmt.Sprintf("%s应〔%s〕%d号", org.Short, year, seq),
				atoi(year), seq, kind, inst, org.Prefix + "人民法院", fmt.Sprintf("（%s）%s%s%d号", year, org.Short, word, seq),
				string(surnames[r.IntN(len(surnames))]) + given[r.IntN(len(given))], ag, "original_agency",
				handlerIDs[o][r.IntN(len(handlerIDs[o]))], status, 1, notified, due, filed, concluded, form, served, effective, closed,
				outcome, against, lost, "", false, "", int64(0), t, t})
			res.Litigation++
		}
		err := b.tx(func(tx *sql.Tx) error { return b.insert(tx, "litigation_cases", cols, rows) })
		if err != nil {
			return err
		}
	}
	return nil
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// Ledger labels (DESIGN §7).
var intakeZH = map[string]string{"accepted": "受理", "not_accepted": "不予受理", "abandoned": "补正逾期", "withdrawn": "撤回", "referred": "转送", "pending": "审查中"}
var applicantTypeZH = map[string]string{"citizen": "公民", "legal_person": "法人", "other_org": "其他组织"}
var outcomeZH = map[string]string{"upheld": "维持", "varied": "变更", "revoked": "撤销", "confirmed_unlawful": "确认违法", "confirmed_void": "确认无效",
	"ordered_to_perform": "责令履行", "request_rejected": "驳回复议请求", "application_dismissed": "驳回复议申请", "mediated": "调解", "terminated": "终止"}
var terminationZH = map[string]string{"withdrawn_voluntary": "自愿撤回", "withdrawn_after_correction": "纠正后撤回", "withdrawn_after_settlement": "和解后撤回",
	"withdrawn_after_mediation": "调解后撤回", "party_ended": "申请人死亡或终止", "criminal_measures": "刑事强制措施", "suspension_lapsed": "中止满60日", "other": "其他"}
var actTypeZH = map[string]string{"penalty": "行政处罚", "coercive_measure": "行政强制措施", "coercive_enforcement": "行政强制执行", "licensing": "行政许可",
	"confirmation": "行政确认", "ownership": "行政确权", "expropriation": "行政征收征用及补偿", "information_disclosure": "政府信息公开",
	"complaint_handling": "举报投诉处理", "nonperformance": "不履行法定职责", "benefit": "行政给付", "order": "行政命令"}

// WriteCSV writes organ o's cases (at most limit when > 0) as a ledger CSV
// with the Chinese headers of DESIGN §7 and a UTF-8 BOM, as Excel saves it.
// A limit beyond organ o's cases continues with the next organs' cases
// (each with its own case numbers and agencies), so one file can hold a
// million rows for the import benchmark.
func WriteCSV(w io.Writer, p *Plan, o, limit int) (int, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"案号", "申请人", "申请人类型", "被申请人", "行政行为类别", "管理领域", "收件日期", "受理情况", "受理日期", "审理程序", "结案日期", "审理结果", "终止原因", "备注"})
	n := 0
	stop := fmt.Errorf("stop")
	for ; o < len(p.Scale.Organs); o++ {
		org := p.Scale.Organs[o]
		err := p.EachCase(o, func(c *Case) error {
			if limit > 0 && n >= limit {
				return stop
			}
			proc := ""
			switch c.Procedure {
			case "ordinary":
				proc = "普通"
			case "simplified":
				proc = "简易"
			}
			outcome := outcomeZH[c.Outcome]
			if c.Outcome == "revoked" && c.Redo {
				outcome = "撤销并责令重作"
			}
			if err := cw.Write([]string{c.CaseNo, c.Applicant, applicantTypeZH[c.ApplicantType], AgencyName(org, c.Agency), actTypeZH[c.ActType], c.Area,
				c.ReceivedOn, intakeZH[c.Intake], c.AcceptedOn, proc, c.ClosedOn, outcome, terminationZH[c.Termination], c.Note}); err != nil {
				return err
			}
			n++
			return nil
		})
		if err == stop || limit <= 0 || n >= limit {
			break
		}
		if err != nil {
			return n, err
		}
	}
	cw.Flush()
	return n, cw.Error()
}
