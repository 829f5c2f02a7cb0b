package models

import "time"

// LitigationCase is one instance of a suit the office defends (行政应诉):
// each instance (first, second, retrial) is its own record, linked to the
// previous one (domain §5–6). Dates are civil dates "YYYY-MM-DD"; nil means
// "not happened". Lost is derived from Outcome by services/litigation and
// stored so that statistics stay SQL aggregates.
type LitigationCase struct {
	ID         int64  `gorm:"primaryKey"`
	OrganID    int64  `gorm:"not null"`
	InternalNo string `gorm:"size:80;not null"`
	Year       int    `gorm:"not null"`
	Seq        int    `gorm:"not null"`
	// Kind is administrative | civil | as_respondent.
	Kind string `gorm:"size:20;not null"`
	// Instance is first | second | retrial.
	Instance    string `gorm:"size:20;not null"`
	Court       string `gorm:"size:200;not null;default:''"`
	CourtCaseNo string `gorm:"size:120;not null"`
	// Plaintiffs are the names of the plaintiffs (appellants), joined by "、".
	Plaintiffs string `gorm:"size:500;not null;default:''"`
	// DefendantAgencyID is the sued agency; nil means the organ itself.
	DefendantAgencyID *int64
	// CoDefendantRole is original_agency | reconsideration_body | sole_defendant | none (domain §5.2).
	CoDefendantRole       string `gorm:"size:30;not null;default:'none'"`
	ReconsiderationCaseID *int64
	PreviousInstanceID    *int64
	HandlerID             *int64
	Status                string `gorm:"size:30;not null"`
	Version               int64  `gorm:"not null;default:1"`

	NotifiedOn     string  `gorm:"size:10;not null"`
	DefenceDueOn   *string `gorm:"size:10"`
	DefenceFiledOn *string `gorm:"size:10"`
	SuspendedOn    *string `gorm:"size:10"`
	// ResumeTo is the state a suspended suit returns to.
	ResumeTo    string  `gorm:"size:30;not null;default:''"`
	ConcludedOn *string `gorm:"size:10"`
	// JudgmentForm is judgment (判决) or ruling (裁定): it sets the appeal period.
	JudgmentForm     string  `gorm:"size:10;not null;default:''"`
	ServedOn         *string `gorm:"size:10"`
	AppealDeadlineOn *string `gorm:"size:10"`
	AppealedOn       *string `gorm:"size:10"`
	EffectiveOn      *string `gorm:"size:10"`
	ClosedOn         *string `gorm:"size:10"`
	Outcome          string  `gorm:"size:30;not null;default:''"`
	// AgainstAgency is what the user stated for outcomes whose direction the
	// code alone does not tell (second-instance 改判).
	AgainstAgency *bool
	Lost          bool   `gorm:"not null;default:false"`
	Note          string `gorm:"type:text;not null;default:''"`
	Imported      bool   `gorm:"not null;default:false"`
	ImportHash    string `gorm:"size:64;not null;default:''"`
	CreatedBy     int64  `gorm:"not null;default:0"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName pins the table name.
func (LitigationCase) TableName() string { return "litigation_cases" }

// Hearing is one court hearing (开庭) of a litigation instance and who
// appeared for the agency (domain §5.5).
type Hearing struct {
	ID           int64  `gorm:"primaryKey"`
	LitigationID int64  `gorm:"not null"`
	OrganID      int64  `gorm:"not null"`
	HeldOn       string `gorm:"size:10;not null"`
	// AppearedRole is head | deputy_head | staff | lawyer | none.
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

// TableName pins the table name.
func (Hearing) TableName() string { return "litigation_hearings" }

// LitigationEvent is one append-only history row of a litigation record or a
// suggestion (SubjectType litigation | suggestion).
type LitigationEvent struct {
	ID          int64   `gorm:"primaryKey"`
	SubjectType string  `gorm:"size:20;not null"`
	SubjectID   int64   `gorm:"not null"`
	OrganID     int64   `gorm:"not null"`
	Action      string  `gorm:"size:40;not null"`
	FromStatus  string  `gorm:"size:30;not null;default:''"`
	ToStatus    string  `gorm:"size:30;not null;default:''"`
	EffectiveOn *string `gorm:"size:10"`
	ActorID     int64   `gorm:"not null;default:0"`
	ActorName   string  `gorm:"size:100;not null;default:''"`
	Payload     string  `gorm:"type:text;not null;default:''"` // JSON
	Note        string  `gorm:"type:text;not null;default:''"`
	CreatedAt   time.Time
}

// TableName pins the table name.
func (LitigationEvent) TableName() string { return "litigation_events" }

// LitigationVersion is a JSON snapshot of a litigation record (with its
// hearings) or a suggestion after each change.
type LitigationVersion struct {
	ID          int64  `gorm:"primaryKey"`
	SubjectType string `gorm:"size:20;not null"`
	SubjectID   int64  `gorm:"not null"`
	Version     int64  `gorm:"not null"`
	Snapshot    string `gorm:"type:text;not null"`
	ActorID     int64  `gorm:"not null;default:0"`
	CreatedAt   time.Time
}

// TableName pins the table name.
func (LitigationVersion) TableName() string { return "litigation_versions" }

// Suggestion is a judicial or procuratorial suggestion received by the
// organ, or an opinion letter (意见书) or suggestion letter (建议书) it
// issued (domain §5.6; RL2023 Art. 76). OnDate is the received or issued date.
type Suggestion struct {
	ID      int64 `gorm:"primaryKey"`
	OrganID int64 `gorm:"not null"`
	// Type is judicial | procuratorial | opinion_letter | suggestion_letter.
	Type string `gorm:"size:20;not null"`
	// Direction is received | issued.
	Direction         string `gorm:"size:10;not null"`
	Number            string `gorm:"size:120;not null;default:''"`
	IssuerOrRecipient string `gorm:"size:200;not null;default:''"`
	Subject           string `gorm:"type:text;not null;default:''"`
	OnDate            string `gorm:"size:10;not null"`
	// DueOn is the reply (feedback) due date; nil when none applies.
	DueOn *string `gorm:"size:10"`
	// DueSetByIssuer marks a due date written in the suggestion itself.
	DueSetByIssuer bool    `gorm:"not null;default:false"`
	Urgent         bool    `gorm:"not null;default:false"`
	RepliedOn      *string `gorm:"size:10"`
	Reply          string  `gorm:"type:text;not null;default:''"`
	Adopted        *bool
	HandlerID      *int64
	Note           string `gorm:"type:text;not null;default:''"`
	Version        int64  `gorm:"not null;default:1"`
	CreatedBy      int64  `gorm:"not null;default:0"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName pins the table name.
func (Suggestion) TableName() string { return "suggestions" }

// SuggestionLink ties a suggestion to a reconsideration case or a litigation
// record (SubjectType case | litigation).
type SuggestionLink struct {
	SuggestionID int64  `gorm:"primaryKey;autoIncrement:false"`
	SubjectType  string `gorm:"primaryKey;size:20"`
	SubjectID    int64  `gorm:"primaryKey;autoIncrement:false"`
}

// TableName pins the table name.
func (SuggestionLink) TableName() string { return "suggestion_links" }

// LitigationStatCell is one cell of the litigation rollup (migration 9,
// services/litigation): at Grain 0 (Period "YYYY"), 1 ("YYYY-MM") or 2
// ("YYYY-MM-DD"), the suits of the organ notified (Measure "notified") or
// concluded ("concluded", Lost of them lost) in Period by kind and
// instance, and the hearings held ("hearing", by their suit's kind, Instance
// "", Head of them with a head or deputy head appearing). It is maintained
// in the transaction of every write of a suit or a hearing and rebuilt on
// demand; cells that drop to zero may stay.
type LitigationStatCell struct {
	OrganID  int64  `gorm:"primaryKey;autoIncrement:false"`
	Grain    int    `gorm:"primaryKey;autoIncrement:false"`
	Period   string `gorm:"primaryKey;size:10"`
	Measure  string `gorm:"primaryKey;size:12"`
	Kind     string `gorm:"primaryKey;size:20"`
	Instance string `gorm:"primaryKey;size:20"`
	Count    int64  `gorm:"not null;default:0"`
	Lost     int64  `gorm:"not null;default:0"`
	Head     int64  `gorm:"not null;default:0"`
}

// TableName pins the table name.
func (LitigationStatCell) TableName() string { return "litigation_stat" }
