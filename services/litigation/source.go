package litigation

import (
	"context"

	"fuyi/services/stats"
)

// LitigationFigures implements stats.LitigationSource: the litigation block
// of the report JSON (DESIGN §6) from Figures. Wire it with
// statsService.SetLitigation(litigationService). The by-agency breakdown,
// hearing counts and opinion letters are served in full by Stats
// (GET /api/v1/litigations/stats).
func (s *Service) LitigationFigures(ctx context.Context, from, to string, organIDs []int64) (stats.Litigation, error) {
	f, err := s.Stats(ctx, organIDs, from, to)
	if err != nil {
		return stats.Litigation{}, err
	}
	l := stats.EmptyLitigation()
	l.FirstInstance, l.SecondInstance, l.Retrial = f.FirstInstance, f.SecondInstance, f.Retrial
	l.Civil, l.AsRespondent = f.Civil, f.AsRespondent
	l.ConcludedFirstInstance, l.LostFirstInstance = f.ConcludedFirstInstance, f.LostFirstInstance
	l.Metrics["loss_rate"] = stats.NewMetric("loss_rate", "败诉率", "loss rate", f.Metrics.LossRate.Numerator, f.Metrics.LossRate.Denominator)
	l.Metrics["head_appearance"] = stats.NewMetric("head_appearance", "负责人出庭应诉率", "head appearance rate",
		f.Metrics.HeadAppearance.Numerator, f.Metrics.HeadAppearance.Denominator)
	l.Suggestions = stats.Suggestions{Received: f.Suggestions.Received, Replied: f.Suggestions.Replied, RepliedOnTime: f.Suggestions.RepliedOnTime}
	return l, nil
}

var _ stats.LitigationSource = (*Service)(nil)
