package models

import (
	"time"

	"gorm.io/gorm"
)

// Migration 5: work-flow tables — approval configuration and proposals,
// document templates, generated documents and their counters, attachments,
// performance follow-ups and typical cases. The structs below are frozen
// copies; never edit them, add a migration instead.

func init() {
	register(Migration{Version: 5, Name: "workflow", Up: func(tx *gorm.DB) error {
		return tx.Migrator().CreateTable(&v5ApprovalRule{}, &v5Proposal{}, &v5DocumentTemplate{},
			&v5CaseDocument{}, &v5DocumentCounter{}, &v5Attachment{}, &v5Followup{}, &v5TypicalCase{})
	}})
}

type v5ApprovalRule struct {
	ID        int64  `gorm:"primaryKey"`
	OrganID   int64  `gorm:"not null;uniqueIndex:ux_approval_rule"`
	Action    string `gorm:"size:40;not null;uniqueIndex:ux_approval_rule"`
	Steps     string `gorm:"type:text;not null"`
	Version   int64  `gorm:"not null;default:1"`
	UpdatedBy int64  `gorm:"not null;default:0"`
	UpdatedAt time.Time
}

func (v5ApprovalRule) TableName() string { return "approval_rules" }

type v5Proposal struct {
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

func (v5Proposal) TableName() string { return "proposals" }

type v5DocumentTemplate struct {
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

func (v5DocumentTemplate) TableName() string { return "document_templates" }

type v5CaseDocument struct {
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

func (v5CaseDocument) TableName() string { return "case_documents" }

type v5DocumentCounter struct {
	OrganID int64  `gorm:"primaryKey;autoIncrement:false"`
	Year    int    `gorm:"primaryKey;autoIncrement:false"`
	Kind    string `gorm:"primaryKey;size:40"`
	LastSeq int    `gorm:"not null;default:0"`
}

func (v5DocumentCounter) TableName() string { return "document_counters" }

type v5Attachment struct {
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

func (v5Attachment) TableName() string { return "attachments" }

type v5Followup struct {
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

func (v5Followup) TableName() string { return "followups" }

type v5TypicalCase struct {
	CaseID    int64  `gorm:"primaryKey;autoIncrement:false"`
	OrganID   int64  `gorm:"not null;index"`
	Summary   string `gorm:"type:text;not null"`
	FlaggedBy int64  `gorm:"not null;default:0"`
	FlaggedAt time.Time
}

func (v5TypicalCase) TableName() string { return "typical_cases" }
