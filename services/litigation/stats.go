package litigation

import (
	"context"
	"math"
	"sort"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/errs"
)

// Rate is a metric: numerator / denominator, Rate nil when the denominator
// is 0 (rounded half-up to 4 decimals; display rounding is the caller's).
type Rate struct {
	Numerator   int64    `json:"numerator"`
	Denominator int64    `json:"denominator"`
	Rate        *float64 `json:"rate"`
}

// NewRate builds a Rate.
func NewRate(num, den int64) Rate {
	r := Rate{Numerator: num, Denominator: den}
	if den > 0 {
		v := math.Floor(float64(num)/float64(den)*10000+0.5) / 10000
		r.Rate = &v
	}
	return r
}

// SuggestionFigures count suggestions in a period.
type SuggestionFigures struct {
	// Received: judicial and procuratorial suggestions received in the period.
	Received int64 `json:"received"`
	// Replied: replies sent in the period (whenever the suggestion arrived).
	Replied int64 `json:"replied"`
	// RepliedOnTime: of Replied, those sent on or before the due date (or with none).
	RepliedOnTime int64 `json:"replied_on_time"`
}

// AgencyFigures are one defendant's administrative-suit figures.
type AgencyFigures struct {
	// AgencyID 0 is the organ itself.
	AgencyID               int64  `json:"agency_id"`
	Name                   string `json:"name"`
	Received               int64  `json:"received"`
	ConcludedFirstInstance int64  `json:"concluded_first_instance"`
	LostFirstInstance      int64  `json:"lost_first_instance"`
	LossRate               Rate   `json:"loss_rate"`
	Hearings               int64  `json:"hearings"`
	HearingsWithHead       int64  `json:"hearings_with_head"`
	HeadAppearance         Rate   `json:"head_appearance"`
}

// Figures is the litigation block of the report JSON (DESIGN §6). Period
// rules (all dates inclusive):
//   - first_instance, second_instance, retrial: administrative suits by
//     instance with notified_on in the period; civil and as_respondent count
//     those kinds (every instance) — the seed's five categories;
//   - concluded_first_instance: administrative first-instance records with
//     concluded_on in the period, whatever the outcome (withdrawals and
//     dismissals included: domain §9 default denominator);
//   - lost_first_instance: of those, the ones with lost (DeriveLost);
//   - loss_rate = lost_first_instance / concluded_first_instance;
//   - head_appearance = hearings of administrative suits (any instance) held
//     in the period where a head or deputy head appeared / all such hearings;
//   - suggestions: see SuggestionFigures; opinion_letters likewise for the
//     organ's issued 意见书 (issued in the period; feedback received in it);
//   - by_agency: the same per defendant (agency_id 0 = the organ itself).
type Figures struct {
	FirstInstance          int64 `json:"first_instance"`
	SecondInstance         int64 `json:"second_instance"`
	Retrial                int64 `json:"retrial"`
	Civil                  int64 `json:"civil"`
	AsRespondent           int64 `json:"as_respondent"`
	ConcludedFirstInstance int64 `json:"concluded_first_instance"`
	LostFirstInstance      int64 `json:"lost_first_instance"`
	Hearings               int64 `json:"hearings"`
	HearingsWithHead       int64 `json:"hearings_with_head"`
	Metrics                struct {
		LossRate       Rate `json:"loss_rate"`
		HeadAppearance Rate `json:"head_appearance"`
	} `json:"metrics"`
	Suggestions    SuggestionFigures `json:"suggestions"`
	OpinionLetters SuggestionFigures `json:"opinion_letters"`
	ByAgency       []AgencyFigures   `json:"by_agency"`
}

func period(from, to string) (string, string) {
	if from == "" {
		from = "0000-01-01"
	}
	if to == "" {
		to = "9999-12-31"
	}
	return from, to
}

// Stats computes the litigation figures of the organs for [from, to] (SQL
// aggregates only).
func (s *Service) Stats(ctx context.Context, organIDs []int64, from, to string) (*Figures, error) {
	return ComputeStats(ctx, s.db.Read, organIDs, from, to)
}

