// Package gen generates deterministic, realistic case sets for benchmarks:
// a district (5,000 cases), a city (200,000) and a national deployment
// (5,000,000 reconsideration + 1,000,000 litigation cases over ten years).
// The same seed, scale and end date always give the same cases. Cases are
// produced as ledger CSV rows (the import benchmark) or bulk-loaded into the
// database (Load), with the derived rows rebuilt by the services' own
// rebuild functions.
package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"fuyi/services/calendar"
)

// Scale is one benchmark scale.
type Scale struct {
	Name       string
	Cases      int // reconsideration cases over the scale's years
	Litigation int // litigation records over the scale's years
	Organs     []Organ
	// Years is the span of receipts ending at the plan's end date (0 = ten).
	Years int
}

// Organ is one reconsideration organ of a scale with its weight (share of the cases).
type Organ struct {
	Name, Short, Prefix string // Prefix: the place name its agencies carry
	Weight              float64
}

var zhejiangDistricts = []string{"上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区", "临平区", "钱塘区", "富阳区", "临安区", "桐庐县", "淳安县", "建德市"}

var provinces = []string{"北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省", "浙江省",
	"安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区", "海南省", "重庆市", "四川省", "贵州省",
	"云南省", "西藏自治区", "陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区"}

// population-like weights of the provinces (millions, rounded)
var provinceWeights = []float64{22, 14, 74, 35, 24, 42, 24, 31, 25, 85, 66, 61, 42, 45, 102, 99, 58, 66, 127, 50, 10, 32, 84, 39, 47, 4, 40, 25, 6, 7, 26}

// ScaleByName returns district, city, national or export.
func ScaleByName(name string) (Scale, error) {
	switch name {
	case "district":
		return Scale{Name: name, Cases: 5000, Litigation: 1000,
			Organs: []Organ{{Name: "北京市平谷区人民政府", Short: "平", Prefix: "北京市平谷区", Weight: 1}}}, nil
	case "city":
		os := []Organ{{Name: "浙江省杭州市人民政府", Short: "杭", Prefix: "杭州市", Weight: 3}}
		for _, d := range zhejiangDistricts {
			short := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(d, "区"), "县"), "市")
			os = append(os, Organ{Name: "杭州市" + d + "人民政府", Short: short, Prefix: "杭州市" + d, Weight: 1})
		}
		return Scale{Name: name, Cases: 200_000, Litigation: 40_000, Organs: os}, nil
	case "national":
		var os []Organ
		for i, p := range provinces {
			short := []rune(p)[:2]
			os = append(os, Organ{Name: p + "人民政府", Short: string(short), Prefix: p, Weight: provinceWeights[i]})
		}
		return Scale{Name: name, Cases: 5_000_000, Litigation: 1_000_000, Organs: os}, nil
	case "export":
		// The stress case of issue 9's export target: a million cases
		// received in one year by one organ (run with --until YYYY-12-31 so
		// the year is a calendar year).
		return Scale{Name: name, Cases: 1_000_000, Years: 1,
			Organs: []Organ{{Name: "导出基准人民政府", Short: "导", Prefix: "导出基准市", Weight: 1}}}, nil
	}
	return Scale{}, fmt.Errorf("unknown scale %q (district, city, national, export)", name)
}

// agencySpec is one kind of respondent agency of an organ, with its act
// types, area and weight (share of the applications), after the demo's
// district and the national statistics (public security, market regulation,
// natural resources and housing dominate).
type agencySpec struct {
	suffix string
	level  string
	acts   []string
	area   string
	weight int
}

