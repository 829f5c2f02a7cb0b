package workflow

import (
	"context"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/errs"
)

// Queue keys.
const (
	QueueMine             = "mine"
	QueueUnassigned       = "unassigned"
	QueueAwaitingApproval = "awaiting_approval"
	QueueTeam             = "team"
	QueueFollowups        = "followups"
)

// QueueInfo names a queue with its count for the caller.
type QueueInfo struct {
	Key    string
	NameZH string
	NameEN string
	Count  int64
}

// QueueCase is one case of a case queue: the nearest open due date and the
// days waiting since receipt.
type QueueCase struct {
	ID             int64
	CaseNo         string
	Status         string
	Applicant      string
	RespondentID   int64
	RespondentName string
	ReceivedOn     string
	HandlerID      *int64
	HandlerName    string
	NextDueOn      *string
	NextDueKind    string
	// DaysWaiting is today − received_on in calendar days.
	DaysWaiting int
	Overdue     bool
	Version     int64
}

// QueuePage is one page of a queue; Items is []QueueCase (mine,
// unassigned), []ProposalView (awaiting_approval), []Workload (team) or
// []FollowupView (followups).
type QueuePage struct {
	Key      string
	Items    any
	Total    int64
	Page     int
	PageSize int
}

// Queues lists the caller's queues with their counts; team is for managers.
func (s *Service) Queues(ctx context.Context, p *auth.Principal) ([]QueueInfo, error) {
	if p == nil {
		return nil, errs.Unauthenticated("请先登录", "authentication required")
	}
	out := []QueueInfo{}
	if p.CanWriteCases() {
		var n int64
		if err := s.mineQuery(ctx, p).Count(&n).Error; err != nil {
			return nil, errs.Internal(err)
		}
		out = append(out, QueueInfo{QueueMine, "我的案件", "my cases", n})
	}
	var n int64
	if err := s.unassignedQuery(ctx, p).Count(&n).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out = append(out, QueueInfo{QueueUnassigned, "未分配", "unassigned", n})
	if p.CanWriteCases() {
		ps, err := s.Proposals(ctx, p, ProposalFilter{AwaitingMe: true})
		if err != nil {
			return nil, err
		}
		out = append(out, QueueInfo{QueueAwaitingApproval, "待我审批", "awaiting my approval", int64(len(ps))})
	}
	if p.IsManager() && len(p.OrganIDs) > 0 {
		var n int64
		if err := s.db.Read.WithContext(ctx).Model(&models.Case{}).Where("organ_id IN ? AND status IN ? AND handler_id IS NOT NULL", p.OrganIDs, openStatuses).Count(&n).Error; err != nil {
			return nil, errs.Internal(err)
		}
		out = append(out, QueueInfo{QueueTeam, "团队", "team", n})
	}
	if err := s.followupQuery(ctx, p, FollowupFilter{Open: true}).Count(&n).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out = append(out, QueueInfo{QueueFollowups, "履行监督", "follow-ups", n})
	return out, nil
}

func (s *Service) mineQuery(ctx context.Context, p *auth.Principal) *gorm.DB {
	return s.db.Read.WithContext(ctx).Model(&models.Case{}).
		Where("cases.organ_id IN ? AND cases.status IN ? AND (cases.handler_id = ? OR cases.second_handler_id = ?)", orEmpty(p.OrganIDs), openStatuses, p.UserID, p.UserID)
}

func (s *Service) unassignedQuery(ctx context.Context, p *auth.Principal) *gorm.DB {
	return s.db.Read.WithContext(ctx).Model(&models.Case{}).
		Where("cases.organ_id IN ? AND cases.status IN ? AND cases.handler_id IS NULL", orEmpty(p.OrganIDs), openStatuses)
}

