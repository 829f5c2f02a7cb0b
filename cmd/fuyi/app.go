package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"gorm.io/gorm"

	"fuyi/api"
	"fuyi/frontend"
	"fuyi/models"
	"fuyi/services/audit"
	"fuyi/services/auth"
	"fuyi/services/clock"
	"fuyi/services/deadline"
	"fuyi/services/errs"
	"fuyi/services/ledger"
	"fuyi/services/lifecycle"
	"fuyi/services/litigation"
	"fuyi/services/organs"
	"fuyi/services/pii"
	"fuyi/services/settings"
	"fuyi/services/stats"
	"fuyi/services/telemetry"
	"fuyi/services/workflow"
)

// app is the wired application: the database and every service.
type app struct {
	cfg    *Config
	log    *slog.Logger
	db     *models.DB
	auth   *auth.Service
	organs *organs.Service
	cases  *lifecycle.Service
	stats  *stats.Service
	clock  *clock.Service
	lit    *litigation.Service
	audit  *audit.Service
	jobs   *ledger.Jobs
	wf     *workflow.Service
}

// openApp opens the database, migrates it when migrate is set (otherwise
// refuses a database that is not at this binary's schema version), and
// builds the services.
func openApp(ctx context.Context, cfg *Config, logOut io.Writer, migrate bool) (*app, error) {
	return openAppFor(ctx, cfg, logOut, migrate, false)
}

