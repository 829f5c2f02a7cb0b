package models_test

import (
	"context"
	"testing"

	"fuyi/models"
	"fuyi/models/modelstest"
)

// An empty database migrates to the latest version, and migrating again is a no-op.
func TestMigrateEmptyDatabase(t *testing.T) {
	db := modelstest.OpenEmpty(t)
	ctx := context.Background()
	v, err := db.SchemaVersion(ctx)
	if err != nil || v != 0 {
		t.Fatalf("empty schema version = %d, %v", v, err)
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if len(applied) != len(models.Migrations()) {
		t.Fatalf("applied %v, want all %d", applied, len(models.Migrations()))
	}
	if v, _ := db.SchemaVersion(ctx); v != models.LatestVersion() {
		t.Fatalf("schema version %d, want %d", v, models.LatestVersion())
	}
	again, err := db.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second migrate applied %v, %v", again, err)
	}
	for _, m := range []any{&models.Case{}, &models.User{}, &models.Deadline{}, &models.AuditEntry{}} {
		if !db.Read.Migrator().HasTable(m) {
			t.Errorf("table for %T missing", m)
		}
	}
	// Migration 10 dropped two indexes no query reads.
	if db.Read.Migrator().HasIndex(&models.Case{}, "idx_cases_import_key") || db.Read.Migrator().HasIndex(&models.Deadline{}, "idx_deadlines_handler_id") {
		t.Error("idx_cases_import_key or idx_deadlines_handler_id still exists after migration 10")
	}
	// The live models must be able to write to the migrated tables.
	o := models.Organ{Name: "测试区人民政府", ShortName: "测", CaseNoPattern: "{short}复〔{year}〕{seq}号"}
	if err := db.Write.Create(&o).Error; err != nil {
		t.Fatalf("insert organ: %v", err)
	}
}
