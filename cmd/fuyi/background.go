package main

import (
	"context"
	"sync"
	"time"
)

var bgWG sync.WaitGroup

// startBackground starts the periodic jobs of serve (the deadline sweep).
// They stop when ctx is cancelled.
func (a *app) startBackground(ctx context.Context) {
	for _, job := range a.backgroundJobs() {
		bgWG.Add(1)
		go func() {
			defer bgWG.Done()
			job(ctx)
		}()
	}
}

func (a *app) waitBackground() { bgWG.Wait() }

// backgroundJobs lists the jobs; each runs until ctx is done.
func (a *app) backgroundJobs() []func(ctx context.Context) {
	var jobs []func(ctx context.Context)
	if a.cfg.SweepInterval > 0 {
		// The deadline sweep: statuses, reminders, deemed acceptance. Safe with
		// several instances (a lease in the database, idempotent inserts).
		jobs = append(jobs, func(ctx context.Context) { a.clock.Run(ctx, a.cfg.SweepInterval) })
		// Import jobs abandoned by a dead instance are failed; old files removed.
		jobs = append(jobs, func(ctx context.Context) {
			t := time.NewTicker(a.cfg.SweepInterval)
			defer t.Stop()
			for {
				if err := a.jobs.Sweep(ctx); err != nil && ctx.Err() == nil {
					a.log.Warn("import job sweep", "err", err)
				}
				// Follow-ups past their due date turn overdue (one idempotent UPDATE).
				if _, err := a.wf.RefreshFollowups(ctx); err != nil && ctx.Err() == nil {
					a.log.Warn("follow-up refresh", "err", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		})
	}
	return jobs
}
