package models

import (
	"time"

	"gorm.io/gorm"
)

// Migration 4: ledger import jobs (import_jobs). The struct below is a frozen
// copy; never edit it, add a migration instead.

func init() {
	register(Migration{Version: 4, Name: "import jobs", Up: func(tx *gorm.DB) error {
		return tx.Migrator().CreateTable(&v4ImportJob{})
	}})
}

type v4ImportJob struct {
	ID            int64  `gorm:"primaryKey"`
	OrganID       int64  `gorm:"not null;default:0;index:ix_import_job_organ"`
	OrganName     string `gorm:"size:200;not null;default:''"`
	UserID        int64  `gorm:"not null;default:0"`
	Kind          string `gorm:"size:20;not null"`
	DryRun        bool   `gorm:"not null;default:false"`
	SkipConflicts bool   `gorm:"not null;default:false"`
	Sheet         string `gorm:"size:200;not null;default:''"`
	Status        string `gorm:"size:20;not null;index:ix_import_job_status"`
	Phase         string `gorm:"size:20;not null;default:''"`
	FileName      string `gorm:"size:300;not null;default:''"`
	FilePath      string `gorm:"size:500;not null;default:''"`
	FileSize      int64  `gorm:"not null;default:0"`
	TotalRows     int    `gorm:"not null;default:0"`
	ProcessedRows int    `gorm:"not null;default:0"`
	Result        string `gorm:"type:text;not null;default:''"`
	Error         string `gorm:"type:text;not null;default:''"`
	ClaimedBy     string `gorm:"size:100;not null;default:''"`
	ClaimedAt     *time.Time
	StartedAt     *time.Time
	FinishedAt    *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (v4ImportJob) TableName() string { return "import_jobs" }
