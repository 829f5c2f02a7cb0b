package models

import "gorm.io/gorm"

// auditChainLockKey is the PostgreSQL advisory lock that serialises appends
// to the audit chain across instances (an arbitrary constant: "fuyiaudi").
const auditChainLockKey = 0x66757969_61756469

// LockAuditChain takes, on PostgreSQL, the transaction-scoped advisory lock
// that serialises appends to the audit chain (held until the transaction
// ends; taking it again in the same transaction is a no-op wait). On SQLite
// the single writer serialises every transaction and it does nothing.
//
// A write transaction that appends to the chain and also locks a row that
// other writers queue for (a case-number counter) takes this lock first:
// one order, so that no transaction waits for the chain while holding the
// row, which made every other creator of the organ's year queue behind it.
func LockAuditChain(tx *gorm.DB) error {
	if tx.Dialector.Name() != "postgres" {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(?)", int64(auditChainLockKey)).Error
}
