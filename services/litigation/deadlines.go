package litigation

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/calendar"
	"fuyi/services/deadline"
	"fuyi/services/errs"
)

// DeadlineView is one deadline of a litigation record or a suggestion.
type DeadlineView struct {
	Kind          string  `json:"kind"`
	DueOn         *string `json:"due_on"`
	Status        string  `json:"status"`
	MetOn         *string `json:"met_on"`
	Explanation   string  `json:"explanation"`
	ExplanationZH string  `json:"explanation_zh"`
	ExplanationEN string  `json:"explanation_en"`
	Article       string  `json:"article"`
}

func dateOf(s *string) *calendar.Date {
	if s == nil || *s == "" {
		return nil
	}
	d, err := calendar.ParseDate(*s)
	if err != nil {
		return nil
	}
	return &d
}

func strOf(d *calendar.Date) *string {
	if d == nil {
		return nil
	}
	s := d.String()
	return &s
}

func (s *Service) planner(ctx context.Context, tx *gorm.DB) (*deadline.Planner, *calendar.Calendar, error) {
	cal, err := s.cal(ctx, tx)
	if err != nil {
		return nil, nil, errs.Internal(err)
	}
	return deadline.NewPlanner(s.rules, cal), cal, nil
}

// litigationFacts maps a record onto the deadline engine's facts:
//   - first instance / retrial: the complaint copy is the notification (ALL
//     Art. 67, defence 15 days); service of the judgment or ruling opens the
//     appeal window (Art. 85: 15 / 10 days);
//   - second instance: the notification is the appeal copy (ALL-Interp Art.
//     108: answer 15 days); a second-instance judgment is final (no window);
//   - civil suits share the 15-day defence (CPL Art. 128);
//   - as_respondent records (the organ answering a reconsideration before a
//     higher organ) have no court deadlines here.
func litigationFacts(c *models.LitigationCase) (deadline.LitigationFacts, bool) {
	var f deadline.LitigationFacts
	switch {
	case c.Kind == KindAsRespondent:
		return f, false
	case c.Instance == InstanceSecond:
		f.AppealCopyReceivedOn = dateOf(&c.NotifiedOn)
		f.AppealAnswerFiledOn = dateOf(c.DefenceFiledOn)
	default:
		f.ComplaintReceivedOn = dateOf(&c.NotifiedOn)
		f.DefenceFiledOn = dateOf(c.DefenceFiledOn)
		if c.ServedOn != nil {
			if c.JudgmentForm == "ruling" {
				f.RulingServedOn, f.RulingAppealedOn = dateOf(c.ServedOn), dateOf(c.AppealedOn)
			} else if c.JudgmentForm == "judgment" {
				f.JudgmentServedOn, f.JudgmentAppealedOn = dateOf(c.ServedOn), dateOf(c.AppealedOn)
			}
		}
	}
	// A concluded instance makes its still-open office deadlines moot.
	f.ClosedOn = dateOf(c.ConcludedOn)
	return f, true
}

// planLitigation computes the deadlines of c and copies the defence and
// appeal due dates onto the record.
func (s *Service) planLitigation(ctx context.Context, tx *gorm.DB, c *models.LitigationCase) ([]deadline.Deadline, error) {
	facts, ok := litigationFacts(c)
	c.DefenceDueOn, c.AppealDeadlineOn = nil, nil
	if !ok {
		return nil, nil
	}
	pl, _, err := s.planner(ctx, tx)
	if err != nil {
		return nil, err
	}
	today, _ := calendar.ParseDate(s.today())
	ds, err := pl.Litigation(facts, today)
	if err != nil {
		return nil, errs.Internal(err)
	}
	for _, d := range ds {
		switch d.Kind {
		case deadline.Defence, deadline.AppealAnswer:
			c.DefenceDueOn = strOf(d.DueOn)
		case deadline.AppealJudgment, deadline.AppealRuling:
			c.AppealDeadlineOn = strOf(d.DueOn)
		}
	}
	return ds, nil
}

// writeDeadlines replaces the deadline rows of one subject.
func writeDeadlines(tx *gorm.DB, subjectType string, subjectID, organID int64, handlerID *int64, ds []deadline.Deadline, now time.Time) error {
	if err := tx.Where("subject_type = ? AND subject_id = ?", subjectType, subjectID).Delete(&models.Deadline{}).Error; err != nil {
		return errs.Internal(err)
	}
	seen := map[string]bool{}
	for _, d := range ds {
		kind := string(d.Kind)
		if seen[kind] {
			continue
		}
		seen[kind] = true
		row := models.Deadline{
			SubjectType: subjectType, SubjectID: subjectID, Kind: kind, OrganID: organID,
			Status: string(d.Status), DueOn: strOf(d.DueOn), MetOn: strOf(d.MetOn), HandlerID: handlerID,
			ExplanationZH: d.ExplanationZH, ExplanationEN: d.ExplanationEN, Article: d.ArticleZH, UpdatedAt: now,
		}
		if err := tx.Create(&row).Error; err != nil {
			return errs.Internal(err)
		}
	}
	return nil
}

