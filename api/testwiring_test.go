package api

import (
	"testing"

	"fuyi/models"
	"fuyi/services/lifecycle"
	"fuyi/services/litigation"
	"fuyi/services/stats"
)

// wireTestDeps adds the services of every resource to deps, as cmd/fuyi does.
// Each resource adds its line here.
func wireTestDeps(t *testing.T, db *models.DB, deps *Deps) {
	t.Helper()
	_ = db
	deps.Cases = lifecycle.New(db, lifecycle.Options{})
	st := stats.New(db)
	deps.Stats = st
	deps.Cases.AddHook(st.LockHook)
	deps.Cases.AddHook(st.RollupHook)
	deps.Cases.SetMetricFilter(st.MetricFilter)
	deps.Litigation = litigation.New(db, litigation.Options{})
	// --- one line per service ---
	wireTestWorkflow(t, db, deps)
	wireTestDeadlines(db, deps)
	wireTestAudit(db, deps)
}
