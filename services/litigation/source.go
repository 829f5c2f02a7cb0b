package litigation

import (
	"context"

	"fuyi/models"
	"fuyi/services/errs"
	"fuyi/services/stats"
)

// LitigationFigures implements stats.LitigationSource: the litigation block
// of the report JSON (DESIGN §6), the figures of ComputeStats (by the same
// rules, see Figures) that the block shows — without the by-agency
// breakdown and the opinion letters, which Stats serves in full (GET
// /api/v1/litigations/stats): every statistics request reads this block, so
// it runs only the counts it needs, each an index-only range over the
// period (indexes of migration 7). Wire it with
// statsService.SetLitigation(litigationService).
func (s *Service) LitigationFigures(ctx context.Context, from, to string, organIDs []int64) (stats.Litigation, error) {
	from, to = period(from, to)
	q := s.db.Read.WithContext(ctx)
	organs := append([]int64{0}, organIDs...)
	l := stats.EmptyLitigation()

	// received by category, in one pass over the period's index range (a
	// GROUP BY would sort): civil and as_respondent whatever the instance,
	// the other kinds by instance — the categories of ComputeStats.
	other := "kind NOT IN ('" + KindCivil + "', '" + KindAsRespondent + "')"
	count := func(cond string) string { return "COALESCE(SUM(CASE WHEN " + cond + " THEN 1 ELSE 0 END), 0)" }
	var received struct{ Civil, AsRespondent, First, Second, Retrial int64 }
	if err := q.Model(&models.LitigationCase{}).
		Select(count("kind = '"+KindCivil+"'")+" AS civil, "+count("kind = '"+KindAsRespondent+"'")+" AS as_respondent, "+
			count(other+" AND instance = '"+InstanceFirst+"'")+" AS first, "+count(other+" AND instance = '"+InstanceSecond+"'")+" AS second, "+
			count(other+" AND instance = '"+InstanceRetrial+"'")+" AS retrial").
		Where("organ_id IN ? AND notified_on BETWEEN ? AND ?", organs, from, to).
		Scan(&received).Error; err != nil {
		return l, errs.Internal(err)
	}
	l.Civil, l.AsRespondent = received.Civil, received.AsRespondent
	l.FirstInstance, l.SecondInstance, l.Retrial = received.First, received.Second, received.Retrial

	var concluded struct{ N, Lost int64 }
	if err := q.Model(&models.LitigationCase{}).
		Select("COUNT(*) AS n, COALESCE(SUM(CASE WHEN lost = ? THEN 1 ELSE 0 END), 0) AS lost", true).
		Where("organ_id IN ? AND concluded_on BETWEEN ? AND ? AND kind = ? AND instance = ?", organs, from, to, KindAdministrative, InstanceFirst).
		Scan(&concluded).Error; err != nil {
		return l, errs.Internal(err)
	}
	l.ConcludedFirstInstance, l.LostFirstInstance = concluded.N, concluded.Lost

	var hearings struct{ N, Head int64 }
	if err := q.Table("litigation_hearings AS h").Joins("JOIN litigation_cases AS l ON l.id = h.litigation_id").
		Select("COUNT(*) AS n, COALESCE(SUM(CASE WHEN h.appeared_role IN ? THEN 1 ELSE 0 END), 0) AS head", HeadRoles).
		Where("h.organ_id IN ? AND h.held_on BETWEEN ? AND ? AND l.kind = ?", organs, from, to, KindAdministrative).
		Scan(&hearings).Error; err != nil {
		return l, errs.Internal(err)
	}
	sug, err := suggestionFigures(q, organs, []string{"judicial", "procuratorial"}, from, to)
	if err != nil {
		return l, err
	}
	l.Metrics["loss_rate"] = stats.NewMetric("loss_rate", "败诉率", "loss rate", l.LostFirstInstance, l.ConcludedFirstInstance)
	l.Metrics["head_appearance"] = stats.NewMetric("head_appearance", "负责人出庭应诉率", "head appearance rate", hearings.Head, hearings.N)
	l.Suggestions = stats.Suggestions{Received: sug.Received, Replied: sug.Replied, RepliedOnTime: sug.RepliedOnTime}
	return l, nil
}

var _ stats.LitigationSource = (*Service)(nil)
