package models

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
)

// Migration is one versioned, append-only schema change. Up runs inside a
// transaction and must only use the frozen structs of its own file, never the
// live models, so that it means the same thing forever.
type Migration struct {
	Version int
	Name    string
	Up      func(tx *gorm.DB) error
}

// SchemaMigration records an applied migration.
type SchemaMigration struct {
	Version   int    `gorm:"primaryKey;autoIncrement:false"`
	Name      string `gorm:"size:200;not null"`
	AppliedAt time.Time
}

var registry []Migration

// register adds a migration; called from the init of each migration file.
func register(m Migration) {
	registry = append(registry, m)
}

// Migrations returns every known migration in version order.
func Migrations() []Migration {
	out := append([]Migration(nil), registry...)
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out
}

// LatestVersion is the schema version this binary expects.
func LatestVersion() int {
	ms := Migrations()
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// SchemaVersion returns the highest applied migration (0 for an empty database).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	if !db.Read.WithContext(ctx).Migrator().HasTable(&SchemaMigration{}) {
		return 0, nil
	}
	var v *int
	if err := db.Read.WithContext(ctx).Model(&SchemaMigration{}).Select("MAX(version)").Scan(&v).Error; err != nil {
		return 0, err
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}

// Migrate applies every pending migration, each in its own transaction. On
// PostgreSQL an advisory lock keeps several starting instances from racing.
// It returns the versions it applied.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	var applied []int
	err := db.Write.WithContext(ctx).Connection(func(c *gorm.DB) error {
		// A fresh session per statement: gorm chains otherwise leak the table
		// of one statement into the next.
		conn := c.Session(&gorm.Session{NewDB: true})
		if db.Dialect == Postgres {
			if err := conn.Exec("SELECT pg_advisory_lock(727001)").Error; err != nil {
				return fmt.Errorf("migration lock: %w", err)
			}
			defer conn.Exec("SELECT pg_advisory_unlock(727001)")
		}
		if err := c.Session(&gorm.Session{NewDB: true}).Migrator().AutoMigrate(&SchemaMigration{}); err != nil {
			return fmt.Errorf("schema_migrations: %w", err)
		}
		done := map[int]bool{}
		var rows []SchemaMigration
		if err := c.Session(&gorm.Session{NewDB: true}).Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			done[r.Version] = true
		}
		for _, m := range Migrations() {
			if done[m.Version] {
				continue
			}
			err := c.Session(&gorm.Session{NewDB: true}).Transaction(func(tx *gorm.DB) error {
				if err := m.Up(tx.Session(&gorm.Session{NewDB: true})); err != nil {
					return err
				}
				return tx.Session(&gorm.Session{NewDB: true}).Create(&SchemaMigration{Version: m.Version, Name: m.Name, AppliedAt: time.Now().UTC()}).Error
			})
			if err != nil {
				return fmt.Errorf("migration %d %s: %w", m.Version, m.Name, err)
			}
			applied = append(applied, m.Version)
		}
		return nil
	})
	return applied, err
}
