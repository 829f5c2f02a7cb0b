package stats

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/errs"
)

// Rebuild recomputes the rollup (and the derived-flag memo) of the given
// organs — all organs when none are given — from the cases table, in one
// transaction, with INSERT … SELECT aggregates: the day cells from a narrow
// temporary copy of the cases, the month cells from the day cells, the year
// cells from the month cells, then the spans. Use it after bulk imports that
// bypass the hooks, or to repair. It states the rules of delta.addCase in SQL.
func (s *Service) Rebuild(ctx context.Context, organIDs ...int64) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		ex := func(q string, args ...any) error {
			if err := tx.Session(&gorm.Session{NewDB: true}).Exec(q, args...).Error; err != nil {
				return errs.Internal(fmt.Errorf("stats rebuild: %w", err))
			}
			return nil
		}
		// The organ ids are written into the SQL (integers): PostgreSQL takes
		// no bound parameters in CREATE TABLE … AS.
		organCond, caseCond := "1=1", "1=1"
		if len(organIDs) > 0 {
			ids := make([]string, len(organIDs))
			for i, id := range organIDs {
				ids[i] = strconv.FormatInt(id, 10)
			}
			in := "(" + strings.Join(ids, ",") + ")"
			organCond, caseCond = "organ_id IN "+in, "cases.organ_id IN "+in
		}
		for _, t := range append(cellTables[:], "case_stat_span") {
			if err := ex("DELETE FROM " + t + " WHERE " + organCond); err != nil {
				return err
			}
		}
		memoCond := "1=1"
		if len(organIDs) > 0 {
			memoCond = "case_id IN (SELECT id FROM cases WHERE " + caseCond + ")"
		}
		if err := ex("DELETE FROM case_stat_flags WHERE " + memoCond); err != nil {
			return err
		}
		if err := ex(`INSERT INTO case_stat_flags (case_id, flags) SELECT cases.id,
			CASE WHEN cases.accepted_on IS NOT NULL AND cases.closed_on IS NOT NULL AND ` + s.onTimeSQL() + ` THEN 1 ELSE 0 END
			FROM cases WHERE ` + caseCond); err != nil {
			return err
		}
		for _, q := range s.buildSQL(caseCond, organCond) {
			if err := ex(q); err != nil {
				return err
			}
		}
		return nil
	})
}

