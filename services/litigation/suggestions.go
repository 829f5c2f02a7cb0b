package litigation

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/deadline"
	"fuyi/services/errs"
)

// Suggestion types and directions (codes.SuggestionTypes, codes.SuggestionDirections).
const (
	SuggestionJudicial      = "judicial"
	SuggestionProcuratorial = "procuratorial"
	SuggestionOpinionLetter = "opinion_letter"
	SuggestionLetter        = "suggestion_letter"

	DirectionReceived = "received"
	DirectionIssued   = "issued"
)

// directionOf is the only direction a type has: courts and procuratorates
// send suggestions to the organ; the organ issues opinion and suggestion
// letters to agencies (RL2023 Art. 76; RR2007 Art. 57).
func directionOf(typ string) string {
	if typ == SuggestionOpinionLetter || typ == SuggestionLetter {
		return DirectionIssued
	}
	return DirectionReceived
}

// Link names a reconsideration case or litigation record a suggestion concerns.
type Link struct {
	SubjectType string `json:"subject_type"` // case | litigation
	SubjectID   int64  `json:"subject_id"`
}

// SuggestionInput creates a suggestion.
type SuggestionInput struct {
	OrganID           int64
	Type              string
	Direction         string // optional; must match the type
	Number            string
	IssuerOrRecipient string
	Subject           string
	OnDate            string // received_or_issued_on
	// DueOn is a reply date written in the suggestion (judicial,
	// procuratorial); empty = the statutory default.
	DueOn     string
	Urgent    bool
	HandlerID *int64
	Note      string
	Links     []Link
}

// SuggestionPatch edits a suggestion; nil fields stay.
type SuggestionPatch struct {
	Version           int64
	Number            *string
	IssuerOrRecipient *string
	Subject           *string
	OnDate            *string
	DueOn             *string // "" = back to the statutory default
	Urgent            *bool
	HandlerID         *int64 // 0 = none
	Note              *string
	Links             *[]Link
	Adopted           *bool
}

// ReplyInput records the reply (or, for an issued letter, the feedback received).
type ReplyInput struct {
	Version   int64
	RepliedOn string
	Reply     string
	Adopted   *bool
}

