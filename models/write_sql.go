package models

import (
	"slices"
	"strings"

	"gorm.io/gorm"
)

// Plain-SQL writes of the case change path. Every case write inserts an
// event and a version snapshot and updates the case row; through GORM's
// Create and Updates that costs several times the SQL itself in reflection
// and statement building, all of it on the single SQLite writer. These
// functions write exactly the rows GORM wrote (write_sql_test.go compares
// them column by column): every column is given explicitly, and the columns
// with a database default are ones whose default is the Go zero value that
// GORM would have left to it. They do not fill in the new row's ID.

const insertCaseEventSQL = `INSERT INTO case_events (case_id, organ_id, action, from_status, to_status, effective_on, actor_id, actor_name, payload, note, imported, created_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// InsertCaseEvent inserts ev (its ID is left zero).
func InsertCaseEvent(tx *gorm.DB, ev *CaseEvent) error {
	return tx.Exec(insertCaseEventSQL, ev.CaseID, ev.OrganID, ev.Action, ev.FromStatus, ev.ToStatus, ev.EffectiveOn,
		ev.ActorID, ev.ActorName, ev.Payload, ev.Note, ev.Imported, ev.CreatedAt).Error
}

const insertCaseVersionSQL = `INSERT INTO case_versions (case_id, version, snapshot, actor_id, created_at) VALUES (?, ?, ?, ?, ?)`

// InsertCaseVersion inserts v (its ID is left zero).
func InsertCaseVersion(tx *gorm.DB, v *CaseVersion) error {
	return tx.Exec(insertCaseVersionSQL, v.CaseID, v.Version, v.Snapshot, v.ActorID, v.CreatedAt).Error
}

// UpdateCaseGuarded sets cols (column name → value) on case id if it still
// has status and version, and returns the number of rows changed (0: the
// case was changed meanwhile). The columns are written in name order.
func UpdateCaseGuarded(tx *gorm.DB, id int64, status string, version int64, cols map[string]any) (int64, error) {
	names := make([]string, 0, len(cols))
	for k := range cols {
		names = append(names, k)
	}
	slices.Sort(names)
	var sb strings.Builder
	args := make([]any, 0, len(names)+3)
	sb.WriteString("UPDATE cases SET ")
	for i, k := range names {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('"')
		sb.WriteString(k)
		sb.WriteString(`" = ?`)
		args = append(args, cols[k])
	}
	sb.WriteString(" WHERE id = ? AND status = ? AND version = ?")
	args = append(args, id, status, version)
	res := tx.Exec(sb.String(), args...)
	return res.RowsAffected, res.Error
}

// insertCaseSQL inserts every column but id (caseColumnNames without it).
var insertCaseSQL = func() string {
	cols := strings.TrimPrefix(caseColumnNames, "id, ")
	n := strings.Count(cols, ",") + 1
	return "INSERT INTO cases (" + cols + ") VALUES (" + strings.Repeat("?, ", n-1) + "?) RETURNING id"
}()

// InsertCase inserts c and sets its ID, as GORM's Create does: a zero
// Version is stored (and set) as the column's default, 1. A case with an ID
// already or without CreatedAt and UpdatedAt (which GORM would fill in) goes
// through GORM's Create.
func InsertCase(tx *gorm.DB, c *Case) error {
	if c.ID != 0 || c.CreatedAt.IsZero() || c.UpdatedAt.IsZero() {
		return tx.Create(c).Error
	}
	if c.Version == 0 {
		c.Version = 1
	}
	var id int64
	if err := tx.Raw(insertCaseSQL, c.insertArgs()...).Row().Scan(&id); err != nil {
		return tx.AddError(err)
	}
	c.ID = id
	return nil
}

// insertArgs are c's values in caseColumnNames order, without the id.
func (c *Case) insertArgs() []any {
	return []any{c.OrganID, c.CaseNo, c.Year, c.Seq, c.Status, c.Version, c.Regime, c.Applicant, c.ApplicantType,
		c.Agent, c.RespondentID, c.ActType, c.Area, c.ActDocumentNo, c.ActDate, c.Request, c.Channel, c.Procedure,
		c.HandlerID, c.SecondHandlerID, c.ReceivedOn, c.CorrectionNoticeOn, c.CorrectionDueDays, c.CorrectionReceivedOn,
		c.AcceptedOn, c.DeemedAccepted, c.IntakeOn, c.IntakeReason, c.CopySentOn, c.ReplyReceivedOn, c.SuspendedOn,
		c.SuspendGround, c.ExtensionDays, c.ExtendedBy, c.ClosedOn, c.Outcome, c.OutcomePartial, c.OutcomeRedo,
		c.Termination, c.ServedOn, c.ArchivedOn, c.HearingHeld, c.CommitteeConsulted, c.CompensationClaimed,
		c.CompensationAwarded, c.Note, c.Imported, c.ImportKey, c.ImportHash, c.EditedInAppAt, c.CreatedBy,
		c.CreatedAt, c.UpdatedAt}
}
