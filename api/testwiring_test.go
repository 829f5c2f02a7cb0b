package api

import (
	"testing"

	"fuyi/models"
)

// wireTestDeps adds the services of every resource to deps, as cmd/fuyi does.
// Each resource adds its line here.
func wireTestDeps(t *testing.T, db *models.DB, deps *Deps) {
	t.Helper()
	_ = db
	// --- one line per service ---
}
