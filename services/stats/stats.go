// Package stats computes Fuyi's statistics (DESIGN §5): the period counts of
// reconsideration cases, their breakdowns, the metric definitions stored as
// data, the balance identities, the drill-down filters behind every figure,
// the rollup that keeps yearly statistics fast at national scale, and the
// locking of reported years.
//
// Period rules for a period [from, to] (civil dates, inclusive):
//
//   - received: received_on in the period.
//   - accepted: accepted_on in the period (deemed acceptance included).
//   - not_accepted: status not_accepted with intake_on in the period.
//   - closed: accepted cases (accepted_on set) with closed_on in the period,
//     whatever year they were accepted in.
//   - pending_end: accepted_on ≤ to and (closed_on null or closed_on > to).
//   - carried_over: accepted_on < from and (closed_on null or closed_on ≥ from).
//   - outcomes partition closed by outcome code; terminations split the
//     closed cases whose outcome is terminated by subtype.
//   - intake dispositions of the received, as of the period's end: accepted
//     (accepted_on ≤ to), not_accepted / abandoned /
//     withdrawn_before_acceptance / referred (that status with intake_on ≤ to),
//     pending (neither). Each is counted on its own condition, so a case that
//     is both accepted and refused shows as an imbalance instead of vanishing.
//
// Balance identities: carried_over + accepted = closed + pending_end;
// Σ outcomes = closed; Σ terminations = outcome terminated; Σ intake
// dispositions = received.
//
// The rollup. Reports and breakdowns read a rollup that RollupHook and
// RollupBatch keep in step inside every case write, and that Rebuild (and
// migration 7) build from the cases table; docs/ENGINEERING.md tells why it
// has this shape. Its figures equal the rules above for every period, a
// single day included.
//
//   - Cells (case_stat_year, case_stat_month, and for the totals only
//     case_stat_daily): the number of cases per organ, slice ("" totals;
//     respondent, act_type, area, handler), measure, period ("YYYY",
//     "YYYY-MM", "YYYY-MM-DD"), slice key, outcome and termination, and per
//     case flag how many of them carry
//     it (a column each, not a key: a metric numerator with one flag reads
//     its column; one with two or more flags is counted from the cases table
//     by the drill-down's conditions). Measures, each on its own date:
//     received, accepted, closed, not_accepted (all slices); abandoned,
//     withdrawn_before_acceptance, referred (their intake_on), double (both
//     accepted and disposed of before acceptance, on the later date) and open
//     (+1 on accepted_on, −1 on closed_on) in the totals only. No per-case
//     reference dates: a city's year is a few hundred total cells.
//   - A period is read from the fewest cells that cover it exactly (coverOf):
//     whole years, whole months, and the days of a partial month at either
//     end; a breakdown by month uses no year cells. A breakdown by a stored
//     slice counts the days of partial months from the cases (an index
//     range on each measure's date): day cells for every slice key would
//     triple what a case write and a batch import upsert.
//   - pending_end = Σ open up to the period's end, plus the inverted closings
//     (closed on or before it, accepted after it); carried_over the same
//     before the period's start. The sums read ~one year cell per organ and
//     year: cumulative sums, not running totals, which a back-dated write
//     would have to update in every later month.
//   - An intake disposition of kind X of the received in [F, T] as of T:
//     the cells' X in [F, T], less the intakes received before F and
//     disposed of as X in [F, T] (straddling F), plus the corrections of the
//     inverted spans (disposed of before received; rare). The straddlers
//     come from case_stat_span, the intervals received → disposed of by
//     kind, lag bucket (the bit length of the lag in days, and of the lag
//     in months for an interval that crosses a month boundary), end and
//     start: those of bucket b that straddle F end in [F, F + 2^b − 2], one
//     index range per bucket reading at most about twice the rows it counts;
//     from a month's first day the month spans serve the whole months (a few
//     rows per organ, whatever the volume). pending = received − accepted −
//     Σ the other dispositions + double.
package stats

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/errs"
)

// Service computes statistics over the cases of a set of organs.
type Service struct {
	db         *models.DB
	litigation LitigationSource
	now        func() time.Time
	upserts    map[string]*sql.Stmt // the rollup's prepared upserts, by SQL
}

