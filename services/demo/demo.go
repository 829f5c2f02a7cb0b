// Package demo loads a realistic data set: a district like Pinggu whose 2022
// year reproduces every figure of the seed report (DESIGN §5, §8), 2023 and
// 2024 for trends, a handful of live cases around today, and a second organ.
// Everything goes through the same services a user's clicks go through, so
// the demo cases have real events, versions and deadlines.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"fuyi/services/auth"
	"fuyi/services/calendar"
	"fuyi/services/errs"
	"fuyi/services/lifecycle"
	"fuyi/services/organs"
)

// Services are what the loader drives.
type Services struct {
	Auth   *auth.Service
	Organs *organs.Service
	Cases  *lifecycle.Service
	// Litigation loads the demo's litigation records (nil: none).
	Litigation func(ctx context.Context, organID int64, agencies map[string]int64, handlerID int64) error
	// Now is the clock (time.Now when nil); live cases are dated around it.
	Now func() time.Time
}

// Summary reports what Load created.
type Summary struct {
	Organs   []string
	Users    []string
	Cases    int
	Password string
}

// OrganName is the demo's first organ (the seed's district).
const OrganName = "北京市平谷区人民政府"

// SecondOrganName is the demo's second organ.
const SecondOrganName = "北京市密云区人民政府"

// agencies of the first organ, with the act types and areas their cases have.
var pingguAgencies = []agencySpec{
	{"北京市平谷区城市管理综合行政执法局", "county_department", []string{"penalty", "coercive_enforcement"}, "urban_management", 14},
	{"北京市公安局平谷分局", "county_department", []string{"penalty", "complaint_handling"}, "public_security", 12},
	{"北京市平谷区市场监督管理局", "county_department", []string{"complaint_handling", "penalty", "nonperformance"}, "market_regulation", 12},
	{"北京市平谷区人力资源和社会保障局", "county_department", []string{"confirmation", "nonperformance", "benefit"}, "human_resources", 9},
	{"北京市规划和自然资源委员会平谷分局", "county_department", []string{"ownership", "licensing", "penalty"}, "natural_resources", 7},
	{"北京市平谷区住房和城乡建设委员会", "county_department", []string{"licensing", "information_disclosure", "expropriation"}, "housing_construction", 6},
	{"北京市平谷区人民政府办公室", "county_department", []string{"information_disclosure"}, "government_affairs", 6},
	{"北京市平谷区生态环境局", "county_department", []string{"penalty", "complaint_handling"}, "ecology_environment", 4},
	{"北京市平谷区卫生健康委员会", "county_department", []string{"complaint_handling", "penalty"}, "health", 3},
	{"北京市平谷区农业农村局", "county_department", []string{"confirmation", "nonperformance"}, "agriculture", 3},
	{"北京市平谷区交通局", "county_department", []string{"penalty"}, "transport", 3},
	{"北京市平谷区水务局", "county_department", []string{"penalty", "coercive_measure"}, "water", 2},
	{"北京市平谷区滨河街道办事处", "township", []string{"coercive_enforcement", "order", "information_disclosure"}, "illegal_construction", 7},
	{"北京市平谷区兴谷街道办事处", "township", []string{"coercive_enforcement", "information_disclosure"}, "illegal_construction", 5},
	{"北京市平谷区马坊镇人民政府", "township", []string{"coercive_enforcement", "expropriation"}, "expropriation_relocation", 4},
	{"北京市平谷区金海湖镇人民政府", "township", []string{"coercive_enforcement", "information_disclosure"}, "illegal_construction", 3},
}

var miyunAgencies = []agencySpec{
	{"北京市密云区市场监督管理局", "county_department", []string{"complaint_handling", "penalty"}, "market_regulation", 5},
	{"北京市公安局密云分局", "county_department", []string{"penalty"}, "public_security", 5},
	{"北京市密云区城市管理综合行政执法局", "county_department", []string{"penalty", "coercive_enforcement"}, "urban_management", 3},
}

