// Package workflow moves cases between people: assignment of handlers and a
// handler's workload, the work queues, approval chains for actions that need
// approval (RL2023 Art. 61–62), the case documents generated from templates,
// the case file's attachments, and the supervision of how decisions are
// carried out (performance follow-ups, RL2023 Art. 77; typical cases; the
// per-agency circular).
//
// It builds on the case service: assignments are lifecycle changes (event,
// version, hooks), an approved proposal executes through
// lifecycle.TransitionTx, and Guard (a lifecycle.Guard) refuses a direct
// transition that needs approval.
package workflow

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/calendar"
	"fuyi/services/errs"
	"fuyi/services/lifecycle"
)

// chinaTime is the offices' clock: "today" is the civil date in China.
var chinaTime = time.FixedZone("CST", 8*3600)

// CalendarSource returns the working-day calendar in force (clock.Service.Calendar).
type CalendarSource func(ctx context.Context, q *gorm.DB) (*calendar.Calendar, error)

// Options configures a Service.
type Options struct {
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Calendar is the working-day calendar; nil uses calendar.Default().
	Calendar CalendarSource
	// DataDir is the data directory ($FUYI_DATA_DIR); attachments are stored
	// in DataDir/attachments, outside any served path.
	DataDir string
	// MaxAttachmentBytes caps one attachment (default 50 MiB).
	MaxAttachmentBytes int64
	// FollowupDays is the performance period of a follow-up (default 60:
	// RR2007 Art. 49, re-decision within 60 days unless a law says otherwise).
	FollowupDays int
}

// Service is the work-flow service.
type Service struct {
	db           *models.DB
	cases        *lifecycle.Service
	now          func() time.Time
	cal          CalendarSource
	dataDir      string
	maxAttach    int64
	followupDays int
}

// New returns the service on db over the case service cases. Wire it with
// cases.SetGuard(s.Guard) and cases.AddHook(s.FollowupHook).
func New(db *models.DB, cases *lifecycle.Service, opts Options) *Service {
	s := &Service{db: db, cases: cases, now: opts.Now, cal: opts.Calendar, dataDir: opts.DataDir,
		maxAttach: opts.MaxAttachmentBytes, followupDays: opts.FollowupDays}
	if s.now == nil {
		s.now = time.Now
	}
	if s.maxAttach <= 0 {
		s.maxAttach = 50 << 20
	}
	if s.followupDays <= 0 {
		s.followupDays = 60
	}
	if s.dataDir == "" {
		s.dataDir = "data"
	}
	return s
}

// MaxAttachmentBytes is the cap of one attachment.
func (s *Service) MaxAttachmentBytes() int64 { return s.maxAttach }

func (s *Service) attachmentDir() string { return filepath.Join(s.dataDir, "attachments") }

// today is the current civil date in China.
func (s *Service) today() string { return s.now().In(chinaTime).Format(time.DateOnly) }

// calendar returns the calendar in force.
func (s *Service) calendar(ctx context.Context, q *gorm.DB) (*calendar.Calendar, error) {
	if s.cal == nil {
		return calendar.Default(), nil
	}
	return s.cal(ctx, q)
}

// addWorkingDays is date + n working days (weekdays when the year has no calendar).
func (s *Service) addWorkingDays(ctx context.Context, date string, n int) string {
	d, err := calendar.ParseDate(date)
	if err != nil {
		return date
	}
	cal, err := s.calendar(ctx, s.db.Read.WithContext(ctx))
	for left := n; left > 0; {
		d = d.AddDays(1)
		working := false
		if err == nil {
			w, e := cal.IsWorkingDay(d)
			if e == nil {
				working = w
			} else {
				working = d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
			}
		} else {
			working = d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
		}
		if working {
			left--
		}
	}
	return d.String()
}

// organFor resolves the organ a caller acts on: the named one (which must be
// theirs), or their only one.
func organFor(p *auth.Principal, organID int64) (int64, error) {
	if p == nil {
		return 0, errs.Unauthenticated("请先登录", "authentication required")
	}
	if organID != 0 {
		if !p.CanSeeOrgan(organID) {
			return 0, errs.InvalidField("organ", "无权查看该复议机关或机关不存在", "unknown organ, or not one of yours")
		}
		return organID, nil
	}
	if len(p.OrganIDs) == 1 {
		return p.OrganIDs[0], nil
	}
	return 0, errs.InvalidField("organ", "请指定复议机关（organ）", "name the organ (organ)")
}

func forbidden() error {
	return errs.Forbidden("当前角色无权执行此操作", "your role may not do this")
}

func internal(err error) error {
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	return errs.Internal(err)
}

// userNames maps user ids to display names (username when empty).
func userNames(ctx context.Context, q *gorm.DB, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var us []models.User
	if err := q.WithContext(ctx).Select("id", "username", "display_name").Where("id IN ?", ids).Find(&us).Error; err != nil {
		return nil, errs.Internal(err)
	}
	for _, u := range us {
		out[u.ID] = u.DisplayName
		if u.DisplayName == "" {
			out[u.ID] = u.Username
		}
	}
	return out, nil
}

// openStatuses are the states in which a case still needs its handler.
var openStatuses = []string{lifecycle.StatusReceived, lifecycle.StatusCorrectionRequested, lifecycle.StatusAccepted,
	lifecycle.StatusSuspended, lifecycle.StatusDecided, lifecycle.StatusMediated, lifecycle.StatusTerminated}

// IsOpen reports whether a case in status still needs its handler.
func IsOpen(status string) bool { return slices.Contains(openStatuses, status) }

func principalName(p *auth.Principal) string {
	if p == nil {
		return ""
	}
	if p.DisplayName != "" {
		return p.DisplayName
	}
	return p.Username
}

func ptr[T any](v T) *T { return &v }
