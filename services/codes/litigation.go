package codes

// Litigation vocabularies (domain §5–6). Ledger cells are parsed with the
// same List.Parse as the reconsideration codes.

// LitigationKinds are the kinds of 应诉 matters the seed counts (domain §5.1).
var LitigationKinds = List{
	{Code: "administrative", ZH: "行政诉讼", EN: "administrative suit", Aliases: []string{"行政应诉", "行政"}},
	{Code: "civil", ZH: "民事诉讼", EN: "civil suit", Aliases: []string{"民事应诉", "民事"}},
	{Code: "as_respondent", ZH: "复议被申请", EN: "respondent in reconsideration", Aliases: []string{"行政复议被申请人", "复议被申请人", "被申请复议"}},
}

// Instances are the court levels a record belongs to; each is its own record.
var Instances = List{
	{Code: "first", ZH: "一审", EN: "first instance", Aliases: []string{"第一审"}},
	{Code: "second", ZH: "二审", EN: "second instance", Aliases: []string{"第二审", "上诉审"}},
	{Code: "retrial", ZH: "再审", EN: "retrial", Aliases: []string{"审判监督"}},
}

// CoDefendantRoles say where the organ stands when a suit follows a
// reconsideration (ALL Art. 26(2); domain §5.2).
var CoDefendantRoles = List{
	{Code: "none", ZH: "不涉及复议", EN: "not after reconsideration"},
	{Code: "original_agency", ZH: "共同被告（原行政机关）", EN: "co-defendant: original agency"},
	{Code: "reconsideration_body", ZH: "共同被告（复议机关）", EN: "co-defendant: reconsideration body"},
	{Code: "sole_defendant", ZH: "复议机关单独被告（复议改变）", EN: "sole defendant (decision changed the act)"},
}

// FirstInstanceOutcomes are the results of a first-instance (or retrial)
// judgment or ruling (domain §5.4).
var FirstInstanceOutcomes = List{
	{Code: "claims_rejected", ZH: "驳回诉讼请求", EN: "claims rejected", Aliases: []string{"判决驳回诉讼请求", "驳回原告诉讼请求"}},
	{Code: "suit_dismissed", ZH: "驳回起诉", EN: "suit dismissed", Aliases: []string{"裁定驳回起诉"}},
	{Code: "withdrawn", ZH: "撤诉", EN: "withdrawn", Aliases: []string{"准予撤诉", "按撤诉处理"}},
	{Code: "mediated", ZH: "调解", EN: "mediated", Aliases: []string{"调解结案"}},
	{Code: "revoked", ZH: "撤销", EN: "revoked", Aliases: []string{"判决撤销", "部分撤销", "撤销并责令重作"}},
	{Code: "varied", ZH: "变更", EN: "varied", Aliases: []string{"判决变更"}},
	{Code: "confirmed_unlawful", ZH: "确认违法", EN: "confirmed unlawful", Aliases: []string{"判决确认违法"}},
	{Code: "confirmed_void", ZH: "确认无效", EN: "confirmed void", Aliases: []string{"判决确认无效"}},
	{Code: "ordered_to_perform", ZH: "责令履行", EN: "ordered to perform", Aliases: []string{"判决履行法定职责", "履行法定职责"}},
	{Code: "ordered_to_pay", ZH: "给付", EN: "ordered to pay", Aliases: []string{"判决履行给付义务", "履行给付义务"}},
	{Code: "other", ZH: "其他", EN: "other"},
}

// SecondInstanceOutcomes are the results proper to an appeal (ALL Art. 89).
var SecondInstanceOutcomes = List{
	{Code: "appeal_rejected", ZH: "驳回上诉维持原判", EN: "appeal rejected, judgment upheld", Aliases: []string{"驳回上诉", "维持原判"}},
	{Code: "reversed", ZH: "改判", EN: "reversed", Aliases: []string{"依法改判"}},
	{Code: "remanded", ZH: "发回重审", EN: "remanded for retrial"},
	{Code: "appeal_withdrawn", ZH: "撤回上诉", EN: "appeal withdrawn", Aliases: []string{"撤诉（二审）"}},
}

