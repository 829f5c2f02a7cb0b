package models

import (
	"time"

	"gorm.io/gorm"
)

// Migration 3: litigation defence (行政应诉) — suits by instance, their
// hearings, events and version snapshots, and judicial/procuratorial
// suggestions and the organ's opinion/suggestion letters with their links.
// The structs below are frozen copies; never edit them, add a migration.

func init() {
	register(Migration{Version: 3, Name: "litigation", Up: func(tx *gorm.DB) error {
		return tx.Migrator().CreateTable(
			&v3LitigationCase{},
			&v3Hearing{},
			&v3LitigationEvent{},
			&v3LitigationVersion{},
			&v3Suggestion{},
			&v3SuggestionLink{},
		)
	}})
}

type v3LitigationCase struct {
	ID                    int64   `gorm:"primaryKey"`
	OrganID               int64   `gorm:"not null;uniqueIndex:ux_litigation_organ_no;uniqueIndex:ux_litigation_organ_court_no;index:ix_litigation_organ_notified,priority:1;index:ix_litigation_organ_concluded,priority:1;index:ix_litigation_organ_status,priority:1"`
	InternalNo            string  `gorm:"size:80;not null;uniqueIndex:ux_litigation_organ_no"`
	Year                  int     `gorm:"not null"`
	Seq                   int     `gorm:"not null"`
	Kind                  string  `gorm:"size:20;not null"`
	Instance              string  `gorm:"size:20;not null"`
	Court                 string  `gorm:"size:200;not null;default:''"`
	CourtCaseNo           string  `gorm:"size:120;not null;uniqueIndex:ux_litigation_organ_court_no"`
	Plaintiffs            string  `gorm:"size:500;not null;default:''"`
	DefendantAgencyID     *int64  `gorm:"index"`
	CoDefendantRole       string  `gorm:"size:30;not null;default:'none'"`
	ReconsiderationCaseID *int64  `gorm:"index"`
	PreviousInstanceID    *int64  `gorm:"index"`
	HandlerID             *int64  `gorm:"index"`
	Status                string  `gorm:"size:30;not null;index:ix_litigation_organ_status,priority:2"`
	Version               int64   `gorm:"not null;default:1"`
	NotifiedOn            string  `gorm:"size:10;not null;index:ix_litigation_organ_notified,priority:2"`
	DefenceDueOn          *string `gorm:"size:10"`
	DefenceFiledOn        *string `gorm:"size:10"`
	SuspendedOn           *string `gorm:"size:10"`
	ResumeTo              string  `gorm:"size:30;not null;default:''"`
	ConcludedOn           *string `gorm:"size:10;index:ix_litigation_organ_concluded,priority:2"`
	JudgmentForm          string  `gorm:"size:10;not null;default:''"`
	ServedOn              *string `gorm:"size:10"`
	AppealDeadlineOn      *string `gorm:"size:10"`
	AppealedOn            *string `gorm:"size:10"`
	EffectiveOn           *string `gorm:"size:10"`
	ClosedOn              *string `gorm:"size:10"`
	Outcome               string  `gorm:"size:30;not null;default:''"`
	AgainstAgency         *bool
	Lost                  bool   `gorm:"not null;default:false"`
	Note                  string `gorm:"type:text;not null;default:''"`
	Imported              bool   `gorm:"not null;default:false"`
	ImportHash            string `gorm:"size:64;not null;default:''"`
	CreatedBy             int64  `gorm:"not null;default:0"`
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

type v3Hearing struct {
	ID            int64  `gorm:"primaryKey"`
	LitigationID  int64  `gorm:"not null;index"`
	OrganID       int64  `gorm:"not null;index:ix_hearing_organ_held,priority:1"`
	HeldOn        string `gorm:"size:10;not null;index:ix_hearing_organ_held,priority:2"`
	AppearedRole  string `gorm:"size:20;not null"`
	AppearedName  string `gorm:"size:100;not null;default:''"`
	AppearedPost  string `gorm:"size:100;not null;default:''"`
	Summoned      bool   `gorm:"not null;default:false"`
	AbsenceReason string `gorm:"type:text;not null;default:''"`
	Note          string `gorm:"type:text;not null;default:''"`
	Version       int64  `gorm:"not null;default:1"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

type v3LitigationEvent struct {
	ID          int64   `gorm:"primaryKey"`
	SubjectType string  `gorm:"size:20;not null;index:ix_litigation_event_subject,priority:1"`
	SubjectID   int64   `gorm:"not null;index:ix_litigation_event_subject,priority:2"`
	OrganID     int64   `gorm:"not null"`
	Action      string  `gorm:"size:40;not null"`
	FromStatus  string  `gorm:"size:30;not null;default:''"`
	ToStatus    string  `gorm:"size:30;not null;default:''"`
	EffectiveOn *string `gorm:"size:10"`
	ActorID     int64   `gorm:"not null;default:0"`
	ActorName   string  `gorm:"size:100;not null;default:''"`
	Payload     string  `gorm:"type:text;not null;default:''"`
	Note        string  `gorm:"type:text;not null;default:''"`
	CreatedAt   time.Time
}

type v3LitigationVersion struct {
	ID          int64  `gorm:"primaryKey"`
	SubjectType string `gorm:"size:20;not null;uniqueIndex:ux_litigation_version"`
	SubjectID   int64  `gorm:"not null;uniqueIndex:ux_litigation_version"`
	Version     int64  `gorm:"not null;uniqueIndex:ux_litigation_version"`
	Snapshot    string `gorm:"type:text;not null"`
	ActorID     int64  `gorm:"not null;default:0"`
	CreatedAt   time.Time
}

type v3Suggestion struct {
	ID                int64   `gorm:"primaryKey"`
	OrganID           int64   `gorm:"not null;index:ix_suggestion_organ_on,priority:1;index:ix_suggestion_organ_replied,priority:1"`
	Type              string  `gorm:"size:20;not null"`
	Direction         string  `gorm:"size:10;not null"`
	Number            string  `gorm:"size:120;not null;default:''"`
	IssuerOrRecipient string  `gorm:"size:200;not null;default:''"`
	Subject           string  `gorm:"type:text;not null;default:''"`
	OnDate            string  `gorm:"size:10;not null;index:ix_suggestion_organ_on,priority:2"`
	DueOn             *string `gorm:"size:10"`
	DueSetByIssuer    bool    `gorm:"not null;default:false"`
	Urgent            bool    `gorm:"not null;default:false"`
	RepliedOn         *string `gorm:"size:10;index:ix_suggestion_organ_replied,priority:2"`
	Reply             string  `gorm:"type:text;not null;default:''"`
	Adopted           *bool
	HandlerID         *int64 `gorm:"index"`
	Note              string `gorm:"type:text;not null;default:''"`
	Version           int64  `gorm:"not null;default:1"`
	CreatedBy         int64  `gorm:"not null;default:0"`
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

type v3SuggestionLink struct {
	SuggestionID int64  `gorm:"primaryKey;autoIncrement:false"`
	SubjectType  string `gorm:"primaryKey;size:20"`
	SubjectID    int64  `gorm:"primaryKey;autoIncrement:false;index"`
}

func (v3LitigationCase) TableName() string    { return "litigation_cases" }
func (v3Hearing) TableName() string           { return "litigation_hearings" }
func (v3LitigationEvent) TableName() string   { return "litigation_events" }
func (v3LitigationVersion) TableName() string { return "litigation_versions" }
func (v3Suggestion) TableName() string        { return "suggestions" }
func (v3SuggestionLink) TableName() string    { return "suggestion_links" }
