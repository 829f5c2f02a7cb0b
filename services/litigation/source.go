package litigation

import (
	"context"

	"fuyi/services/stats"
)

// LitigationFigures implements stats.LitigationSource: the litigation block
// of the report JSON (DESIGN §6), the figures of ComputeStats (by the same
// rules, see Figures) that the block shows — without the by-agency
// breakdown and the opinion letters, which Stats serves in full (GET
// /api/v1/litigations/stats). Every statistics request reads this block, so
// the suit and hearing figures come from the litigation rollup (rollup.go:
// the cells of the period's years, months and partial months' days, a cost
// that does not grow with the number of suits) and only the suggestions,
// a small table, are counted from their rows. Wire it with
// statsService.SetLitigation(litigationService).
func (s *Service) LitigationFigures(ctx context.Context, from, to string, organIDs []int64) (stats.Litigation, error) {
	from, to = period(from, to)
	q := s.db.Read.WithContext(ctx)
	organs := append([]int64{0}, organIDs...)
	l := stats.EmptyLitigation()
	var hearings, head int64
	if validDate(from) && validDate(to) {
		var err error
		if hearings, head, err = rollupFigures(q, organs, from, to, &l); err != nil {
			return l, err
		}
	} else {
		// not a period the cells can cover (the statistics API validates
		// its dates): the same figures from the rows
		f, err := ComputeStats(ctx, s.db.Read, organIDs, from, to)
		if err != nil {
			return l, err
		}
		l.Civil, l.AsRespondent = f.Civil, f.AsRespondent
		l.FirstInstance, l.SecondInstance, l.Retrial = f.FirstInstance, f.SecondInstance, f.Retrial
		l.ConcludedFirstInstance, l.LostFirstInstance = f.ConcludedFirstInstance, f.LostFirstInstance
		hearings, head = f.Hearings, f.HearingsWithHead
	}
	sug, err := suggestionFigures(q, organs, []string{"judicial", "procuratorial"}, from, to)
	if err != nil {
		return l, err
	}
	l.Metrics["loss_rate"] = stats.NewMetric("loss_rate", "败诉率", "loss rate", l.LostFirstInstance, l.ConcludedFirstInstance)
	l.Metrics["head_appearance"] = stats.NewMetric("head_appearance", "负责人出庭应诉率", "head appearance rate", head, hearings)
	l.Suggestions = stats.Suggestions{Received: sug.Received, Replied: sug.Replied, RepliedOnTime: sug.RepliedOnTime}
	return l, nil
}

var _ stats.LitigationSource = (*Service)(nil)
