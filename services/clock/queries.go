package clock

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/errs"
)

// View is one stored deadline of a case, in both languages.
type View struct {
	Kind          string
	Ref           string
	DueOn         *string
	Status        string
	MetOn         *string
	ExplanationZH string
	ExplanationEN string
	ArticleZH     string
	ArticleEN     string
}

// kindOrder is the procedural order deadlines are listed in.
var kindOrder = []string{"correction_notice", "correction_reply", "acceptance_review", "respondent_copy",
	"respondent_reply", "hearing_notice", "suspension_lapse", "normative_review_handle", "normative_review_forward",
	"forwarded_review_reply", "drafter_notice", "drafter_reply", "decision", "opinion_feedback"}

func kindRank(k string) int {
	if i := slices.Index(kindOrder, k); i >= 0 {
		return i
	}
	return len(kindOrder)
}

func viewOf(d *models.Deadline) View {
	kind, ref := SplitKind(d.Kind)
	zh, en := SplitArticle(d.Article)
	return View{Kind: kind, Ref: ref, DueOn: d.DueOn, Status: d.Status, MetOn: d.MetOn,
		ExplanationZH: d.ExplanationZH, ExplanationEN: d.ExplanationEN, ArticleZH: zh, ArticleEN: en}
}

var errCaseNotFound = errs.NotFound("case", "案件")

// ForCase returns the stored deadlines of case id in procedural order, with
// their explanations and articles rendered from the case (render.go). A
// case of an organ p may not see is not found (never forbidden).
func (s *Service) ForCase(ctx context.Context, p *auth.Principal, id int64) ([]View, error) {
	q := s.db.Read.WithContext(ctx)
	var c models.Case
	if err := q.Select(planColumns).Where("id = ?", id).Take(&c).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			e := *errCaseNotFound
			return nil, &e
		}
		return nil, errs.Internal(err)
	}
	if !p.CanSeeOrgan(c.OrganID) {
		e := *errCaseNotFound
		return nil, &e
	}
	var rows []models.Deadline
	if err := q.Where("subject_type = ? AND subject_id = ?", SubjectCase, id).Find(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	r, err := s.newRenderer(ctx, nil)
	if err != nil {
		return nil, err
	}
	sus, err := loadSuspensions(ctx, q, []int64{id})
	if err != nil {
		return nil, errs.Internal(err)
	}
	r.add([]models.Case{c}, sus)
	out := make([]View, len(rows))
	for i := range rows {
		r.apply(&rows[i])
		out[i] = viewOf(&rows[i])
	}
	slices.SortStableFunc(out, func(a, b View) int {
		if r := kindRank(a.Kind) - kindRank(b.Kind); r != 0 {
			return r
		}
		return strings.Compare(a.Ref, b.Ref)
	})
	return out, nil
}

// OverdueSQL is the one definition of "overdue" for a deadline row aliased
// d: past due and not done — status open or missed, due before today
// (China time), no met_on. A step done late (missed with met_on) is history,
// not overdue; a closed case has none (rowsOf). It is an index range scan on
// ix_deadline_open (organ_id, status, due_on).
func OverdueSQL(alias string) string {
	return fmt.Sprintf("%[1]s.status IN ('open', 'missed') AND %[1]s.due_on < ? AND %[1]s.met_on IS NULL", alias)
}

// OverdueCaseFilter is the case list's overdue=true: a scope on the cases
// table keeping the cases with an overdue deadline (OverdueSQL).
func (s *Service) OverdueCaseFilter() func(*gorm.DB) *gorm.DB {
	today := s.Today().String()
	return func(q *gorm.DB) *gorm.DB {
		return q.Where("EXISTS (SELECT 1 FROM deadlines d WHERE d.subject_type = 'case' AND d.subject_id = cases.id AND "+OverdueSQL("d")+")", today)
	}
}

// ListFilter selects deadlines across the caller's organs.
type ListFilter struct {
	// OrganID narrows to one of the caller's organs (0 = all of them).
	OrganID int64
	// DueWithinDays keeps open deadlines due from today to today+N calendar days.
	DueWithinDays *int
	// Overdue keeps overdue deadlines (OverdueSQL); with DueWithinDays, both.
	Overdue  bool
	Page     int
	PageSize int
}