type agencySpec struct {
	name, level string
	actTypes    []string
	area        string
	weight      int
}

// Load creates the demo organs, agencies, users and cases. password is the
// demo users' password ("" = generated; the summary carries it). It refuses
// to run twice on the same database (the first organ exists).
func Load(ctx context.Context, s Services, password string) (*Summary, error) {
	if s.Now == nil {
		s.Now = time.Now
	}
	admin := &auth.Principal{UserID: 0, Username: "demo", Role: auth.RoleAdmin}
	existing, err := s.Organs.List(ctx, admin)
	if err != nil {
		return nil, err
	}
	for _, o := range existing {
		if o.Name == OrganName {
			return nil, fmt.Errorf("the demo is already loaded (organ %s exists)", OrganName)
		}
	}
	if password == "" {
		password = auth.GeneratePassword()
	}
	sum := &Summary{Password: password}

	pg, pgAgencies, err := createOrgan(ctx, s, admin, OrganName, "平", pingguAgencies)
	if err != nil {
		return nil, err
	}
	my, myAgencies, err := createOrgan(ctx, s, admin, SecondOrganName, "密", miyunAgencies)
	if err != nil {
		return nil, err
	}
	sum.Organs = []string{OrganName, SecondOrganName}

	users := []struct {
		name, display, role string
		organs              []int64
	}{
		{"admin", "系统管理员", auth.RoleAdmin, []int64{pg, my}},
		{"manager", "王科长", auth.RoleManager, []int64{pg}},
		{"officer", "李承办", auth.RoleOfficer, []int64{pg}},
		{"officer2", "赵承办", auth.RoleOfficer, []int64{pg}},
		{"reporter", "刘统计", auth.RoleReporter, []int64{pg}},
		{"other", "陈承办（密云）", auth.RoleOfficer, []int64{my}},
	}
	ids := map[string]int64{}
	for _, u := range users {
		info, err := s.Auth.CreateUser(ctx, auth.NewUser{Username: u.name, DisplayName: u.display, Role: u.role, Password: password, OrganIDs: u.organs})
		if err != nil {
			if u.name == "admin" && errs.As(err).Code == "username_taken" {
				// The first-run admin exists already: grant it the demo organs
				// (its password stays the one it was given).
				if err := grantOrgans(ctx, s.Auth, u.name, u.organs); err != nil {
					return nil, fmt.Errorf("user %s: %w", u.name, err)
				}
				continue
			}
			return nil, fmt.Errorf("user %s: %w", u.name, err)
		}
		ids[u.name] = info.ID
		sum.Users = append(sum.Users, u.name)
	}

	g := &generator{s: s, rnd: newRand(2022, 39), cal: calendar.Default(), today: dateOf(s.Now())}
	pgOfficers := []int64{ids["officer"], ids["officer"], ids["officer2"], ids["manager"]}
	actor := &auth.Principal{UserID: ids["manager"], Username: "manager", DisplayName: "王科长", Role: auth.RoleManager, OrganIDs: []int64{pg}}
	plans := seedYear2022(g)
	plans = append(plans, trendYear(g, 2023, 263)...)
	plans = append(plans, trendYear(g, 2024, 301)...)
	plans = append(plans, liveCases(g, 14)...)
	n, err := g.run(ctx, actor, pg, pgAgencies, pingguAgencies, pgOfficers, plans)
	if err != nil {
		return nil, err
	}
	sum.Cases += n

	other := &auth.Principal{UserID: ids["other"], Username: "other", Role: auth.RoleOfficer, OrganIDs: []int64{my}}
	n, err = g.run(ctx, other, my, myAgencies, miyunAgencies, []int64{ids["other"]}, append(trendYear(g, 2024, 24), liveCases(g, 4)...))
	if err != nil {
		return nil, err
	}
	sum.Cases += n

	if s.Litigation != nil {
		if err := s.Litigation(ctx, pg, pgAgencies, ids["officer"]); err != nil {
			return nil, fmt.Errorf("litigation: %w", err)
		}
	}
	return sum, nil
}

