package audit

import (
	"context"
	"strconv"
	"strings"
	"time"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/errs"
)

// Query filters the trail. Every field is optional.
type Query struct {
	// Actor is a username or a numeric user id.
	Actor string
	// Action matches exactly, or as a prefix when it ends with "*"
	// ("case.*", "POST *").
	Action string
	// Subject matches exactly ("case:12").
	Subject string
	// From and To are civil dates (YYYY-MM-DD, China time), both inclusive.
	From, To string
	Page     int
	PageSize int
}

// Row is an audit row as the API shows it.
type Row struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	ActorID   int64     `json:"actor_id"`
	ActorName string    `json:"actor_name"`
	ClientIP  string    `json:"client_ip"`
	Action    string    `json:"action"`
	Subject   string    `json:"subject"`
	OrganID   int64     `json:"organ_id"`
	Before    string    `json:"before"`
	After     string    `json:"after"`
	PrevHash  string    `json:"prev_hash"`
	Hash      string    `json:"hash"`
}

// Page is one page of rows, newest first.
type Page struct {
	Items    []Row `json:"items"`
	Total    int64 `json:"total"`
	Page     int   `json:"page"`
	PageSize int   `json:"page_size"`
}

var chinaTime = time.FixedZone("CST", 8*3600)

// Search lists the rows matching q, newest first. Only administrators may.
func (s *Service) Search(ctx context.Context, p *auth.Principal, q Query) (*Page, error) {
	if !p.IsAdmin() {
		return nil, errs.Forbidden("只有管理员可以查看审计日志", "only administrators may read the audit trail")
	}
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PageSize < 1 || q.PageSize > 200 {
		q.PageSize = 50
	}
	db := s.db.Read.WithContext(ctx).Model(&models.AuditEntry{})
	if a := strings.TrimSpace(q.Actor); a != "" {
		if id, err := strconv.ParseInt(a, 10, 64); err == nil {
			db = db.Where("actor_id = ?", id)
		} else {
			db = db.Where("actor_name = ?", a)
		}
	}
	if a := strings.TrimSpace(q.Action); a != "" {
		if prefix, ok := strings.CutSuffix(a, "*"); ok {
			db = db.Where("action LIKE ? ESCAPE '!'", likeEscape(prefix)+"%")
		} else {
			db = db.Where("action = ?", a)
		}
	}
	if q.Subject != "" {
		db = db.Where("subject = ?", q.Subject)
	}
	bad := errs.Invalid("日期格式应为 YYYY-MM-DD", "dates are YYYY-MM-DD")
	if q.From != "" {
		d, err := time.ParseInLocation(time.DateOnly, q.From, chinaTime)
		if err != nil {
			return nil, bad.Field("from", "日期无效", "invalid date")
		}
		db = db.Where("at >= ?", d.UTC())
	}
	if q.To != "" {
		d, err := time.ParseInLocation(time.DateOnly, q.To, chinaTime)
		if err != nil {
			return nil, bad.Field("to", "日期无效", "invalid date")
		}
		db = db.Where("at < ?", d.AddDate(0, 0, 1).UTC())
	}
	out := &Page{Items: []Row{}, Page: q.Page, PageSize: q.PageSize}
	if err := db.Count(&out.Total).Error; err != nil {
		return nil, internal(err)
	}
	var rows []models.AuditEntry
	if err := db.Order("id DESC").Offset((q.Page - 1) * q.PageSize).Limit(q.PageSize).Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	for _, r := range rows {
		out.Items = append(out.Items, Row{ID: r.ID, At: r.At.UTC(), ActorID: r.ActorID, ActorName: r.ActorName, ClientIP: r.ClientIP,
			Action: r.Action, Subject: r.Subject, OrganID: r.OrganID, Before: r.Before, After: r.After, PrevHash: r.PrevHash, Hash: r.Hash})
	}
	return out, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}
