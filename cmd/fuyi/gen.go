package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/calendar"
	"fuyi/services/gen"
)

type genOpts struct {
	scale, until, csv, user, password string
	stage                             string
	seed                              uint64
	csvRows                           int
	noLoad                            bool
}

func init() {
	addCommand(&command{
		Name:    "gen",
		Summary: "generate a deterministic benchmark data set (district, city, national): bulk load and/or ledger CSV",
		Usage:   "--scale district|city|national|export [--csv FILE [--csv-rows N]] [--no-load] [--stage all|load|derived] [--seed N] [--until YYYY-MM-DD]",
		Examples: `  FUYI_DATA_DIR=/tmp/city fuyi gen --scale city            # load 200,000 cases into an empty database
  fuyi gen --scale district --no-load --csv district.csv    # only the ledger of the first organ
  FUYI_BENCH_PASSWORD=… fuyi gen --scale city --user bench  # also a manager granted every organ`,
		Flags: func(fs *flag.FlagSet) any {
			o := &genOpts{}
			fs.StringVar(&o.scale, "scale", "district", "district (5,000 cases), city (200,000), national (5,000,000 + 1,000,000 litigation) or export (1,000,000 cases in one year)")
			fs.StringVar(&o.until, "until", "2026-10-31", "last day of the ten generated years (fixed for determinism)")
			fs.Uint64Var(&o.seed, "seed", 2026, "random seed")
			fs.StringVar(&o.csv, "csv", "", "also write the first organ's cases as a ledger CSV to FILE")
			fs.IntVar(&o.csvRows, "csv-rows", 0, "at most N rows in the CSV (0 = all of the first organ's cases; more than those continues with the next organs')")
			fs.BoolVar(&o.noLoad, "no-load", false, "do not touch the database (with --csv)")
			fs.StringVar(&o.stage, "stage", "all", "all; load (the bulk insert only); derived (only the derived rows — rollup, deadlines — the bench user and ANALYZE, over the data already loaded)")
			fs.StringVar(&o.user, "user", "bench", "username of a manager granted every generated organ (empty: none)")
			fs.StringVar(&o.password, "password", os.Getenv("FUYI_BENCH_PASSWORD"), "its password (env FUYI_BENCH_PASSWORD)")
			return o
		},
		Run: runGen,
	})
}

func runGen(ctx context.Context, env *cmdEnv, opts any, args []string) error {
	o := opts.(*genOpts)
	if len(args) > 0 {
		return errUsage
	}
	sc, err := gen.ScaleByName(o.scale)
	if err != nil {
		return err
	}
	until, err := calendar.ParseDate(o.until)
	if err != nil {
		return fmt.Errorf("--until: %w", err)
	}
	plan := gen.NewPlan(sc, o.seed, until)
	if o.csv != "" {
		start := time.Now()
		f, err := os.Create(o.csv)
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		n, err := gen.WriteCSV(bw, plan, 0, o.csvRows)
		if err == nil {
			err = bw.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		of := sc.Organs[0].Name
		if n > plan.CasesOf(0) {
			of += " and the next organs"
		}
		fmt.Fprintf(env.stdout, "gen: wrote %d ledger rows of %s to %s in %s\n", n, of, o.csv, time.Since(start).Round(time.Millisecond))
	}
	if o.noLoad {
		return nil
	}
	if o.stage != "all" && o.stage != "load" && o.stage != "derived" {
		return fmt.Errorf("--stage: must be all, load or derived, got %q", o.stage)
	}
	if o.user != "" && o.password == "" && o.stage != "load" {
		return fmt.Errorf("--password (or FUYI_BENCH_PASSWORD) is required with --user")
	}
	a, err := openApp(ctx, env.cfg, env.stderr, true)
	if err != nil {
		return err
	}
	defer a.Close()
	start := time.Now()
	res := &gen.LoadResult{}
	err = a.db.BulkLoad(ctx, func() error {
		var err error
		if o.stage != "derived" {
			res, err = gen.Load(ctx, a.db, plan, env.stderr)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "gen: %d organs, %d cases, %d events, %d litigation records inserted in %s\n",
				res.Organs, res.Cases, res.Events, res.Litigation, time.Since(start).Round(time.Millisecond))
			if o.stage == "load" {
				return nil
			}
		} else if err := a.db.Read.WithContext(ctx).Model(&models.Organ{}).Order("id").Pluck("id", &res.OrganIDs).Error; err != nil {
			return err
		}
		loaded := time.Now()
		// The derived rows, computed by the services themselves: the
		// deadlines first, as a case write runs its hooks, since the
		// rollup's on-time flag reads the decision deadline.
		rr, err := a.clock.RecomputeAll(ctx)
		if err != nil {
			return fmt.Errorf("deadlines: %w", err)
		}
		recomputed := time.Now()
		fmt.Fprintf(env.stdout, "gen: deadlines of %d cases recomputed (%d rows, %d refused) in %s\n", rr.Cases, rr.Rows, rr.Failed, recomputed.Sub(loaded).Round(time.Millisecond))
		if err := a.stats.Rebuild(ctx); err != nil {
			return fmt.Errorf("stats rebuild: %w", err)
		}
		rebuilt := time.Now()
		fmt.Fprintf(env.stdout, "gen: statistics rollup rebuilt in %s\n", rebuilt.Sub(recomputed).Round(time.Millisecond))
		if err := a.lit.Rebuild(ctx); err != nil {
			return fmt.Errorf("litigation rollup rebuild: %w", err)
		}
		fmt.Fprintf(env.stdout, "gen: litigation rollup rebuilt in %s\n", time.Since(rebuilt).Round(time.Millisecond))
		// Inside BulkLoad: its closing checkpoint must be the last statement
		// on the write connection (see the report of issue 9).
		if o.user != "" {
			if _, err := a.auth.CreateUser(ctx, auth.NewUser{Username: o.user, DisplayName: "基准测试", Role: auth.RoleManager, Password: o.password, OrganIDs: res.OrganIDs}); err != nil {
				return err
			}
		}
		if a.db.Dialect == "sqlite" {
			return a.db.Write.WithContext(ctx).Exec("ANALYZE").Error
		}
		return nil
	})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.stdout, "gen: %s scale loaded in %s\n", sc.Name, time.Since(start).Round(time.Millisecond))
	return nil
}
