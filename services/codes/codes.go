// Package codes holds Fuyi's controlled vocabularies — outcomes, termination
// subtypes, types of act, management areas, suspension grounds, statuses,
// actions — each code with its zh-CN and English label and the Chinese names
// a ledger may use for it. Domain references: reference/domain.md §2.4, §2.5,
// §2.7, §4, §7.
package codes

import "strings"

// Code is one entry of a vocabulary.
type Code struct {
	Code string `json:"code"`
	ZH   string `json:"zh"`
	EN   string `json:"en"`
	// Aliases are other names accepted on input (ledger cells), matched exactly after trimming.
	Aliases []string `json:"-"`
}

// List is an ordered vocabulary.
type List []Code

// Has reports whether code is in the list.
func (l List) Has(code string) bool {
	_, ok := l.Get(code)
	return ok
}

// Get returns the entry for code.
func (l List) Get(code string) (Code, bool) {
	for _, c := range l {
		if c.Code == code {
			return c, true
		}
	}
	return Code{}, false
}

// Label returns the label of code in lang ("en" or zh), or the code itself.
func (l List) Label(code, lang string) string {
	c, ok := l.Get(code)
	if !ok {
		return code
	}
	if lang == "en" {
		return c.EN
	}
	return c.ZH
}

// Parse maps a cell (a code, its Chinese label, its English label or an alias) to a code.
func (l List) Parse(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	for _, c := range l {
		if s == c.Code || s == c.ZH || strings.EqualFold(s, c.EN) {
			return c.Code, true
		}
		for _, a := range c.Aliases {
			if s == a {
				return c.Code, true
			}
		}
	}
	return "", false
}

// Codes returns the codes of the list in order.
func (l List) Codes() []string {
	out := make([]string, len(l))
	for i, c := range l {
		out[i] = c.Code
	}
	return out
}

// Outcomes of an accepted, closed case (DESIGN §3; domain §2.7). They partition `closed`.
var Outcomes = List{
	{Code: "upheld", ZH: "维持", EN: "upheld"},
	{Code: "varied", ZH: "变更", EN: "varied"},
	{Code: "revoked", ZH: "撤销", EN: "revoked", Aliases: []string{"部分撤销", "撤销并责令重作", "撤销并责令重新作出"}},
	{Code: "confirmed_unlawful", ZH: "确认违法", EN: "confirmed unlawful"},
	{Code: "confirmed_void", ZH: "确认无效", EN: "confirmed void"},
	{Code: "ordered_to_perform", ZH: "责令履行", EN: "ordered to perform", Aliases: []string{"责令履职", "责令履行法定职责"}},
	{Code: "request_rejected", ZH: "驳回复议请求", EN: "request rejected", Aliases: []string{"驳回行政复议请求"}},
	{Code: "application_dismissed", ZH: "驳回复议申请", EN: "application dismissed", Aliases: []string{"驳回行政复议申请", "驳回申请"}},
	{Code: "mediated", ZH: "调解", EN: "mediated", Aliases: []string{"调解书", "调解结案"}},
	{Code: "terminated", ZH: "终止", EN: "terminated"},
}

// Terminations are the subtypes of 终止 (RL2023 Art. 41, 74; RR2007 Art. 42).
var Terminations = List{
	{Code: "withdrawn_voluntary", ZH: "自愿撤回", EN: "withdrawn voluntarily", Aliases: []string{"申请人自愿撤回"}},
	{Code: "withdrawn_after_correction", ZH: "纠正后撤回", EN: "withdrawn after the respondent corrected", Aliases: []string{"被申请人纠正后撤回", "被申请人改变后撤回", "改变后撤回"}},
	{Code: "withdrawn_after_settlement", ZH: "和解后撤回", EN: "withdrawn after settlement", Aliases: []string{"和解", "和解协议"}},
	{Code: "withdrawn_after_mediation", ZH: "调解后撤回", EN: "withdrawn after mediation"},
	{Code: "party_ended", ZH: "申请人死亡或终止", EN: "applicant died or ceased to exist", Aliases: []string{"申请人死亡", "申请人终止"}},
	{Code: "criminal_measures", ZH: "刑事强制措施", EN: "criminal coercive measures"},
	{Code: "suspension_lapsed", ZH: "中止满60日", EN: "suspended 60 days without resumption", Aliases: []string{"中止满六十日"}},
	{Code: "other", ZH: "其他", EN: "other"},
}