// buildSQL are the statements that fill the rollup of the cases matching
// caseCond (on cases) whose cells match organCond (on the rollup tables).
func (s *Service) buildSQL(caseCond, organCond string) []string {
	intake := "('" + strings.Join(intakeStatuses, "','") + "')"
	src := `CREATE TEMP TABLE stat_src AS SELECT cases.organ_id AS organ_id, cases.received_on AS received_on,
		cases.accepted_on AS accepted_on, cases.closed_on AS closed_on, cases.outcome AS outcome, cases.termination AS termination,
		CASE WHEN cases.status IN ` + intake + ` AND cases.intake_on IS NOT NULL THEN cases.status ELSE '' END AS disp,
		CASE WHEN cases.status IN ` + intake + ` AND cases.intake_on IS NOT NULL THEN cases.intake_on ELSE '' END AS disp_on,
		CAST(cases.respondent_id AS TEXT) AS k_respondent, cases.act_type AS k_act_type, cases.area AS k_area,
		COALESCE(CAST(cases.handler_id AS TEXT), '') AS k_handler`
	for _, f := range Flags {
		src += ", " + flagSQL(f.Code, true) + " AS b_" + f.Code
	}
	src += " FROM cases LEFT JOIN case_stat_flags f ON f.case_id = cases.id WHERE " + caseCond
	qs := []string{"DROP TABLE IF EXISTS stat_src", src}

	cols := "organ_id, slice, measure, period, slice_key, outcome, termination, count, " + strings.Join(flagColumns, ", ")
	sums := func(only ...string) string {
		out := make([]string, len(Flags))
		for i, f := range Flags {
			out[i] = "0"
			if len(only) == 0 || slices.Contains(only, f.Code) {
				out[i] = "SUM(b_" + f.Code + ")"
			}
		}
		return strings.Join(out, ", ")
	}
	zeros := strings.TrimSuffix(strings.Repeat("0, ", nFlags), ", ")
	type measure struct {
		name, day, outcome, termination, flags, where string
		sliced                                        bool
	}
	later := "CASE WHEN accepted_on > disp_on THEN accepted_on ELSE disp_on END"
	measures := []measure{
		{mReceived, "received_on", "''", "''", zeros, "1=1", true},
		{mAccepted, "accepted_on", "''", "''", sums("deemed_accepted"), "accepted_on IS NOT NULL", true},
		{mClosed, "closed_on", "outcome", "termination", sums(), "accepted_on IS NOT NULL AND closed_on IS NOT NULL", true},
		{mDouble, later, "''", "''", zeros, "accepted_on IS NOT NULL AND disp <> ''", false},
	}
	for _, st := range intakeStatuses {
		measures = append(measures, measure{st, "disp_on", "''", "''", zeros, "disp = '" + st + "'", st == mNotAccepted})
	}
	sliceKey := map[string]string{"": "''", SliceRespondent: "k_respondent", SliceActType: "k_act_type", SliceArea: "k_area", SliceHandler: "k_handler"}
	// the totals by day, the slices by month (no slice has day cells)
	for _, m := range measures {
		for _, sl := range append([]string{""}, storedSlices...) {
			table, day := cellTables[gDay], m.day
			if sl != "" {
				if !m.sliced {
					continue
				}
				table, day = cellTables[gMonth], "substr("+m.day+", 1, 7)"
			}
			qs = append(qs, fmt.Sprintf(`INSERT INTO %s (%s)
				SELECT organ_id, '%s', '%s', %s, %s, %s, %s, COUNT(*), %s FROM stat_src WHERE %s GROUP BY 1, 2, 3, 4, 5, 6, 7`,
				table, cols, sl, m.name, day, sliceKey[sl], m.outcome, m.termination, m.flags, m.where))
		}
	}
	qs = append(qs, `INSERT INTO case_stat_daily (`+cols+`)
		SELECT organ_id, '', '`+mOpen+`', day, '', '', '', SUM(v), `+zeros+` FROM (
			SELECT organ_id, accepted_on AS day, 1 AS v FROM stat_src WHERE accepted_on IS NOT NULL
			UNION ALL SELECT organ_id, closed_on, -1 FROM stat_src WHERE accepted_on IS NOT NULL AND closed_on IS NOT NULL) o
		GROUP BY organ_id, day HAVING SUM(v) <> 0`)
	fsums := make([]string, nFlags)
	for i, f := range flagColumns {
		fsums[i] = "SUM(" + f + ")"
	}
	for g := gDay; g > gYear; g-- {
		// month totals from the day totals; years of totals and slices from
		// the months
		qs = append(qs, fmt.Sprintf(`INSERT INTO %s (%s)
			SELECT organ_id, slice, measure, substr(period, 1, %d), slice_key, outcome, termination, SUM(count), %s
			FROM %s WHERE %s GROUP BY 1, 2, 3, 4, 5, 6, 7`, cellTables[g-1], cols, periodLen[g-1], strings.Join(fsums, ", "), cellTables[g], organCond))
	}
	events := `SELECT organ_id, '` + mAccepted + `' AS kind, received_on AS s, accepted_on AS e FROM stat_src WHERE accepted_on IS NOT NULL
		UNION ALL SELECT organ_id, disp, received_on, disp_on FROM stat_src WHERE disp <> ''
		UNION ALL SELECT organ_id, '` + mDouble + `', received_on, ` + later + ` FROM stat_src WHERE accepted_on IS NOT NULL AND disp <> ''
		UNION ALL SELECT organ_id, '` + kindClosed + `', accepted_on, closed_on FROM stat_src
			WHERE accepted_on IS NOT NULL AND closed_on IS NOT NULL AND closed_on < accepted_on`
	days := "CAST(julianday(e) - julianday(s) AS INTEGER)"
	if s.db.Dialect == models.Postgres {
		days = "(CAST(e AS date) - CAST(s AS date))"
	}
	monthNo := func(d string) string {
		return "(CAST(substr(" + d + ", 1, 4) AS INTEGER) * 12 + CAST(substr(" + d + ", 6, 2) AS INTEGER))"
	}
	qs = append(qs,
		`INSERT INTO case_stat_span (organ_id, grain, bucket, end_on, start_on, kind, count)
			SELECT organ_id, 'd', CASE WHEN e < s THEN 0 ELSE `+bucketSQL(days, topDayBucket)+` END, e, s, kind, COUNT(*)
			FROM (`+events+`) ev WHERE e <> s GROUP BY 1, 2, 3, 4, 5, 6`,
		`INSERT INTO case_stat_span (organ_id, grain, bucket, end_on, start_on, kind, count)
			SELECT organ_id, 'm', `+bucketSQL(monthNo("e")+" - "+monthNo("s"), topMonthBucket)+`, substr(e, 1, 7), substr(s, 1, 7), kind, COUNT(*)
			FROM (`+events+`) ev WHERE kind <> '`+kindClosed+`' AND substr(e, 1, 7) > substr(s, 1, 7) GROUP BY 1, 2, 3, 4, 5, 6`,
		"DROP TABLE stat_src")
	return qs
}

// flagSQL is 1 when the case (cases, with its memo as f) has the flag, else
// 0; the derived on_time needs the case accepted and closed unless closed
// is already a condition of the query.
func flagSQL(code string, checkClosed bool) string {
	cond := map[string]string{
		"on_time":             "(COALESCE(f.flags, 0) & 1) = 1",
		"deemed_accepted":     "cases.deemed_accepted",
		"partial":             "cases.outcome_partial",
		"redo":                "cases.outcome_redo",
		"hearing_held":        "cases.hearing_held",
		"committee_consulted": "cases.committee_consulted",
		"extended":            "cases.extension_days > 0",
		"simplified":          "cases.procedure = 'simplified'",
	}[code]
	if code == "on_time" && checkClosed {
		cond = "cases.accepted_on IS NOT NULL AND cases.closed_on IS NOT NULL AND " + cond
	}
	return "CASE WHEN " + cond + " THEN 1 ELSE 0 END"
}

// bucketSQL is the SQL of bits.Len of a positive length, capped at top
// (which also takes a NULL length, as dayBucket an unparsable date).
func bucketSQL(length string, top int) string {
	var sb strings.Builder
	sb.WriteString("CASE")
	for b := 1; b < top; b++ {
		fmt.Fprintf(&sb, " WHEN %s < %d THEN %d", length, 1<<b, b)
	}
	fmt.Fprintf(&sb, " ELSE %d END", top)
	return sb.String()
}