// New returns a statistics service over db (migrated: it prepares the
// rollup's statements).
func New(db *models.DB) *Service {
	s := &Service{db: db, now: time.Now}
	s.prepareUpserts()
	return s
}

// SetLitigation plugs in the source of the litigation block of the report.
// Without one the block is reported with zeros and null rates.
func (s *Service) SetLitigation(src LitigationSource) { s.litigation = src }

// DB returns the database the service reads (for the report renderers).
func (s *Service) DB() *models.DB { return s.db }

// LitigationSource supplies the litigation figures of a period (filled by the
// litigation service).
type LitigationSource interface {
	LitigationFigures(ctx context.Context, from, to string, organIDs []int64) (Litigation, error)
}

// Period is an inclusive range of civil dates.
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Report is the statistics report of DESIGN §6.
type Report struct {
	Period          Period          `json:"period"`
	OrganIDs        []int64         `json:"organ_ids"`
	Reconsideration Reconsideration `json:"reconsideration"`
	Litigation      Litigation      `json:"litigation"`
	// Locks are the report locks of the organs for the years the period touches.
	Locks []LockInfo `json:"locks"`
}

// Reconsideration holds the reconsideration figures of a period.
type Reconsideration struct {
	Received     int64             `json:"received"`
	Accepted     int64             `json:"accepted"`
	NotAccepted  int64             `json:"not_accepted"`
	Closed       int64             `json:"closed"`
	CarriedOver  int64             `json:"carried_over"`
	PendingEnd   int64             `json:"pending_end"`
	Outcomes     map[string]int64  `json:"outcomes"`
	Terminations map[string]int64  `json:"terminations"`
	Intake       map[string]int64  `json:"intake"`
	Metrics      map[string]Metric `json:"metrics"`
	Balance      []Balance         `json:"balance"`
}

// Balanced reports whether every balance identity holds.
func (r Reconsideration) Balanced() bool {
	for _, b := range r.Balance {
		if !b.OK {
			return false
		}
	}
	return true
}

// Litigation holds the litigation figures of a period (DESIGN §5, §6).
type Litigation struct {
	FirstInstance          int64             `json:"first_instance"`
	SecondInstance         int64             `json:"second_instance"`
	Retrial                int64             `json:"retrial"`
	Civil                  int64             `json:"civil"`
	AsRespondent           int64             `json:"as_respondent"`
	ConcludedFirstInstance int64             `json:"concluded_first_instance"`
	LostFirstInstance      int64             `json:"lost_first_instance"`
	Metrics                map[string]Metric `json:"metrics"`
	Suggestions            Suggestions       `json:"suggestions"`
}

// Any reports whether any litigation figure is non-zero.
func (l Litigation) Any() bool {
	return l.FirstInstance+l.SecondInstance+l.Retrial+l.Civil+l.AsRespondent+
		l.Suggestions.Received+l.Suggestions.Replied > 0
}

// Suggestions counts judicial and procuratorial suggestions.
type Suggestions struct {
	Received      int64 `json:"received"`
	Replied       int64 `json:"replied"`
	RepliedOnTime int64 `json:"replied_on_time"`
}

// EmptyLitigation is the litigation block when no source is plugged in.
func EmptyLitigation() Litigation {
	return Litigation{Metrics: map[string]Metric{
		"loss_rate":       NewMetric("loss_rate", "败诉率", "loss rate", 0, 0),
		"head_appearance": NewMetric("head_appearance", "负责人出庭应诉率", "head appearance rate", 0, 0),
	}}
}

// Balance is one balance identity: Left should equal Right.
type Balance struct {
	Name     string `json:"name"`
	OK       bool   `json:"ok"`
	Left     int64  `json:"left"`
	Right    int64  `json:"right"`
	DetailZH string `json:"detail_zh"`
	DetailEN string `json:"detail_en"`
}

// IntakeDispositions are the keys of Reconsideration.Intake, in order.
var IntakeDispositions = []string{"accepted", "not_accepted", "abandoned", "withdrawn_before_acceptance", "referred", "pending"}

// intakeStatuses are the pre-acceptance end states (statuses with intake_on).
var intakeStatuses = []string{"not_accepted", "abandoned", "withdrawn_before_acceptance", "referred"}

