package models

import "time"

// Organ is a reconsideration organ (行政复议机关), e.g. a district government.
// Every case belongs to exactly one organ.
type Organ struct {
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

// Agency is a respondent agency (被申请人) of an organ.
type Agency struct {
	ID        int64  `gorm:"primaryKey"`
	OrganID   int64  `gorm:"not null;uniqueIndex:ux_agency_organ_name"`
	Name      string `gorm:"size:200;not null;uniqueIndex:ux_agency_organ_name"`
	Level     string `gorm:"size:40;not null;default:''"`
	Active    bool   `gorm:"not null;default:true"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// User is a person who logs in. Role is one of admin, manager, officer, reporter.
type User struct {
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

// UserOrgan grants a user access to an organ's cases.
type UserOrgan struct {
	UserID  int64 `gorm:"primaryKey"`
	OrganID int64 `gorm:"primaryKey;index"`
}

// RefreshToken is one opaque refresh token, stored as a SHA-256 hash. Tokens
// of one login form a family; presenting a rotated token revokes the family.
type RefreshToken struct {
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

// LoginThrottle counts recent login failures for one key ("user:NAME" or "ip:ADDR").
type LoginThrottle struct {
	Key          string    `gorm:"primaryKey;size:200"`
	Failures     int       `gorm:"not null;default:0"`
	WindowStart  time.Time `gorm:"not null"`
	BlockedUntil *time.Time
}

// Case is a reconsideration case (行政复议案件). Dates are civil dates stored as
// "YYYY-MM-DD" strings; a nil pointer means "not happened".
type Case struct {
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
	ImportKey  string `gorm:"size:200;not null;default:''"`
	ImportHash string `gorm:"size:64;not null;default:''"`
	// EditedInAppAt is set by every edit or transition made in the app.
	EditedInAppAt *time.Time

	CreatedBy int64 `gorm:"not null;default:0"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CaseParty is an applicant, third party or agent of a case.
type CaseParty struct {
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

// CaseEvent is one append-only row of a case's history.
type CaseEvent struct {
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

// CaseVersion is a JSON snapshot of a case after each change.
type CaseVersion struct {
	ID        int64  `gorm:"primaryKey"`
	CaseID    int64  `gorm:"not null;uniqueIndex:ux_case_version"`
	Version   int64  `gorm:"not null;uniqueIndex:ux_case_version"`
	Snapshot  string `gorm:"type:text;not null"`
	ActorID   int64  `gorm:"not null;default:0"`
	CreatedAt time.Time
}

// CaseSuspension is one period of suspension (中止) of a case.
type CaseSuspension struct {
	ID     int64   `gorm:"primaryKey"`
	CaseID int64   `gorm:"not null;index"`
	Ground string  `gorm:"size:40;not null"`
	Reason string  `gorm:"type:text;not null;default:''"`
	FromOn string  `gorm:"size:10;not null"`
	ToOn   *string `gorm:"size:10"`
}

// CaseCounter hands out per-organ, per-year sequence numbers.
type CaseCounter struct {
	OrganID int64  `gorm:"primaryKey;autoIncrement:false"`
	Year    int    `gorm:"primaryKey;autoIncrement:false"`
	Kind    string `gorm:"primaryKey;size:20"`
	LastSeq int    `gorm:"not null;default:0"`
}

// Deadline is one computed statutory due date of a case, litigation or
// suggestion. Rows are recomputed in the transaction of every change.
type Deadline struct {
	ID            int64   `gorm:"primaryKey"`
	SubjectType   string  `gorm:"size:20;not null;uniqueIndex:ux_deadline_subject"` // case | litigation | suggestion
	SubjectID     int64   `gorm:"not null;uniqueIndex:ux_deadline_subject"`
	Kind          string  `gorm:"size:40;not null;uniqueIndex:ux_deadline_subject"`
	OrganID       int64   `gorm:"not null;index:ix_deadline_open,priority:1"`
	Status        string  `gorm:"size:20;not null;index:ix_deadline_open,priority:2"`
	DueOn         *string `gorm:"size:10;index:ix_deadline_open,priority:3"`
	MetOn         *string `gorm:"size:10"`
	HandlerID     *int64
	ExplanationZH string `gorm:"type:text;not null;default:''"`
	ExplanationEN string `gorm:"type:text;not null;default:''"`
	Article       string `gorm:"size:200;not null;default:''"`
	UpdatedAt     time.Time
}

// Notification is an in-app message to a user. The unique key makes every
// reminder happen once, whichever instance sweeps.
type Notification struct {
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

// CalendarYear is an admin-supplied working-day calendar for one year; it
// replaces the built-in year of the same number.
type CalendarYear struct {
	Year      int    `gorm:"primaryKey;autoIncrement:false"`
	Source    string `gorm:"size:300;not null;default:''"`
	Data      string `gorm:"type:text;not null"` // JSON as accepted by the calendar import
	UpdatedBy int64  `gorm:"not null;default:0"`
	UpdatedAt time.Time
}

// MetricDefinition is a named rate: numerator = cases closed with one of a
// set of outcomes / termination subtypes / flags; denominator = a named count.
type MetricDefinition struct {
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

// ReportLock freezes one organ's reported year.
type ReportLock struct {
	ID       int64  `gorm:"primaryKey"`
	OrganID  int64  `gorm:"not null;uniqueIndex:ux_report_lock"`
	Year     int    `gorm:"not null;uniqueIndex:ux_report_lock"`
	LockedBy int64  `gorm:"not null"`
	Reason   string `gorm:"type:text;not null;default:''"`
	Snapshot string `gorm:"type:text;not null;default:''"` // the report JSON at locking time
	LockedAt time.Time
}

// AuditEntry is one hash-chained row of the audit trail.
type AuditEntry struct {
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

// Setting is a key/value pair kept in the database (e.g. the generated JWT
// secret when none is configured, the sweep lease).
type Setting struct {
	Key       string `gorm:"primaryKey;size:100"`
	Value     string `gorm:"type:text;not null"`
	UpdatedAt time.Time
}