// ComputeStats is Stats on any read handle (the statistics service calls it
// with its own; inside a write transaction pass the tx).
func ComputeStats(ctx context.Context, db *gorm.DB, organIDs []int64, from, to string) (*Figures, error) {
	from, to = period(from, to)
	q := db.WithContext(ctx)
	organs := append([]int64{0}, organIDs...)
	out := &Figures{ByAgency: []AgencyFigures{}}

	var received []struct {
		Kind, Instance string
		N              int64
	}
	if err := q.Model(&models.LitigationCase{}).Select("kind, instance, COUNT(*) AS n").
		Where("organ_id IN ? AND notified_on BETWEEN ? AND ?", organs, from, to).
		Group("kind, instance").Scan(&received).Error; err != nil {
		return nil, errs.Internal(err)
	}
	for _, r := range received {
		switch {
		case r.Kind == KindCivil:
			out.Civil += r.N
		case r.Kind == KindAsRespondent:
			out.AsRespondent += r.N
		case r.Instance == InstanceFirst:
			out.FirstInstance += r.N
		case r.Instance == InstanceSecond:
			out.SecondInstance += r.N
		case r.Instance == InstanceRetrial:
			out.Retrial += r.N
		}
	}

	var concluded struct{ N, Lost int64 }
	if err := q.Model(&models.LitigationCase{}).
		Select("COUNT(*) AS n, COALESCE(SUM(CASE WHEN lost = ? THEN 1 ELSE 0 END), 0) AS lost", true).
		Where("organ_id IN ? AND kind = ? AND instance = ? AND concluded_on BETWEEN ? AND ?", organs, KindAdministrative, InstanceFirst, from, to).
		Scan(&concluded).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out.ConcludedFirstInstance, out.LostFirstInstance = concluded.N, concluded.Lost

	var hearings struct{ N, Head int64 }
	if err := q.Table("litigation_hearings AS h").Joins("JOIN litigation_cases AS l ON l.id = h.litigation_id").
		Select("COUNT(*) AS n, COALESCE(SUM(CASE WHEN h.appeared_role IN ? THEN 1 ELSE 0 END), 0) AS head", HeadRoles).
		Where("h.organ_id IN ? AND h.held_on BETWEEN ? AND ? AND l.kind = ?", organs, from, to, KindAdministrative).
		Scan(&hearings).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out.Hearings, out.HearingsWithHead = hearings.N, hearings.Head
	out.Metrics.LossRate = NewRate(out.LostFirstInstance, out.ConcludedFirstInstance)
	out.Metrics.HeadAppearance = NewRate(out.HearingsWithHead, out.Hearings)

	var err error
	if out.Suggestions, err = suggestionFigures(q, organs, []string{"judicial", "procuratorial"}, from, to); err != nil {
		return nil, err
	}
	if out.OpinionLetters, err = suggestionFigures(q, organs, []string{"opinion_letter"}, from, to); err != nil {
		return nil, err
	}
	if out.ByAgency, err = agencyFigures(q, organs, from, to); err != nil {
		return nil, err
	}
	return out, nil
}

func suggestionFigures(q *gorm.DB, organs []int64, types []string, from, to string) (SuggestionFigures, error) {
	var f SuggestionFigures
	if err := q.Model(&models.Suggestion{}).Where("organ_id IN ? AND type IN ? AND on_date BETWEEN ? AND ?", organs, types, from, to).
		Count(&f.Received).Error; err != nil {
		return f, errs.Internal(err)
	}
	var r struct{ N, OnTime int64 }
	if err := q.Model(&models.Suggestion{}).
		Select("COUNT(*) AS n, COALESCE(SUM(CASE WHEN due_on IS NULL OR replied_on <= due_on THEN 1 ELSE 0 END), 0) AS on_time").
		Where("organ_id IN ? AND type IN ? AND replied_on BETWEEN ? AND ?", organs, types, from, to).
		Scan(&r).Error; err != nil {
		return f, errs.Internal(err)
	}
	f.Replied, f.RepliedOnTime = r.N, r.OnTime
	return f, nil
}