func createOrgan(ctx context.Context, s Services, admin *auth.Principal, name, short string, specs []agencySpec) (int64, map[string]int64, error) {
	pattern := short + "政复〔{year}〕{seq}号"
	o, err := s.Organs.Create(ctx, organs.OrganInput{Name: &name, ShortName: &short, CaseNoPattern: &pattern})
	if err != nil {
		return 0, nil, fmt.Errorf("organ %s: %w", name, err)
	}
	ags := map[string]int64{}
	for _, a := range specs {
		ag, err := s.Organs.CreateAgency(ctx, admin, o.ID, organs.AgencyInput{Name: a.name, Level: a.level})
		if err != nil {
			return 0, nil, fmt.Errorf("agency %s: %w", a.name, err)
		}
		ags[a.name] = ag.ID
	}
	return o.ID, ags, nil
}

// plan is the life of one demo case: dates and the closing it gets.
type plan struct {
	received   calendar.Date
	correction bool // 补正 before acceptance
	// intake: accepted, not_accepted, withdrawn, referred, abandoned, pending
	intake      string
	accepted    calendar.Date
	procedure   string
	suspendDays int
	extendDays  int
	closed      calendar.Date // zero: still open
	outcome     string
	termination string
	redo        bool
	partial     bool
}

type generator struct {
	s     Services
	rnd   *rand.Rand
	cal   *calendar.Calendar
	today calendar.Date
}

func dateOf(t time.Time) calendar.Date {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err == nil {
		t = t.In(loc)
	}
	return calendar.DateOf(t)
}

// addWorking returns d plus n working days (the start day not counted).
func (g *generator) addWorking(d calendar.Date, n int) calendar.Date {
	for n > 0 {
		d = d.AddDays(1)
		if ok, err := g.cal.IsWorkingDay(d); err != nil || ok {
			n--
		}
	}
	return d
}

// workingDayOnOrAfter returns d or the next working day.
func (g *generator) workingDayOnOrAfter(d calendar.Date) calendar.Date {
	for {
		if ok, err := g.cal.IsWorkingDay(d); err != nil || ok {
			return d
		}
		d = d.AddDays(1)
	}
}

func (g *generator) between(from, to calendar.Date) calendar.Date {
	span := to.Sub(from)
	if span <= 0 {
		return from
	}
	return g.workingDayOnOrAfter(from.AddDays(g.rnd.IntN(span)))
}

