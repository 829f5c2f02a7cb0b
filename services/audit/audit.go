// Package audit is Fuyi's tamper-evident audit trail: an append-only table
// of who did what, when, from where, to which record, with before/after
// snapshots of case edits. Every row carries the SHA-256 hash of the row
// before it, so altering or deleting a row breaks the chain, which Verify
// (and `fuyi audit verify`) detects.
//
// The trail never receives request bodies: passwords and tokens cannot reach
// it. Callers pass only actions, subjects and summaries.
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/errs"
)

// GenesisHash is the PrevHash of the first row of the chain.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// chainLockKey is the PostgreSQL advisory lock that serialises appends
// across instances (an arbitrary constant: "fuyi audit").
const chainLockKey = 0x66757969_61756469 // "fuyiaudi"

// Actions recorded by the services (the API adds "METHOD /route" actions).
const (
	ActionLogin       = "auth.login"
	ActionLoginFailed = "auth.login_failed"
	ActionCaseCreate  = "case.create"
	ActionCaseUpdate  = "case.update"
	ActionDenied      = "access.denied"
	ActionExport      = "export"
)

// Actor is who acts: a user (ID > 0) or the system (ID 0), and from where.
type Actor struct {
	ID   int64
	Name string
	IP   string
}

type actorKey struct{}

// WithActor returns ctx carrying a (the API sets it per request so that
// the case hook knows who changes a case).
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of ctx, or the system actor.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(*Actor); ok && a != nil {
		return *a
	}
	return Actor{Name: "system"}
}

// Entry is one thing to record.
type Entry struct {
	Actor   Actor
	Action  string
	Subject string
	OrganID int64
	// Before and After are JSON documents (or empty).
	Before string
	After  string
}

// Service appends to and reads the trail.
type Service struct {
	db  *models.DB
	now func() time.Time
}

// New returns the audit service on db; now may be nil (time.Now).
func New(db *models.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: now}
}

// Record appends e in its own write transaction.
func (s *Service) Record(ctx context.Context, e Entry) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error { return s.Append(ctx, tx, e) })
}

// Append appends e inside the caller's write transaction tx, so the row
// commits or rolls back with the change it describes. Appends are
// serialised: on SQLite by the single writer connection (and IMMEDIATE
// transactions across processes), on PostgreSQL by a transaction-scoped
// advisory lock held until commit.
func (s *Service) Append(ctx context.Context, tx *gorm.DB, e Entry) error {
	tx = tx.WithContext(ctx)
	if s.db.Dialect == models.Postgres {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", int64(chainLockKey)).Error; err != nil {
			return fmt.Errorf("audit lock: %w", err)
		}
	}
	// The chain head is read back in this transaction rather than kept in
	// memory: another process may have appended since (a second instance on
	// PostgreSQL, a command-line tool on SQLite), and a rolled-back append
	// must not leave a head behind. It is one index look-up; plain SQL on the
	// transaction's connection keeps GORM off the single SQLite writer.
	prev := GenesisHash
	var head sql.NullString
	pool := rawConn(tx)
	err := pool.QueryRowContext(ctx, "SELECT hash FROM audit_entries ORDER BY id DESC LIMIT 1").Scan(&head)
	switch {
	case err == nil:
		prev = head.String
	case errors.Is(err, sql.ErrNoRows):
	default:
		return fmt.Errorf("audit head: %w", err)
	}
	row := models.AuditEntry{
		At:        s.now().UTC().Truncate(time.Microsecond),
		ActorID:   e.Actor.ID,
		ActorName: clip(e.Actor.Name, 100),
		ClientIP:  clip(e.Actor.IP, 64),
		Action:    clip(e.Action, 60),
		Subject:   clip(e.Subject, 100),
		OrganID:   e.OrganID,
		Before:    e.Before,
		After:     e.After,
		PrevHash:  prev,
	}
	row.Hash = HashOf(&row)
	q := insertSQL
	if s.db.Dialect == models.Postgres {
		q = insertSQLPostgres
	}
	if _, err := pool.ExecContext(ctx, q, row.At, row.ActorID, row.ActorName, row.ClientIP, row.Action, row.Subject, row.OrganID,
		row.Before, row.After, row.PrevHash, row.Hash); err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	return nil
}

