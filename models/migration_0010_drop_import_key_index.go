package models

import "gorm.io/gorm"

// Migration 10: drop idx_cases_import_key. Nothing queries cases by
// import_key: the ledger import matches rows against the organ's cases,
// which it reads whole by organ_id (services/ledger loadIndex). The index
// cost every new case a B-tree insert at a random place within its year
// (import keys sort as text, "no:…〔2022〕10号" before "…2号") and 43 bytes.
// Frozen: never edit.

func init() {
	register(Migration{Version: 10, Name: "drop the unused import-key index", Up: func(tx *gorm.DB) error {
		return tx.Exec("DROP INDEX IF EXISTS idx_cases_import_key").Error
	}})
}
