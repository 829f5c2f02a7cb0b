package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"

	"golang.org/x/term"

	"fuyi/models"
	"fuyi/services/ledger"
	"fuyi/services/litigation"
)

type importOpts struct {
	organ, sheet, kind string
	dryRun, skip       bool
}

type exportOpts struct{ organ, format, out string }

func init() {
	addCommand(&command{
		Name:    "import",
		Summary: "import a ledger (台账, XLSX or CSV): validate every row first, then all or nothing; idempotent",
		Usage:   "FILE [--organ NAME] [--sheet NAME] [--kind cases|litigation] [--dry-run] [--skip-conflicts]",
		Examples: `  fuyi import 2022台账.xlsx --organ 北京市平谷区人民政府 --dry-run
  fuyi import --organ 北京市平谷区人民政府 ledger.csv
  fuyi import 应诉台账.xlsx --kind litigation --organ 北京市平谷区人民政府`,
		Flags: func(fs *flag.FlagSet) any {
			o := &importOpts{}
			fs.StringVar(&o.organ, "organ", "", "import into this organ (created when it does not exist); default: the only organ")
			fs.StringVar(&o.sheet, "sheet", "", "the XLSX sheet (default: the first)")
			fs.StringVar(&o.kind, "kind", "cases", "cases (reconsideration ledger) or litigation (应诉台账)")
			fs.BoolVar(&o.dryRun, "dry-run", false, "validate and report; write nothing")
			fs.BoolVar(&o.skip, "skip-conflicts", false, "import the other rows when some cases were edited in the app since their import")
			return o
		},
		Run: runImport,
	})
	addCommand(&command{
		Name:     "export",
		Summary:  "export an organ's cases as a ledger (the import's columns), XLSX or CSV",
		Usage:    "--organ NAME [--format xlsx|csv] --out FILE",
		Examples: "  fuyi export --organ 北京市平谷区人民政府 --format xlsx --out 平谷台账.xlsx",
		Flags: func(fs *flag.FlagSet) any {
			o := &exportOpts{}
			fs.StringVar(&o.organ, "organ", "", "the organ's name or id")
			fs.StringVar(&o.format, "format", "xlsx", "xlsx or csv")
			fs.StringVar(&o.out, "out", "", "the file to write")
			return o
		},
		Run: runExport,
	})
}

func runImport(ctx context.Context, env *cmdEnv, opts any, args []string) error {
	o := opts.(*importOpts)
	if len(args) != 1 {
		return errUsage
	}
	importer := ledger.Import
	switch o.kind {
	case ledger.KindCases:
	case litigation.KindLedger:
		importer = litigation.ImportLedger
	default:
		return fmt.Errorf("--kind: must be cases or litigation, got %q", o.kind)
	}
	importRuntime()
	a, err := openAppFor(ctx, env.cfg, env.stderr, true, !o.dryRun)
	if err != nil {
		return err
	}
	defer a.Close()
	if !o.dryRun && a.db.Dialect == models.SQLite && !a.db.RollbackJournal() {
		fmt.Fprintln(env.stderr, "数据库正由其他进程打开（如运行中的服务），导入经 WAL 写入，较慢 / the database is open in another process (a running server?): the import writes through the WAL, which is slower")
	}
	terminal := false
	if f, ok := env.stderr.(*os.File); ok {
		terminal = term.IsTerminal(int(f.Fd()))
	}
	printer := ledger.NewPrinter(env.stderr, terminal)
	res, err := importer(ctx, a.db, ledger.ImportOptions{
		Path: args[0], Read: ledger.ReadOptions{Sheet: o.sheet}, OrganName: o.organ, CreateOrgan: o.organ != "",
		DryRun: o.dryRun, SkipConflicts: o.skip, ActorName: "fuyi import", BatchHook: a.importBatchHook, Deadlines: a.planImported, PrepareBatch: a.prepareImportBatch, Phase: printer.Phase,
	}, printer.Progress)
	printer.Done()
	if err != nil {
		return describe(err)
	}
	if err := res.WriteReport(env.stdout); err != nil {
		return err
	}
	if !res.OK() {
		return exitCode(1)
	}
	return nil
}

func runExport(ctx context.Context, env *cmdEnv, opts any, args []string) error {
	o := opts.(*exportOpts)
	if len(args) > 0 || o.organ == "" || o.out == "" {
		return errUsage
	}
	if o.format != "xlsx" && o.format != "csv" {
		return fmt.Errorf("--format: must be xlsx or csv, got %q", o.format)
	}
	a, err := openApp(ctx, env.cfg, env.stderr, true)
	if err != nil {
		return err
	}
	defer a.Close()
	ids, err := a.organIDs(ctx, o.organ)
	if err != nil {
		return err
	}
	f, err := os.Create(o.out)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	err = ledger.Export(ctx, a.db, ids[0], o.format, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(o.out)
		return describe(err)
	}
	fmt.Fprintf(env.stdout, "wrote %s\n", o.out)
	return nil
}

// importRuntime tunes the Go runtime for `fuyi import`, unless set in the
// environment:
//   - the collector as in serve, GOGC=400 within a 320 MiB soft limit: it was
//     ~15 % of a million-row import's CPU (~30 KB allocated a row), taken from
//     the single SQLite writer on a two-core machine; the import's peak stays
//     near what it was with the default (~470 MB with SQLite's 64 MiB page
//     cache for the import; the heap that stays live is ~100 MB);
//   - one more P than the default GOMAXPROCS: the writer spends most of its
//     time inside SQLite (C), and each time it comes back it needs a P, which
//     on two cores the reading goroutine and the collector were holding — a
//     million-row import took 43–54.7 s with 3 and 49.4–63.7 s with 2 (four
//     pairs, alternated).
func importRuntime() {
	tuneGC(400, 320<<20)
	if os.Getenv("GOMAXPROCS") == "" {
		oneMoreP.Do(func() { runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 1) })
	}
}

// oneMoreP: once per process (tests run many imports in one).
var oneMoreP sync.Once