// ActTypes are the types of administrative act (domain §7.1, national form + RL2023 Art. 11).
var ActTypes = List{
	{Code: "penalty", ZH: "行政处罚", EN: "administrative penalty"},
	{Code: "coercive_measure", ZH: "行政强制措施", EN: "coercive measure"},
	{Code: "coercive_enforcement", ZH: "行政强制执行", EN: "coercive enforcement", Aliases: []string{"行政强制"}},
	{Code: "licensing", ZH: "行政许可", EN: "licensing"},
	{Code: "confirmation", ZH: "行政确认", EN: "administrative confirmation", Aliases: []string{"工伤认定", "登记"}},
	{Code: "ownership", ZH: "行政确权", EN: "ownership determination"},
	{Code: "expropriation", ZH: "行政征收征用及补偿", EN: "expropriation and compensation", Aliases: []string{"行政征收", "征收", "征收补偿"}},
	{Code: "compensation", ZH: "行政赔偿", EN: "state compensation"},
	{Code: "agreement", ZH: "行政协议", EN: "administrative agreement"},
	{Code: "information_disclosure", ZH: "政府信息公开", EN: "information disclosure", Aliases: []string{"信息公开"}},
	{Code: "complaint_handling", ZH: "举报投诉处理", EN: "complaint handling", Aliases: []string{"投诉举报处理", "举报投诉"}},
	{Code: "nonperformance", ZH: "不履行法定职责", EN: "failure to perform duty", Aliases: []string{"行政不作为"}},
	{Code: "benefit", ZH: "行政给付", EN: "administrative benefit"},
	{Code: "adjudication", ZH: "行政裁决", EN: "administrative adjudication"},
	{Code: "order", ZH: "行政命令", EN: "administrative order", Aliases: []string{"行政处理"}},
	{Code: "other", ZH: "其他", EN: "other"},
}

// Areas are the administrative-management areas (domain §7.2; a configurable
// dictionary would replace this list when the MoJ list is obtained).
var Areas = List{
	{Code: "public_security", ZH: "公安", EN: "public security", Aliases: []string{"公安交管"}},
	{Code: "market_regulation", ZH: "市场监管", EN: "market regulation"},
	{Code: "natural_resources", ZH: "自然资源", EN: "natural resources", Aliases: []string{"土地", "规划自然资源"}},
	{Code: "housing_construction", ZH: "住房城乡建设", EN: "housing and construction", Aliases: []string{"住建", "房屋登记"}},
	{Code: "urban_management", ZH: "城市管理", EN: "urban management", Aliases: []string{"城管", "城市管理综合执法"}},
	{Code: "illegal_construction", ZH: "违建拆除", EN: "illegal construction", Aliases: []string{"违法建设"}},
	{Code: "expropriation_relocation", ZH: "征收拆迁", EN: "expropriation and relocation", Aliases: []string{"房屋拆迁", "腾退"}},
	{Code: "human_resources", ZH: "人力资源社会保障", EN: "human resources and social security", Aliases: []string{"人力资源", "劳动和社会保障", "社会保障"}},
	{Code: "ecology_environment", ZH: "生态环境", EN: "ecology and environment", Aliases: []string{"环保"}},
	{Code: "health", ZH: "卫生健康", EN: "health"},
	{Code: "agriculture", ZH: "农业农村", EN: "agriculture and rural affairs", Aliases: []string{"农业"}},
	{Code: "transport", ZH: "交通运输", EN: "transport", Aliases: []string{"交通"}},
	{Code: "emergency", ZH: "应急管理", EN: "emergency management"},
	{Code: "civil_affairs", ZH: "民政", EN: "civil affairs"},
	{Code: "education", ZH: "教育", EN: "education"},
	{Code: "culture_tourism", ZH: "文化和旅游", EN: "culture and tourism"},
	{Code: "water", ZH: "水务", EN: "water", Aliases: []string{"水利"}},
	{Code: "sanitation", ZH: "环境卫生", EN: "sanitation"},
	{Code: "government_affairs", ZH: "政务公开", EN: "government affairs"},
	{Code: "other", ZH: "其他", EN: "other"},
}

// ApplicantTypes (DESIGN §7).
var ApplicantTypes = List{
	{Code: "citizen", ZH: "公民", EN: "citizen", Aliases: []string{"自然人", "个人"}},
	{Code: "legal_person", ZH: "法人", EN: "legal person", Aliases: []string{"企业", "法人组织"}},
	{Code: "other_org", ZH: "其他组织", EN: "other organisation"},
}

// Channels by which an application arrives (RL2023 Art. 22).
var Channels = List{
	{Code: "in_person", ZH: "当面递交", EN: "in person", Aliases: []string{"当面", "窗口"}},
	{Code: "post", ZH: "邮寄", EN: "post"},
	{Code: "online", ZH: "网上申请", EN: "online", Aliases: []string{"网上", "在线"}},
	{Code: "oral", ZH: "口头申请", EN: "oral", Aliases: []string{"口头"}},
	{Code: "forwarded", ZH: "转送", EN: "forwarded"},
}

// Procedures (RL2023 Art. 36, 53).
var Procedures = List{
	{Code: "ordinary", ZH: "普通程序", EN: "ordinary", Aliases: []string{"普通"}},
	{Code: "simplified", ZH: "简易程序", EN: "simplified", Aliases: []string{"简易"}},
}

