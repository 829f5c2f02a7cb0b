package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"fuyi/services/report"
)

type reportOpts struct {
	year                     int
	organ, format, out, lang string
}

func init() {
	addCommand(&command{
		Name:    "report",
		Summary: "print the yearly report (json, md, csv or xlsx) for one organ or all",
		Usage:   "--year YYYY [--organ NAME|ID] [--format json|md|csv|xlsx] [--lang zh|en] [--out FILE]",
		Examples: `  fuyi report --year 2022 --format md
  fuyi report --year 2022 --organ 北京市平谷区人民政府 --format xlsx --out 2022.xlsx
  fuyi report --year 2023 --format json`,
		Flags: func(fs *flag.FlagSet) any {
			o := &reportOpts{}
			fs.IntVar(&o.year, "year", 0, "the reporting year")
			fs.StringVar(&o.organ, "organ", "", "the organ's name or id (default: every organ)")
			fs.StringVar(&o.format, "format", "json", "json, md, csv or xlsx")
			fs.StringVar(&o.lang, "lang", "zh", "language of the Markdown paragraph: zh or en")
			fs.StringVar(&o.out, "out", "", "write to this file instead of standard output (required for xlsx on a terminal)")
			return o
		},
		Run: runReport,
	})
}

func runReport(ctx context.Context, env *cmdEnv, opts any, args []string) error {
	o := opts.(*reportOpts)
	if len(args) > 0 {
		return errUsage
	}
	if o.year < 1990 || o.year > 2100 {
		return fmt.Errorf("--year: give the reporting year, e.g. --year 2022")
	}
	switch o.format {
	case "json", "md", "csv", "xlsx":
	default:
		return fmt.Errorf("--format: must be json, md, csv or xlsx, got %q", o.format)
	}
	a, err := openApp(ctx, env.cfg, env.stderr, true)
	if err != nil {
		return err
	}
	defer a.Close()
	organIDs, err := a.organIDs(ctx, o.organ)
	if err != nil {
		return err
	}
	var w io.Writer = env.stdout
	var f *os.File
	if o.out != "" {
		f, err = os.Create(o.out)
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		w = f
	}
	err = report.New(a.stats).Render(ctx, w, o.format, o.year, organIDs, o.lang)
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(o.out)
		} else {
			fmt.Fprintf(env.stderr, "wrote %s\n", o.out)
		}
	}
	if err != nil {
		return describe(err)
	}
	return nil
}

// organIDs resolves --organ (a name or an id; empty = every organ).
func (a *app) organIDs(ctx context.Context, organ string) ([]int64, error) {
	all, err := a.organs.All(ctx)
	if err != nil {
		return nil, err
	}
	if organ == "" {
		ids := make([]int64, 0, len(all))
		for _, o := range all {
			ids = append(ids, o.ID)
		}
		return ids, nil
	}
	id, _ := strconv.ParseInt(organ, 10, 64)
	for _, o := range all {
		if o.Name == organ || o.ID == id {
			return []int64{o.ID}, nil
		}
	}
	return nil, fmt.Errorf("--organ: no organ named %q", organ)
}
