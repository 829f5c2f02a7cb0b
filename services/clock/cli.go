package clock

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"fuyi/services/auth"
	"fuyi/services/errs"
)

// SweepCommand is `fuyi sweep`: one sweep, its summary printed to w.
func (s *Service) SweepCommand(ctx context.Context, w io.Writer) error {
	r, err := s.Sweep(ctx)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, r.String())
	return err
}

// ImportCalendarFile is `fuyi calendar import FILE`: it validates the
// notice JSON in path (the PUT /api/v1/calendar/{year} format), adds or
// replaces its year as the system administrator, recomputes the affected
// deadlines and prints the year and its counts to w. A validation error
// names the field and the date.
func (s *Service) ImportCalendarFile(ctx context.Context, path string, w io.Writer) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	system := &auth.Principal{Username: "system", Role: auth.RoleAdmin}
	r, err := s.PutYear(ctx, system, 0, data)
	if err != nil {
		if e := errs.As(err); e.Kind != errs.KindInternal {
			return fmt.Errorf("%s: %s", path, e.Message.EN)
		}
		return err
	}
	verb := "added"
	if r.Replaced {
		verb = "replaced"
	}
	_, err = fmt.Fprintf(w, "%d %s (%s): %d days off, %d make-up working days; deadlines of %d cases recomputed\n",
		r.Year.Year, verb, r.Year.Source, r.Year.OffDays, r.Year.WorkDays, r.Recomputed.Cases)
	return err
}

// PrintCalendar is `fuyi calendar list`: the covered years as a table.
func (s *Service) PrintCalendar(ctx context.Context, w io.Writer) error {
	years, err := s.ListYears(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "YEAR\tORIGIN\tOFF\tWORK\tSOURCE")
	for _, y := range years {
		origin := "built-in"
		switch {
		case y.Overridden:
			origin = "admin (replaces built-in)"
		case !y.Builtin:
			origin = "admin"
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\n", y.Year, origin, y.OffDays, y.WorkDays, y.Source)
	}
	return tw.Flush()
}
