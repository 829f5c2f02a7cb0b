package lifecycle

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/errs"
)

// FuzzListFilter runs arbitrary list filters — the strings the API passes
// through from the query — against a real SQLite database holding cases of
// two organs. The list must never panic, never fail with anything but a
// validation error (an SQL error would be a 500, or worse an injection),
// and never return another organ's case.
func FuzzListFilter(f *testing.F) {
	dir, err := os.MkdirTemp("", "fuyi-fuzz-list")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { os.RemoveAll(dir) })
	ctx := context.Background()
	db, err := models.Open(ctx, models.OpenOptions{SQLitePath: filepath.Join(dir, "fuyi.db")})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		f.Fatal(err)
	}
	svc := New(db, Options{Now: func() time.Time { return testNow }})
	w := db.Write
	organ := models.Organ{Name: "北京市平谷区人民政府", ShortName: "平政", CaseNoPattern: "{short}复〔{year}〕{seq}号"}
	other := models.Organ{Name: "某区人民政府", ShortName: "某政", CaseNoPattern: "{short}复〔{year}〕{seq}号"}
	for _, o := range []*models.Organ{&organ, &other} {
		if err := w.Create(o).Error; err != nil {
			f.Fatal(err)
		}
	}
	var principals []*auth.Principal
	for i, o := range []models.Organ{organ, other} {
		ag := models.Agency{OrganID: o.ID, Name: "区市场监督管理局", Level: "county_department", Active: true}
		u := models.User{Username: "officer" + o.ShortName, PasswordHash: "x", Role: auth.RoleOfficer, Active: true}
		if err := w.Create(&ag).Error; err != nil {
			f.Fatal(err)
		}
		if err := w.Create(&u).Error; err != nil {
			f.Fatal(err)
		}
		w.Create(&models.UserOrgan{UserID: u.ID, OrganID: o.ID})
		p := &auth.Principal{UserID: u.ID, Username: u.Username, Role: auth.RoleOfficer, OrganIDs: []int64{o.ID}}
		principals = append(principals, p)
		for _, d := range []string{"2024-01-05", "2024-03-07", "2024-05-20"}[:i+2] {
			in := CreateInput{Applicants: []PartyInput{{Name: "张三", Type: "公民"}}, RespondentName: ag.Name, ActType: "行政处罚",
				Request: "撤销处罚决定", Channel: "post", ReceivedOn: d}
			if _, err := svc.Create(ctx, p, in); err != nil {
				f.Fatal(err)
			}
		}
	}
	f.Add("received", "", "", "", "", "张三", "2024-01-01", "2024-12-31", "", "", "", "-received_on", 1, 20, false)
	f.Add("accepted,closed", "revoked", "withdrawn_voluntary", "1,2", "penalty", "%_'\"; DROP TABLE cases;--", "", "", "2024-01-01", "x", "", "case_no", 0, -5, true)
	f.Add("", "", "", "", "", "", "", "", "", "", "closed", "status", 99999999, 1000000, false)
	f.Fuzz(func(t *testing.T, status, outcome, termination, respondent, actType, q, recFrom, recTo, closedFrom, closedTo, metric, sort string, page, pageSize int, overdue bool) {
		fl := ListFilter{Status: status, Outcome: outcome, Termination: termination, Respondent: respondent, ActType: actType, Q: q,
			ReceivedFrom: recFrom, ReceivedTo: recTo, ClosedFrom: closedFrom, ClosedTo: closedTo, Metric: metric, Sort: sort,
			Page: page, PageSize: pageSize, Overdue: overdue}
		res, err := svc.List(ctx, principals[0], fl)
		if err != nil {
			if e := errs.As(err); e.Kind == errs.KindInternal {
				t.Fatalf("internal error for %+v: %v", fl, err)
			}
			return
		}
		for _, c := range res.Items {
			if c.OrganID != organ.ID {
				t.Fatalf("another organ's case %d listed for %+v", c.ID, fl)
			}
		}
		if res.Total < int64(len(res.Items)) {
			t.Fatalf("total %d < items %d", res.Total, len(res.Items))
		}
	})
}