func agencyFigures(q *gorm.DB, organs []int64, from, to string) ([]AgencyFigures, error) {
	var rows []struct {
		AgencyID                  int64
		Received, Concluded, Lost int64
	}
	if err := q.Model(&models.LitigationCase{}).
		Select(`COALESCE(defendant_agency_id, 0) AS agency_id,
			COALESCE(SUM(CASE WHEN notified_on BETWEEN ? AND ? THEN 1 ELSE 0 END), 0) AS received,
			COALESCE(SUM(CASE WHEN instance = ? AND concluded_on BETWEEN ? AND ? THEN 1 ELSE 0 END), 0) AS concluded,
			COALESCE(SUM(CASE WHEN instance = ? AND concluded_on BETWEEN ? AND ? AND lost = ? THEN 1 ELSE 0 END), 0) AS lost`,
			from, to, InstanceFirst, from, to, InstanceFirst, from, to, true).
		Where("organ_id IN ? AND kind = ? AND ((notified_on BETWEEN ? AND ?) OR (concluded_on BETWEEN ? AND ?))", organs, KindAdministrative, from, to, from, to).
		Group("COALESCE(defendant_agency_id, 0)").Scan(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	var hrows []struct{ AgencyID, N, Head int64 }
	if err := q.Table("litigation_hearings AS h").Joins("JOIN litigation_cases AS l ON l.id = h.litigation_id").
		Select("COALESCE(l.defendant_agency_id, 0) AS agency_id, COUNT(*) AS n, COALESCE(SUM(CASE WHEN h.appeared_role IN ? THEN 1 ELSE 0 END), 0) AS head", HeadRoles).
		Where("h.organ_id IN ? AND h.held_on BETWEEN ? AND ? AND l.kind = ?", organs, from, to, KindAdministrative).
		Group("COALESCE(l.defendant_agency_id, 0)").Scan(&hrows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	by := map[int64]*AgencyFigures{}
	get := func(id int64) *AgencyFigures {
		if a, ok := by[id]; ok {
			return a
		}
		a := &AgencyFigures{AgencyID: id}
		by[id] = a
		return a
	}
	for _, r := range rows {
		a := get(r.AgencyID)
		a.Received, a.ConcludedFirstInstance, a.LostFirstInstance = r.Received, r.Concluded, r.Lost
	}
	for _, r := range hrows {
		a := get(r.AgencyID)
		a.Hearings, a.HearingsWithHead = r.N, r.Head
	}
	ids := map[int64]bool{}
	for id := range by {
		if id != 0 {
			ids[id] = true
		}
	}
	nm, err := names(q, "agencies", "name", ids)
	if err != nil {
		return nil, err
	}
	out := make([]AgencyFigures, 0, len(by))
	for id, a := range by {
		a.Name = nm[id]
		if id == 0 {
			a.Name = "本机关"
		}
		a.LossRate = NewRate(a.LostFirstInstance, a.ConcludedFirstInstance)
		a.HeadAppearance = NewRate(a.HearingsWithHead, a.Hearings)
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Received != out[j].Received {
			return out[i].Received > out[j].Received
		}
		return out[i].AgencyID < out[j].AgencyID
	})
	return out, nil
}

// MetricKeys are the drill-down keys of the litigation list: each names the
// records counted by the figure of the same JSON name in [from, to].
// "loss_rate" and "head_appearance" take ":numerator" (the default) or
// ":denominator". head_appearance lists the suits that had such hearings; a
// suit with two qualifying hearings counts twice in the figure, once in the list.
var MetricKeys = []string{"received", "first_instance", "second_instance", "retrial", "civil", "as_respondent",
	"concluded_first_instance", "lost_first_instance", "loss_rate", "loss_rate:numerator", "loss_rate:denominator",
	"head_appearance", "head_appearance:numerator", "head_appearance:denominator", "hearings"}

// MetricScope returns the filter of the records behind metric key in [from, to]
// as a scope on the litigation_cases table; an unknown key is a 400 on "metric".
func MetricScope(key, from, to string) (func(*gorm.DB) *gorm.DB, error) {
	from, to = period(from, to)
	notified := func(extra string, args ...any) func(*gorm.DB) *gorm.DB {
		return func(q *gorm.DB) *gorm.DB {
			q = q.Where("litigation_cases.notified_on BETWEEN ? AND ?", from, to)
			if extra != "" {
				q = q.Where(extra, args...)
			}
			return q
		}
	}
	concluded := func(lostOnly bool) func(*gorm.DB) *gorm.DB {
		return func(q *gorm.DB) *gorm.DB {
			q = q.Where("litigation_cases.kind = ? AND litigation_cases.instance = ? AND litigation_cases.concluded_on BETWEEN ? AND ?", KindAdministrative, InstanceFirst, from, to)
			if lostOnly {
				q = q.Where("litigation_cases.lost = ?", true)
			}
			return q
		}
	}
	heard := func(headOnly bool) func(*gorm.DB) *gorm.DB {
		return func(q *gorm.DB) *gorm.DB {
			sub := "SELECT 1 FROM litigation_hearings h WHERE h.litigation_id = litigation_cases.id AND h.held_on BETWEEN ? AND ?"
			args := []any{from, to}
			if headOnly {
				sub += " AND h.appeared_role IN ?"
				args = append(args, HeadRoles)
			}
			return q.Where("litigation_cases.kind = ?", KindAdministrative).Where("EXISTS ("+sub+")", args...)
		}
	}
	switch key {
	case "received":
		return notified(""), nil
	case "first_instance", "second_instance", "retrial":
		inst := map[string]string{"first_instance": InstanceFirst, "second_instance": InstanceSecond, "retrial": InstanceRetrial}[key]
		return notified("litigation_cases.kind = ? AND litigation_cases.instance = ?", KindAdministrative, inst), nil
	case "civil", "as_respondent":
		return notified("litigation_cases.kind = ?", key), nil
	case "concluded_first_instance", "loss_rate:denominator":
		return concluded(false), nil
	case "lost_first_instance", "loss_rate", "loss_rate:numerator":
		return concluded(true), nil
	case "head_appearance", "head_appearance:numerator":
		return heard(true), nil
	case "head_appearance:denominator", "hearings":
		return heard(false), nil
	}
	return nil, errs.InvalidField("metric", "未知的统计口径："+key, "unknown metric: "+key).With("allowed", MetricKeys)
}
