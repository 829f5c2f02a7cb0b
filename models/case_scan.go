package models

import (
	"errors"

	"gorm.io/gorm"
)

// TakeCase reads case id through q (a read handle or a transaction) with an
// explicit column list scanned straight into the struct's fields: every case
// change loads its case on the single SQLite writer, and GORM's reflective
// scan of the 50 columns cost several times the query. It answers
// gorm.ErrRecordNotFound like Take. Should a column not scan this way (a
// value GORM would still coerce), it falls back to GORM's Take, so the
// result is always the one GORM gives (case_scan_test.go compares them).
func TakeCase(q *gorm.DB, id int64) (*Case, error) {
	c, err := takeCaseScan(q, id)
	if err == nil || errors.Is(err, gorm.ErrRecordNotFound) {
		return c, err
	}
	var g Case
	if err := q.Where("id = ?", id).Take(&g).Error; err != nil {
		return nil, err
	}
	return &g, nil
}

// takeCaseScan is TakeCase without the fallback.
func takeCaseScan(q *gorm.DB, id int64) (*Case, error) {
	rows, err := q.Raw(takeCaseSQL, id).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, gorm.ErrRecordNotFound
	}
	var c Case
	if err := rows.Scan(c.scanDest()...); err != nil {
		return nil, err
	}
	return &c, rows.Close()
}

// caseColumnNames lists every column of cases in Case's field order; scanDest
// must match it.
const caseColumnNames = `id, organ_id, case_no, year, seq, status, version, regime, applicant, applicant_type, agent, respondent_id,
	act_type, area, act_document_no, act_date, request, channel, "procedure", handler_id, second_handler_id, received_on,
	correction_notice_on, correction_due_days, correction_received_on, accepted_on, deemed_accepted, intake_on, intake_reason,
	copy_sent_on, reply_received_on, suspended_on, suspend_ground, extension_days, extended_by, closed_on, outcome,
	outcome_partial, outcome_redo, termination, served_on, archived_on, hearing_held, committee_consulted,
	compensation_claimed, compensation_awarded, note, imported, import_key, import_hash, edited_in_app_at, created_by,
	created_at, updated_at`

const takeCaseSQL = "SELECT " + caseColumnNames + " FROM cases WHERE id = ? LIMIT 1"

func (c *Case) scanDest() []any {
	return []any{&c.ID, &c.OrganID, &c.CaseNo, &c.Year, &c.Seq, &c.Status, &c.Version, &c.Regime, &c.Applicant, &c.ApplicantType,
		&c.Agent, &c.RespondentID, &c.ActType, &c.Area, &c.ActDocumentNo, &c.ActDate, &c.Request, &c.Channel, &c.Procedure,
		&c.HandlerID, &c.SecondHandlerID, &c.ReceivedOn, &c.CorrectionNoticeOn, &c.CorrectionDueDays, &c.CorrectionReceivedOn,
		&c.AcceptedOn, &c.DeemedAccepted, &c.IntakeOn, &c.IntakeReason, &c.CopySentOn, &c.ReplyReceivedOn, &c.SuspendedOn,
		&c.SuspendGround, &c.ExtensionDays, &c.ExtendedBy, &c.ClosedOn, &c.Outcome, &c.OutcomePartial, &c.OutcomeRedo,
		&c.Termination, &c.ServedOn, &c.ArchivedOn, &c.HearingHeld, &c.CommitteeConsulted, &c.CompensationClaimed,
		&c.CompensationAwarded, &c.Note, &c.Imported, &c.ImportKey, &c.ImportHash, &c.EditedInAppAt, &c.CreatedBy,
		&c.CreatedAt, &c.UpdatedAt}
}

// FindCaseParties returns the parties of case id ordered by role, position
// and id — GORM's Find with that order, without its reflection (every case
// change snapshots its parties on the single SQLite writer).
func FindCaseParties(q *gorm.DB, caseID int64) ([]CaseParty, error) {
	rows, err := q.Raw(`SELECT id, case_id, role, position, name, party_type, id_number, phone, address
		FROM case_parties WHERE case_id = ? ORDER BY role, position, id`, caseID).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CaseParty{}
	for rows.Next() {
		var p CaseParty
		if err := rows.Scan(&p.ID, &p.CaseID, &p.Role, &p.Position, &p.Name, &p.PartyType, &p.IDNumber, &p.Phone, &p.Address); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// FindCaseSuspensions returns the suspension periods of case id (in the
// table's order, as GORM's Find without an order does: by id).
func FindCaseSuspensions(q *gorm.DB, caseID int64) ([]CaseSuspension, error) {
	rows, err := q.Raw(`SELECT id, case_id, ground, reason, from_on, to_on FROM case_suspensions WHERE case_id = ? ORDER BY id`, caseID).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CaseSuspension{}
	for rows.Next() {
		var s CaseSuspension
		if err := rows.Scan(&s.ID, &s.CaseID, &s.Ground, &s.Reason, &s.FromOn, &s.ToOn); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