var agencySpecs = []agencySpec{
	{"公安局", "county_department", []string{"penalty", "complaint_handling", "coercive_measure"}, "public_security", 22},
	{"市场监督管理局", "county_department", []string{"complaint_handling", "penalty", "nonperformance"}, "market_regulation", 16},
	{"规划和自然资源局", "county_department", []string{"ownership", "licensing", "penalty"}, "natural_resources", 9},
	{"住房和城乡建设局", "county_department", []string{"licensing", "information_disclosure", "expropriation"}, "housing_construction", 7},
	{"城市管理综合行政执法局", "county_department", []string{"penalty", "coercive_enforcement"}, "urban_management", 9},
	{"人力资源和社会保障局", "county_department", []string{"confirmation", "nonperformance", "benefit"}, "human_resources", 9},
	{"生态环境局", "county_department", []string{"penalty", "complaint_handling"}, "ecology_environment", 3},
	{"卫生健康委员会", "county_department", []string{"complaint_handling", "penalty"}, "health", 2},
	{"交通运输局", "county_department", []string{"penalty"}, "transport", 4},
	{"农业农村局", "county_department", []string{"confirmation", "nonperformance"}, "agriculture", 2},
	{"水务局", "county_department", []string{"penalty", "coercive_measure"}, "water", 1},
	{"应急管理局", "county_department", []string{"penalty"}, "emergency", 1},
	{"民政局", "county_department", []string{"confirmation", "benefit"}, "civil_affairs", 1},
	{"教育局", "county_department", []string{"information_disclosure", "complaint_handling"}, "education", 1},
	{"文化和旅游局", "county_department", []string{"penalty"}, "culture_tourism", 1},
	{"人民政府办公室", "county_department", []string{"information_disclosure"}, "government_affairs", 5},
	{"人民政府", "county_government", []string{"expropriation", "ownership", "information_disclosure"}, "expropriation_relocation", 3},
	{"第一街道办事处", "township", []string{"coercive_enforcement", "order", "information_disclosure"}, "illegal_construction", 2},
	{"第二街道办事处", "township", []string{"coercive_enforcement", "order"}, "illegal_construction", 1},
	{"城关镇人民政府", "township", []string{"coercive_enforcement", "ownership"}, "illegal_construction", 1},
}

// AgencyName is the name of agency a of organ o.
func AgencyName(o Organ, a int) string { return o.Prefix + agencySpecs[a].suffix }

// AgencyCount is the number of agencies each organ has.
func AgencyCount() int { return len(agencySpecs) }

// AgencyLevel is the level code of agency a.
func AgencyLevel(a int) string { return agencySpecs[a].level }

// HandlersPerOrgan is the number of officers each organ's cases are assigned to.
const HandlersPerOrgan = 6

// Case is one generated reconsideration case (dates "YYYY-MM-DD", "" = not happened).
type Case struct {
	Organ, Agency, Handler                                             int // indexes
	Year, Seq                                                          int
	CaseNo, Status, Regime                                             string
	Applicant, ApplicantType, IDNumber, Phone                          string
	ActType, Area, ActDocumentNo, ActDate, Request, Channel, Procedure string
	ReceivedOn, CorrectionNoticeOn, CorrectionReceivedOn               string
	CorrectionDueDays                                                  int
	Intake                                                             string // accepted not_accepted abandoned withdrawn referred pending
	AcceptedOn, IntakeOn, IntakeReason                                 string
	DeemedAccepted                                                     bool
	SuspendFrom, SuspendTo, SuspendGround                              string // one suspension period (SuspendTo "" = still suspended)
	SuspendedOn                                                        string // set while suspended at the end date
	ExtensionDays                                                      int
	ClosedOn, Outcome, Termination, ServedOn, ArchivedOn               string
	Partial, Redo, Hearing, Committee                                  bool
	Note                                                               string
}

// Plan generates a scale's cases organ by organ.
type Plan struct {
	Scale        Scale
	Seed         uint64
	Start, Until calendar.Date
	days         []day // Start-30 .. Until+400
	base         calendar.Date
}

type day struct {
	working bool
	s       string
}

// NewPlan prepares a plan of scale s ending at until (s.Years back, ten by default).
func NewPlan(s Scale, seed uint64, until calendar.Date) *Plan {
	years := s.Years
	if years == 0 {
		years = 10
	}
	p := &Plan{Scale: s, Seed: seed, Until: until, Start: calendar.NewDate(until.Y-years, until.M, until.D+1)}
	p.base = p.Start.AddDays(-400)
	cal := calendar.Default()
	n := until.AddDays(800).Sub(p.base)
	p.days = make([]day, n)
	for i := range p.days {
		d := p.base.AddDays(i)
		w, err := cal.IsWorkingDay(d)
		if err != nil { // no calendar: weekdays
			w = !d.IsWeekend()
		}
		p.days[i] = day{working: w, s: d.String()}
	}
	return p
}

func (p *Plan) idx(d calendar.Date) int { return d.Sub(p.base) }
func (p *Plan) str(i int) string        { return p.days[i].s }

func (p *Plan) addWorking(i, n int) int {
	for n > 0 {
		i++
		if p.days[i].working {
			n--
		}
	}
	return i
}

