package models

import "gorm.io/gorm"

// Migration 8: two indexes for the case list.
//
// ix_case_received serves the list's default shape — no status filter, over
// all of a user's organs, newest first (the list page as it opens). With
// received_on and id leading it gives the list's order across organs
// directly, and organ_id in it answers the scope filter without reading the
// row: a page and the page after a cursor read only the rows they return.
// Without it PostgreSQL sorted every case of the user's organs for each page,
// and SQLite stepped every organ's part of ix_case_organ_received for a deep
// page number.
//
// ix_deadline_case_overdue holds just the case deadlines that can be overdue
// (not done, open or missed: a few per open case) by due date, so that the
// list's overdue=true (and its count) reads those instead of every deadline
// (PostgreSQL scanned the whole table). Frozen: never edit.

func init() {
	register(Migration{Version: 8, Name: "case list indexes", Up: func(tx *gorm.DB) error {
		for _, q := range []string{
			"CREATE INDEX ix_case_received ON cases (received_on, id, organ_id)",
			"CREATE INDEX ix_deadline_case_overdue ON deadlines (due_on, subject_id) WHERE subject_type = 'case' AND met_on IS NULL AND status IN ('open', 'missed')",
		} {
			if err := tx.Exec(q).Error; err != nil {
				return err
			}
		}
		return nil
	}})
}