// ---- dates and scope ----

// ParseDate checks a "YYYY-MM-DD" civil date.
func ParseDate(field, s string) (string, error) {
	if _, err := time.Parse("2006-01-02", s); err != nil || len(s) != 10 {
		return "", errs.InvalidField(field, "日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD")
	}
	return s, nil
}

// ParsePeriod validates from and to (from ≤ to).
func ParsePeriod(from, to string) (Period, error) {
	f, err := ParseDate("from", from)
	if err != nil {
		return Period{}, err
	}
	t, err := ParseDate("to", to)
	if err != nil {
		return Period{}, err
	}
	if f > t {
		return Period{}, errs.InvalidField("to", "结束日期不能早于开始日期", "to must not be before from")
	}
	return Period{From: f, To: t}, nil
}

// YearPeriod is the calendar year y.
func YearPeriod(y int) Period {
	ys := strconv.Itoa(y)
	return Period{From: ys + "-01-01", To: ys + "-12-31"}
}

// Scope returns the organs a statistics request covers: organ (when non-zero)
// if the principal is granted it — otherwise a 404, as for any other
// organ's data — or all the principal's organs.
func Scope(p *auth.Principal, organ int64) ([]int64, error) {
	if p == nil {
		return nil, errs.Unauthenticated("请先登录", "authentication required")
	}
	if organ != 0 {
		if !p.CanSeeOrgan(organ) {
			return nil, errs.NotFound("organ", "机关")
		}
		return []int64{organ}, nil
	}
	return append([]int64(nil), p.OrganIDs...), nil
}

// ---- the report ----