// seedYear2022 reproduces the seed: 229 received, 212 accepted, 8 not
// accepted, 182 closed = 91 upheld + 20 revoked + 42 terminated + 9
// confirmed unlawful + 17 application dismissed + 3 ordered to perform;
// comprehensive corrections 71 (32 direct + 39 corrective terminations).
func seedYear2022(g *generator) []plan {
	var closings []plan
	add := func(n int, outcome, termination string) {
		for i := 0; i < n; i++ {
			closings = append(closings, plan{outcome: outcome, termination: termination})
		}
	}
	add(91, "upheld", "")
	add(20, "revoked", "")
	add(9, "confirmed_unlawful", "")
	add(17, "application_dismissed", "")
	add(3, "ordered_to_perform", "")
	add(30, "terminated", "withdrawn_after_correction")
	add(6, "terminated", "withdrawn_after_settlement")
	add(3, "terminated", "withdrawn_after_mediation")
	add(3, "terminated", "withdrawn_voluntary")
	g.rnd.Shuffle(len(closings), func(i, j int) { closings[i], closings[j] = closings[j], closings[i] })
	for i := range closings {
		if closings[i].outcome == "revoked" {
			closings[i].redo = i%2 == 0
			closings[i].partial = i%5 == 0
		}
	}

	// 212 accepted in 2022: the 182 earliest are closed in 2022, the 30 latest
	// (accepted from mid-November) are decided in early 2023.
	var accepted []plan
	for i := 0; i < 212; i++ {
		var p plan
		if i < 182 {
			p = closings[i]
			p.received = g.between(calendar.NewDate(2022, 1, 4), calendar.NewDate(2022, 11, 10))
		} else {
			p = g.trendClosing(2023)
			p.received = g.between(calendar.NewDate(2022, 11, 14), calendar.NewDate(2022, 12, 20))
		}
		p.intake = "accepted"
		accepted = append(accepted, p)
	}
	sort.Slice(accepted, func(i, j int) bool { return accepted[i].received.Before(accepted[j].received) })
	for i := range accepted {
		p := &accepted[i]
		p.procedure = "ordinary"
		p.correction = g.rnd.IntN(8) == 0 && p.received.Before(calendar.NewDate(2022, 11, 1))
		start := p.received
		if p.correction {
			start = g.addWorking(p.received, 2+g.rnd.IntN(3)).AddDays(3 + g.rnd.IntN(6))
		}
		p.accepted = g.addWorking(start, 1+g.rnd.IntN(4))
		latest := p.accepted.AddDays(58)
		if i < 182 {
			if p.accepted.After(calendar.NewDate(2022, 11, 1)) {
				latest = calendar.NewDate(2022, 12, 30)
			}
			if g.rnd.IntN(15) == 0 && p.accepted.Before(calendar.NewDate(2022, 9, 1)) {
				p.extendDays = 30
				latest = p.accepted.AddDays(85)
			}
			p.closed = g.between(p.accepted.AddDays(15), minDate(latest, calendar.NewDate(2022, 12, 30)))
		} else {
			p.closed = g.between(maxDate(calendar.NewDate(2023, 1, 3), p.accepted.AddDays(20)), p.accepted.AddDays(58))
		}
	}
	plans := accepted
	// 17 received in 2022 and not accepted in it: 8 not accepted, 3 withdrawn
	// before acceptance, 2 referred, 2 abandoned after 补正, 2 still under
	// review on 31 December (accepted in January 2023).
	for _, k := range []struct {
		intake string
		n      int
	}{{"not_accepted", 8}, {"withdrawn", 3}, {"referred", 2}, {"abandoned", 2}} {
		for i := 0; i < k.n; i++ {
			plans = append(plans, plan{received: g.between(calendar.NewDate(2022, 1, 10), calendar.NewDate(2022, 11, 30)), intake: k.intake})
		}
	}
	for i := 0; i < 2; i++ {
		p := g.trendClosing(2023)
		p.intake, p.procedure = "accepted", "ordinary"
		p.received = calendar.NewDate(2022, 12, 29+i)
		p.accepted = g.addWorking(calendar.NewDate(2023, 1, 2), 1)
		p.closed = p.accepted.AddDays(30 + g.rnd.IntN(25))
		plans = append(plans, p)
	}
	return plans
}

// trendClosing draws a closing for a trend year with a mix like real offices.
func (g *generator) trendClosing(year int) plan {
	x := g.rnd.IntN(1000)
	var p plan
	switch {
	case x < 480:
		p.outcome = "upheld"
	case x < 580:
		p.outcome, p.redo = "revoked", g.rnd.IntN(2) == 0
	case x < 630:
		p.outcome = "confirmed_unlawful"
	case x < 650:
		p.outcome = "ordered_to_perform"
	case x < 670:
		p.outcome = "varied"
	case x < 740:
		p.outcome = "application_dismissed"
	case x < 900:
		p.outcome, p.termination = "terminated", []string{"withdrawn_after_correction", "withdrawn_after_correction", "withdrawn_after_settlement", "withdrawn_voluntary", "withdrawn_after_mediation"}[g.rnd.IntN(5)]
	default:
		p.outcome = "request_rejected"
	}
	if year >= 2024 {
		if x >= 960 {
			p.outcome, p.termination = "mediated", ""
		} else if x >= 950 {
			p.outcome, p.termination = "confirmed_void", ""
		}
	} else if p.outcome == "request_rejected" {
		// RR2007 had only 驳回复议申请 (Art. 48); the split came with RL2023.
		p.outcome = "application_dismissed"
	}
	return p
}

