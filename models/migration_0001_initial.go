package models

import (
	"time"

	"gorm.io/gorm"
)

// Migration 1: the initial schema. The structs below are frozen copies of the
// models as they were at version 1; never edit them, add a migration instead.

func init() {
	register(Migration{Version: 1, Name: "initial schema", Up: func(tx *gorm.DB) error {
		return tx.Migrator().CreateTable(
			&v1Organ{},
			&v1Agency{},
			&v1User{},
			&v1UserOrgan{},
			&v1RefreshToken{},
			&v1LoginThrottle{},
			&v1Case{},
			&v1CaseParty{},
			&v1CaseEvent{},
			&v1CaseVersion{},
			&v1CaseSuspension{},
			&v1CaseCounter{},
			&v1Deadline{},
			&v1Notification{},
			&v1CalendarYear{},
			&v1MetricDefinition{},
			&v1ReportLock{},
			&v1AuditEntry{},
			&v1Setting{},
		)
	}})
}

type v1Organ struct {
	ID        int64  `gorm:"primaryKey"`
	Name      string `gorm:"size:200;not null;uniqueIndex"`
	ShortName string `gorm:"size:50;not null"`
	// CaseNoPattern renders a case number: {short} {year} {seq} {seq4}; e.g. "{short}复〔{year}〕{seq}号".
	CaseNoPattern string `gorm:"size:100;not null"`
	// LitigationNoPattern renders internal numbers of litigation records.
	Version   int64 `gorm:"not null;default:1"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

type v1Agency struct {
	ID        int64  `gorm:"primaryKey"`
	OrganID   int64  `gorm:"not null;uniqueIndex:ux_agency_organ_name"`
	Name      string `gorm:"size:200;not null;uniqueIndex:ux_agency_organ_name"`
	Level     string `gorm:"size:40;not null;default:''"`
	Active    bool   `gorm:"not null;default:true"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

type v1User struct {
	ID           int64  `gorm:"primaryKey"`
	Username     string `gorm:"size:64;not null;uniqueIndex"`
	DisplayName  string `gorm:"size:100;not null;default:''"`
	PasswordHash string `gorm:"size:100;not null"`
	Role         string `gorm:"size:20;not null"`
	Active       bool   `gorm:"not null;default:true"`
	// MustChangePassword is set for generated one-time passwords.
	MustChangePassword bool  `gorm:"not null;default:false"`
	Version            int64 `gorm:"not null;default:1"`
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

type v1UserOrgan struct {
	UserID  int64 `gorm:"primaryKey"`
	OrganID int64 `gorm:"primaryKey;index"`
}

type v1RefreshToken struct {
	ID        int64     `gorm:"primaryKey"`
	UserID    int64     `gorm:"not null;index"`
	FamilyID  string    `gorm:"size:64;not null;index"`
	TokenHash string    `gorm:"size:64;not null;uniqueIndex"`
	IssuedAt  time.Time `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null"`
	RotatedAt *time.Time
	RevokedAt *time.Time
	ClientIP  string `gorm:"size:64;not null;default:''"`
	UserAgent string `gorm:"size:300;not null;default:''"`
}

type v1LoginThrottle struct {
	Key          string    `gorm:"primaryKey;size:200"`
	Failures     int       `gorm:"not null;default:0"`
	WindowStart  time.Time `gorm:"not null"`
	BlockedUntil *time.Time
}

type v1Case struct {
	ID      int64  `gorm:"primaryKey"`
	OrganID int64  `gorm:"not null;uniqueIndex:ux_case_organ_no;index:ix_case_organ_received,priority:1;index:ix_case_organ_closed,priority:1;index:ix_case_organ_accepted,priority:1;index:ix_case_organ_status,priority:1"`
	CaseNo  string `gorm:"size:80;not null;uniqueIndex:ux_case_organ_no"`
	Year    int    `gorm:"not null"`
	Seq     int    `gorm:"not null"`
	Status  string `gorm:"size:40;not null;index:ix_case_organ_status,priority:2"`
	Version int64  `gorm:"not null;default:1"`
	// Regime is rl2017 (received before 2024-01-01) or rl2023.
	Regime string `gorm:"size:10;not null"`

	Applicant       string  `gorm:"size:300;not null"`
	ApplicantType   string  `gorm:"size:20;not null"`
	Agent           string  `gorm:"size:200;not null;default:''"`
	RespondentID    int64   `gorm:"not null;index"`
	ActType         string  `gorm:"size:40;not null"`
	Area            string  `gorm:"size:60;not null;default:''"`
	ActDocumentNo   string  `gorm:"size:200;not null;default:''"`
	ActDate         *string `gorm:"size:10"`
	Request         string  `gorm:"type:text;not null;default:''"`
	Channel         string  `gorm:"size:20;not null;default:''"`
	Procedure       string  `gorm:"size:20;not null;default:''"`
	HandlerID       *int64  `gorm:"index"`
	SecondHandlerID *int64

	ReceivedOn           string  `gorm:"size:10;not null;index:ix_case_organ_received,priority:2"`
	CorrectionNoticeOn   *string `gorm:"size:10"`
	CorrectionDueDays    int     `gorm:"not null;default:0"`
	CorrectionReceivedOn *string `gorm:"size:10"`
	AcceptedOn           *string `gorm:"size:10;index:ix_case_organ_accepted,priority:2"`
	DeemedAccepted       bool    `gorm:"not null;default:false"`
	// IntakeOn is the date of a pre-acceptance disposition: not accepted,
	// abandoned (补正逾期), withdrawn before acceptance, referred.
	IntakeOn        *string `gorm:"size:10"`
	IntakeReason    string  `gorm:"type:text;not null;default:''"`
	CopySentOn      *string `gorm:"size:10"`
	ReplyReceivedOn *string `gorm:"size:10"`
	SuspendedOn     *string `gorm:"size:10"`
	SuspendGround   string  `gorm:"size:40;not null;default:''"`
	ExtensionDays   int     `gorm:"not null;default:0"`
	ExtendedBy      string  `gorm:"size:100;not null;default:''"`
	// ClosedOn is the closing date for statistics: the date of the decision,
	// the mediation agreement or the termination (the ledger's 结案日期).
	ClosedOn       *string `gorm:"size:10;index:ix_case_organ_closed,priority:2"`
	Outcome        string  `gorm:"size:40;not null;default:''"`
	OutcomePartial bool    `gorm:"not null;default:false"`
	OutcomeRedo    bool    `gorm:"not null;default:false"`
	Termination    string  `gorm:"size:40;not null;default:''"`
	ServedOn       *string `gorm:"size:10"`
	ArchivedOn     *string `gorm:"size:10"`

	HearingHeld         bool   `gorm:"not null;default:false"`
	CommitteeConsulted  bool   `gorm:"not null;default:false"`
	CompensationClaimed int64  `gorm:"not null;default:0"` // fen (0.01 yuan)
	CompensationAwarded int64  `gorm:"not null;default:0"` // fen
	Note                string `gorm:"type:text;not null;default:''"`

	// Imported marks cases that came from a ledger; ImportKey matches a
	// ledger row on re-import; ImportHash detects a changed row.
	Imported   bool   `gorm:"not null;default:false"`
	ImportKey  string `gorm:"size:200;not null;default:'';index"`
	ImportHash string `gorm:"size:64;not null;default:''"`
	// EditedInAppAt is set by every edit or transition made in the app.
	EditedInAppAt *time.Time

	CreatedBy int64 `gorm:"not null;default:0"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

type v1CaseParty struct {
	ID        int64  `gorm:"primaryKey"`
	CaseID    int64  `gorm:"not null;index"`
	Role      string `gorm:"size:20;not null"` // applicant | third_party | agent
	Position  int    `gorm:"not null;default:0"`
	Name      string `gorm:"size:300;not null"`
	PartyType string `gorm:"size:20;not null;default:''"` // citizen | legal_person | other_org
	IDNumber  string `gorm:"size:200;not null;default:''"`
	Phone     string `gorm:"size:100;not null;default:''"`
	Address   string `gorm:"size:300;not null;default:''"`
}

type v1CaseEvent struct {
	ID          int64   `gorm:"primaryKey"`
	CaseID      int64   `gorm:"not null;index"`
	OrganID     int64   `gorm:"not null"`
	Action      string  `gorm:"size:40;not null"`
	FromStatus  string  `gorm:"size:40;not null;default:''"`
	ToStatus    string  `gorm:"size:40;not null;default:''"`
	EffectiveOn *string `gorm:"size:10"`
	ActorID     int64   `gorm:"not null;default:0"`
	ActorName   string  `gorm:"size:100;not null;default:''"`
	Payload     string  `gorm:"type:text;not null;default:''"` // JSON
	Note        string  `gorm:"type:text;not null;default:''"`
	Imported    bool    `gorm:"not null;default:false"`
	CreatedAt   time.Time
}

type v1CaseVersion struct {
	ID        int64  `gorm:"primaryKey"`
	CaseID    int64  `gorm:"not null;uniqueIndex:ux_case_version"`
	Version   int64  `gorm:"not null;uniqueIndex:ux_case_version"`
	Snapshot  string `gorm:"type:text;not null"`
	ActorID   int64  `gorm:"not null;default:0"`
	CreatedAt time.Time
}

type v1CaseSuspension struct {
	ID     int64   `gorm:"primaryKey"`
	CaseID int64   `gorm:"not null;index"`
	Ground string  `gorm:"size:40;not null"`
	Reason string  `gorm:"type:text;not null;default:''"`
	FromOn string  `gorm:"size:10;not null"`
	ToOn   *string `gorm:"size:10"`
}

type v1CaseCounter struct {
	OrganID int64  `gorm:"primaryKey;autoIncrement:false"`
	Year    int    `gorm:"primaryKey;autoIncrement:false"`
	Kind    string `gorm:"primaryKey;size:20"`
	LastSeq int    `gorm:"not null;default:0"`
}

type v1Deadline struct {
	ID            int64   `gorm:"primaryKey"`
	SubjectType   string  `gorm:"size:20;not null;uniqueIndex:ux_deadline_subject"` // case | litigation | suggestion
	SubjectID     int64   `gorm:"not null;uniqueIndex:ux_deadline_subject"`
	Kind          string  `gorm:"size:40;not null;uniqueIndex:ux_deadline_subject"`
	OrganID       int64   `gorm:"not null;index:ix_deadline_open,priority:1"`
	Status        string  `gorm:"size:20;not null;index:ix_deadline_open,priority:2"`
	DueOn         *string `gorm:"size:10;index:ix_deadline_open,priority:3"`
	MetOn         *string `gorm:"size:10"`
	HandlerID     *int64  `gorm:"index"`
	ExplanationZH string  `gorm:"type:text;not null;default:''"`
	ExplanationEN string  `gorm:"type:text;not null;default:''"`
	Article       string  `gorm:"size:200;not null;default:''"`
	UpdatedAt     time.Time
}

type v1Notification struct {
	ID           int64  `gorm:"primaryKey"`
	UserID       int64  `gorm:"not null;uniqueIndex:ux_notification_once;index:ix_notification_user"`
	OrganID      int64  `gorm:"not null"`
	SubjectType  string `gorm:"size:20;not null;uniqueIndex:ux_notification_once"`
	SubjectID    int64  `gorm:"not null;uniqueIndex:ux_notification_once"`
	DeadlineKind string `gorm:"size:40;not null;uniqueIndex:ux_notification_once"`
	DueOn        string `gorm:"size:10;not null;uniqueIndex:ux_notification_once"`
	Kind         string `gorm:"size:20;not null;uniqueIndex:ux_notification_once"` // due_5 | due_1 | missed
	MessageZH    string `gorm:"type:text;not null"`
	MessageEN    string `gorm:"type:text;not null"`
	CreatedAt    time.Time
	ReadAt       *time.Time
}

type v1CalendarYear struct {
	Year      int    `gorm:"primaryKey;autoIncrement:false"`
	Source    string `gorm:"size:300;not null;default:''"`
	Data      string `gorm:"type:text;not null"` // JSON as accepted by the calendar import
	UpdatedBy int64  `gorm:"not null;default:0"`
	UpdatedAt time.Time
}

type v1MetricDefinition struct {
	ID            int64   `gorm:"primaryKey"`
	Key           string  `gorm:"size:60;not null;uniqueIndex:ux_metric_key_from"`
	NameZH        string  `gorm:"size:100;not null"`
	NameEN        string  `gorm:"size:100;not null"`
	Definition    string  `gorm:"type:text;not null"` // JSON: numerator and denominator spec
	EffectiveFrom string  `gorm:"size:10;not null;uniqueIndex:ux_metric_key_from"`
	EffectiveTo   *string `gorm:"size:10"`
	Builtin       bool    `gorm:"not null;default:false"`
	Version       int64   `gorm:"not null;default:1"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

type v1ReportLock struct {
	ID       int64  `gorm:"primaryKey"`
	OrganID  int64  `gorm:"not null;uniqueIndex:ux_report_lock"`
	Year     int    `gorm:"not null;uniqueIndex:ux_report_lock"`
	LockedBy int64  `gorm:"not null"`
	Reason   string `gorm:"type:text;not null;default:''"`
	Snapshot string `gorm:"type:text;not null;default:''"` // the report JSON at locking time
	LockedAt time.Time
}

type v1AuditEntry struct {
	ID        int64     `gorm:"primaryKey"`
	At        time.Time `gorm:"not null;index"`
	ActorID   int64     `gorm:"not null;default:0;index"`
	ActorName string    `gorm:"size:100;not null;default:''"`
	ClientIP  string    `gorm:"size:64;not null;default:''"`
	Action    string    `gorm:"size:60;not null;index"`
	Subject   string    `gorm:"size:100;not null;default:''"`
	OrganID   int64     `gorm:"not null;default:0"`
	Before    string    `gorm:"type:text;not null;default:''"`
	After     string    `gorm:"type:text;not null;default:''"`
	PrevHash  string    `gorm:"size:64;not null"`
	Hash      string    `gorm:"size:64;not null"`
}

type v1Setting struct {
	Key       string `gorm:"primaryKey;size:100"`
	Value     string `gorm:"type:text;not null"`
	UpdatedAt time.Time
}

func (v1Organ) TableName() string            { return "organs" }
func (v1Agency) TableName() string           { return "agencies" }
func (v1User) TableName() string             { return "users" }
func (v1UserOrgan) TableName() string        { return "user_organs" }
func (v1RefreshToken) TableName() string     { return "refresh_tokens" }
func (v1LoginThrottle) TableName() string    { return "login_throttles" }
func (v1Case) TableName() string             { return "cases" }
func (v1CaseParty) TableName() string        { return "case_parties" }
func (v1CaseEvent) TableName() string        { return "case_events" }
func (v1CaseVersion) TableName() string      { return "case_versions" }
func (v1CaseSuspension) TableName() string   { return "case_suspensions" }
func (v1CaseCounter) TableName() string      { return "case_counters" }
func (v1Deadline) TableName() string         { return "deadlines" }
func (v1Notification) TableName() string     { return "notifications" }
func (v1CalendarYear) TableName() string     { return "calendar_years" }
func (v1MetricDefinition) TableName() string { return "metric_definitions" }
func (v1ReportLock) TableName() string       { return "report_locks" }
func (v1AuditEntry) TableName() string       { return "audit_entries" }
func (v1Setting) TableName() string          { return "settings" }
