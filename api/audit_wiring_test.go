package api

import (
	"fuyi/models"
	"fuyi/services/audit"
)

// wireTestAudit adds the audit trail and its case hook, as cmd/fuyi does.
func wireTestAudit(db *models.DB, deps *Deps) {
	au := audit.New(db, nil)
	deps.Audit = au
	deps.Cases.AddHook(au.CaseHook)
}
