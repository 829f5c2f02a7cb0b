package clock

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/calendar"
	"fuyi/services/errs"
)

// Calendar returns the effective working-day calendar: the built-in years
// (calendar.Default) with the admin's years from calendar_years added or
// replacing them. It is cached; the cache is checked against the table
// (row count and latest update) at most every CalendarCheckEvery, so a year
// written by another instance is seen within that time, and at once after a
// write by this instance. q is the transaction of the caller (nil: a read).
// Its signature is litigation.CalendarSource.
func (s *Service) Calendar(ctx context.Context, q *gorm.DB) (*calendar.Calendar, error) {
	now := time.Now() // cache freshness is an operational matter: real time, not the legal clock
	s.calMu.Lock()
	cal, stamp, checked := s.cal, s.calStamp, s.calChecked
	s.calMu.Unlock()
	if cal != nil && now.Sub(checked) < s.checkEvery {
		return cal, nil
	}
	if q == nil {
		q = s.db.Read
	}
	q = q.WithContext(ctx).Session(&gorm.Session{NewDB: true})
	cur, err := calendarStamp(q)
	if err != nil {
		return nil, errs.Internal(err)
	}
	if cal != nil && cur == stamp {
		s.calMu.Lock()
		if s.calStamp == cur {
			s.calChecked = now
		}
		s.calMu.Unlock()
		return cal, nil
	}
	var rows []models.CalendarYear
	if err := q.Order("year").Find(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	years := make([]calendar.Year, 0, len(rows))
	for _, r := range rows {
		y, err := calendar.ParseYear([]byte(r.Data))
		if err != nil || y.Year != r.Year {
			// Stored rows were validated on the way in; a bad one is skipped
			// loudly (its year stays built-in or missing), never guessed.
			s.log.Error("calendar_years: invalid stored year; ignored", "year", r.Year, "err", err)
			continue
		}
		years = append(years, y)
	}
	built, err := calendar.Default().With(years...)
	if err != nil {
		return nil, errs.Internal(err)
	}
	s.calMu.Lock()
	s.cal, s.calStamp, s.calChecked = built, cur, now
	s.calMu.Unlock()
	return built, nil
}

// calendarStamp changes whenever a row of calendar_years is added, replaced
// or removed.
func calendarStamp(q *gorm.DB) (string, error) {
	var n int64
	var latest any
	if err := q.Raw("SELECT COUNT(*), MAX(updated_at) FROM calendar_years").Row().Scan(&n, &latest); err != nil {
		return "", err
	}
	if b, ok := latest.([]byte); ok {
		latest = string(b)
	}
	return fmt.Sprintf("%d|%v", n, latest), nil
}

// invalidateCalendar makes the next Calendar call check the table.
func (s *Service) invalidateCalendar() {
	s.calMu.Lock()
	s.calChecked = time.Time{}
	s.calMu.Unlock()
}

// YearInfo describes one covered year of the effective calendar.
type YearInfo struct {
	Year   int
	Source string
	// Builtin: the binary ships this year; Overridden: an admin's year
	// replaces the built-in one.
	Builtin    bool
	Overridden bool
	// OffDays, WorkDays count the notice's days off and make-up working days.
	OffDays  int
	WorkDays int
	// UpdatedBy, UpdatedAt: the admin's last write (zero for built-in years).
	UpdatedBy int64
	UpdatedAt *time.Time
}

// Day is one day named in a notice.
type Day struct {
	Date string
	Name string
	Off  bool
}

// YearDetail is one year with its days, in the import format's terms.
type YearDetail struct {
	YearInfo
	Days []Day
}

// ListYears returns every covered year of the effective calendar, ascending.
func (s *Service) ListYears(ctx context.Context) ([]YearInfo, error) {
	cal, err := s.Calendar(ctx, nil)
	if err != nil {
		return nil, err
	}
	var rows []models.CalendarYear
	if err := s.db.Read.WithContext(ctx).Select("year", "source", "updated_by", "updated_at").Find(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	admin := map[int]models.CalendarYear{}
	for _, r := range rows {
		admin[r.Year] = r
	}
	out := []YearInfo{}
	for _, yn := range cal.Years() {
		y, _ := cal.Year(yn)
		out = append(out, s.info(y, admin))
	}
	return out, nil
}

func (s *Service) info(y calendar.Year, admin map[int]models.CalendarYear) YearInfo {
	builtin := calendar.Default().Covers(y.Year)
	i := YearInfo{Year: y.Year, Source: y.Source, Builtin: builtin, OffDays: len(y.Off), WorkDays: len(y.Work)}
	if r, ok := admin[y.Year]; ok {
		i.Overridden = builtin
		i.UpdatedBy = r.UpdatedBy
		at := r.UpdatedAt
		i.UpdatedAt = &at
	}
	return i
}

// GetYear returns one covered year with its days (date order); an uncovered
// year is not found.
func (s *Service) GetYear(ctx context.Context, year int) (*YearDetail, error) {
	cal, err := s.Calendar(ctx, nil)
	if err != nil {
		return nil, err
	}
	y, ok := cal.Year(year)
	if !ok {
		return nil, errs.New(errs.KindNotFound, "calendar_missing",
			fmt.Sprintf("%d年节假日安排尚未导入", year), fmt.Sprintf("no holiday calendar for %d", year))
	}
	var rows []models.CalendarYear
	if err := s.db.Read.WithContext(ctx).Select("year", "source", "updated_by", "updated_at").Where("year = ?", year).Find(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	admin := map[int]models.CalendarYear{}
	for _, r := range rows {
		admin[r.Year] = r
	}
	d := &YearDetail{YearInfo: s.info(y, admin), Days: []Day{}}
	for _, x := range y.Off {
		d.Days = append(d.Days, Day{Date: x.Date.String(), Name: x.Name, Off: true})
	}
	for _, x := range y.Work {
		d.Days = append(d.Days, Day{Date: x.Date.String(), Name: x.Name, Off: false})
	}
	sortDays(d.Days)
	return d, nil
}

func sortDays(ds []Day) {
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && ds[j].Date < ds[j-1].Date; j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
}

// PutYearResult is what adding or replacing a year did.
type PutYearResult struct {
	Year YearInfo
	// Replaced is true when an admin year of that number existed already.
	Replaced bool
	// Recomputed counts the cases whose deadlines were recomputed.
	Recomputed RecomputeResult
}

// PutYear adds or replaces one year of the calendar from the admin import
// JSON (calendar.ParseYear). pathYear, when not 0, must equal the body's
// year. Admins only. Errors name the field (and the date). After the write
// the deadlines of every case that touch the year (due in it, or
// calendar_missing) are recomputed in batches, so cases in progress move.
func (s *Service) PutYear(ctx context.Context, p *auth.Principal, pathYear int, data []byte) (*PutYearResult, error) {
	if !p.IsAdmin() {
		return nil, errs.Forbidden("只有管理员可以维护节假日安排", "only an administrator may change the holiday calendar")
	}
	y, err := calendar.ParseYear(data)
	if err != nil {
		return nil, yearError(err)
	}
	if pathYear != 0 && y.Year != pathYear {
		msg := fmt.Sprintf("%d", y.Year)
		return nil, errs.InvalidField("year", "请求体中的年份 "+msg+" 与路径中的年份不一致", "the body's year "+msg+" does not match the path")
	}
	canonical, err := calendar.FormatYear(y)
	if err != nil {
		return nil, errs.Internal(err)
	}
	var replaced bool
	row := models.CalendarYear{Year: y.Year, Source: y.Source, Data: string(canonical), UpdatedBy: p.UserID, UpdatedAt: time.Now().UTC()}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.CalendarYear{}).Where("year = ?", y.Year).Count(&n).Error; err != nil {
			return err
		}
		replaced = n > 0
		return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "year"}},
			DoUpdates: clause.AssignmentColumns([]string{"source", "data", "updated_by", "updated_at"})}).Create(&row).Error
	})
	if err != nil {
		return nil, errs.Internal(err)
	}
	s.invalidateCalendar()
	res := &PutYearResult{Replaced: replaced}
	rc, err := s.RecomputeYear(ctx, y.Year)
	res.Recomputed = rc
	if err != nil {
		return nil, err
	}
	res.Year = s.info(y, map[int]models.CalendarYear{y.Year: row})
	return res, nil
}

// yearError turns a calendar.ParseYear error into a 400 naming the field.
func yearError(err error) error {
	var fe *calendar.FieldError
	if errors.As(err, &fe) {
		reason := fe.Reason
		if !fe.Date.IsZero() {
			reason = fe.Date.String() + ": " + reason
		}
		return errs.InvalidField(fe.Field, "节假日安排有误（"+fe.Field+"）："+reason, fe.Field+": "+reason)
	}
	return errs.InvalidField("body", "节假日安排不是有效的 JSON："+err.Error(), "not a valid calendar JSON: "+err.Error())
}