// Item is one row of the deadline list.
type Item struct {
	CaseID         int64
	CaseNo         string
	Kind, Ref      string
	DueOn          *string
	Status         string
	MetOn          *string
	HandlerID      *int64
	HandlerName    string
	RespondentName string
	ExplanationZH  string
	ExplanationEN  string
	ArticleZH      string
	ArticleEN      string
}

// ListResult is one page of the deadline list.
type ListResult struct {
	Items    []Item
	Total    int64
	Page     int
	PageSize int
}

// Page sizes of the lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 200
)

type listRow struct {
	models.Deadline
	CaseNo         string
	HandlerName    *string
	HandlerUser    *string
	RespondentName *string
}

// List returns the case deadlines of p's organs ordered by due date: with
// no filter every open one; DueWithinDays the open ones due within N days;
// Overdue the overdue ones. Every variant is a range scan on
// ix_deadline_open (organ_id, status, due_on). The page's explanations are
// rendered from its cases (render.go: one query for the cases, one for
// their suspensions, each case planned once).
func (s *Service) List(ctx context.Context, p *auth.Principal, f ListFilter) (*ListResult, error) {
	bad := errs.Invalid("查询参数有误", "invalid query parameters")
	organs := []int64{}
	if p != nil {
		organs = p.OrganIDs
	}
	if f.OrganID != 0 {
		if !p.CanSeeOrgan(f.OrganID) {
			bad.Field("organ", "无权查看该复议机关或机关不存在", "unknown organ, or not one of yours")
		}
		organs = []int64{f.OrganID}
	}
	if len(organs) == 0 {
		organs = []int64{-1}
	}
	if f.DueWithinDays != nil && (*f.DueWithinDays < 0 || *f.DueWithinDays > 366) {
		bad.Field("due_within_days", "天数应为0至366", "must be 0–366")
	}
	if f.Page < 0 {
		bad.Field("page", "页码应为正整数", "page must be a positive integer")
	}
	if f.PageSize < 0 || f.PageSize > MaxPageSize {
		bad.Field("page_size", fmt.Sprintf("每页条数应为1至%d", MaxPageSize), fmt.Sprintf("page_size must be 1–%d", MaxPageSize))
	}
	if len(bad.Fields) > 0 {
		return nil, bad
	}
	if f.Page == 0 {
		f.Page = 1
	}
	if f.PageSize == 0 {
		f.PageSize = DefaultPageSize
	}
	today := s.Today()
	q := s.db.Read.WithContext(ctx).Table("deadlines").
		Joins("JOIN cases ON cases.id = deadlines.subject_id").
		// subject_type || '' keeps the planner off ux_deadline_subject (whose
		// leading column it would otherwise pick): the scan is ix_deadline_open.
		Where("deadlines.organ_id IN ? AND deadlines.subject_type || '' = ?", organs, SubjectCase)
	switch {
	case f.Overdue && f.DueWithinDays != nil:
		q = q.Where("deadlines.status IN ('open', 'missed') AND deadlines.due_on <= ? AND deadlines.met_on IS NULL",
			today.AddDays(*f.DueWithinDays).String())
	case f.Overdue:
		q = q.Where(OverdueSQL("deadlines"), today.String())
	case f.DueWithinDays != nil:
		q = q.Where("deadlines.status = 'open' AND deadlines.due_on >= ? AND deadlines.due_on <= ?",
			today.String(), today.AddDays(*f.DueWithinDays).String())
	default:
		q = q.Where("deadlines.status = 'open'")
	}
	q = q.Session(&gorm.Session{})
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, errs.Internal(err)
	}
	var rows []listRow
	err := q.Select("deadlines.*, cases.case_no AS case_no, users.display_name AS handler_name, users.username AS handler_user, agencies.name AS respondent_name").
		Joins("LEFT JOIN users ON users.id = deadlines.handler_id").
		Joins("LEFT JOIN agencies ON agencies.id = cases.respondent_id").
		Order("deadlines.due_on ASC, deadlines.id ASC").
		Offset((f.Page - 1) * f.PageSize).Limit(f.PageSize).Find(&rows).Error
	if err != nil {
		return nil, errs.Internal(err)
	}
	ids := make([]int64, 0, len(rows))
	for i := range rows {
		ids = append(ids, rows[i].SubjectID)
	}
	ren, err := s.renderCases(ctx, s.db.Read, slices.Compact(slices.Sorted(slices.Values(ids))))
	if err != nil {
		return nil, errs.Internal(err)
	}
	out := &ListResult{Items: make([]Item, len(rows)), Total: total, Page: f.Page, PageSize: f.PageSize}
	for i, r := range rows {
		ren.apply(&r.Deadline)
		v := viewOf(&r.Deadline)
		it := Item{CaseID: r.SubjectID, CaseNo: r.CaseNo, Kind: v.Kind, Ref: v.Ref, DueOn: v.DueOn, Status: v.Status, MetOn: v.MetOn,
			HandlerID: r.HandlerID, ExplanationZH: v.ExplanationZH, ExplanationEN: v.ExplanationEN, ArticleZH: v.ArticleZH, ArticleEN: v.ArticleEN}
		if r.HandlerName != nil && *r.HandlerName != "" {
			it.HandlerName = *r.HandlerName
		} else if r.HandlerUser != nil {
			it.HandlerName = *r.HandlerUser
		}
		if r.RespondentName != nil {
			it.RespondentName = *r.RespondentName
		}
		out.Items[i] = it
	}
	return out, nil
}

