package models

import "time"

// ApprovalRule says that an action of an organ's cases needs approval, and
// by which chain: Steps is JSON, a list of {"role": …} or {"user_id": …}.
type ApprovalRule struct {
	ID        int64  `gorm:"primaryKey"`
	OrganID   int64  `gorm:"not null;uniqueIndex:ux_approval_rule"`
	Action    string `gorm:"size:40;not null;uniqueIndex:ux_approval_rule"`
	Steps     string `gorm:"type:text;not null"`
	Version   int64  `gorm:"not null;default:1"`
	UpdatedBy int64  `gorm:"not null;default:0"`
	UpdatedAt time.Time
}

// Proposal is a proposed transition waiting for approval. Status is pending,
// returned, rejected or approved (executed); Step is the 0-based step it
// waits at; Steps the chain frozen at proposal time; Chain the JSON history
// of every decision.
type Proposal struct {
	ID           int64   `gorm:"primaryKey"`
	CaseID       int64   `gorm:"not null;index"`
	OrganID      int64   `gorm:"not null;index:ix_proposal_open,priority:1"`
	Action       string  `gorm:"size:40;not null"`
	Params       string  `gorm:"type:text;not null"`
	EffectiveOn  string  `gorm:"size:10;not null"`
	CaseVersion  int64   `gorm:"not null"`
	FromStatus   string  `gorm:"size:40;not null"`
	Status       string  `gorm:"size:20;not null;index:ix_proposal_open,priority:2"`
	Step         int     `gorm:"not null;default:0"`
	Steps        string  `gorm:"type:text;not null"`
	Chain        string  `gorm:"type:text;not null"`
	ProposedBy   int64   `gorm:"not null;index"`
	ProposerName string  `gorm:"size:100;not null;default:''"`
	Note         string  `gorm:"type:text;not null;default:''"`
	Comment      string  `gorm:"type:text;not null;default:''"`
	DecidedOn    *string `gorm:"size:10"`
	Version      int64   `gorm:"not null;default:1"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// DocumentTemplate is an organ's edited template of one document kind; a
// kind with no row uses the built-in template.
type DocumentTemplate struct {
	ID            int64  `gorm:"primaryKey"`
	OrganID       int64  `gorm:"not null;uniqueIndex:ux_document_template"`
	Kind          string `gorm:"size:40;not null;uniqueIndex:ux_document_template"`
	Title         string `gorm:"size:200;not null"`
	Body          string `gorm:"type:text;not null"`
	NumberPattern string `gorm:"size:100;not null;default:''"`
	OrganName     string `gorm:"size:200;not null;default:''"`
	SealText      string `gorm:"size:200;not null;default:''"`
	Version       int64  `gorm:"not null;default:1"`
	UpdatedBy     int64  `gorm:"not null;default:0"`
	UpdatedAt     time.Time
}

// CaseDocument is a generated document stored with its case, numbered per
// organ, year and kind.
type CaseDocument struct {
	ID            int64  `gorm:"primaryKey"`
	CaseID        int64  `gorm:"not null;index"`
	OrganID       int64  `gorm:"not null;uniqueIndex:ux_case_document_no"`
	Kind          string `gorm:"size:40;not null;uniqueIndex:ux_case_document_no"`
	Year          int    `gorm:"not null;uniqueIndex:ux_case_document_no"`
	Seq           int    `gorm:"not null;uniqueIndex:ux_case_document_no"`
	Number        string `gorm:"size:100;not null"`
	Title         string `gorm:"size:200;not null"`
	HTML          string `gorm:"type:text;not null"`
	Text          string `gorm:"type:text;not null"`
	CreatedBy     int64  `gorm:"not null;default:0"`
	CreatedByName string `gorm:"size:100;not null;default:''"`
	CreatedAt     time.Time
}

// DocumentCounter hands out document numbers per organ, year and kind.
type DocumentCounter struct {
	OrganID int64  `gorm:"primaryKey;autoIncrement:false"`
	Year    int    `gorm:"primaryKey;autoIncrement:false"`
	Kind    string `gorm:"primaryKey;size:40"`
	LastSeq int    `gorm:"not null;default:0"`
}

// Attachment is one file of a case's dossier, stored under StorageName in
// the data directory's attachments folder.
type Attachment struct {
	ID            int64   `gorm:"primaryKey"`
	CaseID        int64   `gorm:"not null;index"`
	OrganID       int64   `gorm:"not null"`
	Kind          string  `gorm:"size:20;not null"`
	FileName      string  `gorm:"size:300;not null"`
	ContentType   string  `gorm:"size:100;not null"`
	Size          int64   `gorm:"not null"`
	SHA256        string  `gorm:"size:64;not null"`
	StorageName   string  `gorm:"size:100;not null;uniqueIndex"`
	DocDate       *string `gorm:"size:10"`
	Note          string  `gorm:"type:text;not null;default:''"`
	CreatedBy     int64   `gorm:"not null;default:0"`
	CreatedByName string  `gorm:"size:100;not null;default:''"`
	CreatedAt     time.Time
}

// Followup supervises the performance of a decision that obliges the
// respondent to act (RL2023 Art. 77). Status: open, performed, overdue,
// interviewed (约谈), criticised (通报批评).
type Followup struct {
	ID           int64   `gorm:"primaryKey"`
	CaseID       int64   `gorm:"not null;uniqueIndex"`
	OrganID      int64   `gorm:"not null;index:ix_followup_open,priority:1"`
	RespondentID int64   `gorm:"not null;index"`
	Outcome      string  `gorm:"size:40;not null"`
	Redo         bool    `gorm:"not null;default:false"`
	OpenedOn     string  `gorm:"size:10;not null"`
	DueOn        string  `gorm:"size:10;not null;index:ix_followup_open,priority:3"`
	Status       string  `gorm:"size:20;not null;index:ix_followup_open,priority:2"`
	StatusOn     *string `gorm:"size:10"`
	Note         string  `gorm:"type:text;not null;default:''"`
	Version      int64   `gorm:"not null;default:1"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TypicalCase flags a case as a typical case (典型案例) with a summary.
type TypicalCase struct {
	CaseID    int64  `gorm:"primaryKey;autoIncrement:false"`
	OrganID   int64  `gorm:"not null;index"`
	Summary   string `gorm:"type:text;not null"`
	FlaggedBy int64  `gorm:"not null;default:0"`
	FlaggedAt time.Time
}