// Report computes the report of period p over organs from the rollup.
func (s *Service) Report(ctx context.Context, p Period, organIDs []int64) (*Report, error) {
	db := s.db.Read.WithContext(ctx)
	rec, err := s.reconsideration(ctx, db, p, organIDs)
	if err != nil {
		return nil, err
	}
	lit := EmptyLitigation()
	if s.litigation != nil && len(organIDs) > 0 {
		if lit, err = s.litigation.LitigationFigures(ctx, p.From, p.To, organIDs); err != nil {
			return nil, err
		}
	}
	locks, err := s.locksFor(ctx, db, organIDs, p)
	if err != nil {
		return nil, err
	}
	return &Report{Period: p, OrganIDs: nonNil(organIDs), Reconsideration: *rec, Litigation: lit, Locks: locks}, nil
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

func (s *Service) reconsideration(ctx context.Context, db *gorm.DB, p Period, organIDs []int64) (*Reconsideration, error) {
	rec := &Reconsideration{
		Outcomes: map[string]int64{}, Terminations: map[string]int64{}, Intake: map[string]int64{},
		Metrics: map[string]Metric{}, Balance: []Balance{},
	}
	for _, c := range codes.Outcomes {
		rec.Outcomes[c.Code] = 0
	}
	for _, c := range codes.Terminations {
		rec.Terminations[c.Code] = 0
	}
	for _, d := range IntakeDispositions {
		rec.Intake[d] = 0
	}
	if len(organIDs) == 0 {
		organIDs = []int64{-1}
	}
	defs, err := s.definitionsFor(ctx, db, p)
	if err != nil {
		return nil, err
	}
	tots, err := s.totals(ctx, db, p, organIDs, "", reportMeasures, flagsUsed(defs))
	if err != nil {
		return nil, err
	}
	tot := tots[""]
	if tot == nil {
		tot = &measureTotals{}
	}
	sf, err := s.readSpanFigures(ctx, db, p, organIDs)
	if err != nil {
		return nil, err
	}
	// Intake dispositions of the received, each on its own condition; pending
	// is the received with neither (a case both accepted and disposed of
	// before acceptance, counted twice above, is added back once).
	rec.Intake["accepted"] = sf.disposedBy(mAccepted, tot.accepted, p)
	pending := tot.received - rec.Intake["accepted"]
	for _, st := range intakeStatuses {
		n := tot.other[st]
		if st == mNotAccepted {
			n = tot.notAccepted
		}
		rec.Intake[st] = sf.disposedBy(st, n, p)
		pending -= rec.Intake[st]
	}
	rec.Intake["pending"] = pending + sf.disposedBy(mDouble, tot.other[mDouble], p)
	rec.Received, rec.Accepted, rec.NotAccepted = tot.received, tot.accepted, tot.notAccepted
	rec.Closed = tot.closedTotal()
	// Pending at the end and carried over from before the start (DESIGN §5).
	rec.PendingEnd, rec.CarriedOver = sf.pendingEnd(p), sf.carriedOver(p)
	var unknownOutcome, unknownTermination int64
	for _, g := range tot.closed {
		if _, ok := rec.Outcomes[g.Outcome]; ok {
			rec.Outcomes[g.Outcome] += g.N
		} else {
			unknownOutcome += g.N
		}
		if g.Outcome == "terminated" {
			if _, ok := rec.Terminations[g.Termination]; ok {
				rec.Terminations[g.Termination] += g.N
			} else {
				unknownTermination += g.N
			}
		}
	}
	cnt := &counter{s: s, ctx: ctx, db: db, p: p, organs: organIDs}
	for _, d := range defs {
		if rec.Metrics[d.Key], err = cnt.metric(d, "", tot); err != nil {
			return nil, err
		}
	}
	rec.Balance = balances(rec, unknownOutcome, unknownTermination)
	return rec, nil
}

func balances(rec *Reconsideration, unknownOutcome, unknownTermination int64) []Balance {
	var sumOutcomes, sumTerms, sumIntake int64
	for _, n := range rec.Outcomes {
		sumOutcomes += n
	}
	for _, n := range rec.Terminations {
		sumTerms += n
	}
	for _, n := range rec.Intake {
		sumIntake += n
	}
	out := []Balance{}
	add := func(name string, left, right int64, zh, en string) {
		b := Balance{Name: name, OK: left == right, Left: left, Right: right}
		if b.OK {
			b.DetailZH, b.DetailEN = zh+"：平衡", en+": balanced"
		} else {
			b.DetailZH = zh + "：不平衡，左边" + strconv.FormatInt(left, 10) + "，右边" + strconv.FormatInt(right, 10) + "，相差" + strconv.FormatInt(left-right, 10)
			b.DetailEN = en + ": does not balance, left " + strconv.FormatInt(left, 10) + ", right " + strconv.FormatInt(right, 10) + ", difference " + strconv.FormatInt(left-right, 10)
		}
		out = append(out, b)
	}
	add("carry_over", rec.CarriedOver+rec.Accepted, rec.Closed+rec.PendingEnd,
		"上期结转+本期受理=本期办结+期末未结", "carried over + accepted = closed + pending at end")
	zh, en := "各审理结果之和=办结", "sum of outcomes = closed"
	if unknownOutcome > 0 {
		zh += "（" + strconv.FormatInt(unknownOutcome, 10) + "件办结案件无有效审理结果）"
		en += " (" + strconv.FormatInt(unknownOutcome, 10) + " closed cases without a valid outcome)"
	}
	add("outcomes", sumOutcomes, rec.Closed, zh, en)
	zh, en = "各终止原因之和=终止", "sum of termination subtypes = terminated"
	if unknownTermination > 0 {
		zh += "（" + strconv.FormatInt(unknownTermination, 10) + "件终止案件无有效终止原因）"
		en += " (" + strconv.FormatInt(unknownTermination, 10) + " terminated cases without a valid subtype)"
	}
	add("terminations", sumTerms, rec.Outcomes["terminated"], zh, en)
	add("intake", sumIntake, rec.Received,
		"收件的受理情况之和（受理、不予受理、补正逾期、受理前撤回、告知转送、审查中）=收件", "sum of intake dispositions of the received = received")
	return out
}

// MarshalIndent is the report JSON as printed by the CLI and the API.
func (r *Report) MarshalIndent() ([]byte, error) { return json.MarshalIndent(r, "", "  ") }

// Years returns the calendar years a period touches.
func (p Period) Years() []int {
	a, _ := strconv.Atoi(p.From[:4])
	b, _ := strconv.Atoi(p.To[:4])
	var out []int
	for y := a; y <= b; y++ {
		out = append(out, y)
	}
	return out
}

func month(day string) string {
	if len(day) >= 7 {
		return day[:7]
	}
	return strings.Repeat("0", 7)
}
