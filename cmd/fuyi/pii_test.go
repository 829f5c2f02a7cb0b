package main

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/lifecycle"
	"fuyi/services/pii"
)

// TestPIIKeyWiredIntoCases: with FUYI_ID_KEY set, a case created through the
// app's case service stores its applicant's ID number sealed, reads it back
// opened, and writes it in plaintext to no audit row, event or snapshot.
func TestPIIKeyWiredIntoCases(t *testing.T) {
	ctx := context.Background()
	env := envOf(map[string]string{"FUYI_DATA_DIR": t.TempDir(), "FUYI_ID_KEY": hex.EncodeToString([]byte(strings.Repeat("k", 32)))})
	runOK(t, env, nil, "migrate")
	cfg, err := loadConfig(nil, env)
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, cfg, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	w := a.db.Write
	organ := models.Organ{Name: "北京市平谷区人民政府", ShortName: "平政", CaseNoPattern: "{short}复〔{year}〕{seq}号"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.Create(&organ).Error)
	agency := models.Agency{OrganID: organ.ID, Name: "北京市平谷区市场监督管理局", Level: "county_department", Active: true}
	must(w.Create(&agency).Error)
	u := models.User{Username: "officer", DisplayName: "承办人", PasswordHash: "x", Role: auth.RoleOfficer, Active: true}
	must(w.Create(&u).Error)
	must(w.Create(&models.UserOrgan{UserID: u.ID, OrganID: organ.ID}).Error)
	p := &auth.Principal{UserID: u.ID, Username: u.Username, Role: auth.RoleOfficer, OrganIDs: []int64{organ.ID}}

	const idNo = "110117199001011234"
	v, err := a.cases.Create(ctx, p, lifecycle.CreateInput{
		Applicants:     []lifecycle.PartyInput{{Name: "张三", Type: "citizen", IDNumber: idNo, Phone: "13812345678"}},
		RespondentName: agency.Name, ActType: "行政处罚", Area: "market_regulation", Request: "撤销处罚决定",
		Channel: "post", ReceivedOn: "2024-03-01",
	})
	must(err)
	var stored string
	must(a.db.Read.Raw("SELECT id_number FROM case_parties WHERE case_id = ?", v.ID).Scan(&stored).Error)
	if !strings.HasPrefix(stored, pii.Prefix) {
		t.Fatalf("stored id number %q", stored)
	}
	got, err := a.cases.Get(ctx, p, v.ID)
	must(err)
	if got.Applicants[0].IDNumber != idNo {
		t.Fatalf("view %+v", got.Applicants[0])
	}
	var audits int64
	must(a.db.Read.Raw("SELECT COUNT(*) FROM audit_entries").Scan(&audits).Error)
	if audits == 0 {
		t.Fatalf("the case create was not audited")
	}
	for _, q := range []string{
		"SELECT COUNT(*) FROM audit_entries WHERE " + `"before" LIKE ? OR "after" LIKE ?`,
		"SELECT COUNT(*) FROM case_events WHERE payload LIKE ? OR note LIKE ?",
		"SELECT COUNT(*) FROM case_versions WHERE snapshot LIKE ? OR snapshot LIKE ?",
	} {
		var n int64
		must(a.db.Read.Raw(q, "%"+idNo+"%", "%"+idNo+"%").Scan(&n).Error)
		if n != 0 {
			t.Errorf("%s: %d rows hold the plaintext id number", q, n)
		}
	}
}
