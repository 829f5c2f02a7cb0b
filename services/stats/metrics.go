package stats

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/codes"
	"fuyi/services/errs"
)

// Counts a metric may count or divide by.
var Counts = []string{mReceived, mAccepted, mNotAccepted, mClosed}

// CountSpec names a count and, for closed cases, the outcomes, termination
// subtypes and flags a case needs to be counted. A closed case matches when
// its outcome is in Outcomes or it is terminated with a subtype in
// Terminations (no outcome condition when both are empty), and it has every
// flag in Flags.
type CountSpec struct {
	Count        string   `json:"count"`
	Outcomes     []string `json:"outcomes,omitempty"`
	Terminations []string `json:"terminations,omitempty"`
	Flags        []string `json:"flags,omitempty"`
}

func (c CountSpec) matchesOutcome(outcome, termination string) bool {
	if len(c.Outcomes) == 0 && len(c.Terminations) == 0 {
		return true
	}
	for _, o := range c.Outcomes {
		if o == outcome {
			return true
		}
	}
	if outcome == "terminated" {
		for _, t := range c.Terminations {
			if t == termination {
				return true
			}
		}
	}
	return false
}

// Spec is a metric definition's formula: numerator / denominator.
type Spec struct {
	Numerator   CountSpec `json:"numerator"`
	Denominator string    `json:"denominator"`
}

// Definition is a metric definition as services and the API see it.
type Definition struct {
	ID            int64   `json:"id"`
	Key           string  `json:"key"`
	NameZH        string  `json:"name"`
	NameEN        string  `json:"name_en"`
	Spec          Spec    `json:"definition"`
	EffectiveFrom string  `json:"effective_from"`
	EffectiveTo   *string `json:"effective_to"`
	Builtin       bool    `json:"builtin"`
	Version       int64   `json:"version"`
}

// Metric is one computed rate. Rate is the exact fraction rounded to four
// decimals for JSON (null when the denominator is 0); Display is rounded
// half-up to one decimal.
type Metric struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	NameEN      string `json:"name_en"`
	Numerator   int64  `json:"numerator"`
	Denominator int64  `json:"denominator"`
	Rate        *Rate  `json:"rate"`
	Display     string `json:"display"`
}

// Rate is a fraction in [0, 1] that marshals with four decimals.
type Rate float64

// MarshalJSON writes the rate rounded half-up to four decimals.
func (r Rate) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(r), 'f', 4, 64)), nil
}

// NewMetric builds a metric from its counts.
func NewMetric(key, nameZH, nameEN string, num, den int64) Metric {
	m := Metric{Key: key, Name: nameZH, NameEN: nameEN, Numerator: num, Denominator: den, Display: "—"}
	if den != 0 {
		// rounded half-up to 4 decimals on the exact fraction
		rr := Rate(float64(RoundHalfUp(num*10000, den)) / 10000)
		m.Rate = &rr
		m.Display = Percent(num, den, 1)
	}
	return m
}

// RoundHalfUp returns num/den rounded half-up to an integer (den > 0, num ≥ 0
// or negative symmetrically away from zero).
func RoundHalfUp(num, den int64) int64 {
	if den < 0 {
		num, den = -num, -den
	}
	if num < 0 {
		return -RoundHalfUp(-num, den)
	}
	return (2*num + den) / (2 * den)
}

// Percent renders num/den as a percentage rounded half-up to decimals
// places: Percent(71, 182, 1) = "39.0%", Percent(71, 182, 0) = "39%".
func Percent(num, den int64, decimals int) string {
	if den == 0 {
		return "—"
	}
	scale := int64(1)
	for i := 0; i < decimals; i++ {
		scale *= 10
	}
	v := RoundHalfUp(num*100*scale, den)
	s := strconv.FormatInt(v/scale, 10)
	if decimals > 0 {
		frac := strconv.FormatInt(v%scale, 10)
		s += "." + strings.Repeat("0", decimals-len(frac)) + frac
	}
	return s + "%"
}

// ---- definitions ----

