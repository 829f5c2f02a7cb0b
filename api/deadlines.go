package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"fuyi/services/auth"
	"fuyi/services/clock"
	"fuyi/services/errs"
)

// DeadlineService is what the deadline, calendar and notification
// endpoints need (services/clock.Service).
type DeadlineService interface {
	ForCase(ctx context.Context, p *auth.Principal, caseID int64) ([]clock.View, error)
	List(ctx context.Context, p *auth.Principal, f clock.ListFilter) (*clock.ListResult, error)
	ListYears(ctx context.Context) ([]clock.YearInfo, error)
	GetYear(ctx context.Context, year int) (*clock.YearDetail, error)
	PutYear(ctx context.Context, p *auth.Principal, pathYear int, data []byte) (*clock.PutYearResult, error)
	Notifications(ctx context.Context, p *auth.Principal, unreadOnly bool, page, pageSize int) (*clock.NotificationPage, error)
	MarkRead(ctx context.Context, p *auth.Principal, id int64) error
}

// deadlineJSON is one deadline of a case, in the request's language.
type deadlineJSON struct {
	Kind        string  `json:"kind"`
	Ref         string  `json:"ref,omitempty"`
	DueOn       *string `json:"due_on"`
	Status      string  `json:"status"`
	MetOn       *string `json:"met_on"`
	Explanation string  `json:"explanation"`
	Article     string  `json:"article"`
}

// deadlineItemJSON is one row of the cross-case deadline list.
type deadlineItemJSON struct {
	CaseID         int64   `json:"case_id"`
	CaseNo         string  `json:"case_no"`
	Kind           string  `json:"kind"`
	Ref            string  `json:"ref,omitempty"`
	DueOn          *string `json:"due_on"`
	Status         string  `json:"status"`
	MetOn          *string `json:"met_on"`
	HandlerID      *int64  `json:"handler_id"`
	HandlerName    string  `json:"handler_name"`
	RespondentName string  `json:"respondent_name"`
	Explanation    string  `json:"explanation"`
	Article        string  `json:"article"`
}

type deadlineListJSON struct {
	Items    []deadlineItemJSON `json:"items"`
	Total    int64              `json:"total"`
	Page     int                `json:"page"`
	PageSize int                `json:"page_size"`
}

type calendarYearJSON struct {
	Year       int        `json:"year"`
	Source     string     `json:"source"`
	Builtin    bool       `json:"builtin"`
	Overridden bool       `json:"overridden"`
	OffDays    int        `json:"off_days"`
	WorkDays   int        `json:"work_days"`
	UpdatedBy  int64      `json:"updated_by,omitempty"`
	UpdatedAt  *time.Time `json:"updated_at,omitempty"`
}

type calendarDayJSON struct {
	Date string `json:"date"`
	Name string `json:"name"`
	Off  bool   `json:"off"`
}

// calendarDetailJSON is one year: {year, source, days} is the PUT format.
type calendarDetailJSON struct {
	calendarYearJSON
	Days []calendarDayJSON `json:"days"`
}

type calendarPutJSON struct {
	Year            calendarYearJSON `json:"year"`
	Replaced        bool             `json:"replaced"`
	RecomputedCases int              `json:"recomputed_cases"`
}

type notificationJSON struct {
	ID           int64      `json:"id"`
	Kind         string     `json:"kind"`
	SubjectType  string     `json:"subject_type"`
	SubjectID    int64      `json:"subject_id"`
	DeadlineKind string     `json:"deadline_kind"`
	DueOn        string     `json:"due_on"`
	Message      string     `json:"message"`
	CreatedAt    time.Time  `json:"created_at"`
	ReadAt       *time.Time `json:"read_at"`
}

type notificationListJSON struct {
	Items    []notificationJSON `json:"items"`
	Total    int64              `json:"total"`
	Unread   int64              `json:"unread"`
	Page     int                `json:"page"`
	PageSize int                `json:"page_size"`
}

func (s *Server) deadlineRoutes(authed *gin.RouterGroup) {
	authed.GET("/cases/:id/deadlines", s.caseDeadlines)
	authed.GET("/deadlines", s.listDeadlines)
	authed.GET("/calendar", s.listCalendarYears)
	authed.GET("/calendar/:year", s.getCalendarYear)
	authed.PUT("/calendar/:year", requireRole(auth.RoleAdmin), s.putCalendarYear)
	authed.GET("/notifications", s.listNotifications)
	authed.POST("/notifications/:id/read", s.readNotification)
}

func pick(l, zh, en string) string {
	if l == "en" {
		return en
	}
	return zh
}

