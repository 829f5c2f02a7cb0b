package clock

import (
	"context"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/calendar"
	"fuyi/services/deadline"
)

// The explanation and article of a case deadline are not stored (rowsOf
// leaves them empty: they were ~37 % of the database's bytes, written once
// per row by the import's single writer); they are rendered when read, from
// the case's facts and the current calendar, by the code that computes the
// rows (plan). Status, due date and met date stay the stored row's: lists
// filter on them and the sweep maintains them. A stored row whose kind the
// plan lacks (the rows lag behind the plan, e.g. before the day's sweep)
// keeps its stored columns: the text it was written with, or nothing.

// rendered is the explanation and article (as stored: joinArticle) of one
// planned deadline.
type rendered struct {
	zh, en, article string
}

// renderer renders the explanations of case deadlines as of one day over
// one calendar.
type renderer struct {
	s     *Service
	pl    *deadline.Planner
	today calendar.Date
	plans map[int64]map[string]rendered // case id → stored kind → text
}

// newRenderer returns a renderer over the current calendar as q sees it
// (nil: the read pool).
func (s *Service) newRenderer(ctx context.Context, q *gorm.DB) (*renderer, error) {
	cal, err := s.Calendar(ctx, q)
	if err != nil {
		return nil, err
	}
	return &renderer{s: s, pl: s.planner(cal), today: s.Today(), plans: map[int64]map[string]rendered{}}, nil
}

// add plans the cases (with their suspensions) once each. A case whose
// facts the engine refuses gets no plan: its rows keep their stored text.
func (r *renderer) add(cases []models.Case, sus map[int64][]models.CaseSuspension) {
	for i := range cases {
		c := &cases[i]
		ds, err := r.s.plan(r.pl, c, sus[c.ID], r.today, true)
		if err != nil {
			r.s.log.Warn("deadline explanation not rendered", "case_id", c.ID, "err", err)
			continue
		}
		m := make(map[string]rendered, len(ds))
		for _, d := range ds {
			m[StoredKind(d.Kind, d.Ref)] = rendered{zh: d.ExplanationZH, en: d.ExplanationEN, article: joinArticle(d.ArticleZH, d.ArticleEN)}
		}
		r.plans[c.ID] = m
	}
}

// apply sets the explanation and article of a stored case-deadline row to
// the plan's of its case and kind, when there is one.
func (r *renderer) apply(d *models.Deadline) {
	if d.SubjectType != SubjectCase {
		return
	}
	if x, ok := r.plans[d.SubjectID][d.Kind]; ok {
		d.ExplanationZH, d.ExplanationEN, d.Article = x.zh, x.en, x.article
	}
}

// renderCases loads the cases ids (their planColumns, one query) and their
// suspensions (one query per batchSize cases) through q and plans each once.
func (s *Service) renderCases(ctx context.Context, q *gorm.DB, ids []int64) (*renderer, error) {
	r, err := s.newRenderer(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return r, nil
	}
	var cases []models.Case
	for start := 0; start < len(ids); start += batchSize {
		var part []models.Case
		if err := q.WithContext(ctx).Select(planColumns).Where("id IN ?", ids[start:min(start+batchSize, len(ids))]).Find(&part).Error; err != nil {
			return nil, err
		}
		cases = append(cases, part...)
	}
	sus, err := loadSuspensions(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	r.add(cases, sus)
	return r, nil
}