func toDefinition(m models.MetricDefinition) (Definition, error) {
	d := Definition{ID: m.ID, Key: m.Key, NameZH: m.NameZH, NameEN: m.NameEN, EffectiveFrom: m.EffectiveFrom,
		EffectiveTo: m.EffectiveTo, Builtin: m.Builtin, Version: m.Version}
	if err := json.Unmarshal([]byte(m.Definition), &d.Spec); err != nil {
		return d, errs.Internal(err)
	}
	if d.Spec.Numerator.Count == "" {
		d.Spec.Numerator.Count = mClosed
	}
	if d.Spec.Denominator == "" {
		d.Spec.Denominator = mClosed
	}
	return d, nil
}

// Definitions lists every metric definition (all versions), by key and start.
func (s *Service) Definitions(ctx context.Context) ([]Definition, error) {
	var rows []models.MetricDefinition
	if err := s.db.Read.WithContext(ctx).Order("key, effective_from").Find(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out := make([]Definition, 0, len(rows))
	for _, r := range rows {
		d, err := toDefinition(r)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// definitionsFor returns, per key, the definition in force for period p: of
// the versions overlapping p, the one that started last.
func (s *Service) definitionsFor(ctx context.Context, db *gorm.DB, p Period) ([]Definition, error) {
	var rows []models.MetricDefinition
	err := db.Session(&gorm.Session{NewDB: true}).WithContext(ctx).
		Where("effective_from <= ? AND (effective_to IS NULL OR effective_to >= ?)", p.To, p.From).
		Order("key, effective_from").Find(&rows).Error
	if err != nil {
		return nil, errs.Internal(err)
	}
	var out []Definition
	for _, r := range rows {
		d, err := toDefinition(r)
		if err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].Key == d.Key {
			out[n-1] = d
			continue
		}
		out = append(out, d)
	}
	return out, nil
}

// DefinitionInput is an admin's new or changed metric definition.
type DefinitionInput struct {
	Key           string  `json:"key"`
	NameZH        string  `json:"name"`
	NameEN        string  `json:"name_en"`
	Spec          *Spec   `json:"definition"`
	EffectiveFrom string  `json:"effective_from"`
	EffectiveTo   *string `json:"effective_to"`
}

func validKey(k string) bool {
	if k == "" || len(k) > 60 {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return !reservedKey(k)
}

func reservedKey(k string) bool {
	switch k {
	case mReceived, mAccepted, mNotAccepted, mClosed, "pending_end", "carried_over", mOpen:
		return true
	}
	return false
}

func inList(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// ValidateSpec checks a formula against the known counts, outcome codes,
// termination codes and flags; the error names the offending field.
func ValidateSpec(sp Spec) error {
	n := sp.Numerator
	if n.Count == "" {
		n.Count = mClosed
	}
	if !inList(Counts, n.Count) {
		return errs.InvalidField("definition.numerator.count", "未知的计数："+n.Count, "unknown count: "+n.Count)
	}
	if sp.Denominator != "" && !inList(Counts, sp.Denominator) {
		return errs.InvalidField("definition.denominator", "未知的分母："+sp.Denominator, "unknown denominator: "+sp.Denominator)
	}
	if n.Count != mClosed && (len(n.Outcomes) > 0 || len(n.Terminations) > 0) {
		return errs.InvalidField("definition.numerator.outcomes", "审理结果条件只适用于办结案件", "outcome conditions apply only to the closed count")
	}
	for i, o := range n.Outcomes {
		if !codes.Outcomes.Has(o) {
			return errs.InvalidField("definition.numerator.outcomes["+strconv.Itoa(i)+"]", "未知的审理结果："+o, "unknown outcome: "+o)
		}
	}
	for i, t := range n.Terminations {
		if !codes.Terminations.Has(t) {
			return errs.InvalidField("definition.numerator.terminations["+strconv.Itoa(i)+"]", "未知的终止原因："+t, "unknown termination subtype: "+t)
		}
	}
	for i, f := range n.Flags {
		field := "definition.numerator.flags[" + strconv.Itoa(i) + "]"
		if !Flags.Has(f) {
			return errs.InvalidField(field, "未知的案件标记："+f, "unknown flag: "+f)
		}
		if n.Count == mReceived || n.Count == mNotAccepted || (n.Count == mAccepted && f != "deemed_accepted") {
			return errs.InvalidField(field, "该标记不适用于计数 "+n.Count, "flag "+f+" does not apply to the count "+n.Count)
		}
	}
	return nil
}

func validateInput(in DefinitionInput, create bool) error {
	if create && !validKey(in.Key) {
		return errs.InvalidField("key", "键只能由小写字母、数字和下划线组成，且不能与计数同名", "key must be lowercase letters, digits and underscores, and not the name of a count")
	}
	if create && strings.TrimSpace(in.NameZH) == "" {
		return errs.InvalidField("name", "名称不能为空", "name is required")
	}
	if create && in.Spec == nil {
		return errs.InvalidField("definition", "缺少公式", "definition is required")
	}
	if in.Spec != nil {
		if err := ValidateSpec(*in.Spec); err != nil {
			return err
		}
	}
	if in.EffectiveFrom != "" {
		if _, err := ParseDate("effective_from", in.EffectiveFrom); err != nil {
			return err
		}
	}
	if in.EffectiveTo != nil && *in.EffectiveTo != "" {
		if _, err := ParseDate("effective_to", *in.EffectiveTo); err != nil {
			return err
		}
	}
	return nil
}

func specJSON(sp Spec) string {
	if sp.Numerator.Count == "" {
		sp.Numerator.Count = mClosed
	}
	if sp.Denominator == "" {
		sp.Denominator = mClosed
	}
	b, _ := json.Marshal(sp)
	return string(b)
}

// CreateDefinition adds a metric definition (or a new version of a key from
// a later effective date).
func (s *Service) CreateDefinition(ctx context.Context, in DefinitionInput) (Definition, error) {
	if err := validateInput(in, true); err != nil {
		return Definition{}, err
	}
	if in.EffectiveFrom == "" {
		in.EffectiveFrom = "2000-01-01"
	}
	if in.EffectiveTo != nil && (*in.EffectiveTo == "" || *in.EffectiveTo < in.EffectiveFrom) {
		if *in.EffectiveTo != "" {
			return Definition{}, errs.InvalidField("effective_to", "失效日期不能早于生效日期", "effective_to must not be before effective_from")
		}
		in.EffectiveTo = nil
	}
	if in.NameEN == "" {
		in.NameEN = in.Key
	}
	now := time.Now().UTC()
	row := models.MetricDefinition{Key: in.Key, NameZH: strings.TrimSpace(in.NameZH), NameEN: in.NameEN, Definition: specJSON(*in.Spec),
		EffectiveFrom: in.EffectiveFrom, EffectiveTo: in.EffectiveTo, Version: 1, CreatedAt: now, UpdatedAt: now}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.MetricDefinition{}).Where("key = ? AND effective_from = ?", in.Key, in.EffectiveFrom).Count(&n).Error; err != nil {
			return errs.Internal(err)
		}
		if n > 0 {
			return errs.Conflict("duplicate", "该指标在此生效日期已有定义", "this metric already has a definition from that date")
		}
		if err := tx.Session(&gorm.Session{NewDB: true}).Create(&row).Error; err != nil {
			return errs.Internal(err)
		}
		return nil
	})
	if err != nil {
		return Definition{}, err
	}
	return toDefinition(row)
}

// DefinitionPatch changes a definition; nil fields stay. Version must match.
type DefinitionPatch struct {
	NameZH        *string `json:"name"`
	NameEN        *string `json:"name_en"`
	Spec          *Spec   `json:"definition"`
	EffectiveFrom *string `json:"effective_from"`
	EffectiveTo   *string `json:"effective_to"` // "" clears
	Version       int64   `json:"version"`
}

// UpdateDefinition changes the current (latest-starting) version of key. A
// definition in force in a locked year may only have its effective_to set to
// a date after every such year (409 otherwise): a published figure never
// changes silently. To change a formula from a date on, close the old
// version and create a new one.
func (s *Service) UpdateDefinition(ctx context.Context, key string, p DefinitionPatch) (Definition, error) {
	in := DefinitionInput{Spec: p.Spec}
	if p.EffectiveFrom != nil {
		in.EffectiveFrom = *p.EffectiveFrom
	}
	in.EffectiveTo = p.EffectiveTo
	if err := validateInput(in, false); err != nil {
		return Definition{}, err
	}
	if p.NameZH != nil && strings.TrimSpace(*p.NameZH) == "" {
		return Definition{}, errs.InvalidField("name", "名称不能为空", "name is required")
	}
	var out models.MetricDefinition
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var rows []models.MetricDefinition
		if err := tx.Where("key = ?", key).Order("effective_from DESC").Limit(1).Find(&rows).Error; err != nil {
			return errs.Internal(err)
		}
		if len(rows) == 0 {
			return errs.NotFound("metric definition", "指标定义")
		}
		row := rows[0]
		if p.Version != 0 && p.Version != row.Version {
			return errs.Stale(row.Version)
		}
		next := row
		if p.NameZH != nil {
			next.NameZH = strings.TrimSpace(*p.NameZH)
		}
		if p.NameEN != nil {
			next.NameEN = *p.NameEN
		}
		if p.Spec != nil {
			next.Definition = specJSON(*p.Spec)
		}
		if p.EffectiveFrom != nil {
			next.EffectiveFrom = *p.EffectiveFrom
		}
		if p.EffectiveTo != nil {
			if *p.EffectiveTo == "" {
				next.EffectiveTo = nil
			} else {
				v := *p.EffectiveTo
				next.EffectiveTo = &v
			}
		}
		if next.EffectiveTo != nil && *next.EffectiveTo < next.EffectiveFrom {
			return errs.InvalidField("effective_to", "失效日期不能早于生效日期", "effective_to must not be before effective_from")
		}
		// Locked years in which the old version is in force.
		var years []int
		if err := tx.Session(&gorm.Session{NewDB: true}).Model(&models.ReportLock{}).Distinct("year").Order("year").Pluck("year", &years).Error; err != nil {
			return errs.Internal(err)
		}
		for _, y := range years {
			yp := YearPeriod(y)
			if !overlaps(row.EffectiveFrom, row.EffectiveTo, yp) {
				continue
			}
			sameFormula := next.Definition == row.Definition && next.NameZH == row.NameZH && next.NameEN == row.NameEN && next.EffectiveFrom == row.EffectiveFrom
			stillCovers := next.EffectiveTo == nil || *next.EffectiveTo >= yp.To
			if !sameFormula || !stillCovers {
				return errs.Conflict("definition_locked",
					"该指标定义已用于已锁定的"+strconv.Itoa(y)+"年度报告，不能修改；请设置失效日期并新建定义",
					"this definition is used by the locked report of "+strconv.Itoa(y)+"; set its effective_to and create a new definition instead").With("locked_year", y)
			}
		}
		next.Version = row.Version + 1
		next.UpdatedAt = time.Now().UTC()
		res := tx.Session(&gorm.Session{NewDB: true}).Model(&models.MetricDefinition{}).Where("id = ? AND version = ?", row.ID, row.Version).
			Updates(map[string]any{"name_zh": next.NameZH, "name_en": next.NameEN, "definition": next.Definition,
				"effective_from": next.EffectiveFrom, "effective_to": next.EffectiveTo, "version": next.Version, "updated_at": next.UpdatedAt})
		if res.Error != nil {
			return errs.Internal(res.Error)
		}
		if res.RowsAffected == 0 {
			return errs.Stale(row.Version)
		}
		out = next
		return nil
	})
	if err != nil {
		return Definition{}, err
	}
	return toDefinition(out)
}

func overlaps(from string, to *string, p Period) bool {
	return from <= p.To && (to == nil || *to >= p.From)
}

// Preview computes a definition that is not stored over period p and organs.
func (s *Service) Preview(ctx context.Context, sp Spec, p Period, organIDs []int64) (Metric, error) {
	if err := ValidateSpec(sp); err != nil {
		return Metric{}, err
	}
	if sp.Numerator.Count == "" {
		sp.Numerator.Count = mClosed
	}
	if sp.Denominator == "" {
		sp.Denominator = mClosed
	}
	db := s.db.Read.WithContext(ctx)
	tot, err := s.totals(ctx, db, p, organIDs, "", breakdownMeasures, flagMask(sp.Numerator.Flags))
	if err != nil {
		return Metric{}, err
	}
	t := tot[""]
	if t == nil {
		t = &measureTotals{}
	}
	cnt := &counter{s: s, ctx: ctx, db: db, p: p, organs: organIDs}
	return cnt.metric(Definition{Key: "preview", NameZH: "预览", NameEN: "preview", Spec: sp}, "", t)
}
