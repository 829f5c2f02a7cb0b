package main

import (
	"context"
	"sync"
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
	return nil
}