// Queue returns one page of the queue key for p. Case queues are sorted by
// the nearest open due date (cases without one last), then receipt.
func (s *Service) Queue(ctx context.Context, p *auth.Principal, key string, page, pageSize int) (*QueuePage, error) {
	if p == nil {
		return nil, errs.Unauthenticated("请先登录", "authentication required")
	}
	if page <= 0 {
		page = 1
	}
	if pageSize <= 0 {
		pageSize = 20
	}
	if pageSize > 200 {
		return nil, errs.InvalidField("page_size", "每页条数应为1至200", "page_size must be 1–200")
	}
	out := &QueuePage{Key: key, Page: page, PageSize: pageSize}
	switch key {
	case QueueMine, QueueUnassigned:
		if key == QueueMine && !p.CanWriteCases() {
			return nil, forbidden()
		}
		q := s.unassignedQuery(ctx, p)
		if key == QueueMine {
			q = s.mineQuery(ctx, p)
		}
		items, total, err := s.caseQueue(ctx, q, page, pageSize)
		if err != nil {
			return nil, err
		}
		out.Items, out.Total = items, total
	case QueueAwaitingApproval:
		if !p.CanWriteCases() {
			return nil, forbidden()
		}
		ps, err := s.Proposals(ctx, p, ProposalFilter{AwaitingMe: true})
		if err != nil {
			return nil, err
		}
		out.Total = int64(len(ps))
		out.Items = pageOf(ps, page, pageSize)
	case QueueTeam:
		if !p.IsManager() {
			return nil, forbidden()
		}
		var all []Workload
		for _, o := range p.OrganIDs {
			w, err := s.Workload(ctx, p, o)
			if err != nil {
				return nil, err
			}
			all = append(all, w...)
		}
		out.Total = int64(len(all))
		out.Items = pageOf(all, page, pageSize)
	case QueueFollowups:
		items, total, err := s.Followups(ctx, p, FollowupFilter{Open: true, Page: page, PageSize: pageSize})
		if err != nil {
			return nil, err
		}
		out.Items, out.Total = items, total
	default:
		return nil, errs.NotFound("queue", "工作队列")
	}
	return out, nil
}

func pageOf[T any](all []T, page, size int) []T {
	from := (page - 1) * size
	if from >= len(all) {
		return []T{}
	}
	to := min(from+size, len(all))
	return all[from:to]
}

// nextDueSQL is the nearest open (or overdue) due date of the case row.
const nextDueSQL = `(SELECT MIN(d.due_on) FROM deadlines d WHERE d.subject_type = 'case' AND d.subject_id = cases.id
	AND d.status IN ('open', 'missed') AND d.met_on IS NULL)`

func (s *Service) caseQueue(ctx context.Context, q *gorm.DB, page, size int) ([]QueueCase, int64, error) {
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, errs.Internal(err)
	}
	var cs []models.Case
	if err := q.Session(&gorm.Session{}).
		Order("CASE WHEN " + nextDueSQL + " IS NULL THEN 1 ELSE 0 END").Order(nextDueSQL).
		Order("cases.received_on").Order("cases.id").
		Offset((page - 1) * size).Limit(size).Find(&cs).Error; err != nil {
		return nil, 0, errs.Internal(err)
	}
	out := make([]QueueCase, 0, len(cs))
	if len(cs) == 0 {
		return out, total, nil
	}
	ids, agencies, users := []int64{}, []int64{}, []int64{}
	for _, c := range cs {
		ids = append(ids, c.ID)
		agencies = append(agencies, c.RespondentID)
		if c.HandlerID != nil {
			users = append(users, *c.HandlerID)
		}
	}
	rq := s.db.Read.WithContext(ctx)
	due, err := nextDue(ctx, rq, ids)
	if err != nil {
		return nil, 0, err
	}
	names, err := userNames(ctx, rq, users)
	if err != nil {
		return nil, 0, err
	}
	ag, err := agencyNames(ctx, rq, agencies)
	if err != nil {
		return nil, 0, err
	}
	today := s.today()
	for _, c := range cs {
		v := QueueCase{ID: c.ID, CaseNo: c.CaseNo, Status: c.Status, Applicant: c.Applicant, RespondentID: c.RespondentID,
			RespondentName: ag[c.RespondentID], ReceivedOn: c.ReceivedOn, HandlerID: c.HandlerID, DaysWaiting: daysBetween(c.ReceivedOn, today), Version: c.Version}
		if c.HandlerID != nil {
			v.HandlerName = names[*c.HandlerID]
		}
		if d, ok := due[c.ID]; ok {
			v.NextDueOn, v.NextDueKind, v.Overdue = ptr(d.on), d.kind, d.on < today
		}
		out = append(out, v)
	}
	return out, total, nil
}

func agencyNames(ctx context.Context, q *gorm.DB, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var as []models.Agency
	if err := q.WithContext(ctx).Select("id", "name").Where("id IN ?", ids).Find(&as).Error; err != nil {
		return nil, errs.Internal(err)
	}
	for _, a := range as {
		out[a.ID] = a.Name
	}
	return out, nil
}

// daysBetween is to − from in calendar days (0 on a bad date).
func daysBetween(from, to string) int {
	a, err1 := time.Parse(time.DateOnly, from)
	b, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(b.Sub(a).Hours() / 24)
}
