package lifecycle

import (
	"context"
	"errors"
	"testing"
	"time"

	"fuyi/models"
	"fuyi/models/modelstest"
	"fuyi/services/auth"
	"fuyi/services/errs"
)

// testNow is the fixed clock of the tests: 2024-06-30 10:00 in Beijing.
var testNow = time.Date(2024, 6, 30, 10, 0, 0, 0, chinaTime)

// fixture is a migrated database with two organs, their agencies and users.
type fixture struct {
	db      *models.DB
	svc     *Service
	organ   models.Organ // 平谷
	other   models.Organ
	agency  models.Agency
	agency2 models.Agency
	otherAg models.Agency
	officer *auth.Principal
	manager *auth.Principal
	report  *auth.Principal
	admin   *auth.Principal
	outside *auth.Principal // officer of the other organ
	handler models.User
}

func newFixture(t *testing.T, opts ...func(*Options)) *fixture {
	t.Helper()
	db := modelstest.Open(t)
	o := Options{Now: func() time.Time { return testNow }}
	for _, fn := range opts {
		fn(&o)
	}
	fx := &fixture{db: db, svc: New(db, o)}
	w := db.Write
	fx.organ = models.Organ{Name: "北京市平谷区人民政府", ShortName: "平政", CaseNoPattern: "{short}复〔{year}〕{seq}号"}
	fx.other = models.Organ{Name: "某市某区人民政府", ShortName: "某政", CaseNoPattern: "{short}复字〔{year}〕第{seq4}号"}
	must(t, w.Create(&fx.organ).Error)
	must(t, w.Create(&fx.other).Error)
	fx.agency = models.Agency{OrganID: fx.organ.ID, Name: "北京市平谷区市场监督管理局", Level: "county_department", Active: true}
	fx.agency2 = models.Agency{OrganID: fx.organ.ID, Name: "北京市公安局平谷分局", Level: "county_department", Active: true}
	fx.otherAg = models.Agency{OrganID: fx.other.ID, Name: "某区城市管理综合行政执法局", Level: "county_department", Active: true}
	must(t, w.Create(&fx.agency).Error)
	must(t, w.Create(&fx.agency2).Error)
	must(t, w.Create(&fx.otherAg).Error)
	mk := func(name, role string, organ int64) *auth.Principal {
		u := models.User{Username: name, DisplayName: name + "名", PasswordHash: "x", Role: role, Active: true}
		must(t, w.Create(&u).Error)
		must(t, w.Create(&models.UserOrgan{UserID: u.ID, OrganID: organ}).Error)
		if name == "officer" {
			fx.handler = u
		}
		return &auth.Principal{UserID: u.ID, Username: name, DisplayName: u.DisplayName, Role: role, OrganIDs: []int64{organ}}
	}
	fx.officer = mk("officer", auth.RoleOfficer, fx.organ.ID)
	fx.manager = mk("manager", auth.RoleManager, fx.organ.ID)
	fx.report = mk("reporter", auth.RoleReporter, fx.organ.ID)
	fx.admin = mk("admin", auth.RoleAdmin, fx.organ.ID)
	fx.outside = mk("other", auth.RoleOfficer, fx.other.ID)
	return fx
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// input is a valid application received on receivedOn.
func (fx *fixture) input(receivedOn string) CreateInput {
	return CreateInput{
		Applicants:     []PartyInput{{Name: "张三", Type: "公民", IDNumber: "110117199001011234", Phone: "13812345678", Address: "北京市平谷区某街道某号"}},
		ThirdParties:   []PartyInput{{Name: "某公司"}},
		RespondentName: fx.agency.Name, ActType: "行政处罚", Area: "market_regulation",
		ActDocumentNo: "京平市监罚〔2024〕1号", ActDate: "2024-01-05", Request: "撤销处罚决定",
		Channel: "post", ReceivedOn: receivedOn, HandlerID: &fx.handler.ID,
	}
}

func (fx *fixture) create(t *testing.T, receivedOn string) *CaseView {
	t.Helper()
	in := fx.input(receivedOn)
	if receivedOn < in.ActDate {
		in.ActDate = ""
	}
	v, err := fx.svc.Create(context.Background(), fx.officer, in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return v
}

// step applies a transition that must succeed.
func (fx *fixture) step(t *testing.T, v *CaseView, in TransitionInput) *CaseView {
	t.Helper()
	in.Version = v.Version
	nv, err := fx.svc.Transition(context.Background(), fx.officer, v.ID, in)
	if err != nil {
		t.Fatalf("%s from %s: %v", in.Action, v.Status, err)
	}
	return nv
}

// errOf asserts err is an *errs.Error of kind k and returns it.
func errOf(t *testing.T, err error, k errs.Kind) *errs.Error {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *errs.Error kind %d, got %v", k, err)
	}
	if e.Kind != k {
		t.Fatalf("want kind %d, got %d: %v", k, e.Kind, e)
	}
	return e
}