func (p *Plan) onOrAfterWorking(i int) int {
	for !p.days[i].working {
		i++
	}
	return i
}

func (p *Plan) onOrBeforeWorking(i int) int {
	for !p.days[i].working {
		i--
	}
	return i
}

// CasesOf returns how many cases organ o gets.
func (p *Plan) CasesOf(o int) int {
	var sum float64
	for _, x := range p.Scale.Organs {
		sum += x.Weight
	}
	n := int(math.Round(float64(p.Scale.Cases) * p.Scale.Organs[o].Weight / sum))
	if o == len(p.Scale.Organs)-1 { // the rounding remainder
		total := 0
		for i := 0; i < o; i++ {
			total += int(math.Round(float64(p.Scale.Cases) * p.Scale.Organs[i].Weight / sum))
		}
		n = p.Scale.Cases - total
	}
	return n
}

// LitigationOf returns how many litigation records organ o gets.
func (p *Plan) LitigationOf(o int) int {
	return int(int64(p.CasesOf(o)) * int64(p.Scale.Litigation) / int64(p.Scale.Cases))
}

func pickWeighted(r *rand.Rand, weights []int, total int) int {
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

type choice struct {
	code string
	w    int
}

func pick(r *rand.Rand, cs []choice) string {
	t := 0
	for _, c := range cs {
		t += c.w
	}
	x := r.IntN(t)
	for _, c := range cs {
		if x < c.w {
			return c.code
		}
		x -= c.w
	}
	return cs[len(cs)-1].code
}

// Outcome mix of closed cases (per mille), after the national statistics of
// recent years (about half upheld, direct corrections ~15%, a fifth
// terminated, mostly by withdrawal after the respondent corrected).
var outcomes = []choice{{"upheld", 500}, {"varied", 10}, {"revoked", 95}, {"confirmed_unlawful", 40}, {"confirmed_void", 2},
	{"ordered_to_perform", 20}, {"request_rejected", 60}, {"application_dismissed", 70}, {"mediated", 33}, {"terminated", 170}}

var terminations = []choice{{"withdrawn_voluntary", 30}, {"withdrawn_after_correction", 45}, {"withdrawn_after_settlement", 12},
	{"withdrawn_after_mediation", 5}, {"party_ended", 1}, {"criminal_measures", 1}, {"suspension_lapsed", 2}, {"other", 4}}

var channels = []choice{{"in_person", 40}, {"post", 25}, {"online", 30}, {"oral", 2}, {"forwarded", 3}}

var suspendGrounds = []choice{{"mediation", 40}, {"pending_other_case", 30}, {"force_majeure", 10}, {"normative_document_review", 5}, {"other", 15}}

var surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")

var given = []string{"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞",
	"平", "刚", "桂英", "建华", "建国", "志强", "海燕", "红梅", "玉兰", "文", "斌", "辉", "鹏", "宇", "浩", "凯", "晨", "欣怡", "子涵", "淑珍"}

var companyWords = []string{"恒信", "华宇", "鑫源", "金泰", "瑞丰", "宏达", "博远", "众诚", "天润", "盛世", "佳和", "康泰", "永安", "长青", "新联"}
var industries = []string{"建筑工程", "商贸", "餐饮管理", "房地产开发", "物流", "科技", "食品", "医药", "汽车服务", "农业开发"}

var requests = map[string]string{
	"penalty": "请求撤销被申请人作出的行政处罚决定", "coercive_enforcement": "请求确认被申请人强制拆除行为违法",
	"coercive_measure": "请求撤销被申请人作出的查封扣押决定", "complaint_handling": "请求撤销被申请人作出的投诉举报答复并责令重新处理",
	"nonperformance": "请求责令被申请人履行法定职责", "confirmation": "请求撤销被申请人作出的工伤认定决定",
	"ownership": "请求撤销被申请人作出的确权决定", "licensing": "请求撤销被申请人作出的不予许可决定",
	"information_disclosure": "请求撤销被申请人作出的政府信息公开答复并责令重新答复", "expropriation": "请求撤销被申请人作出的征收补偿决定",
	"benefit": "请求责令被申请人支付待遇", "order": "请求撤销被申请人作出的限期拆除通知",
}

var docWords = map[string]string{"penalty": "罚决字", "coercive_measure": "强措字", "coercive_enforcement": "强拆字", "licensing": "许字",
	"confirmation": "认字", "ownership": "确字", "expropriation": "征补字", "information_disclosure": "依申请公开字", "complaint_handling": "投复字",
	"nonperformance": "", "benefit": "给字", "order": "限拆字"}

func idCheckDigit(s string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return string("10X98765432"[sum%11])
}

// EachCase generates organ o's cases in order of receipt (their case
// numbers follow that order) and calls fn with each; fn must not keep c.
func (p *Plan) EachCase(o int, fn func(c *Case) error) error {
	r := rand.New(rand.NewPCG(p.Seed, uint64(o)*7919+1))
	n := p.CasesOf(o)
	org := p.Scale.Organs[o]
	// Receipt dates: working days, with the yearly volume growing ~7% a year.
	start, end := p.idx(p.Start), p.idx(p.Until)
	span := float64(end - start + 1)
	const growth = 0.068
	u := make([]float64, n)
	for i := range u {
		x := r.Float64()
		// inverse CDF of a density ∝ exp(g·t/365)
		k := growth * span / 365
		u[i] = math.Log1p(x*(math.Exp(k)-1)) / k
	}
	slices.Sort(u)
	weights := make([]int, len(agencySpecs))
	total := 0
	for i, a := range agencySpecs {
		weights[i] = a.weight
		total += a.weight
	}
	seqs := map[int]int{}
	var c Case
	for i := 0; i < n; i++ {
		rd := p.onOrAfterWorking(start + int(u[i]*span))
		if rd > end {
			rd = p.onOrBeforeWorking(end)
		}
		c = Case{Organ: o}
		p.fill(r, &c, org, rd, weights, total, seqs)
		if err := fn(&c); err != nil {
			return err
		}
	}
	return nil
}

func (p *Plan) fill(r *rand.Rand, c *Case, org Organ, rd int, weights []int, total int, seqs map[int]int) {
	end := p.idx(p.Until)
	c.ReceivedOn = p.str(rd)
	c.Year = int(c.ReceivedOn[0]-'0')*1000 + int(c.ReceivedOn[1]-'0')*100 + int(c.ReceivedOn[2]-'0')*10 + int(c.ReceivedOn[3]-'0')
	seqs[c.Year]++
	c.Seq = seqs[c.Year]
	c.CaseNo = fmt.Sprintf("%s政复〔%d〕%d号", org.Short, c.Year, c.Seq)
	c.Regime = "rl2017"
	if c.ReceivedOn >= "2024-01-01" {
		c.Regime = "rl2023"
	}
	c.Agency = pickWeighted(r, weights, total)
	spec := agencySpecs[c.Agency]
	c.ActType = spec.acts[r.IntN(len(spec.acts))]
	c.Area = spec.area
	c.Handler = r.IntN(HandlersPerOrgan)
	c.Channel = pick(r, channels)
	switch x := r.IntN(100); {
	case x < 84:
		c.ApplicantType = "citizen"
		c.Applicant = string(surnames[r.IntN(len(surnames))]) + given[r.IntN(len(given))]
		birth := calendar.NewDate(1945+r.IntN(60), 1, 1).AddDays(r.IntN(365))
		id := fmt.Sprintf("%06d%04d%02d%02d%03d", 110101+r.IntN(8000), birth.Y, int(birth.M), birth.D, r.IntN(1000))
		c.IDNumber = id + idCheckDigit(id)
		c.Phone = fmt.Sprintf("1%d%d%08d", 3+r.IntN(6), r.IntN(10), r.IntN(100000000))
	case x < 98:
		c.ApplicantType = "legal_person"
		c.Applicant = org.Prefix + companyWords[r.IntN(len(companyWords))] + industries[r.IntN(len(industries))] + "有限公司"
	default:
		c.ApplicantType = "other_org"
		c.Applicant = org.Prefix + companyWords[r.IntN(len(companyWords))] + "村民委员会"
	}
	act := rd - 5 - r.IntN(150)
	c.ActDate = p.str(act)
	if w := docWords[c.ActType]; w != "" {
		c.ActDocumentNo = fmt.Sprintf("%s%s〔%s〕%d号", string([]rune(spec.suffix)[:1]), w, c.ActDate[:4], 1+r.IntN(9000))
	}
	c.Request = requests[c.ActType]
	// Intake: 补正 for ~12%, then 5 working days of review (RL2023 Art. 30).
	base := rd
	c.Intake = "pending"
	if r.IntN(100) < 12 {
		notice := p.addWorking(rd, 1+r.IntN(5))
		if notice > end {
			c.Status = "received"
			return
		}
		c.CorrectionNoticeOn, c.CorrectionDueDays = p.str(notice), 10
		if r.IntN(100) < 15 { // not corrected in time: deemed abandoned
			aband := p.onOrAfterWorking(notice + 11 + r.IntN(5))
			if aband > end {
				c.Status = "correction_requested"
				return
			}
			c.Intake, c.Status, c.IntakeOn = "abandoned", "abandoned", p.str(aband)
			c.IntakeReason = "补正期限届满未补正"
			return
		}
		got := notice + 2 + r.IntN(9)
		if got > end {
			c.Status = "correction_requested"
			return
		}
		c.CorrectionReceivedOn = p.str(got)
		base = got
	}
	decidedIntake := p.addWorking(base, 1+r.IntN(5))
	if decidedIntake > end {
		c.Status = "received"
		return
	}
	switch x := r.IntN(1000); {
	case x < 35:
		c.Intake, c.Status, c.IntakeOn, c.IntakeReason = "not_accepted", "not_accepted", p.str(decidedIntake), "不属于行政复议范围"
		return
	case x < 55:
		c.Intake, c.Status, c.IntakeOn, c.IntakeReason = "withdrawn", "withdrawn_before_acceptance", p.str(decidedIntake), "申请人撤回申请"
		return
	case x < 75:
		c.Intake, c.Status, c.IntakeOn, c.IntakeReason = "referred", "referred", p.str(decidedIntake), "告知向有权机关申请"
		return
	}
	c.Intake, c.Status, c.AcceptedOn = "accepted", "accepted", p.str(decidedIntake)
	c.DeemedAccepted = r.IntN(100) == 0
	c.Procedure = "ordinary"
	period := 60
	if c.Regime == "rl2023" && r.IntN(100) < 25 {
		c.Procedure, period = "simplified", 30
	}
	acc := decidedIntake
	c.Hearing = r.IntN(100) < 8
	c.Committee = r.IntN(100) < 3
	if c.Procedure == "ordinary" && r.IntN(100) < 8 {
		c.ExtensionDays = 30
	}
	pause := 0
	if r.IntN(100) < 3 {
		from := acc + 10 + r.IntN(20)
		pause = 15 + r.IntN(45)
		if from <= end {
			c.SuspendFrom, c.SuspendGround = p.str(from), pick(r, suspendGrounds)
			if from+pause <= end {
				c.SuspendTo = p.str(from + pause)
			} else {
				c.SuspendedOn = c.SuspendFrom
				c.Status = "suspended"
				return
			}
		} else {
			pause = 0
		}
	}
	// Closing: 97% within the decision period (+ extension, + suspension).
	limit := period + c.ExtensionDays
	var off int
	if r.IntN(100) < 97 {
		lo := min(15, limit-5)
		off = lo + r.IntN(limit-lo+1)
	} else {
		off = limit + 1 + r.IntN(20)
	}
	closed := p.onOrBeforeWorking(acc + off + pause)
	if closed <= acc {
		closed = p.addWorking(acc, 1)
	}
	if closed > end {
		if c.ExtensionDays > 0 && acc+period+pause > end { // not yet extended
			c.ExtensionDays = 0
		}
		return
	}
	c.ClosedOn = p.str(closed)
	c.Outcome = pick(r, outcomes)
	if c.Outcome == "confirmed_void" && c.Regime != "rl2023" { // new in RL2023 Art. 67
		c.Outcome = "confirmed_unlawful"
	}
	switch c.Outcome {
	case "terminated":
		c.Termination = pick(r, terminations)
		c.Status = "terminated"
	case "mediated":
		c.Status = "mediated"
	default:
		c.Status = "decided"
		if c.Outcome == "revoked" {
			c.Redo = r.IntN(100) < 40
			c.Partial = r.IntN(100) < 15
		}
	}
	served := closed + 2 + r.IntN(9)
	if served > end {
		return
	}
	c.ServedOn, c.Status = p.str(served), "served"
	arch := served + 15 + r.IntN(30)
	if arch > end {
		return
	}
	c.ArchivedOn, c.Status = p.str(arch), "closed"
}