func (s *Server) caseDeadlines(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	vs, err := s.Deadlines.ForCase(c.Request.Context(), principalOf(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	l := lang(c)
	out := make([]deadlineJSON, len(vs))
	for i, v := range vs {
		out[i] = deadlineJSON{Kind: v.Kind, Ref: v.Ref, DueOn: v.DueOn, Status: v.Status, MetOn: v.MetOn,
			Explanation: pick(l, v.ExplanationZH, v.ExplanationEN), Article: pick(l, v.ArticleZH, v.ArticleEN)}
	}
	c.JSON(http.StatusOK, out)
}

// dlQueryInt parses an optional integer query parameter into bad's fields.
func dlQueryInt(c *gin.Context, name string, bad *errs.Error) *int {
	v := c.Query(name)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		bad.Field(name, "应为整数："+v, "must be an integer: "+v)
		return nil
	}
	return &n
}

func dlQueryBool(c *gin.Context, name string, bad *errs.Error) bool {
	switch c.Query(name) {
	case "", "false", "0":
		return false
	case "true", "1":
		return true
	}
	bad.Field(name, "应为 true 或 false", "must be true or false")
	return false
}

func (s *Server) listDeadlines(c *gin.Context) {
	bad := errs.Invalid("查询参数有误", "invalid query parameters")
	f := clock.ListFilter{DueWithinDays: dlQueryInt(c, "due_within_days", bad), Overdue: dlQueryBool(c, "overdue", bad)}
	if p := dlQueryInt(c, "page", bad); p != nil {
		f.Page = *p
	}
	if p := dlQueryInt(c, "page_size", bad); p != nil {
		f.PageSize = *p
	}
	if o := dlQueryInt(c, "organ", bad); o != nil {
		f.OrganID = int64(*o)
	}
	if len(bad.Fields) > 0 {
		fail(c, bad)
		return
	}
	r, err := s.Deadlines.List(c.Request.Context(), principalOf(c), f)
	if err != nil {
		fail(c, err)
		return
	}
	l := lang(c)
	out := deadlineListJSON{Items: make([]deadlineItemJSON, len(r.Items)), Total: r.Total, Page: r.Page, PageSize: r.PageSize}
	for i, it := range r.Items {
		out.Items[i] = deadlineItemJSON{CaseID: it.CaseID, CaseNo: it.CaseNo, Kind: it.Kind, Ref: it.Ref, DueOn: it.DueOn,
			Status: it.Status, MetOn: it.MetOn, HandlerID: it.HandlerID, HandlerName: it.HandlerName,
			RespondentName: it.RespondentName, Explanation: pick(l, it.ExplanationZH, it.ExplanationEN),
			Article: pick(l, it.ArticleZH, it.ArticleEN)}
	}
	c.JSON(http.StatusOK, out)
}

func yearJSON(y clock.YearInfo) calendarYearJSON {
	return calendarYearJSON{Year: y.Year, Source: y.Source, Builtin: y.Builtin, Overridden: y.Overridden,
		OffDays: y.OffDays, WorkDays: y.WorkDays, UpdatedBy: y.UpdatedBy, UpdatedAt: y.UpdatedAt}
}

func (s *Server) listCalendarYears(c *gin.Context) {
	ys, err := s.Deadlines.ListYears(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]calendarYearJSON, len(ys))
	for i, y := range ys {
		out[i] = yearJSON(y)
	}
	c.JSON(http.StatusOK, out)
}

// pathYear parses the :year path parameter; a bad one is a 404.
func pathYear(c *gin.Context) (int, bool) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil || y < 1 || y > 9999 {
		fail(c, errs.NotFound("calendar year", "年度节假日安排"))
		return 0, false
	}
	return y, true
}

func (s *Server) getCalendarYear(c *gin.Context) {
	year, ok := pathYear(c)
	if !ok {
		return
	}
	d, err := s.Deadlines.GetYear(c.Request.Context(), year)
	if err != nil {
		fail(c, err)
		return
	}
	out := calendarDetailJSON{calendarYearJSON: yearJSON(d.YearInfo), Days: make([]calendarDayJSON, len(d.Days))}
	for i, x := range d.Days {
		out.Days[i] = calendarDayJSON{Date: x.Date, Name: x.Name, Off: x.Off}
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) putCalendarYear(c *gin.Context) {
	year, ok := pathYear(c)
	if !ok {
		return
	}
	body, err := c.GetRawData()
	if err != nil {
		fail(c, err)
		return
	}
	r, err := s.Deadlines.PutYear(c.Request.Context(), principalOf(c), year, body)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, calendarPutJSON{Year: yearJSON(r.Year), Replaced: r.Replaced, RecomputedCases: r.Recomputed.Cases})
}

func (s *Server) listNotifications(c *gin.Context) {
	bad := errs.Invalid("查询参数有误", "invalid query parameters")
	unread := dlQueryBool(c, "unread", bad)
	page, size := dlQueryInt(c, "page", bad), dlQueryInt(c, "page_size", bad)
	if len(bad.Fields) > 0 {
		fail(c, bad)
		return
	}
	var p, ps int
	if page != nil {
		p = *page
	}
	if size != nil {
		ps = *size
	}
	r, err := s.Deadlines.Notifications(c.Request.Context(), principalOf(c), unread, p, ps)
	if err != nil {
		fail(c, err)
		return
	}
	l := lang(c)
	out := notificationListJSON{Items: make([]notificationJSON, len(r.Items)), Total: r.Total, Unread: r.Unread, Page: r.Page, PageSize: r.PageSize}
	for i, n := range r.Items {
		out.Items[i] = notificationJSON{ID: n.ID, Kind: n.Kind, SubjectType: n.SubjectType, SubjectID: n.SubjectID,
			DeadlineKind: n.DeadlineKind, DueOn: n.DueOn, Message: pick(l, n.MessageZH, n.MessageEN), CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) readNotification(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	if err := s.Deadlines.MarkRead(c.Request.Context(), principalOf(c), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
