package demo

import (
	"context"
	"fmt"
	"sort"

	"fuyi/services/auth"
	"fuyi/services/calendar"
	"fuyi/services/lifecycle"
)

var surnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段")
var given = []string{"伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建国", "建华", "志强", "海燕", "玉兰", "春生", "德明"}
var companies = []string{"北京谷丰农业科技有限公司", "北京平兴建筑工程有限公司", "北京金海湖旅游开发有限公司", "北京华谷商贸有限公司", "北京泃河物流有限公司", "北京绿源餐饮管理有限公司", "北京桃乡果品专业合作社", "北京东高村建材有限公司"}

// run executes plans in date order through the case service as actor, and
// returns how many cases it created.
func (g *generator) run(ctx context.Context, actor *auth.Principal, organID int64, agencyIDs map[string]int64, specs []agencySpec, handlers []int64, plans []plan) (int, error) {
	sort.SliceStable(plans, func(i, j int) bool { return plans[i].received.Before(plans[j].received) })
	total := 0
	for _, a := range specs {
		total += a.weight
	}
	for i := range plans {
		if err := g.runOne(ctx, actor, organID, agencyIDs, specs, total, handlers, &plans[i]); err != nil {
			return i, fmt.Errorf("demo case received %s: %w", plans[i].received, err)
		}
	}
	return len(plans), nil
}

func (g *generator) pickAgency(specs []agencySpec, total int) agencySpec {
	x := g.rnd.IntN(total)
	for _, a := range specs {
		if x < a.weight {
			return a
		}
		x -= a.weight
	}
	return specs[0]
}

func (g *generator) person() lifecycle.PartyInput {
	if g.rnd.IntN(6) == 0 {
		return lifecycle.PartyInput{Name: companies[g.rnd.IntN(len(companies))], Type: "legal_person"}
	}
	name := string(surnames[g.rnd.IntN(len(surnames))]) + given[g.rnd.IntN(len(given))]
	birth := calendar.NewDate(1950+g.rnd.IntN(50), 1, 1).AddDays(g.rnd.IntN(365))
	id := fmt.Sprintf("110117%04d%02d%02d%03d", birth.Y, int(birth.M), birth.D, g.rnd.IntN(1000))
	return lifecycle.PartyInput{Name: name, Type: "citizen", IDNumber: id + idCheckDigit(id),
		Phone: fmt.Sprintf("13%d%08d", g.rnd.IntN(10), g.rnd.IntN(100000000))}
}

// idCheckDigit is the GB 11643 check character of a 17-digit ID prefix.
func idCheckDigit(s string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return string("10X98765432"[sum%11])
}

var requests = map[string]string{
	"penalty":                "请求撤销被申请人作出的行政处罚决定",
	"coercive_enforcement":   "请求确认被申请人强制拆除行为违法",
	"coercive_measure":       "请求撤销被申请人作出的查封扣押决定",
	"complaint_handling":     "请求撤销被申请人作出的投诉举报答复并责令重新处理",
	"nonperformance":         "请求责令被申请人履行法定职责",
	"confirmation":           "请求撤销被申请人作出的工伤认定决定",
	"ownership":              "请求撤销被申请人作出的确权决定",
	"licensing":              "请求撤销被申请人作出的不予许可决定",
	"information_disclosure": "请求撤销被申请人作出的政府信息公开答复并责令重新答复",
	"expropriation":          "请求撤销被申请人作出的征收补偿决定",
	"benefit":                "请求责令被申请人支付待遇",
	"order":                  "请求撤销被申请人作出的限期拆除通知",
}