// SuspensionGrounds (RL2023 Art. 39(1); RR2007 Art. 41).
var SuspensionGrounds = List{
	{Code: "party_died", ZH: "申请人死亡，近亲属尚未确定是否参加", EN: "applicant died, heirs undecided"},
	{Code: "party_incapacitated", ZH: "申请人丧失参加能力，未确定法定代理人", EN: "applicant lost capacity"},
	{Code: "party_missing", ZH: "申请人下落不明", EN: "applicant missing"},
	{Code: "party_org_terminated", ZH: "申请人终止，权利义务承受人尚未确定", EN: "applicant organisation ended, successor undetermined"},
	{Code: "force_majeure", ZH: "因不可抗力或其他正当理由不能参加", EN: "force majeure or other justified reason"},
	{Code: "mediation", ZH: "调解、和解中，双方同意中止", EN: "mediation or settlement under way"},
	{Code: "legal_question", ZH: "法律适用问题需有权机关解释或确认", EN: "a legal question awaits an authority"},
	{Code: "pending_other_case", ZH: "案件审理需以其他案件结果为依据", EN: "depends on another pending case"},
	{Code: "normative_document_review", ZH: "规范性文件附带审查", EN: "incidental review of a normative document"},
	{Code: "other", ZH: "其他", EN: "other"},
}

// Statuses of a reconsideration case (domain §4).
var Statuses = List{
	{Code: "received", ZH: "已收件", EN: "received"},
	{Code: "correction_requested", ZH: "补正中", EN: "correction requested"},
	{Code: "abandoned", ZH: "补正逾期视为放弃", EN: "abandoned"},
	{Code: "not_accepted", ZH: "不予受理", EN: "not accepted"},
	{Code: "withdrawn_before_acceptance", ZH: "受理前撤回", EN: "withdrawn before acceptance"},
	{Code: "referred", ZH: "告知/转送", EN: "referred"},
	{Code: "accepted", ZH: "已受理", EN: "accepted"},
	{Code: "suspended", ZH: "中止", EN: "suspended"},
	{Code: "decided", ZH: "已决定", EN: "decided"},
	{Code: "mediated", ZH: "已调解", EN: "mediated"},
	{Code: "terminated", ZH: "已终止", EN: "terminated"},
	{Code: "served", ZH: "已送达", EN: "served"},
	{Code: "closed", ZH: "已结案归档", EN: "closed"},
}

// Actions are the transitions of a case (DESIGN §6).
var Actions = List{
	{Code: "request_correction", ZH: "通知补正", EN: "request correction"},
	{Code: "receive_correction", ZH: "收到补正材料", EN: "receive correction"},
	{Code: "abandon", ZH: "补正逾期视为放弃", EN: "deem abandoned"},
	{Code: "accept", ZH: "受理", EN: "accept"},
	{Code: "not_accept", ZH: "不予受理", EN: "not accept"},
	{Code: "withdraw", ZH: "撤回申请", EN: "withdraw"},
	{Code: "refer", ZH: "告知/转送", EN: "refer"},
	{Code: "suspend", ZH: "中止审理", EN: "suspend"},
	{Code: "resume", ZH: "恢复审理", EN: "resume"},
	{Code: "extend", ZH: "延期审理", EN: "extend"},
	{Code: "convert_procedure", ZH: "简易程序转普通程序", EN: "convert to ordinary procedure"},
	{Code: "decide", ZH: "作出决定", EN: "decide"},
	{Code: "mediate", ZH: "调解结案", EN: "close by mediation"},
	{Code: "terminate", ZH: "终止审理", EN: "terminate"},
	{Code: "serve", ZH: "送达", EN: "serve"},
	{Code: "close", ZH: "结案归档", EN: "close"},
}

// Intakes are the ledger's 受理情况 values (DESIGN §7).
var Intakes = List{
	{Code: "accepted", ZH: "受理", EN: "accepted", Aliases: []string{"已受理"}},
	{Code: "not_accepted", ZH: "不予受理", EN: "not accepted"},
	{Code: "abandoned", ZH: "补正逾期", EN: "abandoned", Aliases: []string{"视为放弃"}},
	{Code: "withdrawn", ZH: "撤回", EN: "withdrawn", Aliases: []string{"受理前撤回"}},
	{Code: "referred", ZH: "转送", EN: "referred", Aliases: []string{"告知", "告知转送"}},
	{Code: "pending", ZH: "审查中", EN: "pending", Aliases: []string{"待审查"}},
}

// AgencyLevels of respondents (national form, domain §7.1).
var AgencyLevels = List{
	{Code: "township", ZH: "乡镇政府/街道", EN: "township or street"},
	{Code: "county_department", ZH: "县级政府的部门", EN: "county-level department"},
	{Code: "county_government", ZH: "县级政府", EN: "county-level government"},
	{Code: "other", ZH: "其他", EN: "other"},
}

// Regimes are the bodies of law a reconsideration case is governed by,
// chosen by its receipt date (DESIGN §3).
var Regimes = List{
	{Code: "rl2017", ZH: "行政复议法（2017）及实施条例（2007）", EN: "1999/2017 law with the 2007 regulations"},
	{Code: "rl2023", ZH: "行政复议法（2023年修订）", EN: "2023 law"},
}