// planSuggestion computes the reply (feedback) deadline of a suggestion:
//   - judicial: 60 days (ALL-Interp Art. 149) unless the court set a date
//     (法释〔2023〕11号 Art. 8: generally ≤ 2 months) — the written date wins;
//   - procuratorial: 2 months, urgent 15 days (两高公益诉讼解释 Art. 21), or
//     the date in the suggestion;
//   - opinion letter (意见书) issued: feedback within 60 days of receipt
//     (RL2023 Art. 76; RR2007 Art. 57(1)), counted from the issue date here;
//   - suggestion letter (建议书): no deadline (RR2007 Art. 57(2)).
func (s *Service) planSuggestion(ctx context.Context, tx *gorm.DB, g *models.Suggestion) ([]deadline.Deadline, error) {
	on := dateOf(&g.OnDate)
	if on == nil {
		return nil, nil
	}
	pl, cal, err := s.planner(ctx, tx)
	if err != nil {
		return nil, err
	}
	today, _ := calendar.ParseDate(s.today())
	switch g.Type {
	case "judicial", "procuratorial":
		sg := deadline.Suggestion{Kind: deadline.Judicial, ReceivedOn: *on, Urgent: g.Urgent, RepliedOn: dateOf(g.RepliedOn)}
		if g.Type == "procuratorial" {
			sg.Kind = deadline.Procuratorial
		}
		if g.DueSetByIssuer {
			sg.DueOn = dateOf(g.DueOn)
		}
		ds, err := pl.Litigation(deadline.LitigationFacts{Suggestions: []deadline.Suggestion{sg}}, today)
		if err != nil {
			return nil, errs.Invalid("建议的日期有误："+err.Error(), "invalid suggestion dates: "+err.Error())
		}
		return ds, nil
	case "opinion_letter":
		regime := deadline.RegimeFor(*on)
		rule, ok := s.rules.Lookup(deadline.OpinionFeedback, regime, "")
		if !ok {
			return nil, nil
		}
		r, err := deadline.ComputePeriod(cal, deadline.Period{Start: *on, Length: rule.Length, Unit: rule.Unit, Event: rule.Start})
		d := deadline.Deadline{Kind: deadline.OpinionFeedback, ArticleZH: rule.ArticleZH, ArticleEN: rule.ArticleEN, MetOn: dateOf(g.RepliedOn)}
		if err != nil {
			d.Status = deadline.CalendarMissing
			if y, ok := calendar.MissingYear(err); ok {
				d.MissingYear = y
				d.ExplanationZH = fmt.Sprintf("缺少 %d 年节假日安排，无法计算", y)
				d.ExplanationEN = fmt.Sprintf("the %d holiday calendar is missing", y)
			}
			return []deadline.Deadline{d}, nil
		}
		due := r.Due
		d.DueOn = &due
		d.ExplanationZH, d.ExplanationEN = r.Explain("zh"), r.Explain("en")
		switch {
		case d.MetOn != nil && !d.MetOn.After(due):
			d.Status = deadline.Met
		case d.MetOn != nil || today.After(due):
			d.Status = deadline.Missed
		default:
			d.Status = deadline.Open
		}
		return []deadline.Deadline{d}, nil
	}
	return nil, nil
}

// Deadlines returns the stored deadlines of record id in lang.
func (s *Service) Deadlines(ctx context.Context, p *auth.Principal, id int64, lang string) ([]DeadlineView, error) {
	if _, err := loadLitigation(ctx, s.db.Read, p, id); err != nil {
		return nil, err
	}
	return s.deadlineViews(ctx, SubjectLitigation, id, lang)
}

func (s *Service) deadlineViews(ctx context.Context, subjectType string, id int64, lang string) ([]DeadlineView, error) {
	var rows []models.Deadline
	if err := s.db.Read.WithContext(ctx).Where("subject_type = ? AND subject_id = ?", subjectType, id).Order("due_on, kind").Find(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out := make([]DeadlineView, 0, len(rows))
	for _, r := range rows {
		v := DeadlineView{Kind: r.Kind, DueOn: r.DueOn, Status: r.Status, MetOn: r.MetOn,
			ExplanationZH: r.ExplanationZH, ExplanationEN: r.ExplanationEN, Explanation: r.ExplanationZH, Article: r.Article}
		if lang == "en" {
			v.Explanation = r.ExplanationEN
		}
		out = append(out, v)
	}
	return out, nil
}

// RecomputeDeadlines recomputes and rewrites the deadline rows of every open
// litigation record and suggestion of the organs (a sweep calls it daily so
// that open deadlines turn missed); it is idempotent.
func (s *Service) RecomputeDeadlines(ctx context.Context, organIDs []int64) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		var cs []models.LitigationCase
		if err := tx.Where("organ_id IN ? AND status <> ?", organIDs, StatusClosed).Find(&cs).Error; err != nil {
			return errs.Internal(err)
		}
		now := s.now().UTC()
		for i := range cs {
			c := &cs[i]
			ds, err := s.planLitigation(ctx, tx, c)
			if err != nil {
				return err
			}
			if err := tx.Model(&models.LitigationCase{}).Where("id = ?", c.ID).
				Updates(map[string]any{"defence_due_on": c.DefenceDueOn, "appeal_deadline_on": c.AppealDeadlineOn}).Error; err != nil {
				return errs.Internal(err)
			}
			if err := writeDeadlines(tx, SubjectLitigation, c.ID, c.OrganID, c.HandlerID, ds, now); err != nil {
				return err
			}
		}
		var gs []models.Suggestion
		if err := tx.Where("organ_id IN ? AND replied_on IS NULL", organIDs).Find(&gs).Error; err != nil {
			return errs.Internal(err)
		}
		for i := range gs {
			ds, err := s.planSuggestion(ctx, tx, &gs[i])
			if err != nil {
				return err
			}
			if err := writeDeadlines(tx, SubjectSuggestion, gs[i].ID, gs[i].OrganID, gs[i].HandlerID, ds, now); err != nil {
				return err
			}
		}
		return nil
	})
}