// SuggestionView is a suggestion as callers see it.
type SuggestionView struct {
	ID                int64     `json:"id"`
	OrganID           int64     `json:"organ_id"`
	Type              string    `json:"type"`
	Direction         string    `json:"direction"`
	Number            string    `json:"number"`
	IssuerOrRecipient string    `json:"issuer_or_recipient"`
	Subject           string    `json:"subject"`
	OnDate            string    `json:"received_or_issued_on"`
	DueOn             *string   `json:"due_on"`
	DueSetByIssuer    bool      `json:"due_set_by_issuer"`
	Urgent            bool      `json:"urgent"`
	RepliedOn         *string   `json:"replied_on"`
	RepliedOnTime     *bool     `json:"replied_on_time"`
	Reply             string    `json:"reply"`
	Adopted           *bool     `json:"adopted"`
	HandlerID         *int64    `json:"handler_id"`
	Note              string    `json:"note"`
	Links             []Link    `json:"links"`
	Version           int64     `json:"version"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

func loadSuggestion(ctx context.Context, q *gorm.DB, p *auth.Principal, id int64) (*models.Suggestion, error) {
	var g models.Suggestion
	if err := q.WithContext(ctx).Where("id = ?", id).Take(&g).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, suggestionNotFound()
		}
		return nil, errs.Internal(err)
	}
	if !p.CanSeeOrgan(g.OrganID) {
		return nil, suggestionNotFound()
	}
	return &g, nil
}

// CreateSuggestion registers a suggestion (or an issued letter) with its
// links, event, version 1 and reply deadline in one transaction.
func (s *Service) CreateSuggestion(ctx context.Context, p *auth.Principal, in SuggestionInput) (*SuggestionView, error) {
	if !p.CanWriteCases() {
		return nil, forbiddenWrite()
	}
	var id int64
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		g, links, err := s.buildSuggestion(tx, p, in)
		if err != nil {
			return err
		}
		if err := s.insertSuggestion(ctx, tx, p, g, links); err != nil {
			return err
		}
		id = g.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.GetSuggestion(ctx, p, id)
}

func (s *Service) buildSuggestion(tx *gorm.DB, p *auth.Principal, in SuggestionInput) (*models.Suggestion, []Link, error) {
	f := fieldErrs{}
	organID, err := resolveOrgan(p, in.OrganID, f)
	if err != nil {
		return nil, nil, err
	}
	g := &models.Suggestion{OrganID: organID}
	g.Type = parseCode(f, "type", codes.SuggestionTypes, in.Type, true)
	g.Direction = directionOf(g.Type)
	if d := strings.TrimSpace(in.Direction); d != "" && g.Type != "" {
		if dir, ok := codes.SuggestionDirections.Parse(d); !ok || dir != g.Direction {
			f.add("direction", "该类建议的方向应为 "+g.Direction, "this type's direction is "+g.Direction)
		}
	}
	g.Number = strings.TrimSpace(in.Number)
	limit(f, "number", g.Number, 120)
	g.IssuerOrRecipient = strings.TrimSpace(in.IssuerOrRecipient)
	limit(f, "issuer_or_recipient", g.IssuerOrRecipient, 200)
	g.Subject = strings.TrimSpace(in.Subject)
	limit(f, "subject", g.Subject, 5000)
	g.Note = strings.TrimSpace(in.Note)
	limit(f, "note", g.Note, 5000)
	g.Urgent = in.Urgent && g.Type == SuggestionProcuratorial
	if on := strings.TrimSpace(in.OnDate); dateCheck(f, "received_or_issued_on", on, true, s.today()) {
		g.OnDate = on
	}
	s.setDue(f, g, in.DueOn)
	var links []Link
	if organID != 0 {
		g.HandlerID = s.resolveHandler(tx, f, organID, in.HandlerID)
		links = s.checkLinks(tx, f, organID, in.Links)
	}
	if err := f.err(); err != nil {
		return nil, nil, err
	}
	return g, links, nil
}

// setDue sets an issuer's reply date. Suggestion letters have none (RR2007
// Art. 57(2)); opinion-letter feedback is statutory (RL2023 Art. 76).
func (s *Service) setDue(f fieldErrs, g *models.Suggestion, due string) {
	due = strings.TrimSpace(due)
	g.DueSetByIssuer = false
	if due == "" {
		return
	}
	switch {
	case g.Type == SuggestionLetter || g.Type == SuggestionOpinionLetter:
		f.add("due_on", "意见书、建议书的反馈期限由法律规定，不能填写", "the feedback period of opinion and suggestion letters is statutory")
	case !validDate(due):
		f.add("due_on", "日期格式应为 YYYY-MM-DD", "must be a YYYY-MM-DD date")
	case g.OnDate != "" && due < g.OnDate:
		f.add("due_on", "答复期限不能早于收到日期", "due_on must not precede the received date")
	default:
		g.DueOn, g.DueSetByIssuer = ptr(due), true
	}
}

func (s *Service) checkLinks(tx *gorm.DB, f fieldErrs, organID int64, links []Link) []Link {
	out := []Link{}
	seen := map[Link]bool{}
	for _, l := range links {
		var n int64
		switch l.SubjectType {
		case SubjectCase:
			tx.Model(&models.Case{}).Where("id = ? AND organ_id = ?", l.SubjectID, organID).Count(&n)
		case SubjectLitigation:
			tx.Model(&models.LitigationCase{}).Where("id = ? AND organ_id = ?", l.SubjectID, organID).Count(&n)
		default:
			f.add("links", "关联对象类型应为 case 或 litigation", "subject_type must be case or litigation")
			continue
		}
		if n == 0 {
			f.add("links", "关联的案件不存在或不属于本机关", "a linked case does not exist or is not this organ's")
			continue
		}
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

func (s *Service) insertSuggestion(ctx context.Context, tx *gorm.DB, p *auth.Principal, g *models.Suggestion, links []Link) error {
	now := s.now().UTC()
	g.Version, g.CreatedBy, g.CreatedAt, g.UpdatedAt = 1, actorID(p), now, now
	ds, err := s.planSuggestion(ctx, tx, g)
	if err != nil {
		return err
	}
	setComputedDue(g, ds)
	if err := tx.Create(g).Error; err != nil {
		return errs.Internal(err)
	}
	if err := writeLinks(tx, g.ID, links); err != nil {
		return err
	}
	if err := appendEvent(tx, p, SubjectSuggestion, g.ID, g.OrganID, "create", "", "", ptr(g.OnDate), map[string]any{"type": g.Type}, "", now); err != nil {
		return err
	}
	if err := snapshotSuggestion(tx, p, g, links, now); err != nil {
		return err
	}
	return writeDeadlines(tx, SubjectSuggestion, g.ID, g.OrganID, g.HandlerID, ds, now)
}

func setComputedDue(g *models.Suggestion, ds []deadline.Deadline) {
	if g.DueSetByIssuer {
		return
	}
	g.DueOn = nil
	for _, d := range ds {
		if d.DueOn != nil {
			g.DueOn = strOf(d.DueOn)
		}
	}
}

func writeLinks(tx *gorm.DB, id int64, links []Link) error {
	if err := tx.Where("suggestion_id = ?", id).Delete(&models.SuggestionLink{}).Error; err != nil {
		return errs.Internal(err)
	}
	for _, l := range links {
		if err := tx.Create(&models.SuggestionLink{SuggestionID: id, SubjectType: l.SubjectType, SubjectID: l.SubjectID}).Error; err != nil {
			return errs.Internal(err)
		}
	}
	return nil
}

func snapshotSuggestion(tx *gorm.DB, p *auth.Principal, g *models.Suggestion, links []Link, now time.Time) error {
	b, err := json.Marshal(struct {
		Suggestion *models.Suggestion `json:"suggestion"`
		Links      []Link             `json:"links"`
	}{g, links})
	if err != nil {
		return errs.Internal(err)
	}
	if err := tx.Create(&models.LitigationVersion{SubjectType: SubjectSuggestion, SubjectID: g.ID, Version: g.Version, Snapshot: string(b), ActorID: actorID(p), CreatedAt: now}).Error; err != nil {
		return errs.Internal(err)
	}
	return nil
}

// UpdateSuggestion edits a suggestion (version checked).
func (s *Service) UpdateSuggestion(ctx context.Context, p *auth.Principal, id int64, in SuggestionPatch) (*SuggestionView, error) {
	return s.changeSuggestion(ctx, p, id, in.Version, "edit", func(tx *gorm.DB, g *models.Suggestion, f fieldErrs, links *[]Link) {
		set := func(dst *string, v *string, field string, n int) {
			if v != nil {
				*dst = strings.TrimSpace(*v)
				limit(f, field, *dst, n)
			}
		}
		set(&g.Number, in.Number, "number", 120)
		set(&g.IssuerOrRecipient, in.IssuerOrRecipient, "issuer_or_recipient", 200)
		set(&g.Subject, in.Subject, "subject", 5000)
		set(&g.Note, in.Note, "note", 5000)
		if in.OnDate != nil {
			on := strings.TrimSpace(*in.OnDate)
			if dateCheck(f, "received_or_issued_on", on, true, s.today()) {
				g.OnDate = on
				if g.RepliedOn != nil && *g.RepliedOn < on {
					f.add("received_or_issued_on", "不能晚于答复日期", "must not follow replied_on")
				}
			}
		}
		if in.Urgent != nil {
			g.Urgent = *in.Urgent && g.Type == SuggestionProcuratorial
		}
		if in.DueOn != nil {
			g.DueOn = nil
			s.setDue(f, g, *in.DueOn)
		}
		if in.HandlerID != nil {
			g.HandlerID = nil
			if *in.HandlerID != 0 {
				g.HandlerID = s.resolveHandler(tx, f, g.OrganID, in.HandlerID)
			}
		}
		if in.Adopted != nil {
			g.Adopted = in.Adopted
		}
		if in.Links != nil {
			*links = s.checkLinks(tx, f, g.OrganID, *in.Links)
		}
	})
}

// ReplySuggestion records the reply to a received suggestion, or the
// feedback on an issued letter, with whether it was adopted.
func (s *Service) ReplySuggestion(ctx context.Context, p *auth.Principal, id int64, in ReplyInput) (*SuggestionView, error) {
	return s.changeSuggestion(ctx, p, id, in.Version, "reply", func(_ *gorm.DB, g *models.Suggestion, f fieldErrs, _ *[]Link) {
		on := strings.TrimSpace(in.RepliedOn)
		if dateCheck(f, "replied_on", on, true, s.today()) {
			if on < g.OnDate {
				f.add("replied_on", "答复日期不能早于收到（制发）日期 "+g.OnDate, "replied_on must not precede "+g.OnDate)
			}
			g.RepliedOn = ptr(on)
		}
		g.Reply = strings.TrimSpace(in.Reply)
		limit(f, "reply", g.Reply, 10000)
		if in.Adopted != nil {
			g.Adopted = in.Adopted
		}
	})
}

func (s *Service) changeSuggestion(ctx context.Context, p *auth.Principal, id, version int64, action string,
	mutate func(tx *gorm.DB, g *models.Suggestion, f fieldErrs, links *[]Link)) (*SuggestionView, error) {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		before, err := loadSuggestion(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if !p.CanWriteCases() {
			return forbiddenWrite()
		}
		if version == 0 {
			return errs.InvalidField("version", "必须提供版本号", "version is required")
		}
		if version != before.Version {
			return errs.Stale(before.Version)
		}
		links, err := s.links(tx, id)
		if err != nil {
			return err
		}
		g := *before
		f := fieldErrs{}
		mutate(tx, &g, f, &links)
		if err := f.err(); err != nil {
			return err
		}
		now := s.now().UTC()
		g.Version, g.UpdatedAt = before.Version+1, now
		ds, err := s.planSuggestion(ctx, tx, &g)
		if err != nil {
			return err
		}
		setComputedDue(&g, ds)
		res := tx.Model(&models.Suggestion{}).Where("id = ? AND version = ?", id, before.Version).Updates(map[string]any{
			"number": g.Number, "issuer_or_recipient": g.IssuerOrRecipient, "subject": g.Subject, "on_date": g.OnDate,
			"due_on": g.DueOn, "due_set_by_issuer": g.DueSetByIssuer, "urgent": g.Urgent, "replied_on": g.RepliedOn,
			"reply": g.Reply, "adopted": g.Adopted, "handler_id": g.HandlerID, "note": g.Note,
			"version": g.Version, "updated_at": now,
		})
		if res.Error != nil {
			return errs.Internal(res.Error)
		}
		if res.RowsAffected == 0 {
			return errs.Stale(before.Version)
		}
		if err := writeLinks(tx, id, links); err != nil {
			return err
		}
		payload := map[string]any{}
		if action == "reply" {
			payload["replied_on"] = g.RepliedOn
			payload["adopted"] = g.Adopted
		}
		if err := appendEvent(tx, p, SubjectSuggestion, id, g.OrganID, action, "", "", g.RepliedOn, payload, "", now); err != nil {
			return err
		}
		if err := snapshotSuggestion(tx, p, &g, links, now); err != nil {
			return err
		}
		return writeDeadlines(tx, SubjectSuggestion, id, g.OrganID, g.HandlerID, ds, now)
	})
	if err != nil {
		return nil, err
	}
	return s.GetSuggestion(ctx, p, id)
}

func (s *Service) links(q *gorm.DB, id int64) ([]Link, error) {
	var rows []models.SuggestionLink
	if err := q.Where("suggestion_id = ?", id).Order("subject_type, subject_id").Find(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out := make([]Link, 0, len(rows))
	for _, r := range rows {
		out = append(out, Link{SubjectType: r.SubjectType, SubjectID: r.SubjectID})
	}
	return out, nil
}

func suggestionView(g *models.Suggestion, links []Link) SuggestionView {
	v := SuggestionView{ID: g.ID, OrganID: g.OrganID, Type: g.Type, Direction: g.Direction, Number: g.Number,
		IssuerOrRecipient: g.IssuerOrRecipient, Subject: g.Subject, OnDate: g.OnDate, DueOn: g.DueOn,
		DueSetByIssuer: g.DueSetByIssuer, Urgent: g.Urgent, RepliedOn: g.RepliedOn, Reply: g.Reply, Adopted: g.Adopted,
		HandlerID: g.HandlerID, Note: g.Note, Links: links, Version: g.Version, CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
	if v.Links == nil {
		v.Links = []Link{}
	}
	if g.RepliedOn != nil {
		v.RepliedOnTime = ptr(g.DueOn == nil || *g.RepliedOn <= *g.DueOn)
	}
	return v
}

// GetSuggestion returns suggestion id; another organ's is not found.
func (s *Service) GetSuggestion(ctx context.Context, p *auth.Principal, id int64) (*SuggestionView, error) {
	g, err := loadSuggestion(ctx, s.db.Read, p, id)
	if err != nil {
		return nil, err
	}
	links, err := s.links(s.db.Read.WithContext(ctx), id)
	if err != nil {
		return nil, err
	}
	v := suggestionView(g, links)
	return &v, nil
}

// SuggestionEvents returns the timeline of suggestion id.
func (s *Service) SuggestionEvents(ctx context.Context, p *auth.Principal, id int64) ([]EventView, error) {
	if _, err := loadSuggestion(ctx, s.db.Read, p, id); err != nil {
		return nil, err
	}
	return s.events(ctx, SubjectSuggestion, id)
}

// SuggestionDeadlines returns the stored reply deadline of suggestion id.
func (s *Service) SuggestionDeadlines(ctx context.Context, p *auth.Principal, id int64, lang string) ([]DeadlineView, error) {
	if _, err := loadSuggestion(ctx, s.db.Read, p, id); err != nil {
		return nil, err
	}
	return s.deadlineViews(ctx, SubjectSuggestion, id, lang)
}

// SuggestionFilter narrows the suggestion list.
type SuggestionFilter struct {
	OrganID   int64
	Type      string // comma-separated
	Direction string
	Replied   *bool
	Q         string
	OnFrom    string
	OnTo      string
	// Metric: suggestions_received | suggestions_replied |
	// suggestions_replied_on_time | opinion_letters_issued |
	// opinion_letters_replied | opinion_letters_replied_on_time (+ From, To):
	// the records behind the report's suggestion figures.
	Metric   string
	From, To string
	Page     int
	PageSize int
}

// SuggestionMetricKeys are the drill-down keys of the suggestion list.
var SuggestionMetricKeys = []string{"suggestions_received", "suggestions_replied", "suggestions_replied_on_time",
	"opinion_letters_issued", "opinion_letters_replied", "opinion_letters_replied_on_time"}

// SuggestionMetricScope returns the filter of the suggestions behind a
// figure of the report (Figures.Suggestions, Figures.OpinionLetters).
func SuggestionMetricScope(key, from, to string) (func(*gorm.DB) *gorm.DB, error) {
	from, to = period(from, to)
	var group, measure string
	if strings.HasPrefix(key, "opinion_letters_") {
		group, measure = "opinion_letters", strings.TrimPrefix(key, "opinion_letters_")
	} else if strings.HasPrefix(key, "suggestions_") {
		group, measure = "suggestions", strings.TrimPrefix(key, "suggestions_")
	}
	types := map[string][]string{"suggestions": {SuggestionJudicial, SuggestionProcuratorial}, "opinion_letters": {SuggestionOpinionLetter}}[group]
	switch {
	case types == nil:
	case measure == "received" && group == "suggestions", measure == "issued" && group == "opinion_letters":
		return func(q *gorm.DB) *gorm.DB {
			return q.Where("suggestions.type IN ? AND suggestions.on_date BETWEEN ? AND ?", types, from, to)
		}, nil
	case measure == "replied":
		return func(q *gorm.DB) *gorm.DB {
			return q.Where("suggestions.type IN ? AND suggestions.replied_on BETWEEN ? AND ?", types, from, to)
		}, nil
	case measure == "replied_on_time":
		return func(q *gorm.DB) *gorm.DB {
			return q.Where("suggestions.type IN ? AND suggestions.replied_on BETWEEN ? AND ?", types, from, to).
				Where("(suggestions.due_on IS NULL OR suggestions.replied_on <= suggestions.due_on)")
		}, nil
	}
	return nil, errs.InvalidField("metric", "未知的统计口径："+key, "unknown metric: "+key).With("allowed", SuggestionMetricKeys)
}

// ListSuggestions returns one page of the suggestions p may see, newest first.
func (s *Service) ListSuggestions(ctx context.Context, p *auth.Principal, f SuggestionFilter) (*Page[SuggestionView], error) {
	organs := append([]int64{0}, p.OrganIDs...)
	if f.OrganID != 0 {
		if !p.CanSeeOrgan(f.OrganID) {
			return nil, errs.InvalidField("organ", "无权查看该机关或机关不存在", "unknown organ, or not one of yours")
		}
		organs = []int64{f.OrganID}
	}
	q := s.db.Read.WithContext(ctx).Model(&models.Suggestion{}).Where("suggestions.organ_id IN ?", organs)
	if v := csv(f.Type); len(v) > 0 {
		q = q.Where("suggestions.type IN ?", v)
	}
	if f.Direction != "" {
		q = q.Where("suggestions.direction = ?", f.Direction)
	}
	if f.Replied != nil {
		if *f.Replied {
			q = q.Where("suggestions.replied_on IS NOT NULL")
		} else {
			q = q.Where("suggestions.replied_on IS NULL")
		}
	}
	if t := strings.TrimSpace(f.Q); t != "" {
		like := "%" + strings.NewReplacer("%", `\%`, "_", `\_`).Replace(t) + "%"
		q = q.Where("(suggestions.number LIKE ? OR suggestions.issuer_or_recipient LIKE ? OR suggestions.subject LIKE ?)", like, like, like)
	}
	if f.OnFrom != "" {
		q = q.Where("suggestions.on_date >= ?", f.OnFrom)
	}
	if f.OnTo != "" {
		q = q.Where("suggestions.on_date <= ?", f.OnTo)
	}
	if f.Metric != "" {
		scope, err := SuggestionMetricScope(f.Metric, f.From, f.To)
		if err != nil {
			return nil, err
		}
		q = q.Scopes(scope)
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, errs.Internal(err)
	}
	page, size := pageBounds(f.Page, f.PageSize)
	var gs []models.Suggestion
	if err := q.Order("suggestions.on_date DESC, suggestions.id DESC").Limit(size).Offset((page - 1) * size).Find(&gs).Error; err != nil {
		return nil, errs.Internal(err)
	}
	items := make([]SuggestionView, 0, len(gs))
	for i := range gs {
		links, err := s.links(s.db.Read.WithContext(ctx), gs[i].ID)
		if err != nil {
			return nil, err
		}
		items = append(items, suggestionView(&gs[i], links))
	}
	return &Page[SuggestionView]{Items: items, Total: total, Page: page, PageSize: size}, nil
}
