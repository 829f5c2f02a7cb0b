package gen

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/errs"
)

// LoadResult reports what Load wrote.
type LoadResult struct {
	Organs, Cases, Events, Parties, Litigation int
	OrganIDs                                   []int64
	HandlerIDs                                 []int64
}

// Load bulk-inserts the plan's organs, agencies, handlers (officers who
// cannot log in), cases with their parties, events and suspensions, the case
// number counters and the litigation records, in batches of multi-row
// INSERTs (commitEvery cases per transaction). The derived rows — deadlines,
// the statistics rollup and the litigation rollup — are NOT written here:
// the caller runs the services' rebuilds (clock.RecomputeAll, stats.Rebuild,
// litigation's Rebuild) afterwards, so they are exactly what the app
// computes. The database must hold no organ yet.
func Load(ctx context.Context, db *models.DB, p *Plan, progress io.Writer) (*LoadResult, error) {
	var n int64
	if err := db.Read.WithContext(ctx).Model(&models.Organ{}).Count(&n).Error; err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, fmt.Errorf("the database already holds %d organs: gen loads into an empty database", n)
	}
	res := &LoadResult{}
	now := time.Now().UTC()
	// Organs, agencies and handlers through GORM (a few hundred rows).
	agencyIDs := make([][]int64, len(p.Scale.Organs))
	handlerIDs := make([][]int64, len(p.Scale.Organs))
	err := db.Tx(ctx, func(tx *gorm.DB) error {
		for i, o := range p.Scale.Organs {
			org := models.Organ{Name: o.Name, ShortName: o.Short, CaseNoPattern: o.Short + "政复〔{year}〕{seq}号", Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&org).Error; err != nil {
				return err
			}
			res.OrganIDs = append(res.OrganIDs, org.ID)
			for a := 0; a < AgencyCount(); a++ {
				ag := models.Agency{OrganID: org.ID, Name: AgencyName(o, a), Level: AgencyLevel(a), Active: true, CreatedAt: now, UpdatedAt: now}
				if err := tx.Create(&ag).Error; err != nil {
					return err
				}
				agencyIDs[i] = append(agencyIDs[i], ag.ID)
			}
			r := rand.New(rand.NewPCG(p.Seed, uint64(i)+100000))
			for h := 0; h < HandlersPerOrgan; h++ {
				u := models.User{Username: fmt.Sprintf("gen_o%d_h%d", org.ID, h+1),
					DisplayName:  string(surnames[r.IntN(len(surnames))]) + given[r.IntN(len(given))],
					PasswordHash: "!", Role: "officer", Active: true, Version: 1, CreatedAt: now, UpdatedAt: now}
				if err := tx.Create(&u).Error; err != nil {
					return err
				}
				if err := tx.Create(&models.UserOrgan{UserID: u.ID, OrganID: org.ID}).Error; err != nil {
					return err
				}
				handlerIDs[i] = append(handlerIDs[i], u.ID)
				res.HandlerIDs = append(res.HandlerIDs, u.ID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Organs = len(p.Scale.Organs)
	sqlDB, err := db.Write.DB()
	if err != nil {
		return nil, err
	}
	b := &bulk{db: sqlDB, dialect: db.Dialect, ctx: ctx}
	ids := map[string]int64{}
	for _, t := range []string{"cases", "case_events", "case_parties", "case_suspensions", "litigation_cases"} {
		var m sql.NullInt64
		if err := sqlDB.QueryRowContext(ctx, "SELECT MAX(id) FROM "+t).Scan(&m); err != nil {
			return nil, err
		}
		ids[t] = m.Int64
	}
	const commitEvery = 20000
	started := time.Now()
	caseCols := []string{"id", "organ_id", "case_no", "year", "seq", "status", "version", "regime", "applicant", "applicant_type", "agent",
		"respondent_id", "act_type", "area", "act_document_no", "act_date", "request", "channel", "procedure", "handler_id",
		"received_on", "correction_notice_on", "correction_due_days", "correction_received_on", "accepted_on", "deemed_accepted",
		"intake_on", "intake_reason", "suspended_on", "suspend_ground", "extension_days", "extended_by", "closed_on", "outcome",
		"outcome_partial", "outcome_redo", "termination", "served_on", "archived_on", "hearing_held", "committee_consulted",
		"compensation_claimed", "compensation_awarded", "note", "imported", "import_key", "import_hash", "created_by", "created_at", "updated_at"}
	eventCols := []string{"id", "case_id", "organ_id", "action", "from_status", "to_status", "effective_on", "actor_id", "actor_name", "payload", "note", "imported", "created_at"}
	partyCols := []string{"id", "case_id", "role", "position", "name", "party_type", "id_number", "phone", "address"}
	suspCols := []string{"id", "case_id", "ground", "from_on", "to_on"}
	type counter struct {
		organ int64
		year  int
	}
	counters := map[counter]int{}
	for o := range p.Scale.Organs {
		organID := res.OrganIDs[o]
		var cases, events, parties, susps [][]any
		flush := func() error {
			return b.tx(func(tx *sql.Tx) error {
				for _, x := range []struct {
					table string
					cols  []string
					rows  [][]any
				}{{"cases", caseCols, cases}, {"case_events", eventCols, events}, {"case_parties", partyCols, parties}, {"case_suspensions", suspCols, susps}} {
					if err := b.insert(tx, x.table, x.cols, x.rows); err != nil {
						return err
					}
				}
				return nil
			})
		}
		err := p.EachCase(o, func(c *Case) error {
			ids["cases"]++
			id := ids["cases"]
			handler := handlerIDs[o][c.Handler]
			created := dayTime(c.ReceivedOn)
			updated := created
			for _, d := range []string{c.AcceptedOn, c.IntakeOn, c.ClosedOn, c.ServedOn, c.ArchivedOn} {
				if d != "" {
					updated = dayTime(d)
				}
			}
			extBy := ""
			if c.ExtensionDays > 0 {
				extBy = "科长"
			}
			cases = append(cases, []any{id, organID, c.CaseNo, c.Year, c.Seq, c.Status, 1, c.Regime, c.Applicant, c.ApplicantType, "",
				agencyIDs[o][c.Agency], c.ActType, c.Area, c.ActDocumentNo, opt(c.ActDate), c.Request, c.Channel, c.Procedure, handler,
				c.ReceivedOn, opt(c.CorrectionNoticeOn), c.CorrectionDueDays, opt(c.CorrectionReceivedOn), opt(c.AcceptedOn), c.DeemedAccepted,
				opt(c.IntakeOn), c.IntakeReason, opt(c.SuspendedOn), c.SuspendGround, c.ExtensionDays, extBy, opt(c.ClosedOn), c.Outcome,
				c.Partial, c.Redo, c.Termination, opt(c.ServedOn), opt(c.ArchivedOn), c.Hearing, c.Committee,
				int64(0), int64(0), c.Note, false, "", "", int64(0), created, updated})
			ids["case_parties"]++
			parties = append(parties, []any{ids["case_parties"], id, "applicant", 0, c.Applicant, c.ApplicantType, c.IDNumber, c.Phone, ""})
			if c.SuspendFrom != "" {
				ids["case_suspensions"]++
				susps = append(susps, []any{ids["case_suspensions"], id, c.SuspendGround, c.SuspendFrom, opt(c.SuspendTo)})
			}
			for _, ev := range history(c) {
				ids["case_events"]++
				events = append(events, []any{ids["case_events"], id, organID, ev.action, ev.from, ev.to, opt(ev.on), int64(0), "",
					ev.payload, "", false, dayTime(ev.on)})
				res.Events++
			}
			res.Cases++
			res.Parties++
			k := counter{organID, c.Year}
			counters[k] = max(counters[k], c.Seq)
			if len(cases) >= commitEvery {
				if err := flush(); err != nil {
					return err
				}
				cases, events, parties, susps = cases[:0], events[:0], parties[:0], susps[:0]
				if progress != nil {
					el := time.Since(started).Seconds()
					fmt.Fprintf(progress, "gen: %d/%d cases (%.0f/s)\n", res.Cases, p.Scale.Cases, float64(res.Cases)/el)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if err := flush(); err != nil {
			return nil, err
		}
	}
	// Case number counters, so that new cases continue the sequences.
	err = b.tx(func(tx *sql.Tx) error {
		var rows [][]any
		for k, v := range counters {
			rows = append(rows, []any{k.organ, k.year, "case", v})
		}
		return b.insert(tx, "case_counters", []string{"organ_id", "year", "kind", "last_seq"}, rows)
	})
	if err != nil {
		return nil, err
	}
	if err := loadLitigation(b, p, res, agencyIDs, handlerIDs, ids); err != nil {
		return nil, err
	}
	if db.Dialect == models.Postgres {
		for _, t := range []string{"cases", "case_events", "case_parties", "case_suspensions", "litigation_cases"} {
			if _, err := sqlDB.ExecContext(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s','id'), GREATEST((SELECT MAX(id) FROM %s), 1))", t, t)); err != nil {
				return nil, err
			}
		}
		if _, err := sqlDB.ExecContext(ctx, "ANALYZE"); err != nil {
			return nil, err
		}
	}
	return res, nil
}

type event struct {
	action, from, to, on, payload string
}

// history is the case's timeline, as the transitions would have written it.
func history(c *Case) []event {
	pl := func(m map[string]any) string {
		if m == nil {
			return ""
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	out := []event{{"create", "", "received", c.ReceivedOn, ""}}
	st := "received"
	add := func(action, to, on string, m map[string]any) {
		out = append(out, event{action, st, to, on, pl(m)})
		st = to
	}
	if c.CorrectionNoticeOn != "" {
		add("request_correction", "correction_requested", c.CorrectionNoticeOn, map[string]any{"days": c.CorrectionDueDays})
		if c.CorrectionReceivedOn != "" {
			add("receive_correction", "received", c.CorrectionReceivedOn, nil)
		}
	}
	switch c.Intake {
	case "abandoned":
		add("abandon", "abandoned", c.IntakeOn, nil)
	case "not_accepted":
		add("not_accept", "not_accepted", c.IntakeOn, map[string]any{"reason": c.IntakeReason})
	case "withdrawn":
		add("withdraw", "withdrawn_before_acceptance", c.IntakeOn, nil)
	case "referred":
		add("refer", "referred", c.IntakeOn, map[string]any{"reason": c.IntakeReason})
	case "accepted":
		add("accept", "accepted", c.AcceptedOn, map[string]any{"procedure": c.Procedure})
		if c.SuspendFrom != "" {
			add("suspend", "suspended", c.SuspendFrom, map[string]any{"ground": c.SuspendGround})
			if c.SuspendTo != "" {
				add("resume", "accepted", c.SuspendTo, nil)
			}
		}
		if c.ExtensionDays > 0 && c.ClosedOn != "" {
			add("extend", st, c.ClosedOn, map[string]any{"days": c.ExtensionDays, "approved_by": "科长"})
		}
		if c.ClosedOn != "" {
			switch c.Outcome {
			case "mediated":
				add("mediate", "mediated", c.ClosedOn, nil)
			case "terminated":
				add("terminate", "terminated", c.ClosedOn, map[string]any{"termination": c.Termination})
			default:
				add("decide", "decided", c.ClosedOn, map[string]any{"outcome": c.Outcome, "partial": c.Partial, "redo": c.Redo})
			}
		}
		if c.ServedOn != "" {
			add("serve", "served", c.ServedOn, nil)
		}
		if c.ArchivedOn != "" {
			add("close", "closed", c.ArchivedOn, nil)
		}
	}
	return out
}

func opt(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func dayTime(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}
	}
	return t.Add(9*time.Hour + 30*time.Minute).UTC()
}

// bulk writes multi-row INSERTs through the write pool.
type bulk struct {
	db      *sql.DB
	dialect models.Dialect
	ctx     context.Context
	stmts   map[string]*sql.Stmt
}

func (b *bulk) tx(fn func(tx *sql.Tx) error) error {
	tx, err := b.db.BeginTx(b.ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (b *bulk) statement(table string, cols []string, rows int) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	n := 1
	for r := 0; r < rows; r++ {
		if r > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('(')
		for c := range cols {
			if c > 0 {
				sb.WriteByte(',')
			}
			if b.dialect == models.Postgres {
				sb.WriteString("$" + strconv.Itoa(n))
			} else {
				sb.WriteByte('?')
			}
			n++
		}
		sb.WriteByte(')')
	}
	return sb.String()
}

// insert writes rows in statements of up to ~16,000 parameters.
func (b *bulk) insert(tx *sql.Tx, table string, cols []string, rows [][]any) error {
	per := max(1, 16000/len(cols))
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, per*len(cols))
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		args = args[:0]
		for _, r := range chunk {
			args = append(args, r...)
		}
		if len(chunk) == per {
			if full == nil {
				s, err := tx.PrepareContext(b.ctx, b.statement(table, cols, per))
				if err != nil {
					return errs.Internal(fmt.Errorf("prepare %s: %w", table, err))
				}
				full = s
			}
			if _, err := full.ExecContext(b.ctx, args...); err != nil {
				return errs.Internal(fmt.Errorf("insert %s: %w", table, err))
			}
			continue
		}
		if _, err := tx.ExecContext(b.ctx, b.statement(table, cols, len(chunk)), args...); err != nil {
			return errs.Internal(fmt.Errorf("insert %s: %w", table, err))
		}
	}
	return nil
}
