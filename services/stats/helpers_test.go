package stats

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/models/modelstest"
)

type fixture struct {
	t      *testing.T
	db     *models.DB
	svc    *Service
	organ  int64
	organ2 int64
	agency []int64
	seq    int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := modelstest.Open(t)
	f := &fixture{t: t, db: db, svc: New(db)}
	for i, name := range []string{"北京市平谷区人民政府", "北京市密云区人民政府"} {
		o := models.Organ{Name: name, ShortName: name[9:12], CaseNoPattern: "{short}复〔{year}〕{seq}号"}
		if err := db.Write.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			f.organ = o.ID
		} else {
			f.organ2 = o.ID
		}
	}
	for _, name := range []string{"区公安分局", "区市场监管局", "区城管执法局"} {
		a := models.Agency{OrganID: f.organ, Name: name}
		if err := db.Write.Create(&a).Error; err != nil {
			t.Fatal(err)
		}
		f.agency = append(f.agency, a.ID)
	}
	return f
}

func sp(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// cs builds a case of the fixture's first organ.
func (f *fixture) cs(received, accepted, closed, outcome, termination string) *models.Case {
	f.seq++
	c := &models.Case{OrganID: f.organ, CaseNo: fmt.Sprintf("T-%d", f.seq), Year: 2022, Seq: f.seq, Status: "received",
		Regime: "rl2017", Applicant: "张三", ApplicantType: "citizen", RespondentID: f.agency[f.seq%len(f.agency)],
		ActType: "penalty", Area: "public_security", ReceivedOn: received, AcceptedOn: sp(accepted), ClosedOn: sp(closed),
		Outcome: outcome, Termination: termination}
	if accepted != "" {
		c.Status = "accepted"
	}
	if closed != "" {
		c.Status = "decided"
	}
	return c
}

// intake makes c a pre-acceptance disposition on day.
func intake(c *models.Case, status, day string) *models.Case {
	c.Status, c.IntakeOn = status, sp(day)
	return c
}

// save writes c (insert when new) with the hooks, as the lifecycle does.
func (f *fixture) save(ctx context.Context, c *models.Case) error {
	return f.db.Tx(ctx, func(tx *gorm.DB) error {
		var before *models.Case
		if c.ID != 0 {
			var old models.Case
			if err := tx.Where("id = ?", c.ID).Take(&old).Error; err != nil {
				return err
			}
			before = &old
			if err := tx.Session(&gorm.Session{NewDB: true}).Save(c).Error; err != nil {
				return err
			}
		} else if err := tx.Session(&gorm.Session{NewDB: true}).Create(c).Error; err != nil {
			return err
		}
		if err := f.svc.LockHook(ctx, tx, before, c); err != nil {
			return err
		}
		return f.svc.RollupHook(ctx, tx, before, c)
	})
}

func (f *fixture) put(cases ...*models.Case) {
	f.t.Helper()
	for _, c := range cases {
		if err := f.save(context.Background(), c); err != nil {
			f.t.Fatalf("save case: %v", err)
		}
	}
}

func (f *fixture) report(from, to string) *Report {
	f.t.Helper()
	r, err := f.svc.Report(context.Background(), Period{From: from, To: to}, []int64{f.organ})
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// drillCount counts the cases a drill-down key selects.
func (f *fixture) drillCount(key string, p Period, organs []int64) int64 {
	f.t.Helper()
	ctx := context.Background()
	scope, err := f.svc.MetricFilter(ctx, f.db.Read.WithContext(ctx), key, p.From, p.To, organs)
	if err != nil {
		f.t.Fatalf("filter %s: %v", key, err)
	}
	var n int64
	if err := f.db.Read.WithContext(ctx).Model(&models.Case{}).Scopes(scope).Count(&n).Error; err != nil {
		f.t.Fatalf("count %s: %v", key, err)
	}
	return n
}

func models_date(y, m, d int) string { return fmt.Sprintf("%04d-%02d-%02d", y, m, d) }

func addDays(day string, n int) string {
	t, _ := time.Parse("2006-01-02", day)
	return t.AddDate(0, 0, n).Format("2006-01-02")
}
