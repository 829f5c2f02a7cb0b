// Package clock keeps the statutory clocks of stored cases: it maps a case
// to the pure deadline engine (services/deadline) over the effective
// working-day calendar (built-in years plus the admin's, table
// calendar_years), stores the result in the deadlines table in the
// transaction of every case write (Recompute is a lifecycle.Hook) — without
// the explanations, which are rendered when read (render.go) — answers
// the due-soon / overdue queries, and runs the sweep: status refresh,
// reminders to the handler, and deemed acceptance (RL2023 Art. 30(3)).
//
// Overdue (everywhere: the deadline list, the case list's overdue=true,
// the sweep's "missed" reminders) means a stored deadline row with status
// missed, or status open and due_on before today (China time). Closing a
// case turns its undone, past-due steps into not_applicable (see rowsOf),
// so a closed case is never overdue.
package clock

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"fuyi/models"
	"fuyi/services/calendar"
	"fuyi/services/deadline"
	"fuyi/services/lifecycle"
)

// chinaTime is the offices' clock: a legal "today" is the civil date in
// China Standard Time (no daylight saving), whatever the server's zone.
var chinaTime = time.FixedZone("CST", 8*3600)

// Options configures a Service.
type Options struct {
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Rules is the rules table; nil uses deadline.DefaultRules().
	Rules *deadline.Rules
	// Cases records deemed acceptance through the state machine; it may be
	// set later with SetCases (the case service takes Recompute as a hook).
	Cases *lifecycle.Service
	// Logger receives sweep and recompute problems; slog.Default() when nil.
	Logger *slog.Logger
	// CalendarCheckEvery bounds how stale the cached calendar may be when
	// another instance changed it (default 30s; the bar is one minute).
	CalendarCheckEvery time.Duration
	// Holder names this instance in the sweep lease (random when empty).
	Holder string
	// LeaseFor is how long a sweep lease lasts if its holder dies (default 5 min).
	LeaseFor time.Duration
}

// Service is the deadline store, the calendar admin and the sweep.
type Service struct {
	db       *models.DB
	now      func() time.Time
	rules    *deadline.Rules
	log      *slog.Logger
	holder   string
	leaseFor time.Duration

	casesMu sync.RWMutex
	cases   *lifecycle.Service

	sweepMu sync.Mutex

	calMu      sync.Mutex
	cal        *calendar.Calendar
	calStamp   string // count|max(updated_at) of calendar_years when cal was built
	calChecked time.Time
	checkEvery time.Duration
	// pl is the planner of plCal (see planner), under calMu.
	pl    *deadline.Planner
	plCal *calendar.Calendar
}

// New returns the service on db.
func New(db *models.DB, opts Options) *Service {
	s := &Service{db: db, now: opts.Now, rules: opts.Rules, log: opts.Logger, holder: opts.Holder,
		leaseFor: opts.LeaseFor, cases: opts.Cases, checkEvery: opts.CalendarCheckEvery}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rules == nil {
		s.rules = deadline.DefaultRules()
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.holder == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		s.holder = hex.EncodeToString(b[:])
	}
	if s.leaseFor == 0 {
		s.leaseFor = 5 * time.Minute
	}
	if s.checkEvery == 0 {
		s.checkEvery = 30 * time.Second
	}
	return s
}

// SetCases installs the case service used to record deemed acceptance.
func (s *Service) SetCases(c *lifecycle.Service) {
	s.casesMu.Lock()
	s.cases = c
	s.casesMu.Unlock()
}

func (s *Service) caseService() *lifecycle.Service {
	s.casesMu.RLock()
	defer s.casesMu.RUnlock()
	return s.cases
}

// Today is the current civil date in China.
func (s *Service) Today() calendar.Date { return calendar.DateOf(s.now().In(chinaTime)) }
