package stats

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/codes"
	"fuyi/services/errs"
)

// CountKeys are the drill-down keys of the plain counts.
var CountKeys = []string{mReceived, mAccepted, mNotAccepted, mClosed, "pending_end", "carried_over"}

// DrillKeys lists every drill-down key a report over the given metric keys
// offers: the counts, outcome:CODE, termination:CODE, intake:DISPOSITION,
// each metric (its numerator) and METRIC:denominator.
func DrillKeys(metricKeys []string) []string {
	out := append([]string(nil), CountKeys...)
	for _, c := range codes.Outcomes {
		out = append(out, "outcome:"+c.Code)
	}
	for _, c := range codes.Terminations {
		out = append(out, "termination:"+c.Code)
	}
	for _, d := range IntakeDispositions {
		out = append(out, "intake:"+d)
	}
	for _, k := range metricKeys {
		out = append(out, k, k+":denominator")
	}
	return out
}

// MetricFilter returns the scope (on the cases table) that selects exactly
// the cases behind a figure of the period [from, to] (either may be empty:
// open-ended): key is one of DrillKeys — a count, outcome:CODE,
// termination:CODE, intake:DISPOSITION, a metric key (its numerator, also
// METRIC:numerator) or METRIC:denominator. organIDs are applied too. It has
// the signature of lifecycle.MetricFilter; an unknown key is a 400 naming
// the field "metric".
func (s *Service) MetricFilter(ctx context.Context, db *gorm.DB, key, from, to string, organIDs []int64) (func(*gorm.DB) *gorm.DB, error) {
	if from == "" {
		from = "0000-01-01"
	}
	if to == "" {
		to = "9999-12-31"
	}
	p := Period{From: from, To: to}
	where, args, err := s.filterSQL(ctx, db, key, p)
	if err != nil {
		return nil, err
	}
	return func(q *gorm.DB) *gorm.DB {
		if organIDs != nil {
			q = q.Where("cases.organ_id IN ?", append([]int64{-1}, organIDs...))
		}
		return q.Where(where, args...)
	}, nil
}

func unknownMetric(key string) error {
	return errs.InvalidField("metric", "未知的指标："+key, "unknown metric: "+key)
}

// countSQL is the SQL condition of a named count in period p.
func (s *Service) countSQL(spec CountSpec, p Period) (string, []any) {
	var conds []string
	var args []any
	switch spec.Count {
	case mReceived:
		conds, args = append(conds, "cases.received_on BETWEEN ? AND ?"), append(args, p.From, p.To)
	case mAccepted:
		conds, args = append(conds, "cases.accepted_on BETWEEN ? AND ?"), append(args, p.From, p.To)
	case mNotAccepted:
		conds, args = append(conds, "cases.status = 'not_accepted' AND cases.intake_on BETWEEN ? AND ?"), append(args, p.From, p.To)
	default:
		conds, args = append(conds, "cases.accepted_on IS NOT NULL AND cases.closed_on BETWEEN ? AND ?"), append(args, p.From, p.To)
		if len(spec.Outcomes) > 0 || len(spec.Terminations) > 0 {
			var or []string
			if len(spec.Outcomes) > 0 {
				or, args = append(or, "cases.outcome IN ?"), append(args, spec.Outcomes)
			}
			if len(spec.Terminations) > 0 {
				or, args = append(or, "(cases.outcome = 'terminated' AND cases.termination IN ?)"), append(args, spec.Terminations)
			}
			conds = append(conds, "("+strings.Join(or, " OR ")+")")
		}
	}
	for _, f := range spec.Flags {
		switch f {
		case "on_time":
			conds = append(conds, "EXISTS (SELECT 1 FROM case_stat_flags sf WHERE sf.case_id = cases.id AND (sf.flags & 1) = 1)")
		case "deemed_accepted":
			conds, args = append(conds, "cases.deemed_accepted = ?"), append(args, true)
		case "partial":
			conds, args = append(conds, "cases.outcome_partial = ?"), append(args, true)
		case "redo":
			conds, args = append(conds, "cases.outcome_redo = ?"), append(args, true)
		case "hearing_held":
			conds, args = append(conds, "cases.hearing_held = ?"), append(args, true)
		case "committee_consulted":
			conds, args = append(conds, "cases.committee_consulted = ?"), append(args, true)
		case "extended":
			conds = append(conds, "cases.extension_days > 0")
		case "simplified":
			conds = append(conds, "cases.procedure = 'simplified'")
		}
	}
	return strings.Join(conds, " AND "), args
}

