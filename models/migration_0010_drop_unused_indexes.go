package models

import "gorm.io/gorm"

// Migration 10: drop two indexes no query reads, which every new case
// paid for (issue #6: the ledger import writes a million cases in one
// transaction).
//
//   - idx_cases_import_key: the ledger import matches rows against the
//     organ's cases, which it reads whole by organ_id (services/ledger
//     loadIndex). Each case cost a B-tree insert at a random place within
//     its year (import keys sort as text: "…〔2022〕10号" before "…2号").
//   - idx_deadlines_handler_id: deadlines are found by organ, status and due
//     date (ix_deadline_open) or by case (ux_deadline_subject); the handler
//     is only joined to users (by the users' key) and tested for NULL after
//     those. Each case cost ~4 inserts of a NULL (imported cases have no
//     handler).
//
// Frozen: never edit.

func init() {
	register(Migration{Version: 10, Name: "drop unused indexes", Up: func(tx *gorm.DB) error {
		for _, q := range []string{"DROP INDEX IF EXISTS idx_cases_import_key", "DROP INDEX IF EXISTS idx_deadlines_handler_id"} {
			if err := tx.Exec(q).Error; err != nil {
				return err
			}
		}
		return nil
	}})
}
