package models

import "time"

// ImportJob is one ledger import submitted through the API. It is claimed by
// one instance with a guarded UPDATE … WHERE status = 'queued', runs in that
// instance, and keeps its progress and its result (JSON) for the caller.
type ImportJob struct {
	ID int64 `gorm:"primaryKey"`
	// OrganID is the organ imported into (0 until an organ named by OrganName is created).
	OrganID       int64  `gorm:"not null;default:0"`
	OrganName     string `gorm:"size:200;not null;default:''"`
	UserID        int64  `gorm:"not null;default:0"`
	Kind          string `gorm:"size:20;not null"` // cases | litigation
	DryRun        bool   `gorm:"not null;default:false"`
	SkipConflicts bool   `gorm:"not null;default:false"`
	Sheet         string `gorm:"size:200;not null;default:''"`
	Status        string `gorm:"size:20;not null"` // queued | running | done | failed
	Phase         string `gorm:"size:20;not null;default:''"`
	FileName      string `gorm:"size:300;not null;default:''"`
	// FilePath is the uploaded file in the data directory of the instance that accepted it.
	FilePath      string `gorm:"size:500;not null;default:''"`
	FileSize      int64  `gorm:"not null;default:0"`
	TotalRows     int    `gorm:"not null;default:0"`
	ProcessedRows int    `gorm:"not null;default:0"`
	Result        string `gorm:"type:text;not null;default:''"` // JSON of ledger.Result
	Error         string `gorm:"type:text;not null;default:''"` // JSON {zh, en} of a failure
	ClaimedBy     string `gorm:"size:100;not null;default:''"`
	ClaimedAt     *time.Time
	StartedAt     *time.Time
	FinishedAt    *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}