func (s *Service) filterSQL(ctx context.Context, db *gorm.DB, key string, p Period) (string, []any, error) {
	switch key {
	case mReceived, mAccepted, mNotAccepted, mClosed:
		w, a := s.countSQL(CountSpec{Count: key}, p)
		return w, a, nil
	case "pending_end":
		return "cases.accepted_on <= ? AND (cases.closed_on IS NULL OR cases.closed_on > ?)", []any{p.To, p.To}, nil
	case "carried_over":
		return "cases.accepted_on < ? AND (cases.closed_on IS NULL OR cases.closed_on >= ?)", []any{p.From, p.From}, nil
	}
	kind, code, _ := strings.Cut(key, ":")
	switch kind {
	case "outcome":
		if !codes.Outcomes.Has(code) {
			return "", nil, unknownMetric(key)
		}
		w, a := s.countSQL(CountSpec{Count: mClosed, Outcomes: []string{code}}, p)
		return w, a, nil
	case "termination":
		if !codes.Terminations.Has(code) {
			return "", nil, unknownMetric(key)
		}
		w, a := s.countSQL(CountSpec{Count: mClosed, Terminations: []string{code}}, p)
		return w, a, nil
	case "intake":
		base := "cases.received_on BETWEEN ? AND ? AND "
		args := []any{p.From, p.To}
		intakeDone := "(cases.status IN ? AND cases.intake_on IS NOT NULL AND cases.intake_on <= ?)"
		switch {
		case code == "accepted":
			return base + "cases.accepted_on IS NOT NULL AND cases.accepted_on <= ?", append(args, p.To), nil
		case code == "pending":
			return base + "(cases.accepted_on IS NULL OR cases.accepted_on > ?) AND NOT " + intakeDone,
				append(args, p.To, intakeStatuses, p.To), nil
		case isIntakeStatus(code):
			return base + "cases.status = ? AND cases.intake_on IS NOT NULL AND cases.intake_on <= ?", append(args, code, p.To), nil
		}
		return "", nil, unknownMetric(key)
	}
	// A metric: its numerator (KEY, KEY:numerator) or denominator.
	if code != "" && code != "numerator" && code != "denominator" {
		return "", nil, unknownMetric(key)
	}
	defs, err := s.definitionsFor(ctx, db, p)
	if err != nil {
		return "", nil, err
	}
	for _, d := range defs {
		if d.Key != kind {
			continue
		}
		if code == "denominator" {
			w, a := s.countSQL(CountSpec{Count: d.Spec.Denominator}, p)
			return w, a, nil
		}
		w, a := s.countSQL(d.Spec.Numerator, p)
		return w, a, nil
	}
	return "", nil, unknownMetric(key)
}

// BreakdownRow is one row of a breakdown.
type BreakdownRow struct {
	Key          string            `json:"key"`
	Label        string            `json:"label"`
	Received     int64             `json:"received"`
	Accepted     int64             `json:"accepted"`
	NotAccepted  int64             `json:"not_accepted"`
	Closed       int64             `json:"closed"`
	Outcomes     map[string]int64  `json:"outcomes"`
	Terminations map[string]int64  `json:"terminations"`
	Metrics      map[string]Metric `json:"metrics"`
}

// Breakdown is the period's figures sliced by one dimension.
type Breakdown struct {
	By     string         `json:"by"`
	Period Period         `json:"period"`
	Rows   []BreakdownRow `json:"rows"`
}

// BreakdownDims are the dimensions Breakdown accepts.
var BreakdownDims = []string{SliceRespondent, SliceActType, SliceArea, SliceHandler, SliceMonth}