// LitigationOutcomes is every outcome code, first-instance ones first.
var LitigationOutcomes = append(append(List{}, FirstInstanceOutcomes...), SecondInstanceOutcomes...)

// JudgmentForms set the appeal period: 15 days for a judgment, 10 for a ruling (ALL Art. 85).
var JudgmentForms = List{
	{Code: "judgment", ZH: "判决", EN: "judgment", Aliases: []string{"判决书"}},
	{Code: "ruling", ZH: "裁定", EN: "ruling", Aliases: []string{"裁定书"}},
}

// AppearedRoles say who appeared for the agency at a hearing (domain §5.5).
var AppearedRoles = List{
	{Code: "head", ZH: "负责人（正职）", EN: "head", Aliases: []string{"正职负责人", "负责人"}},
	{Code: "deputy_head", ZH: "负责人（副职）", EN: "deputy head", Aliases: []string{"副职负责人", "分管负责人"}},
	{Code: "staff", ZH: "工作人员", EN: "staff member", Aliases: []string{"相应工作人员"}},
	{Code: "lawyer", ZH: "律师", EN: "lawyer", Aliases: []string{"代理律师"}},
	{Code: "none", ZH: "无人出庭", EN: "nobody appeared", Aliases: []string{"未出庭"}},
}

// LitigationStatuses are the states of a litigation record (domain §6).
var LitigationStatuses = List{
	{Code: "notified", ZH: "已收到应诉通知", EN: "notified"},
	{Code: "defence_filed", ZH: "已提交答辩", EN: "defence filed"},
	{Code: "heard", ZH: "已开庭", EN: "heard"},
	{Code: "suspended", ZH: "中止诉讼", EN: "suspended"},
	{Code: "decided", ZH: "已裁判", EN: "decided"},
	{Code: "appeal_window", ZH: "上诉期内", EN: "appeal window"},
	{Code: "appealed", ZH: "已上诉", EN: "appealed"},
	{Code: "withdrawn", ZH: "已撤诉", EN: "withdrawn"},
	{Code: "mediated", ZH: "已调解", EN: "mediated"},
	{Code: "effective", ZH: "已生效", EN: "effective"},
	{Code: "retrial_sought", ZH: "申请再审", EN: "retrial sought"},
	{Code: "closed", ZH: "已结案", EN: "closed"},
}

// LitigationActions are the transitions of a litigation record.
var LitigationActions = List{
	{Code: "file_defence", ZH: "提交答辩", EN: "file defence"},
	{Code: "hear", ZH: "开庭", EN: "hearing held"},
	{Code: "suspend", ZH: "中止诉讼", EN: "suspend"},
	{Code: "resume", ZH: "恢复诉讼", EN: "resume"},
	{Code: "decide", ZH: "作出裁判", EN: "decide"},
	{Code: "withdraw", ZH: "撤诉", EN: "withdraw"},
	{Code: "mediate", ZH: "调解结案", EN: "mediate"},
	{Code: "serve", ZH: "送达裁判文书", EN: "serve"},
	{Code: "appeal", ZH: "上诉", EN: "appeal"},
	{Code: "become_effective", ZH: "生效", EN: "become effective"},
	{Code: "seek_retrial", ZH: "申请再审", EN: "seek retrial"},
	{Code: "close", ZH: "结案", EN: "close"},
}

// SuggestionTypes (domain §5.6; RL2023 Art. 76; RR2007 Art. 57).
var SuggestionTypes = List{
	{Code: "judicial", ZH: "司法建议", EN: "judicial suggestion", Aliases: []string{"司法建议书"}},
	{Code: "procuratorial", ZH: "检察建议", EN: "procuratorial suggestion", Aliases: []string{"检察建议书"}},
	{Code: "opinion_letter", ZH: "行政复议意见书", EN: "opinion letter", Aliases: []string{"意见书"}},
	{Code: "suggestion_letter", ZH: "行政复议建议书", EN: "suggestion letter", Aliases: []string{"建议书"}},
}

// SuggestionDirections.
var SuggestionDirections = List{
	{Code: "received", ZH: "收到", EN: "received"},
	{Code: "issued", ZH: "制发", EN: "issued"},
}
