package models

import (
	"fmt"

	"gorm.io/gorm"
)

// Migration 9: the litigation rollup (issue #9). The report's litigation
// block counted the suits of its period from litigation_cases (index ranges
// over every suit of the period: ~30 ms a national year, linear in data).
// litigation_stat holds, per organ, grain (0 year "YYYY", 1 month
// "YYYY-MM", 2 day "YYYY-MM-DD") and period, the number of suits notified
// (measure notified, by kind and instance), concluded (measure concluded, by
// kind and instance, with how many of them were lost) and the hearings held
// (measure hearing, by the suit's kind, instance "", with how many had a
// head or deputy head appear). services/litigation keeps it in step with
// every write of a suit or a hearing and reads whole years, whole months
// and the days of partial months. The table is built here from the existing
// rows with the rules of services/litigation at the time of writing. Frozen:
// the SQL below is a copy; never edit it, add a migration instead.

func init() {
	register(Migration{Version: 9, Name: "litigation rollup", Up: func(tx *gorm.DB) error {
		pg := tx.Dialector.Name() == "postgres"
		suffix := " WITHOUT ROWID"
		if pg {
			suffix = ""
		}
		qs := []string{`CREATE TABLE litigation_stat (organ_id BIGINT NOT NULL, grain INTEGER NOT NULL, period VARCHAR(10) NOT NULL,
			measure VARCHAR(12) NOT NULL, kind VARCHAR(20) NOT NULL, instance VARCHAR(20) NOT NULL,
			count BIGINT NOT NULL DEFAULT 0, lost BIGINT NOT NULL DEFAULT 0, head BIGINT NOT NULL DEFAULT 0,
			PRIMARY KEY (organ_id, grain, period, measure, kind, instance))` + suffix}
		qs = append(qs, v9BuildSQL()...)
		for _, q := range qs {
			if err := tx.Session(&gorm.Session{NewDB: true}).Exec(q).Error; err != nil {
				return fmt.Errorf("%w: %s", err, firstLine(q))
			}
		}
		return nil
	}})
}

// v9BuildSQL fills litigation_stat from every suit and hearing: the day
// cells from the rows (a hearing counts under its suit's kind; a hearing
// whose suit is missing counts nowhere), the month cells from the day cells,
// the year cells from the month cells.
func v9BuildSQL() []string {
	cols := "organ_id, grain, period, measure, kind, instance, count, lost, head"
	return []string{
		`INSERT INTO litigation_stat (` + cols + `)
			SELECT l.organ_id, 2, l.notified_on, 'notified', l.kind, l.instance, COUNT(*), 0, 0
			FROM litigation_cases l GROUP BY l.organ_id, l.notified_on, l.kind, l.instance`,
		`INSERT INTO litigation_stat (` + cols + `)
			SELECT l.organ_id, 2, l.concluded_on, 'concluded', l.kind, l.instance, COUNT(*), SUM(CASE WHEN l.lost THEN 1 ELSE 0 END), 0
			FROM litigation_cases l WHERE l.concluded_on IS NOT NULL GROUP BY l.organ_id, l.concluded_on, l.kind, l.instance`,
		`INSERT INTO litigation_stat (` + cols + `)
			SELECT h.organ_id, 2, h.held_on, 'hearing', l.kind, '', COUNT(*),
				0, SUM(CASE WHEN h.appeared_role IN ('head', 'deputy_head') THEN 1 ELSE 0 END)
			FROM litigation_hearings h JOIN litigation_cases l ON l.id = h.litigation_id
			GROUP BY h.organ_id, h.held_on, l.kind`,
		`INSERT INTO litigation_stat (` + cols + `)
			SELECT organ_id, 1, substr(period, 1, 7), measure, kind, instance, SUM(count), SUM(lost), SUM(head)
			FROM litigation_stat WHERE grain = 2 GROUP BY organ_id, substr(period, 1, 7), measure, kind, instance`,
		`INSERT INTO litigation_stat (` + cols + `)
			SELECT organ_id, 0, substr(period, 1, 4), measure, kind, instance, SUM(count), SUM(lost), SUM(head)
			FROM litigation_stat WHERE grain = 1 GROUP BY organ_id, substr(period, 1, 4), measure, kind, instance`,
	}
}
