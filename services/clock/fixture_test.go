package clock

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"fuyi/models"
	"fuyi/models/modelstest"
	"fuyi/services/auth"
	"fuyi/services/lifecycle"
)

// testClock is an adjustable clock shared by the case service and this one.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to 10:00 China time on date.
func (c *testClock) Set(date string) {
	d, err := time.ParseInLocation(time.DateOnly, date, chinaTime)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.t = d.Add(10 * time.Hour)
	c.mu.Unlock()
}

type fixture struct {
	db      *models.DB
	clock   *testClock
	svc     *Service
	cases   *lifecycle.Service
	organ   models.Organ
	other   models.Organ
	agency  models.Agency
	otherAg models.Agency
	officer *auth.Principal
	outside *auth.Principal
	handler models.User
	seq     int
}

func newFixture(t *testing.T, today string) *fixture {
	t.Helper()
	db := modelstest.Open(t)
	fx := &fixture{db: db, clock: &testClock{}}
	fx.clock.Set(today)
	fx.svc = New(db, Options{Now: fx.clock.Now, Holder: "instance-a"})
	fx.cases = lifecycle.New(db, lifecycle.Options{Now: fx.clock.Now, Hooks: []lifecycle.Hook{fx.svc.Recompute}})
	fx.svc.SetCases(fx.cases)
	w := db.Write
	fx.organ = models.Organ{Name: "北京市平谷区人民政府", ShortName: "平政", CaseNoPattern: "{short}复〔{year}〕{seq}号"}
	fx.other = models.Organ{Name: "某市某区人民政府", ShortName: "某政", CaseNoPattern: "{short}复〔{year}〕{seq}号"}
	must(t, w.Create(&fx.organ).Error)
	must(t, w.Create(&fx.other).Error)
	fx.agency = models.Agency{OrganID: fx.organ.ID, Name: "北京市平谷区市场监督管理局", Active: true}
	fx.otherAg = models.Agency{OrganID: fx.other.ID, Name: "某区城市管理综合行政执法局", Active: true}
	must(t, w.Create(&fx.agency).Error)
	must(t, w.Create(&fx.otherAg).Error)
	mk := func(name, role string, organ int64) (*auth.Principal, models.User) {
		u := models.User{Username: name, DisplayName: name + "名", PasswordHash: "x", Role: role, Active: true}
		must(t, w.Create(&u).Error)
		must(t, w.Create(&models.UserOrgan{UserID: u.ID, OrganID: organ}).Error)
		return &auth.Principal{UserID: u.ID, Username: name, DisplayName: u.DisplayName, Role: role, OrganIDs: []int64{organ}}, u
	}
	fx.officer, fx.handler = mk("officer", auth.RoleOfficer, fx.organ.ID)
	fx.outside, _ = mk("other", auth.RoleOfficer, fx.other.ID)
	return fx
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// create registers an application through the case service (hooks run).
func (fx *fixture) create(t *testing.T, receivedOn string) *lifecycle.CaseView {
	t.Helper()
	v, err := fx.cases.Create(context.Background(), fx.officer, lifecycle.CreateInput{
		Applicant: "张三", ApplicantType: "公民", RespondentName: fx.agency.Name, ActType: "行政处罚",
		Request: "撤销处罚决定", Channel: "post", ReceivedOn: receivedOn, HandlerID: &fx.handler.ID,
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return v
}

// step applies a transition that must succeed.
func (fx *fixture) step(t *testing.T, v *lifecycle.CaseView, in lifecycle.TransitionInput) *lifecycle.CaseView {
	t.Helper()
	in.Version = v.Version
	nv, err := fx.cases.Transition(context.Background(), fx.officer, v.ID, in)
	if err != nil {
		t.Fatalf("%s: %v", in.Action, err)
	}
	return nv
}

// insert writes a case row directly (as an import would) and recomputes it.
func (fx *fixture) insert(t *testing.T, organ models.Organ, agency models.Agency, receivedOn string, edit func(c *models.Case)) *models.Case {
	t.Helper()
	fx.seq++
	c := &models.Case{OrganID: organ.ID, CaseNo: fmt.Sprintf("测〔2024〕%d号", fx.seq), Year: 2024, Seq: fx.seq,
		Status: "received", Version: 1, Regime: "rl2023", Applicant: "李四", ApplicantType: "citizen",
		RespondentID: agency.ID, ActType: "penalty", ReceivedOn: receivedOn, HandlerID: &fx.handler.ID}
	if receivedOn < "2024-01-01" {
		c.Regime = "rl2017"
	}
	if edit != nil {
		edit(c)
	}
	must(t, fx.db.Write.Create(c).Error)
	if _, err := fx.svc.RecomputeCases(context.Background(), []int64{c.ID}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (fx *fixture) deadlines(t *testing.T, caseID int64) map[string]View {
	t.Helper()
	p := &auth.Principal{Role: auth.RoleAdmin, OrganIDs: []int64{fx.organ.ID, fx.other.ID}}
	vs, err := fx.svc.ForCase(context.Background(), p, caseID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]View{}
	for _, v := range vs {
		out[storedKey(v.Kind, v.Ref)] = v
	}
	return out
}

// storedKey is the map key of a view: kind, or kind:ref.
func storedKey(kind, ref string) string {
	if ref == "" {
		return kind
	}
	return kind + ":" + ref
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func sp(s string) *string { return &s }