// trendYear builds a year of n applications for trend charts.
func trendYear(g *generator, year, n int) []plan {
	var plans []plan
	for i := 0; i < n; i++ {
		from, to := calendar.NewDate(year, 1, 3), calendar.NewDate(year, 12, 20)
		p := plan{received: g.between(from, to)}
		switch x := g.rnd.IntN(100); {
		case x < 3:
			p.intake = "not_accepted"
		case x < 5:
			p.intake = "withdrawn"
		case x < 6:
			p.intake = "referred"
		case x < 7:
			p.intake = "abandoned"
		default:
			c := g.trendClosing(year)
			c.received, c.intake = p.received, "accepted"
			p = c
			p.procedure = "ordinary"
			if year >= 2024 && g.rnd.IntN(5) == 0 {
				p.procedure = "simplified"
			}
			p.correction = g.rnd.IntN(10) == 0
			start := p.received
			if p.correction {
				start = g.addWorking(p.received, 3).AddDays(4 + g.rnd.IntN(5))
			}
			p.accepted = g.addWorking(start, 1+g.rnd.IntN(4))
			limit := 58
			if p.procedure == "simplified" {
				limit = 28
			} else if g.rnd.IntN(12) == 0 {
				p.extendDays, limit = 20+g.rnd.IntN(11), 80
			}
			if p.procedure == "ordinary" && p.outcome != "terminated" && g.rnd.IntN(25) == 0 {
				p.suspendDays = 10 + g.rnd.IntN(20)
				limit += p.suspendDays
			}
			p.closed = g.between(p.accepted.AddDays(12), p.accepted.AddDays(limit))
		}
		plans = append(plans, p)
	}
	return plans
}

// liveCases are applications of the last weeks before today, in every early
// state, so the deadline lists have something due soon.
func liveCases(g *generator, n int) []plan {
	var plans []plan
	for i := 0; i < n; i++ {
		p := plan{received: g.workingDayOnOrAfter(g.today.AddDays(-2 - g.rnd.IntN(40)))}
		if p.received.After(g.today) {
			p.received = g.today
		}
		switch i % 4 {
		case 0:
			p.intake = "pending"
		case 1:
			p.intake, p.correction = "pending", true
		default:
			p.intake, p.procedure = "accepted", "ordinary"
			if p.received.Y >= 2024 && i%3 == 0 {
				p.procedure = "simplified"
			}
			p.accepted = g.addWorking(p.received, 1)
			if p.accepted.After(g.today) {
				p.intake = "pending"
			}
		}
		plans = append(plans, p)
	}
	return plans
}

func minDate(a, b calendar.Date) calendar.Date {
	if a.Before(b) {
		return a
	}
	return b
}

func maxDate(a, b calendar.Date) calendar.Date {
	if a.After(b) {
		return a
	}
	return b
}

func newRand(a, b uint64) *rand.Rand { return rand.New(rand.NewPCG(a, b)) }

// grantOrgans adds organs to an existing user's grants.
func grantOrgans(ctx context.Context, a *auth.Service, username string, organs []int64) error {
	users, err := a.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Username != username {
			continue
		}
		ids := append([]int64{}, organs...)
		for _, o := range u.Organs {
			ids = append(ids, o.ID)
		}
		_, err := a.UpdateUser(ctx, u.ID, auth.UserPatch{Version: u.Version, OrganIDs: &ids})
		return err
	}
	return fmt.Errorf("no user %s", username)
}