// NotificationView is one in-app notification.
type NotificationView struct {
	ID           int64
	Kind         string // due_5 | due_1 | missed
	SubjectType  string
	SubjectID    int64
	DeadlineKind string
	DueOn        string
	MessageZH    string
	MessageEN    string
	CreatedAt    time.Time
	ReadAt       *time.Time
}

// NotificationPage is one page of a user's notifications.
type NotificationPage struct {
	Items    []NotificationView
	Total    int64
	Unread   int64
	Page     int
	PageSize int
}

func (s *Service) ownNotifications(ctx context.Context, p *auth.Principal) *gorm.DB {
	organs := []int64{-1}
	var user int64 = -1
	if p != nil {
		user = p.UserID
		if len(p.OrganIDs) > 0 {
			organs = p.OrganIDs
		}
	}
	return s.db.Read.WithContext(ctx).Model(&models.Notification{}).Where("user_id = ? AND organ_id IN ?", user, organs)
}

// Notifications returns p's notifications (of the organs p may still see),
// newest first, and the count of unread ones.
func (s *Service) Notifications(ctx context.Context, p *auth.Principal, unreadOnly bool, page, pageSize int) (*NotificationPage, error) {
	if page < 0 {
		return nil, errs.InvalidField("page", "页码应为正整数", "page must be a positive integer")
	}
	if pageSize < 0 || pageSize > MaxPageSize {
		return nil, errs.InvalidField("page_size", fmt.Sprintf("每页条数应为1至%d", MaxPageSize), fmt.Sprintf("page_size must be 1–%d", MaxPageSize))
	}
	if page == 0 {
		page = 1
	}
	if pageSize == 0 {
		pageSize = DefaultPageSize
	}
	out := &NotificationPage{Items: []NotificationView{}, Page: page, PageSize: pageSize}
	if err := s.ownNotifications(ctx, p).Where("read_at IS NULL").Count(&out.Unread).Error; err != nil {
		return nil, errs.Internal(err)
	}
	q := s.ownNotifications(ctx, p)
	if unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	if err := q.Session(&gorm.Session{}).Count(&out.Total).Error; err != nil {
		return nil, errs.Internal(err)
	}
	var rows []models.Notification
	if err := q.Order("id DESC").Offset((page - 1) * pageSize).Limit(pageSize).Find(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	for _, r := range rows {
		kind, _ := SplitKind(r.DeadlineKind)
		out.Items = append(out.Items, NotificationView{ID: r.ID, Kind: r.Kind, SubjectType: r.SubjectType, SubjectID: r.SubjectID,
			DeadlineKind: kind, DueOn: r.DueOn, MessageZH: r.MessageZH, MessageEN: r.MessageEN, CreatedAt: r.CreatedAt, ReadAt: r.ReadAt})
	}
	return out, nil
}

// MarkRead marks one of p's notifications read (again: no change). Another
// user's notification is not found.
func (s *Service) MarkRead(ctx context.Context, p *auth.Principal, id int64) error {
	var n int64
	if err := s.ownNotifications(ctx, p).Where("id = ?", id).Count(&n).Error; err != nil {
		return errs.Internal(err)
	}
	if n == 0 {
		return errs.NotFound("notification", "通知")
	}
	now := s.now().UTC()
	err := s.db.Write.WithContext(ctx).Model(&models.Notification{}).
		Where("id = ? AND user_id = ? AND read_at IS NULL", id, p.UserID).Update("read_at", now).Error
	if err != nil {
		return errs.Internal(err)
	}
	return nil
}
