package models

import (
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// Migration 7: the statistics rollup at three grains (issue #9). The daily
// table of migration 2 keyed its cells by per-case reference dates (the
// acceptance date on received, the closing date on open, the intake date),
// so it held about one cell per case and a yearly report read ~40,000 rows.
// It is replaced by cells without reference dates at year, month and (for
// the totals) day grain (case_stat_year, case_stat_month, case_stat_daily:
// counts and per-flag counts by organ, slice, measure, period, slice key,
// outcome, termination), and case_stat_span, the intervals services/stats needs for
// the period-end dependent figures. The tables are built here from the cases
// table and the derived-flag memo (case_stat_flags, kept), with the rules of
// services/stats at the time of writing (see its package doc). It also
// widens the litigation period indexes so that the report's litigation
// block is index-only, and indexes the cases by intake date. Frozen: the SQL below is a copy; never edit it, add
// a migration instead.

func init() {
	register(Migration{Version: 7, Name: "statistics rollup by year, month and day", Up: func(tx *gorm.DB) error {
		pg := tx.Dialector.Name() == "postgres"
		ex := func(q string) error {
			if err := tx.Session(&gorm.Session{NewDB: true}).Exec(q).Error; err != nil {
				return fmt.Errorf("%w: %s", err, firstLine(q))
			}
			return nil
		}
		if err := ex("DROP TABLE IF EXISTS case_stat_daily"); err != nil {
			return err
		}
		suffix := " WITHOUT ROWID"
		if pg {
			suffix = ""
		}
		for _, t := range []string{"case_stat_year", "case_stat_month", "case_stat_daily"} {
			q := "CREATE TABLE " + t + ` (organ_id BIGINT NOT NULL, slice VARCHAR(12) NOT NULL, measure VARCHAR(30) NOT NULL,
				period VARCHAR(10) NOT NULL, slice_key VARCHAR(60) NOT NULL, outcome VARCHAR(40) NOT NULL, termination VARCHAR(40) NOT NULL,
				count BIGINT NOT NULL DEFAULT 0`
			for _, f := range v7FlagColumns {
				q += ", " + f + " BIGINT NOT NULL DEFAULT 0"
			}
			q += ", PRIMARY KEY (organ_id, slice, measure, period, slice_key, outcome, termination))" + suffix
			if err := ex(q); err != nil {
				return err
			}
		}
		if err := ex(`CREATE TABLE case_stat_span (organ_id BIGINT NOT NULL, grain VARCHAR(1) NOT NULL, bucket INTEGER NOT NULL,
			end_on VARCHAR(10) NOT NULL, start_on VARCHAR(10) NOT NULL, kind VARCHAR(30) NOT NULL, count BIGINT NOT NULL DEFAULT 0,
			PRIMARY KEY (organ_id, grain, bucket, end_on, start_on, kind))` + suffix); err != nil {
			return err
		}
		for _, q := range v7BuildSQL(pg) {
			if err := ex(q); err != nil {
				return err
			}
		}
		// The report's litigation block counts by kind and instance over the
		// period: the period indexes of migration 3 carry those columns now,
		// so the counts read the index alone.
		for _, q := range []string{
			"DROP INDEX ix_litigation_organ_notified",
			"CREATE INDEX ix_litigation_organ_notified ON litigation_cases (organ_id, notified_on, kind, instance)",
			"DROP INDEX ix_litigation_organ_concluded",
			"CREATE INDEX ix_litigation_organ_concluded ON litigation_cases (organ_id, concluded_on, kind, instance, lost)",
			"DROP INDEX ix_hearing_organ_held",
			"CREATE INDEX ix_hearing_organ_held ON litigation_hearings (organ_id, held_on, litigation_id, appeared_role)",
			// the days of a breakdown's partial months are counted from the
			// cases: not_accepted by intake_on
			"CREATE INDEX ix_case_organ_intake ON cases (organ_id, intake_on) WHERE intake_on IS NOT NULL",
		} {
			if err := ex(q); err != nil {
				return err
			}
		}
		return nil
	}})
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i > 0 {
		return q[:i]
	}
	return q
}

// v7FlagColumns are the per-flag count columns, in flag bit order.
var v7FlagColumns = []string{"f_on_time", "f_deemed_accepted", "f_partial", "f_redo", "f_hearing_held",
	"f_committee_consulted", "f_extended", "f_simplified"}

// v7BuildSQL fills the rollup of migration 7 from the cases table: a narrow
// temporary copy of the columns the rollup reads, the day cells of every
// measure and slice from it, the month cells from the day cells, the year
// cells from the month cells, then the spans.
func v7BuildSQL(pg bool) []string {
	intake := "('not_accepted','abandoned','withdrawn_before_acceptance','referred')"
	qs := []string{
		"DROP TABLE IF EXISTS stat_src",
		`CREATE TEMP TABLE stat_src AS SELECT c.organ_id AS organ_id, c.received_on AS received_on, c.accepted_on AS accepted_on,
			c.closed_on AS closed_on, c.outcome AS outcome, c.termination AS termination,
			CASE WHEN c.status IN ` + intake + ` AND c.intake_on IS NOT NULL THEN c.status ELSE '' END AS disp,
			CASE WHEN c.status IN ` + intake + ` AND c.intake_on IS NOT NULL THEN c.intake_on ELSE '' END AS disp_on,
			CAST(c.respondent_id AS TEXT) AS k_respondent, c.act_type AS k_act_type, c.area AS k_area,
			COALESCE(CAST(c.handler_id AS TEXT), '') AS k_handler,
			CASE WHEN c.accepted_on IS NOT NULL AND c.closed_on IS NOT NULL AND (COALESCE(f.flags, 0) & 1) = 1 THEN 1 ELSE 0 END AS b_on_time,
			CASE WHEN c.deemed_accepted THEN 1 ELSE 0 END AS b_deemed_accepted,
			CASE WHEN c.outcome_partial THEN 1 ELSE 0 END AS b_partial,
			CASE WHEN c.outcome_redo THEN 1 ELSE 0 END AS b_redo,
			CASE WHEN c.hearing_held THEN 1 ELSE 0 END AS b_hearing_held,
			CASE WHEN c.committee_consulted THEN 1 ELSE 0 END AS b_committee_consulted,
			CASE WHEN c.extension_days > 0 THEN 1 ELSE 0 END AS b_extended,
			CASE WHEN c.procedure = 'simplified' THEN 1 ELSE 0 END AS b_simplified
			FROM cases c LEFT JOIN case_stat_flags f ON f.case_id = c.id`,
	}
	cols := "organ_id, slice, measure, period, slice_key, outcome, termination, count, " + strings.Join(v7FlagColumns, ", ")
	zeros := strings.TrimSuffix(strings.Repeat("0, ", len(v7FlagColumns)), ", ")
	sums := func(only ...string) string {
		var out []string
		for _, f := range v7FlagColumns {
			b := "b_" + strings.TrimPrefix(f, "f_")
			use := len(only) == 0
			for _, o := range only {
				use = use || o == b
			}
			if use {
				out = append(out, "SUM("+b+")")
			} else {
				out = append(out, "0")
			}
		}
		return strings.Join(out, ", ")
	}
	type measure struct {
		name, day, outcome, termination, flags, where string
		sliced                                        bool
	}
	measures := []measure{
		{"received", "received_on", "''", "''", zeros, "1=1", true},
		{"accepted", "accepted_on", "''", "''", sums("b_deemed_accepted"), "accepted_on IS NOT NULL", true},
		{"closed", "closed_on", "outcome", "termination", sums(), "accepted_on IS NOT NULL AND closed_on IS NOT NULL", true},
		{"not_accepted", "disp_on", "''", "''", zeros, "disp = 'not_accepted'", true},
		{"abandoned", "disp_on", "''", "''", zeros, "disp = 'abandoned'", false},
		{"withdrawn_before_acceptance", "disp_on", "''", "''", zeros, "disp = 'withdrawn_before_acceptance'", false},
		{"referred", "disp_on", "''", "''", zeros, "disp = 'referred'", false},
		{"double", "CASE WHEN accepted_on > disp_on THEN accepted_on ELSE disp_on END", "''", "''", zeros, "accepted_on IS NOT NULL AND disp <> ''", false},
	}
	slices := []struct{ name, key string }{{"", "''"}, {"respondent", "k_respondent"}, {"act_type", "k_act_type"}, {"area", "k_area"}, {"handler", "k_handler"}}
	// the totals by day, the slices by month (no slice has day cells)
	for _, m := range measures {
		for _, sl := range slices {
			table, day := "case_stat_daily", m.day
			if sl.name != "" {
				if !m.sliced {
					continue
				}
				table, day = "case_stat_month", "substr("+m.day+", 1, 7)"
			}
			qs = append(qs, fmt.Sprintf(`INSERT INTO %s (%s)
				SELECT organ_id, '%s', '%s', %s, %s, %s, %s, COUNT(*), %s FROM stat_src WHERE %s GROUP BY 1, 2, 3, 4, 5, 6, 7`,
				table, cols, sl.name, m.name, day, sl.key, m.outcome, m.termination, m.flags, m.where))
		}
	}
	qs = append(qs, `INSERT INTO case_stat_daily (`+cols+`)
		SELECT organ_id, '', 'open', day, '', '', '', SUM(v), `+zeros+` FROM (
			SELECT organ_id, accepted_on AS day, 1 AS v FROM stat_src WHERE accepted_on IS NOT NULL
			UNION ALL SELECT organ_id, closed_on, -1 FROM stat_src WHERE accepted_on IS NOT NULL AND closed_on IS NOT NULL) o
		GROUP BY organ_id, day HAVING SUM(v) <> 0`)
	var fsums []string
	for _, f := range v7FlagColumns {
		fsums = append(fsums, "SUM("+f+")")
	}
	for _, lv := range []struct{ to, from, n string }{{"case_stat_month", "case_stat_daily", "7"}, {"case_stat_year", "case_stat_month", "4"}} {
		qs = append(qs, `INSERT INTO `+lv.to+` (`+cols+`)
			SELECT organ_id, slice, measure, substr(period, 1, `+lv.n+`), slice_key, outcome, termination, SUM(count), `+strings.Join(fsums, ", ")+`
			FROM `+lv.from+` GROUP BY 1, 2, 3, 4, 5, 6, 7`)
	}
	// Spans: one interval per kind of intake disposition (received →
	// disposed), and the inverted closings (closed before accepted).
	events := `SELECT organ_id, 'accepted' AS kind, received_on AS s, accepted_on AS e FROM stat_src WHERE accepted_on IS NOT NULL
		UNION ALL SELECT organ_id, disp, received_on, disp_on FROM stat_src WHERE disp <> ''
		UNION ALL SELECT organ_id, 'double', received_on, CASE WHEN accepted_on > disp_on THEN accepted_on ELSE disp_on END
			FROM stat_src WHERE accepted_on IS NOT NULL AND disp <> ''
		UNION ALL SELECT organ_id, 'closed', accepted_on, closed_on FROM stat_src
			WHERE accepted_on IS NOT NULL AND closed_on IS NOT NULL AND closed_on < accepted_on`
	days := "CAST(julianday(e) - julianday(s) AS INTEGER)"
	if pg {
		days = "(CAST(e AS date) - CAST(s AS date))"
	}
	monthNo := func(d string) string {
		return "(CAST(substr(" + d + ", 1, 4) AS INTEGER) * 12 + CAST(substr(" + d + ", 6, 2) AS INTEGER))"
	}
	qs = append(qs,
		`INSERT INTO case_stat_span (organ_id, grain, bucket, end_on, start_on, kind, count)
			SELECT organ_id, 'd', CASE WHEN e < s THEN 0 ELSE `+v7Bucket(days, 12)+` END, e, s, kind, COUNT(*)
			FROM (`+events+`) ev WHERE e <> s GROUP BY 1, 2, 3, 4, 5, 6`,
		`INSERT INTO case_stat_span (organ_id, grain, bucket, end_on, start_on, kind, count)
			SELECT organ_id, 'm', `+v7Bucket(monthNo("e")+" - "+monthNo("s"), 7)+`, substr(e, 1, 7), substr(s, 1, 7), kind, COUNT(*)
			FROM (`+events+`) ev WHERE kind <> 'closed' AND substr(e, 1, 7) > substr(s, 1, 7) GROUP BY 1, 2, 3, 4, 5, 6`,
		"DROP TABLE stat_src")
	return qs
}

// v7Bucket is the SQL of the bit length of a positive length, capped at top
// (which also takes a length that is NULL).
func v7Bucket(length string, top int) string {
	var sb strings.Builder
	sb.WriteString("CASE")
	for b := 1; b < top; b++ {
		fmt.Fprintf(&sb, " WHEN %s < %d THEN %d", length, 1<<b, b)
	}
	fmt.Fprintf(&sb, " ELSE %d END", top)
	return sb.String()
}
