package models

import "time"

// CaseStatDaily is one cell of the statistics rollup: how many cases
// contribute to Measure on Day with the given attributes. It is maintained in
// the transaction of every case write (services/stats) and rebuilt from the
// cases table on demand. Slice "" rows carry the totals (with RefOn/Ref2On
// dates where a measure needs them); Slice "respondent", "act_type", "area",
// "handler" rows carry the same measures by SliceKey without reference dates.
type CaseStatDaily struct {
	ID          int64  `gorm:"primaryKey"`
	OrganID     int64  `gorm:"not null"`
	Slice       string `gorm:"size:12;not null;default:''"`
	Measure     string `gorm:"size:20;not null"`
	Day         string `gorm:"size:10;not null"`
	SliceKey    string `gorm:"size:60;not null;default:''"`
	Outcome     string `gorm:"size:40;not null;default:''"`
	Termination string `gorm:"size:40;not null;default:''"`
	Disposition string `gorm:"size:40;not null;default:''"`
	Flags       int    `gorm:"not null;default:0"`
	RefOn       string `gorm:"size:10;not null;default:''"`
	Ref2On      string `gorm:"size:10;not null;default:''"`
	Count       int64  `gorm:"not null;default:0"`
}

// TableName pins the table name.
func (CaseStatDaily) TableName() string { return "case_stat_daily" }

// ReportLockOverride records a write an admin forced into a locked year, or
// the removal of a lock, with the reason given.
type ReportLockOverride struct {
	ID      int64  `gorm:"primaryKey"`
	OrganID int64  `gorm:"not null;index"`
	Year    int    `gorm:"not null"`
	CaseID  int64  `gorm:"not null;default:0"`
	Action  string `gorm:"size:20;not null"` // case_write | unlock
	ActorID int64  `gorm:"not null;default:0"`
	Reason  string `gorm:"type:text;not null"`
	At      time.Time
}

// CaseStatFlags memoises the derived statistics flags of a case (on time)
// as they were when the case last entered the rollup, so that the next write
// can subtract exactly what was added even after the deadlines changed.
type CaseStatFlags struct {
	CaseID int64 `gorm:"primaryKey;autoIncrement:false"`
	Flags  int   `gorm:"not null;default:0"`
}

// TableName pins the table name.
func (CaseStatFlags) TableName() string { return "case_stat_flags" }