// Breakdown slices the period's counts and metrics by respondent agency,
// type of act, management area, handler or month (each measure in the month
// of its own date: received by received_on, closed by closed_on, …). Labels
// are in lang ("en" or zh).
func (s *Service) Breakdown(ctx context.Context, by string, p Period, organIDs []int64, lang string) (*Breakdown, error) {
	if !inList(BreakdownDims, by) {
		return nil, errs.InvalidField("by", "可选：respondent、act_type、area、handler、month", "one of respondent, act_type, area, handler, month")
	}
	db := s.db.Read.WithContext(ctx)
	defs, err := s.definitionsFor(ctx, db, p)
	if err != nil {
		return nil, err
	}
	tots, err := s.totals(ctx, db, p, organIDs, by, breakdownMeasures, flagsUsed(defs))
	if err != nil {
		return nil, err
	}
	for k, t := range tots {
		if t.empty() {
			delete(tots, k) // cells edited back to zero
		}
	}
	labels, err := s.labels(ctx, by, tots, lang)
	if err != nil {
		return nil, err
	}
	out := &Breakdown{By: by, Period: p, Rows: []BreakdownRow{}}
	cnt := &counter{s: s, ctx: ctx, db: db, p: p, organs: organIDs, slice: by}
	for k, t := range tots {
		row := BreakdownRow{Key: k, Label: labels[k], Received: t.received, Accepted: t.accepted, NotAccepted: t.notAccepted,
			Closed: t.closedTotal(), Outcomes: map[string]int64{}, Terminations: map[string]int64{}, Metrics: map[string]Metric{}}
		for _, c := range codes.Outcomes {
			row.Outcomes[c.Code] = 0
		}
		for _, c := range codes.Terminations {
			row.Terminations[c.Code] = 0
		}
		for _, g := range t.closed {
			row.Outcomes[g.Outcome] += g.N
			if g.Outcome == "terminated" {
				row.Terminations[g.Termination] += g.N
			}
		}
		for _, d := range defs {
			if row.Metrics[d.Key], err = cnt.metric(d, k, t); err != nil {
				return nil, err
			}
		}
		out.Rows = append(out.Rows, row)
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i], out.Rows[j]
		if by == SliceMonth {
			return a.Key < b.Key
		}
		if a.Received != b.Received {
			return a.Received > b.Received
		}
		return a.Key < b.Key
	})
	return out, nil
}

func (s *Service) labels(ctx context.Context, by string, tots map[string]*measureTotals, lang string) (map[string]string, error) {
	out := map[string]string{}
	var ids []int64
	for k := range tots {
		switch by {
		case SliceActType:
			out[k] = codes.ActTypes.Label(k, lang)
		case SliceArea:
			out[k] = codes.Areas.Label(k, lang)
			if k == "" {
				out[k] = pick(lang, "未填写", "not given")
			}
		case SliceMonth:
			out[k] = k
		default:
			if id, err := strconv.ParseInt(k, 10, 64); err == nil {
				ids = append(ids, id)
			}
			out[k] = pick(lang, "未分配", "unassigned")
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	db := s.db.Read.WithContext(ctx)
	switch by {
	case SliceRespondent:
		var rows []models.Agency
		if err := db.Select("id, name").Where("id IN ?", ids).Find(&rows).Error; err != nil {
			return nil, errs.Internal(err)
		}
		for _, r := range rows {
			out[strconv.FormatInt(r.ID, 10)] = r.Name
		}
	case SliceHandler:
		var rows []models.User
		if err := db.Select("id, username, display_name").Where("id IN ?", ids).Find(&rows).Error; err != nil {
			return nil, errs.Internal(err)
		}
		for _, r := range rows {
			name := r.DisplayName
			if name == "" {
				name = r.Username
			}
			out[strconv.FormatInt(r.ID, 10)] = name
		}
	}
	return out, nil
}

func pick(lang, zh, en string) string {
	if lang == "en" {
		return en
	}
	return zh
}
