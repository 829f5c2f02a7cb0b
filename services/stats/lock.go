package stats

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/errs"
)

// LockInfo describes a report lock.
type LockInfo struct {
	ID       int64     `json:"id"`
	OrganID  int64     `json:"organ_id"`
	Year     int       `json:"year"`
	LockedBy int64     `json:"locked_by"`
	Reason   string    `json:"reason"`
	LockedAt time.Time `json:"locked_at"`
}

func toLockInfo(l models.ReportLock) LockInfo {
	return LockInfo{ID: l.ID, OrganID: l.OrganID, Year: l.Year, LockedBy: l.LockedBy, Reason: l.Reason, LockedAt: l.LockedAt}
}

func (s *Service) locksFor(ctx context.Context, db *gorm.DB, organIDs []int64, p Period) ([]LockInfo, error) {
	out := []LockInfo{}
	if len(organIDs) == 0 {
		return out, nil
	}
	var rows []models.ReportLock
	err := db.Session(&gorm.Session{NewDB: true}).WithContext(ctx).
		Where("organ_id IN ? AND year IN ?", organIDs, p.Years()).Order("organ_id, year").Find(&rows).Error
	if err != nil {
		return nil, errs.Internal(err)
	}
	for _, r := range rows {
		out = append(out, toLockInfo(r))
	}
	return out, nil
}

// Locks lists the locks of the given organs.
func (s *Service) Locks(ctx context.Context, organIDs []int64) ([]LockInfo, error) {
	out := []LockInfo{}
	var rows []models.ReportLock
	if err := s.db.Read.WithContext(ctx).Where("organ_id IN ?", append([]int64{-1}, organIDs...)).Order("year DESC, organ_id").Find(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	for _, r := range rows {
		out = append(out, toLockInfo(r))
	}
	return out, nil
}

// Lock freezes an organ's year: it stores the year's report as a snapshot;
// afterwards a case write that would change one of that year's figures is
// refused. The caller must be granted the organ (404 otherwise) and be a
// reporter, manager or admin (403).
func (s *Service) Lock(ctx context.Context, p *auth.Principal, organID int64, year int, reason string) (LockInfo, error) {
	if p == nil || !(p.Role == auth.RoleReporter || p.IsManager()) {
		return LockInfo{}, errs.Forbidden("只有统计人员、负责人或管理员可以锁定年度报告", "only a reporter, manager or admin may lock a year")
	}
	if !p.CanSeeOrgan(organID) {
		return LockInfo{}, errs.NotFound("organ", "机关")
	}
	if year < 1990 || year > 9999 {
		return LockInfo{}, errs.InvalidField("year", "年份无效", "invalid year")
	}
	rep, err := s.Report(ctx, YearPeriod(year), []int64{organID})
	if err != nil {
		return LockInfo{}, err
	}
	snap, _ := json.Marshal(rep)
	row := models.ReportLock{OrganID: organID, Year: year, LockedBy: p.UserID, Reason: reason, Snapshot: string(snap), LockedAt: time.Now().UTC()}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.ReportLock{}).Where("organ_id = ? AND year = ?", organID, year).Count(&n).Error; err != nil {
			return errs.Internal(err)
		}
		if n > 0 {
			return errs.Conflict("already_locked", "该年度已锁定", "this year is already locked")
		}
		if err := tx.Session(&gorm.Session{NewDB: true}).Create(&row).Error; err != nil {
			return errs.Internal(err)
		}
		return nil
	})
	if err != nil {
		return LockInfo{}, err
	}
	return toLockInfo(row), nil
}

// LockSnapshot returns the report stored when the lock was taken.
func (s *Service) LockSnapshot(ctx context.Context, p *auth.Principal, id int64) (*Report, error) {
	var row models.ReportLock
	if err := s.db.Read.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&row).Error; err != nil {
		return nil, errs.Internal(err)
	}
	if row.ID == 0 || !p.CanSeeOrgan(row.OrganID) {
		return nil, errs.NotFound("report lock", "报告锁定")
	}
	var r Report
	if err := json.Unmarshal([]byte(row.Snapshot), &r); err != nil {
		return nil, errs.Internal(err)
	}
	return &r, nil
}

// Unlock removes a lock (admin only, with a recorded reason).
func (s *Service) Unlock(ctx context.Context, p *auth.Principal, id int64, reason string) error {
	if !p.IsAdmin() {
		return errs.Forbidden("只有管理员可以解除锁定", "only an admin may remove a lock")
	}
	if strings.TrimSpace(reason) == "" {
		return errs.InvalidField("reason", "解除锁定须说明理由", "a reason is required")
	}
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		var row models.ReportLock
		if err := tx.Where("id = ?", id).Limit(1).Find(&row).Error; err != nil {
			return errs.Internal(err)
		}
		if row.ID == 0 || !p.CanSeeOrgan(row.OrganID) {
			return errs.NotFound("report lock", "报告锁定")
		}
		if err := tx.Session(&gorm.Session{NewDB: true}).Delete(&models.ReportLock{}, row.ID).Error; err != nil {
			return errs.Internal(err)
		}
		return tx.Session(&gorm.Session{NewDB: true}).Create(&models.ReportLockOverride{OrganID: row.OrganID, Year: row.Year,
			Action: "unlock", ActorID: p.UserID, Reason: reason, At: time.Now().UTC()}).Error
	})
}

type overrideKey struct{}

type lockOverride struct {
	reason string
	userID int64
}

// WithLockOverride marks ctx so that LockHook lets a write into a locked year
// pass and records reason and the user. Only an admin's request may carry it;
// the api layer checks the role before calling it.
func WithLockOverride(ctx context.Context, reason string, userID int64) context.Context {
	return context.WithValue(ctx, overrideKey{}, lockOverride{reason: reason, userID: userID})
}