// openAppFor is openApp; bulkWrite opens the database for a process that
// writes large transactions and serves no readers (models.OpenOptions.BulkWrite).
func openAppFor(ctx context.Context, cfg *Config, logOut io.Writer, migrate, bulkWrite bool) (*app, error) {
	log := newLogger(cfg, logOut)
	db, err := models.Open(ctx, models.OpenOptions{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Debug: cfg.LogLevel == "debug", BulkWrite: bulkWrite})
	if err != nil {
		return nil, err
	}
	if migrate {
		applied, err := db.Migrate(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		if len(applied) > 0 {
			log.Info("migrated", "versions", applied)
		}
	} else {
		v, err := db.SchemaVersion(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		if v != models.LatestVersion() {
			db.Close()
			return nil, fmt.Errorf("database schema is at version %d, this binary needs %d: run `fuyi migrate`", v, models.LatestVersion())
		}
	}
	secret := []byte(cfg.JWTSecret)
	if len(secret) == 0 {
		s, err := settings.JWTSecret(ctx, db)
		if err != nil {
			db.Close()
			return nil, err
		}
		secret = s
	}
	a := &app{cfg: cfg, log: log, db: db}
	a.auth = auth.NewService(db, secret, nil)
	a.organs = organs.NewService(db)
	var sealer *pii.Sealer // nil: ID numbers stored as given
	if cfg.IDKey != nil {
		if sealer, err = pii.New(cfg.IDKey); err != nil {
			db.Close()
			return nil, fmt.Errorf("FUYI_ID_KEY: %w", err)
		}
	}
	a.cases = lifecycle.New(db, lifecycle.Options{PII: sealer})
	a.clock = clock.New(db, clock.Options{Cases: a.cases, Logger: log})
	a.stats = stats.New(db)
	a.lit = litigation.New(db, litigation.Options{Calendar: a.clock.Calendar})
	a.stats.SetLitigation(a.lit)
	a.wf = workflow.New(db, a.cases, workflow.Options{Calendar: a.clock.Calendar, DataDir: cfg.DataDir, MaxAttachmentBytes: cfg.MaxUploadBytes})
	a.audit = audit.New(db, nil)
	for _, h := range a.caseHooks() {
		a.cases.AddHook(h)
	}
	// The audit trail records every change made in the app inside its
	// transaction; an import is audited as one request (its cases carry
	// imported events), so a million-row ledger does not write a million
	// chained audit rows.
	a.cases.AddHook(a.audit.CaseHook)
	// Actions that need approval are refused outside the approval path.
	a.cases.SetGuard(a.wf.Guard)
	a.cases.SetMetricFilter(a.stats.MetricFilter)
	a.jobs = ledger.NewJobs(db, ledger.JobOptions{Dir: filepath.Join(cfg.DataDir, "imports"), BatchHook: a.importBatchHook, Deadlines: a.planImported, PrepareBatch: a.prepareImportBatch, Logger: log,
		Read: ledger.ReadOptions{MaxFileBytes: cfg.MaxUploadBytes}})
	a.jobs.Register(litigation.KindLedger, litigation.ImportLedger)
	return a, nil
}

// caseHooks run in the transaction of every case write — by hand, by import
// or by the demo — in this order: the deadlines first (the rollup reads the
// decision deadline's status), then the period lock, then the statistics
// rollup, then the performance follow-up an obliging decision opens (RL2023
// Art. 77).
func (a *app) caseHooks() []lifecycle.Hook {
	return []lifecycle.Hook{a.deadlinesAndStatistics, a.wf.FollowupHook}
}

// deadlinesAndStatistics is clock.Recompute, then stats.LockHook and
// stats.RollupHook, with the case's on-time flag read off the decision
// deadline just computed instead of read back from the database.
func (a *app) deadlinesAndStatistics(ctx context.Context, tx *gorm.DB, before, after *models.Case) error {
	rows, err := a.clock.RecomputeRows(ctx, tx, before, after)
	if err != nil {
		return err
	}
	ch := stats.CaseChange{Before: before, After: after, Derived: derivedOf(rows)}
	if err := a.stats.LockChange(ctx, tx, ch); err != nil {
		return err
	}
	return a.stats.RollupBatch(ctx, tx, []stats.CaseChange{ch})
}

// importBatchHook is caseHooks for a batch of imported cases: the deadlines
// of the whole batch at once (one query for the suspensions, bulk writes)
// unless the import wrote them (ImportOptions.Deadlines = clock.PlanNew),
// the period lock per case only when the batch's organs have a locked year
// (one query tells), the statistics rollup merged over the batch (each cell
// written once), then the follow-ups per case.
func (a *app) importBatchHook(ctx context.Context, tx *gorm.DB, changes []ledger.Change) error {
	var created, updated []models.Case
	pairs := make([]stats.CaseChange, len(changes))
	organs := map[int64]bool{}
	for i, ch := range changes {
		pairs[i] = stats.CaseChange{Before: ch.Before, After: ch.After}
		switch {
		case ch.Before == nil && ch.Deadlines != nil:
			// The import planned and wrote its deadlines (PlanNew): on time
			// is read off its decision deadline, without a query.
			pairs[i].Derived = derivedOf(ch.Deadlines)
		case ch.Before == nil:
			created = append(created, *ch.After)
		default:
			updated = append(updated, *ch.After)
			organs[ch.Before.OrganID] = true
		}
		organs[ch.After.OrganID] = true
	}
	for _, batch := range []struct {
		cases   []models.Case
		created bool
	}{{created, true}, {updated, false}} {
		if len(batch.cases) == 0 {
			continue
		}
		if _, err := a.clock.RecomputeBatch(ctx, tx, batch.cases, nil, batch.created); err != nil {
			return err
		}
	}
	if err := a.checkImportLocks(ctx, tx, organs, changes); err != nil {
		return err
	}
	if err := a.stats.RollupBatch(ctx, tx, pairs); err != nil {
		return err
	}
	return a.importFollowups(ctx, tx, changes)
}

// checkImportLocks refuses an import batch that changes a figure of a
// locked report period (stats.LockHook per case, only when one of the
// batch's organs has a lock).
func (a *app) checkImportLocks(ctx context.Context, tx *gorm.DB, organs map[int64]bool, changes []ledger.Change) error {
	locked, err := anyLock(ctx, tx, organs)
	if err != nil || !locked {
		return err
	}
	for _, ch := range changes {
		if err := a.stats.LockHook(ctx, tx, ch.Before, ch.After); err != nil {
			return err
		}
	}
	return nil
}

// importFollowups runs the performance follow-up hook of each imported case.
func (a *app) importFollowups(ctx context.Context, tx *gorm.DB, changes []ledger.Change) error {
	for _, ch := range changes {
		if err := a.wf.FollowupHook(ctx, tx, ch.Before, ch.After); err != nil {
			return err
		}
	}
	return nil
}

// prepareImportBatch is ImportOptions.PrepareBatch: for a batch of new
// cases whose deadlines the import planned (PlanNew), it computes the
// statistics rollup's change on the import's reading goroutine
// (stats.PrepareCreated) and returns the rest of importBatchHook: the
// period lock check, the prepared rollup's upserts and the follow-ups.
// Other batches (nil hook) run importBatchHook.
func (a *app) prepareImportBatch(changes []ledger.Change) (ledger.BatchHook, error) {
	pairs := make([]stats.CaseChange, len(changes))
	organs := map[int64]bool{}
	for i, ch := range changes {
		if ch.Before != nil || ch.Deadlines == nil {
			return nil, nil
		}
		pairs[i] = stats.CaseChange{After: ch.After, Derived: derivedOf(ch.Deadlines)}
		organs[ch.After.OrganID] = true
	}
	rollup, ok := a.stats.PrepareCreated(pairs)
	if !ok {
		return nil, nil
	}
	return func(ctx context.Context, tx *gorm.DB, changes []ledger.Change) error {
		if err := a.checkImportLocks(ctx, tx, organs, changes); err != nil {
			return err
		}
		if err := rollup.Write(ctx, tx); err != nil {
			return err
		}
		return a.importFollowups(ctx, tx, changes)
	}, nil
}

// derivedOf is stats.CaseChange.Derived of a case with these deadline
// rows: on time when its decision deadline is met; nil without a decision
// deadline (stats then applies its fallback).
func derivedOf(rows []models.Deadline) *int {
	for _, d := range rows {
		if d.Kind == string(deadline.Decision) {
			f := 0
			if d.Status == string(deadline.Met) {
				f = stats.FlagOnTime
			}
			return &f
		}
	}
	return nil
}

// planImported is ImportOptions.Deadlines: clock.PlanNew.
func (a *app) planImported(ctx context.Context, tx *gorm.DB) (ledger.PlanFunc, error) {
	return a.clock.PlanNew(ctx, tx)
}

// anyLock tells whether any of the organs has a locked report year; without
// one, stats.LockHook lets every write pass, so the import skips it.
func anyLock(ctx context.Context, tx *gorm.DB, organs map[int64]bool) (bool, error) {
	ids := make([]int64, 0, len(organs))
	for id := range organs {
		ids = append(ids, id)
	}
	var found []int64
	if err := tx.WithContext(ctx).Session(&gorm.Session{NewDB: true}).Model(&models.ReportLock{}).
		Where("organ_id IN ?", ids).Limit(1).Pluck("id", &found).Error; err != nil {
		return false, errs.Internal(err)
	}
	return len(found) > 0, nil
}

func (a *app) Close() error {
	if a.jobs != nil {
		a.jobs.Wait()
	}
	return a.db.Close()
}

// router builds the HTTP handler.
func (a *app) router() *api.Deps {
	spa, built := frontend.SPA()
	if !built {
		spa = nil
	}
	return &api.Deps{
		Logger:         a.log,
		Ready:          a.ready,
		MaxBodyBytes:   a.cfg.MaxBodyBytes,
		MaxUploadBytes: a.cfg.MaxUploadBytes,
		BehindTLS:      a.cfg.BehindTLS,
		TrustedProxies: a.cfg.TrustedProxies,
		SPA:            spa,
		Collectors:     telemetry.Collectors(a.db, time.Now),
		MetricsToken:   a.cfg.MetricsToken,
		Auth:           a.auth,
		Organs:         a.organs,
		Cases:          a.cases,
		Stats:          a.stats,
		Litigation:     a.lit,
		Deadlines:      a.clock,
		Imports:        a.jobs,
		Workflow:       a.wf,
		Audit:          a.audit,
	}
}

// ready checks the database and that its schema is the one this binary needs.
func (a *app) ready(ctx context.Context) error {
	if err := a.db.Ping(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	v, err := a.db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	if v != models.LatestVersion() {
		return fmt.Errorf("schema version %d, want %d", v, models.LatestVersion())
	}
	return nil
}

func newLogger(cfg *Config, w io.Writer) *slog.Logger {
	if w == nil {
		w = os.Stderr
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
