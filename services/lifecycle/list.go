package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/errs"
)

// ListFilter holds the list filters of DESIGN §6 (the same on the export).
// Multi-valued filters (status, outcome, termination, act_type, respondent)
// take comma-separated values. Field errors name the query parameter.
type ListFilter struct {
	OrganID      int64 // 0 = all the caller's organs
	Status       string
	Outcome      string
	Termination  string
	Respondent   string // agency ids
	ActType      string
	Area         string
	Handler      int64
	Q            string
	ReceivedFrom string
	ReceivedTo   string
	ClosedFrom   string
	ClosedTo     string
	Overdue      bool
	Metric       string
	From, To     string // the metric's period
	Sort         string
	Page         int
	PageSize     int
	// After is the cursor of the page before (ListResult.NextCursor); when
	// set, Page is ignored and the page is the rows after it.
	After string
	// ExactCount asks for the exact total however many cases match; without
	// it the total is exact up to CountCap (always exact with a Metric).
	ExactCount bool
}

// Page sizes.
const (
	DefaultPageSize = 20
	MaxPageSize     = 200
)

// CountCap is the most cases the list counts for its total unless asked for
// the exact total: beyond it the total is CountCap with TotalExact false
// ("more than 10,000"). Counting stops there so that a page of a list of
// 200,000 cases does not read 200,000 index entries to print a number.
const CountCap = 10000

// sortColumns whitelists the sort keys.
var sortColumns = map[string]string{
	"received_on": "cases.received_on", "case_no": "cases.case_no", "closed_on": "cases.closed_on",
	"accepted_on": "cases.accepted_on", "status": "cases.status", "updated_at": "cases.updated_at",
}

