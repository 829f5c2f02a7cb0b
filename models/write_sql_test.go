package models_test

import (
	"reflect"
	"testing"
	"time"

	"fuyi/models"
	"fuyi/models/modelstest"
)

// The plain-SQL writes leave exactly the rows GORM's Create and Updates
// leave (the reference), on SQLite and on PostgreSQL.

func strp(s string) *string { return &s }
func i64p(n int64) *int64   { return &n }

func TestInsertCaseEventMatchesGORM(t *testing.T) {
	db := modelstest.Open(t)
	now := time.Date(2025, 3, 4, 5, 6, 7, 891234000, time.UTC)
	for i, ev := range []models.CaseEvent{
		{CaseID: 7, OrganID: 2, Action: "accept", FromStatus: "received", ToStatus: "accepted", EffectiveOn: strp("2025-03-01"),
			ActorID: 3, ActorName: "张三", Payload: `{"procedure":"ordinary"}`, Note: "备注", CreatedAt: now},
		{CaseID: 8, OrganID: 2, Action: "create", CreatedAt: now}, // zero values where the columns have defaults
		{CaseID: 9, OrganID: 1, Action: "import", Imported: true, EffectiveOn: nil, Payload: "{}", CreatedAt: now},
	} {
		ref, raw := ev, ev
		if err := db.Write.Create(&ref).Error; err != nil {
			t.Fatal(err)
		}
		raw.CaseID += 1000
		if err := models.InsertCaseEvent(db.Write, &raw); err != nil {
			t.Fatal(err)
		}
		var a, b models.CaseEvent
		if err := db.Read.Where("case_id = ?", ref.CaseID).Take(&a).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Read.Where("case_id = ?", raw.CaseID).Take(&b).Error; err != nil {
			t.Fatal(err)
		}
		a.ID, b.ID, b.CaseID = 0, 0, a.CaseID
		if !reflect.DeepEqual(a, b) {
			t.Errorf("event %d: GORM wrote %+v, plain SQL %+v", i, a, b)
		}
	}
}

func TestInsertCaseVersionMatchesGORM(t *testing.T) {
	db := modelstest.Open(t)
	now := time.Date(2025, 3, 4, 5, 6, 7, 891234000, time.UTC)
	for i, v := range []models.CaseVersion{
		{CaseID: 7, Version: 2, Snapshot: `{"case":{"ID":7}}`, ActorID: 3, CreatedAt: now},
		{CaseID: 8, Version: 1, Snapshot: `{}`, CreatedAt: now},
	} {
		ref, raw := v, v
		if err := db.Write.Create(&ref).Error; err != nil {
			t.Fatal(err)
		}
		raw.CaseID += 1000
		if err := models.InsertCaseVersion(db.Write, &raw); err != nil {
			t.Fatal(err)
		}
		var a, b models.CaseVersion
		if err := db.Read.Where("case_id = ?", ref.CaseID).Take(&a).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Read.Where("case_id = ?", raw.CaseID).Take(&b).Error; err != nil {
			t.Fatal(err)
		}
		a.ID, b.ID, b.CaseID = 0, 0, a.CaseID
		if !reflect.DeepEqual(a, b) {
			t.Errorf("version %d: GORM wrote %+v, plain SQL %+v", i, a, b)
		}
	}
}

func TestUpdateCaseGuardedMatchesGORM(t *testing.T) {
	db := modelstest.Open(t)
	organ := models.Organ{Name: "机关", ShortName: "机", Version: 1}
	if err := db.Write.Create(&organ).Error; err != nil {
		t.Fatal(err)
	}
	ag := models.Agency{OrganID: organ.ID, Name: "局", Active: true}
	if err := db.Write.Create(&ag).Error; err != nil {
		t.Fatal(err)
	}
	base := models.Case{OrganID: organ.ID, Year: 2025, Seq: 1, Status: "accepted", Version: 3, Regime: "rl2023",
		Applicant: "甲", ApplicantType: "citizen", RespondentID: ag.ID, ActType: "penalty", ReceivedOn: "2025-01-02",
		AcceptedOn: strp("2025-01-03"), HandlerID: i64p(5), Note: "n", CreatedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	ref, raw := base, base
	ref.CaseNo, raw.CaseNo = "A-1", "A-2"
	for _, c := range []*models.Case{&ref, &raw} {
		if err := db.Write.Create(c).Error; err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2025, 5, 6, 7, 8, 9, 123456000, time.UTC)
	cols := map[string]any{
		"status": "closed", "version": int64(4), "closed_on": strp("2025-05-06"), "outcome": "upheld",
		"handler_id": (*int64)(nil), "accepted_on": (*string)(nil), "compensation_awarded": int64(1234),
		"outcome_partial": true, "extension_days": 30, "note": "", "act_date": strp("2024-12-01"),
		"edited_in_app_at": &at, "updated_at": at, "procedure": "simplified",
	}
	res := db.Write.Model(&models.Case{}).Where("id = ? AND status = ? AND version = ?", ref.ID, "accepted", 3).Updates(cols)
	if res.Error != nil || res.RowsAffected != 1 {
		t.Fatalf("GORM update: %v, %d rows", res.Error, res.RowsAffected)
	}
	n, err := models.UpdateCaseGuarded(db.Write, raw.ID, "accepted", 3, cols)
	if err != nil || n != 1 {
		t.Fatalf("plain update: %v, %d rows", err, n)
	}
	var a, b models.Case
	if err := db.Read.Where("id = ?", ref.ID).Take(&a).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Read.Where("id = ?", raw.ID).Take(&b).Error; err != nil {
		t.Fatal(err)
	}
	b.ID, b.CaseNo = a.ID, a.CaseNo
	if !reflect.DeepEqual(a, b) {
		t.Errorf("GORM wrote %+v\nplain SQL %+v", a, b)
	}
	// The guard: a stale version or status changes nothing.
	if n, err := models.UpdateCaseGuarded(db.Write, raw.ID, "closed", 3, map[string]any{"note": "x"}); err != nil || n != 0 {
		t.Errorf("stale version: %v, %d rows", err, n)
	}
	if n, err := models.UpdateCaseGuarded(db.Write, raw.ID, "accepted", 4, map[string]any{"note": "x"}); err != nil || n != 0 {
		t.Errorf("stale status: %v, %d rows", err, n)
	}
}