func (g *generator) runOne(ctx context.Context, actor *auth.Principal, organID int64, agencyIDs map[string]int64, specs []agencySpec, total int, handlers []int64, p *plan) error {
	a := g.pickAgency(specs, total)
	act := a.actTypes[g.rnd.IntN(len(a.actTypes))]
	applicant := g.person()
	handler := handlers[g.rnd.IntN(len(handlers))]
	channels := []string{"in_person", "in_person", "post", "online", "online"}
	actDate := p.received.AddDays(-10 - g.rnd.IntN(40)).String()
	docNo := fmt.Sprintf("京平%s〔%d〕%d号", []string{"城管罚", "公行罚", "市监罚", "人社工伤认", "规自罚", "住建", "政信公开", "环罚", "街道拆", "镇政通"}[g.rnd.IntN(10)], p.received.Y, 1+g.rnd.IntN(900))
	v, err := g.s.Cases.Create(ctx, actor, lifecycle.CreateInput{
		OrganID: organID, Applicants: []lifecycle.PartyInput{applicant}, ApplicantType: applicant.Type,
		RespondentID: agencyIDs[a.name], ActType: act, Area: a.area, ActDocumentNo: docNo, ActDate: actDate,
		Request: requests[act], Channel: channels[g.rnd.IntN(len(channels))], ReceivedOn: p.received.String(), HandlerID: &handler,
	})
	if err != nil {
		return err
	}
	step := func(in lifecycle.TransitionInput) error {
		in.Version = v.Version
		nv, err := g.s.Cases.Transition(ctx, actor, v.ID, in)
		if err != nil {
			return fmt.Errorf("%s on %s: %w", in.Action, in.EffectiveOn, err)
		}
		v = nv
		return nil
	}
	notLater := func(d calendar.Date) bool { return !d.After(g.today) }

	reviewStart := p.received
	if p.correction || p.intake == "abandoned" {
		notice := g.addWorking(p.received, 2)
		if !notLater(notice) {
			return nil
		}
		if err := step(lifecycle.TransitionInput{Action: "request_correction", EffectiveOn: notice.String(), Days: 10, Note: "申请材料不齐全，通知补正"}); err != nil {
			return err
		}
		if p.intake == "abandoned" {
			at := g.addWorking(notice, 15)
			if notLater(at) {
				return step(lifecycle.TransitionInput{Action: "abandon", EffectiveOn: at.String(), Reason: "无正当理由逾期未补正，视为放弃"})
			}
			return nil
		}
		if p.accepted.IsZero() {
			return nil // still waiting for the corrected materials
		}
		// The corrected materials arrive the working day before acceptance, so
		// the new review (RL2023 Art. 31(3)) ends on time.
		back := g.prevWorking(p.accepted)
		if !back.After(notice) {
			back = notice.AddDays(1)
			p.accepted = g.addWorking(back, 1)
		}
		if !notLater(back) {
			return nil
		}
		if err := step(lifecycle.TransitionInput{Action: "receive_correction", EffectiveOn: back.String()}); err != nil {
			return err
		}
		reviewStart = back
	}
	decideOn := g.addWorking(reviewStart, 1+g.rnd.IntN(4))
	switch p.intake {
	case "pending":
		return nil
	case "not_accepted":
		return step(lifecycle.TransitionInput{Action: "not_accept", EffectiveOn: decideOn.String(), Reason: "不属于行政复议范围"})
	case "withdrawn":
		return step(lifecycle.TransitionInput{Action: "withdraw", EffectiveOn: decideOn.String(), Reason: "申请人撤回申请"})
	case "referred":
		return step(lifecycle.TransitionInput{Action: "refer", EffectiveOn: decideOn.String(), Reason: "不属于本机关管辖，告知向有管辖权的机关申请"})
	}
	if !notLater(p.accepted) {
		return nil
	}
	if err := step(lifecycle.TransitionInput{Action: "accept", EffectiveOn: p.accepted.String(), Procedure: p.procedure}); err != nil {
		return err
	}
	closeLimit := p.closed
	if p.suspendDays > 0 {
		from := g.between(p.accepted.AddDays(5), p.accepted.AddDays(30))
		to := from.AddDays(p.suspendDays)
		if notLater(from) {
			if err := step(lifecycle.TransitionInput{Action: "suspend", EffectiveOn: from.String(), Ground: "pending_other_case", Reason: "案件审理需以其他案件的审理结果为依据"}); err != nil {
				return err
			}
			if !notLater(to) {
				return nil
			}
			if err := step(lifecycle.TransitionInput{Action: "resume", EffectiveOn: to.String()}); err != nil {
				return err
			}
			if !closeLimit.After(to) {
				closeLimit = g.workingDayOnOrAfter(to.AddDays(3))
				p.closed = closeLimit
			}
		}
	}
	if p.extendDays > 0 {
		at := p.accepted.AddDays(50)
		if notLater(at) && at.Before(p.closed) {
			if err := step(lifecycle.TransitionInput{Action: "extend", EffectiveOn: at.String(), Days: p.extendDays, ApprovedBy: "王科长", Note: "案情复杂，经批准延期"}); err != nil {
				return err
			}
		}
	}
	if p.closed.IsZero() || !notLater(p.closed) {
		return nil
	}
	closing := lifecycle.TransitionInput{EffectiveOn: p.closed.String()}
	switch p.outcome {
	case "terminated":
		closing.Action, closing.Termination = "terminate", p.termination
	case "mediated":
		closing.Action = "mediate"
	default:
		closing.Action, closing.Outcome, closing.Redo, closing.Partial = "decide", p.outcome, p.redo, p.partial
	}
	if err := step(closing); err != nil {
		return err
	}
	served := g.workingDayOnOrAfter(p.closed.AddDays(1 + g.rnd.IntN(6)))
	if !notLater(served) {
		return nil
	}
	if err := step(lifecycle.TransitionInput{Action: "serve", EffectiveOn: served.String()}); err != nil {
		return err
	}
	archived := g.workingDayOnOrAfter(served.AddDays(3 + g.rnd.IntN(20)))
	if !notLater(archived) {
		return nil
	}
	return step(lifecycle.TransitionInput{Action: "close", EffectiveOn: archived.String()})
}

// prevWorking returns the last working day before d.
func (g *generator) prevWorking(d calendar.Date) calendar.Date {
	for {
		d = d.AddDays(-1)
		if ok, err := g.cal.IsWorkingDay(d); err != nil || ok {
			return d
		}
	}
}
