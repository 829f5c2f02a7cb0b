package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"fuyi/services/demo"
)

type demoOpts struct{ ifEmpty bool }

func init() {
	addCommand(&command{
		Name:    "demo",
		Summary: "load the demo: a district reproducing the 2022 seed report, 2023–2024 trends, users admin/manager/officer/reporter/other",
		Usage:   "[--if-empty]",
		Examples: `  FUYI_DEMO_PASSWORD='Demo-pass-2024' fuyi demo
  fuyi demo --if-empty     # do nothing when the database already has data (make run)`,
		Flags: func(fs *flag.FlagSet) any {
			o := &demoOpts{}
			fs.BoolVar(&o.ifEmpty, "if-empty", false, "skip silently when the database already holds organs")
			return o
		},
		Run: runDemo,
	})
}

func runDemo(ctx context.Context, env *cmdEnv, opts any, args []string) error {
	o := opts.(*demoOpts)
	if len(args) > 0 {
		return errUsage
	}
	a, err := openApp(ctx, env.cfg, env.stderr, true)
	if err != nil {
		return err
	}
	defer a.Close()
	if o.ifEmpty {
		n, err := a.organs.Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			fmt.Fprintln(env.stdout, "demo: the database already has data; nothing loaded")
			return nil
		}
	}
	start := time.Now()
	var sum *demo.Summary
	err = a.db.BulkLoad(ctx, func() error {
		var err error
		sum, err = demo.Load(ctx, a.demoServices(), env.cfg.DemoPassword)
		return err
	})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.stdout, "demo loaded in %s: organs %v, %d cases, users %v\n", time.Since(start).Round(time.Millisecond), sum.Organs, sum.Cases, sum.Users)
	if env.cfg.DemoPassword == "" {
		fmt.Fprintf(env.stdout, "demo password (all demo users): %s\n", sum.Password)
	}
	return nil
}

// demoServices are the services the demo loader drives.
func (a *app) demoServices() demo.Services {
	return demo.Services{Auth: a.auth, Organs: a.organs, Cases: a.cases,
		Litigation: demo.LitigationLoader(a.db, a.lit, a.cases)}
}