// LockHook refuses (422 period_locked) a case write that would change a
// figure — any count, outcome, breakdown cell or month — of a locked year
// of the case's organ, unless ctx carries WithLockOverride, in which case
// the override is recorded. It has the signature of a lifecycle.Hook.
func (s *Service) LockHook(ctx context.Context, tx *gorm.DB, before, after *models.Case) error {
	return s.LockChange(ctx, tx, CaseChange{Before: before, After: after})
}

// LockChange is LockHook for one change; its Derived, when set, is the
// after case's derived flags (as in RollupBatch), so no deadline row is read.
func (s *Service) LockChange(ctx context.Context, tx *gorm.DB, ch CaseChange) error {
	before, after := ch.Before, ch.After
	organs := map[int64]bool{}
	for _, c := range []*models.Case{before, after} {
		if c != nil {
			organs[c.OrganID] = true
		}
	}
	if len(organs) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(organs))
	for id := range organs {
		ids = append(ids, id)
	}
	tx = tx.WithContext(ctx).Session(&gorm.Session{NewDB: true})
	var locks []models.ReportLock
	if err := tx.Select("id, organ_id, year").Where("organ_id IN ?", ids).Find(&locks).Error; err != nil {
		return errs.Internal(err)
	}
	if len(locks) == 0 {
		return nil
	}
	memo, err := readMemo(tx, []CaseChange{{Before: before}})
	if err != nil {
		return err
	}
	derived, err := s.derivedBatch(tx, []CaseChange{{After: after, Derived: ch.Derived}})
	if err != nil {
		return err
	}
	beforeDerived := 0
	if before != nil {
		beforeDerived = memo[before.ID]
	}
	var hit []models.ReportLock
	for _, l := range locks {
		p := YearPeriod(l.Year)
		if !maps.Equal(caseFigures(before, beforeDerived, l.OrganID, p), caseFigures(after, derived[0], l.OrganID, p)) {
			hit = append(hit, l)
		}
	}
	if len(hit) == 0 {
		return nil
	}
	sort.Slice(hit, func(i, j int) bool { return hit[i].Year < hit[j].Year })
	ov, ok := ctx.Value(overrideKey{}).(lockOverride)
	if !ok || strings.TrimSpace(ov.reason) == "" {
		years := make([]string, len(hit))
		yearNums := make([]int, len(hit))
		for i, l := range hit {
			years[i], yearNums[i] = strconv.Itoa(l.Year), l.Year
		}
		return errs.Rule("period_locked",
			strings.Join(years, "、")+"年度报告已锁定，此修改会改变该年度的统计数字；如确需修改，请由管理员说明理由后强制修改",
			"the report of "+strings.Join(years, ", ")+" is locked and this change would alter its figures; an admin may override with a reason").
			With("locked_years", yearNums)
	}
	caseID := int64(0)
	if after != nil {
		caseID = after.ID
	} else if before != nil {
		caseID = before.ID
	}
	for _, l := range hit {
		rec := models.ReportLockOverride{OrganID: l.OrganID, Year: l.Year, CaseID: caseID, Action: "case_write",
			ActorID: ov.userID, Reason: ov.reason, At: time.Now().UTC()}
		if err := tx.Session(&gorm.Session{NewDB: true}).Create(&rec).Error; err != nil {
			return errs.Internal(err)
		}
	}
	return nil
}

// caseFigures are the figures case c (with derived flags derived) makes in
// period p for one organ, by the period rules of the package doc: every
// count with its slice keys, month, outcome, termination and flags, the
// intake disposition as of the period's end, and pending/carried.
func caseFigures(c *models.Case, derived int, organID int64, p Period) map[string]int64 {
	out := map[string]int64{}
	if c == nil || c.OrganID != organID {
		return out
	}
	in := func(d *string) bool { return d != nil && *d >= p.From && *d <= p.To }
	keys := sliceKeys(c)
	add := func(measure, day, outcome, termination string, flags int, extra string) {
		out[fmt.Sprintf("%s|||%s|%s|%s|%d%s", measure, month(day), outcome, termination, flags, extra)]++
		for i, sl := range storedSlices {
			out[fmt.Sprintf("%s|%s|%s|%s|%s|%s|%d", measure, sl, keys[i], month(day), outcome, termination, flags)]++
		}
	}
	if in(&c.ReceivedOn) {
		acc := c.AcceptedOn != nil && *c.AcceptedOn <= p.To
		disp := ""
		if d := intakeDisposition(c); d != "" && *c.IntakeOn <= p.To {
			disp = d
		}
		add(mReceived, c.ReceivedOn, "", "", 0, fmt.Sprintf("|acc=%v|disp=%s", acc, disp))
	}
	if in(c.AcceptedOn) {
		add(mAccepted, *c.AcceptedOn, "", "", caseFlags(c)&FlagDeemedAccepted, "")
	}
	if c.AcceptedOn != nil && in(c.ClosedOn) {
		add(mClosed, *c.ClosedOn, c.Outcome, c.Termination, caseFlags(c)|derived, "")
	}
	if c.Status == mNotAccepted && in(c.IntakeOn) {
		add(mNotAccepted, *c.IntakeOn, "", "", 0, "")
	}
	if c.AcceptedOn != nil {
		acc, closed := *c.AcceptedOn, c.ClosedOn
		if acc <= p.To && (closed == nil || *closed > p.To) {
			out["pending_end"]++
		}
		if acc < p.From && (closed == nil || *closed >= p.From) {
			out["carried_over"]++
		}
	}
	return out
}