// insertSQL appends one row (the id is the table's own).
const insertSQL = `INSERT INTO audit_entries (at, actor_id, actor_name, client_ip, action, subject, organ_id, "before", "after", prev_hash, hash)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// insertSQLPostgres is insertSQL with PostgreSQL's placeholders.
const insertSQLPostgres = `INSERT INTO audit_entries (at, actor_id, actor_name, client_ip, action, subject, organ_id, "before", "after", prev_hash, hash)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`

// rawConn is the transaction under tx's session (gorm's statement cache
// left out): the two statements of an append go to the driver without
// gorm's callbacks, which cost as much as the statements on the single
// SQLite writer.
func rawConn(tx *gorm.DB) gorm.ConnPool {
	switch p := tx.Statement.ConnPool.(type) {
	case *gorm.PreparedStmtTX:
		return p.Tx
	case *gorm.PreparedStmtDB:
		return p.ConnPool
	default:
		return p
	}
}

// canonical is the hashed content of a row, in a fixed field order.
type canonical struct {
	At        string `json:"at"`
	ActorID   int64  `json:"actor_id"`
	ActorName string `json:"actor_name"`
	ClientIP  string `json:"client_ip"`
	Action    string `json:"action"`
	Subject   string `json:"subject"`
	OrganID   int64  `json:"organ_id"`
	Before    string `json:"before"`
	After     string `json:"after"`
}

// HashOf is SHA-256 over the row's PrevHash, a newline and the canonical
// JSON of its content (everything but ID and Hash), hex-encoded.
func HashOf(r *models.AuditEntry) string {
	b, _ := json.Marshal(canonical{At: r.At.UTC().Format(time.RFC3339Nano), ActorID: r.ActorID, ActorName: r.ActorName,
		ClientIP: r.ClientIP, Action: r.Action, Subject: r.Subject, OrganID: r.OrganID, Before: r.Before, After: r.After})
	h := sha256.New()
	h.Write([]byte(r.PrevHash))
	h.Write([]byte{'\n'})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// Break describes the first place where the chain does not hold.
type Break struct {
	// ID is the first row that fails; AfterID the intact row before it (0 at the start).
	ID      int64
	AfterID int64
	// Reason is "altered" (the row's content no longer matches its hash) or
	// "missing" (its PrevHash is not the previous row's hash: a row before
	// it was deleted, or the previous row's hash was rewritten).
	Reason string
}

func (b *Break) String() string {
	switch b.Reason {
	case "altered":
		return fmt.Sprintf("audit row %d was altered (its content does not match its hash)", b.ID)
	default:
		return fmt.Sprintf("audit chain broken before row %d: a row between %d and %d was deleted or altered", b.ID, b.AfterID, b.ID)
	}
}

// VerifyResult is the outcome of walking the chain.
type VerifyResult struct {
	Rows     int64
	HeadID   int64
	HeadHash string
	// Break is nil when the chain is intact.
	Break *Break
}

// Verify walks the whole chain in id order and reports the first row that
// was altered or that follows a deleted one. (Deleting the newest rows
// leaves an intact but shorter chain: compare HeadID/HeadHash with a head
// recorded earlier to detect that.)
func (s *Service) Verify(ctx context.Context) (*VerifyResult, error) {
	res := &VerifyResult{HeadHash: GenesisHash}
	prev := GenesisHash
	var prevID int64
	const batch = 1000
	for {
		var rows []models.AuditEntry
		if err := s.db.Read.WithContext(ctx).Where("id > ?", prevID).Order("id").Limit(batch).Find(&rows).Error; err != nil {
			return nil, err
		}
		for i := range rows {
			r := &rows[i]
			if r.PrevHash != prev {
				res.Break = &Break{ID: r.ID, AfterID: prevID, Reason: "missing"}
				return res, nil
			}
			if HashOf(r) != r.Hash {
				res.Break = &Break{ID: r.ID, AfterID: prevID, Reason: "altered"}
				return res, nil
			}
			prev, prevID = r.Hash, r.ID
			res.Rows++
			res.HeadID, res.HeadHash = r.ID, r.Hash
		}
		if len(rows) < batch {
			return res, nil
		}
	}
}

// clip cuts s to at most n bytes on a rune boundary (the column sizes).
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// internal wraps a database error for the API.
func internal(err error) error { return errs.Internal(err) }
