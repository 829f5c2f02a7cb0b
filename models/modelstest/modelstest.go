// Package modelstest gives tests a fresh, migrated database: a SQLite file in
// t.TempDir(), or — when FUYI_TEST_POSTGRES_DSN is set — a new schema in that
// PostgreSQL database, dropped when the test ends.
package modelstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"fuyi/models"
)

// EnvPostgresDSN names the variable that switches tests to PostgreSQL.
const EnvPostgresDSN = "FUYI_TEST_POSTGRES_DSN"

// Open returns a migrated, empty database for one test.
func Open(t testing.TB) *models.DB {
	t.Helper()
	db := OpenEmpty(t)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// OpenEmpty returns an unmigrated database for one test.
func OpenEmpty(t testing.TB) *models.DB {
	t.Helper()
	ctx := context.Background()
	if dsn := os.Getenv(EnvPostgresDSN); dsn != "" {
		schemaURL := NewPostgresSchema(t, dsn)
		db, err := models.Open(ctx, models.OpenOptions{DatabaseURL: schemaURL})
		if err != nil {
			t.Fatalf("open postgres: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db, err := models.Open(ctx, models.OpenOptions{SQLitePath: filepath.Join(t.TempDir(), "fuyi.db")})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// NewPostgresSchema creates a uniquely named schema in the database named by
// dsn, drops it when the test ends, and returns a URL whose search_path is
// that schema.
func NewPostgresSchema(t testing.TB, dsn string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := gorm.Open(postgres.Open(dsn), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		t.Fatalf("open postgres admin: %v", err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if s, err := admin.DB(); err == nil {
			s.Close()
		}
	})
	return withSearchPath(dsn, schema)
}

func withSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return fmt.Sprintf("%s search_path=%s", dsn, schema)
}