// SortKeys lists the sort keys the list accepts (prefix "-" for descending).
func SortKeys() []string {
	keys := make([]string, 0, len(sortColumns))
	for k := range sortColumns {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ListResult is one page of cases.
type ListResult struct {
	Items []CaseView
	// Total counts the matching cases: exactly when TotalExact, otherwise it
	// is CountCap and more match.
	Total      int64
	TotalExact bool
	// Page is the page number: the requested one, or with a cursor the
	// number of pages followed (a label: rows inserted before the position
	// since do not renumber it).
	Page     int
	PageSize int
	// NextCursor leads to the next page; empty on the last page.
	NextCursor string
}

// List returns one page of the cases p may see that match f: by page number
// (OFFSET, for the first pages and page jumps) or, with f.After, the page
// after a cursor (a range seek, as fast at page 1,000 as at page 2).
func (s *Service) List(ctx context.Context, p *auth.Principal, f ListFilter) (*ListResult, error) {
	q, err := s.query(ctx, p, &f)
	if err != nil {
		return nil, err
	}
	keys := sortKeys(f.Sort)
	page := orderBy(q.Session(&gorm.Session{}), f.Sort).Session(&gorm.Session{})
	res := &ListResult{Page: f.Page, PageSize: f.PageSize}
	offset := 0
	// The page reads its segments in order until it has a row more than it
	// shows (the row that says there is a next page).
	segs := []segment{{}}
	if f.After != "" {
		c, err := decodeCursor(f.After, f, keys)
		if err != nil {
			return nil, err
		}
		segs = keysetWhere(s.db.Dialect, keys, c)
		res.Page = c.Page
	} else {
		offset = (f.Page - 1) * f.PageSize
	}
	var ids []int64
	var vals [][]any
	for _, seg := range segs {
		if len(ids) > f.PageSize {
			break
		}
		sq := page.Limit(f.PageSize + 1 - len(ids))
		if seg.where != "" {
			sq = sq.Where(seg.where, seg.args...)
		}
		if offset > 0 {
			sq = sq.Offset(offset)
		}
		i, v, err := s.pageIDs(sq, keys)
		if err != nil {
			return nil, err
		}
		ids, vals = append(ids, i...), append(vals, v...)
	}
	if len(ids) > f.PageSize {
		// The extra row says there is a next page; its cursor names the last
		// row shown.
		ids = ids[:f.PageSize]
		var err error
		if res.NextCursor, err = encodeCursor(cursor{Values: vals[f.PageSize-1], ID: ids[f.PageSize-1], Page: res.Page + 1}, f); err != nil {
			return nil, errs.Internal(err)
		}
	}
	switch {
	case f.After == "" && res.NextCursor == "" && (offset == 0 || len(ids) > 0):
		// The last page by number: the rows before it and on it are all.
		res.Total, res.TotalExact = int64(offset+len(ids)), true
	case f.ExactCount || f.Metric != "":
		// A dashboard figure's drill-down shows the exact figure it came from.
		if err := q.Session(&gorm.Session{}).Count(&res.Total).Error; err != nil {
			return nil, errs.Internal(err)
		}
		res.TotalExact = true
	default:
		var n int64
		sub := q.Session(&gorm.Session{}).Select("1").Limit(CountCap + 1)
		if err := s.db.Read.WithContext(ctx).Raw("SELECT COUNT(*) FROM (?) AS capped", sub).Scan(&n).Error; err != nil {
			return nil, errs.Internal(err)
		}
		res.Total, res.TotalExact = min(n, CountCap), n <= CountCap
	}
	cs, err := s.casesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	if res.Items, err = s.views(ctx, s.db.Read, p, cs, true); err != nil {
		return nil, err
	}
	return res, nil
}

// pageIDs runs the page query for the ids in order and each row's sort key
// values (for the cursor of the next page).
// The ids alone are read from the index that serves the order wherever one
// covers the filter; the rows are loaded by id afterwards.
func (s *Service) pageIDs(page *gorm.DB, keys []sortKey) ([]int64, [][]any, error) {
	cols := []string{"cases.id"}
	for _, k := range keys {
		if s.db.Dialect == models.SQLite {
			// Unary plus: the stored value as it is (SQLite's driver would
			// parse a datetime column into a time whose text may differ).
			cols = append(cols, "+"+k.col)
		} else {
			cols = append(cols, k.col)
		}
	}
	rows, err := page.Select(strings.Join(cols, ", ")).Rows()
	if err != nil {
		return nil, nil, errs.Internal(err)
	}
	defer rows.Close()
	var ids []int64
	var all [][]any
	for rows.Next() {
		var id int64
		vals := make([]any, len(keys))
		dest := []any{&id}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, errs.Internal(err)
		}
		ids = append(ids, id)
		all = append(all, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, errs.Internal(err)
	}
	return ids, all, nil
}

// casesByID loads the cases of ids, in the order of ids.
func (s *Service) casesByID(ctx context.Context, ids []int64) ([]models.Case, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var cs []models.Case
	if err := s.db.Read.WithContext(ctx).Where("id IN ?", ids).Find(&cs).Error; err != nil {
		return nil, errs.Internal(err)
	}
	byID := make(map[int64]models.Case, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
	}
	out := make([]models.Case, 0, len(ids))
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// query validates f (normalising page and page size) and builds the scoped,
// filtered query on cases, without order or paging.
func (s *Service) query(ctx context.Context, p *auth.Principal, f *ListFilter) (*gorm.DB, error) {
	fe := fieldErrs{}
	organs := p.OrganIDs
	if f.OrganID != 0 {
		if !p.CanSeeOrgan(f.OrganID) {
			fe.add("organ", "无权查看该复议机关或机关不存在", "unknown organ, or not one of yours")
		}
		organs = []int64{f.OrganID}
	}
	if p == nil || len(organs) == 0 {
		organs = []int64{-1}
	}
	q := s.db.Read.WithContext(ctx).Model(&models.Case{}).Where("cases.organ_id IN ?", organs)
	inList := func(field, column, v string, list codes.List) {
		if v == "" {
			return
		}
		vals := splitList(v)
		for _, x := range vals {
			if list != nil && !list.Has(x) {
				fe.add(field, "未知的取值："+x, "unknown value: "+x)
				return
			}
		}
		q = q.Where(column+" IN ?", vals)
	}
	inList("status", "cases.status", f.Status, codes.Statuses)
	inList("outcome", "cases.outcome", f.Outcome, codes.Outcomes)
	inList("termination", "cases.termination", f.Termination, codes.Terminations)
	inList("act_type", "cases.act_type", f.ActType, codes.ActTypes)
	inList("area", "cases.area", f.Area, codes.Areas)
	if f.Respondent != "" {
		var ids []int64
		for _, x := range splitList(f.Respondent) {
			id, err := strconv.ParseInt(x, 10, 64)
			if err != nil || id <= 0 {
				fe.add("respondent", "被申请人应为机关编号："+x, "respondent must be agency ids: "+x)
				break
			}
			ids = append(ids, id)
		}
		q = q.Where("cases.respondent_id IN ?", ids)
	}
	if f.Handler != 0 {
		q = q.Where("cases.handler_id = ?", f.Handler)
	}
	if t := strings.TrimSpace(f.Q); t != "" {
		like := "%" + escapeLike(t) + "%"
		q = q.Where(`(cases.case_no LIKE ? ESCAPE '\' OR cases.applicant LIKE ? ESCAPE '\' OR cases.act_document_no LIKE ? ESCAPE '\')`, like, like, like)
	}
	dateFilter := func(field, v, cond string) {
		if v == "" {
			return
		}
		if !validDate(v) {
			fe.add(field, "日期格式应为 YYYY-MM-DD："+v, "must be a YYYY-MM-DD date: "+v)
			return
		}
		q = q.Where(cond, v)
	}
	dateFilter("received_from", f.ReceivedFrom, "cases.received_on >= ?")
	dateFilter("received_to", f.ReceivedTo, "cases.received_on <= ?")
	dateFilter("closed_from", f.ClosedFrom, "cases.closed_on >= ?")
	dateFilter("closed_to", f.ClosedTo, "cases.closed_on <= ?")
	if f.Overdue {
		// The same definition as the deadline list (services/clock OverdueSQL):
		// a step not done whose due date has passed; a step done late is history.
		// An IN list rather than EXISTS per case: the overdue deadlines are few
		// (ix_deadline_case_overdue, migration 8), the cases in scope many.
		q = q.Where(`cases.id IN (SELECT d.subject_id FROM deadlines d WHERE d.subject_type = 'case'
			AND d.status IN ('open', 'missed') AND d.due_on < ? AND d.met_on IS NULL)`, s.today())
	}
	for _, d := range []struct{ field, v string }{{"from", f.From}, {"to", f.To}} {
		if d.v != "" && !validDate(d.v) {
			fe.add(d.field, "日期格式应为 YYYY-MM-DD："+d.v, "must be a YYYY-MM-DD date: "+d.v)
		}
	}
	if f.Metric != "" {
		if s.metricFilter == nil {
			fe.add("metric", "未知的指标："+f.Metric, "unknown metric: "+f.Metric)
		} else if len(fe) == 0 {
			scope, err := s.metricFilter(ctx, s.db.Read.WithContext(ctx), f.Metric, f.From, f.To, organs)
			if err != nil {
				return nil, err
			}
			q = q.Scopes(scope)
		}
	}
	if f.Sort != "" {
		for _, k := range strings.Split(f.Sort, ",") {
			if _, ok := sortColumns[strings.TrimPrefix(strings.TrimSpace(k), "-")]; !ok {
				fe.add("sort", "不支持的排序字段："+k+"（可用："+strings.Join(SortKeys(), ", ")+"）", "unsupported sort key: "+k+" (allowed: "+strings.Join(SortKeys(), ", ")+")")
			}
		}
	}
	if f.Page < 0 {
		fe.add("page", "页码应为正整数", "page must be a positive integer")
	}
	if f.PageSize < 0 || f.PageSize > MaxPageSize {
		fe.add("page_size", fmt.Sprintf("每页条数应为1至%d", MaxPageSize), fmt.Sprintf("page_size must be 1–%d", MaxPageSize))
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	if f.Page == 0 {
		f.Page = 1
	}
	if f.PageSize == 0 {
		f.PageSize = DefaultPageSize
	}
	// A fresh session so that Count, Find and Rows each start from the filter.
	return q.Session(&gorm.Session{}), nil
}

// orderBy applies the validated sort (default -received_on, then -id).
func orderBy(q *gorm.DB, sort string) *gorm.DB {
	if sort == "" {
		sort = "-received_on"
	}
	for _, k := range strings.Split(sort, ",") {
		k = strings.TrimSpace(k)
		desc := strings.HasPrefix(k, "-")
		col := sortColumns[strings.TrimPrefix(k, "-")]
		if desc {
			q = q.Order(col + " DESC")
		} else {
			q = q.Order(col + " ASC")
		}
	}
	return q.Order("cases.id DESC")
}

func splitList(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Event is one row of a case's timeline.
type Event struct {
	ID          int64
	Action      string
	FromStatus  string
	ToStatus    string
	EffectiveOn *string
	ActorID     int64
	ActorName   string
	// Payload is the JSON of the action's parameters (edit: before/after of
	// the changed fields, personal numbers masked).
	Payload   json.RawMessage
	Note      string
	Imported  bool
	CreatedAt time.Time
}

// Events returns the timeline of case id, oldest first.
func (s *Service) Events(ctx context.Context, p *auth.Principal, id int64) ([]Event, error) {
	if _, err := loadCase(ctx, s.db.Read, p, id); err != nil {
		return nil, err
	}
	var rows []models.CaseEvent
	if err := s.db.Read.WithContext(ctx).Where("case_id = ?", id).Order("id").Find(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out := make([]Event, len(rows))
	for i, r := range rows {
		payload := json.RawMessage(r.Payload)
		if !json.Valid(payload) {
			payload = json.RawMessage(`{}`)
		}
		out[i] = Event{ID: r.ID, Action: r.Action, FromStatus: r.FromStatus, ToStatus: r.ToStatus,
			EffectiveOn: r.EffectiveOn, ActorID: r.ActorID, ActorName: r.ActorName, Payload: payload,
			Note: r.Note, Imported: r.Imported, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// IDs returns the ids of the cases p may see that match f (sort and paging
// ignored), at most limit of them; more is a 400 naming "filter".
func (s *Service) IDs(ctx context.Context, p *auth.Principal, f ListFilter, limit int) ([]int64, error) {
	q, err := s.query(ctx, p, &f)
	if err != nil {
		return nil, err
	}
	var ids []int64
	if err := q.Order("cases.id").Limit(limit+1).Pluck("cases.id", &ids).Error; err != nil {
		return nil, errs.Internal(err)
	}
	if len(ids) > limit {
		return nil, errs.InvalidField("filter", fmt.Sprintf("筛选结果超过%d件，请缩小范围", limit), fmt.Sprintf("the filter matches more than %d cases; narrow it", limit))
	}
	return ids, nil
}
