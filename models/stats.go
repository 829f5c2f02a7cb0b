package models

import "time"

// CaseStatCell is one cell of the statistics rollup (services/stats): how
// many cases contribute to Measure in Period, with the given slice key,
// outcome and termination, and how many of them carry each case flag. The
// same shape is stored at three grains, one table each: case_stat_year
// (Period "YYYY"), case_stat_month ("YYYY-MM") and case_stat_daily
// ("YYYY-MM-DD"). Slice "" cells are the totals; slices "respondent",
// "act_type", "area" and "handler" carry the same measures by SliceKey. The
// rollup is maintained in the transaction of every case write and rebuilt
// from the cases table on demand; read it with db.Table(name).
type CaseStatCell struct {
	OrganID     int64  `gorm:"primaryKey;autoIncrement:false"`
	Slice       string `gorm:"primaryKey;size:12"`
	Measure     string `gorm:"primaryKey;size:30"`
	Period      string `gorm:"primaryKey;size:10"`
	SliceKey    string `gorm:"primaryKey;size:60"`
	Outcome     string `gorm:"primaryKey;size:40"`
	Termination string `gorm:"primaryKey;size:40"`
	Count       int64  `gorm:"not null;default:0"`
	// Per-flag counts: how many of Count carry the flag (services/stats.Flags).
	FOnTime             int64 `gorm:"not null;default:0"`
	FDeemedAccepted     int64 `gorm:"not null;default:0"`
	FPartial            int64 `gorm:"not null;default:0"`
	FRedo               int64 `gorm:"not null;default:0"`
	FHearingHeld        int64 `gorm:"not null;default:0"`
	FCommitteeConsulted int64 `gorm:"not null;default:0"`
	FExtended           int64 `gorm:"not null;default:0"`
	FSimplified         int64 `gorm:"not null;default:0"`
}

// CaseStatCellTables are the tables of CaseStatCell, coarsest grain first.
var CaseStatCellTables = []string{"case_stat_year", "case_stat_month", "case_stat_daily"}

// CaseStatSpan counts the cases whose interval from Start to End (an intake:
// received → accepted or disposed; or, inverted, accepted → closed before
// it) has the given kind, grain ("d": days, "m": months "YYYY-MM") and
// Bucket (the bit length of the interval's length in grain units, 0 for an
// inverted interval). services/stats reads it to count the few cases whose
// intake straddles a period's start.
type CaseStatSpan struct {
	OrganID int64  `gorm:"primaryKey;autoIncrement:false"`
	Grain   string `gorm:"primaryKey;size:1"`
	Bucket  int    `gorm:"primaryKey;autoIncrement:false"`
	EndOn   string `gorm:"primaryKey;size:10"`
	StartOn string `gorm:"primaryKey;size:10"`
	Kind    string `gorm:"primaryKey;size:30"`
	Count   int64  `gorm:"not null;default:0"`
}

// TableName pins the table name.
func (CaseStatSpan) TableName() string { return "case_stat_span" }

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
