package main

import (
	"context"
	"flag"
)

func init() {
	addCommand(&command{
		Name:     "sweep",
		Summary:  "run the deadline sweep once: statuses, reminders (5 and 1 working days, missed), deemed acceptance",
		Usage:    "[flags]",
		Examples: "  fuyi sweep\n  fuyi sweep --database-url postgres://fuyi@db/fuyi",
		Run: func(ctx context.Context, env *cmdEnv, _ any, args []string) error {
			if len(args) > 0 {
				return errUsage
			}
			a, err := openApp(ctx, env.cfg, env.stderr, true)
			if err != nil {
				return err
			}
			defer a.Close()
			return a.clock.SweepCommand(ctx, env.stdout)
		},
	})
	addCommand(&command{
		Name:    "calendar",
		Summary: "the working-day calendar: list the covered years, or import a year (validated)",
		Usage:   "list | import FILE",
		Examples: `  fuyi calendar list
  fuyi calendar import 2027.json    # {"year":2027,"source":"国办发明电…","days":[{"date":"2027-01-01","name":"元旦","off":true}, …]}`,
		Flags: func(fs *flag.FlagSet) any { return nil },
		Run: func(ctx context.Context, env *cmdEnv, _ any, args []string) error {
			if len(args) == 0 || (args[0] == "import" && len(args) != 2) || (args[0] == "list" && len(args) != 1) {
				return errUsage
			}
			a, err := openApp(ctx, env.cfg, env.stderr, true)
			if err != nil {
				return err
			}
			defer a.Close()
			switch args[0] {
			case "list":
				return a.clock.PrintCalendar(ctx, env.stdout)
			case "import":
				return describeErr(a.clock.ImportCalendarFile(ctx, args[1], env.stdout))
			}
			return errUsage
		},
	})
}

func describeErr(err error) error {
	if err == nil {
		return nil
	}
	return describe(err)
}
