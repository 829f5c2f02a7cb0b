package litigation

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/errs"
	"fuyi/services/stats"
)

// The litigation rollup (litigation_stat, migration 9; models.LitigationStatCell)
// answers the report's litigation block (LitigationFigures) without counting
// the suits of the period: per organ, grain and period it counts the suits
// notified and concluded by kind and instance (with how many concluded ones
// were lost) and the hearings held by their suit's kind (with how many had a
// head or deputy head appear). Every write of a suit or a hearing updates it
// in its own transaction (rollupCase, rollupHearings): −1 on the cells of
// what the row contributed before, +1 on those of what it contributes after,
// at day, month and year grain. Rebuild recomputes it from the rows.

// Measures of the rollup.
const (
	measureNotified  = "notified"
	measureConcluded = "concluded"
	measureHearing   = "hearing"
)

// Grains of the rollup: a cell's period is the first periodLen[grain]
// characters of a date (stats.PeriodCover's order).
const (
	grainYear = iota
	grainMonth
	grainDay
	nGrains
)

var periodLen = [nGrains]int{4, 7, 10}

type cellKey struct {
	OrganID                         int64
	Grain                           int
	Period, Measure, Kind, Instance string
}

func compareCellKey(a, b cellKey) int {
	return cmp.Or(cmp.Compare(a.OrganID, b.OrganID), cmp.Compare(a.Grain, b.Grain), cmp.Compare(a.Period, b.Period),
		cmp.Compare(a.Measure, b.Measure), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Instance, b.Instance))
}

type cellVal struct{ Count, Lost, Head int64 }

// rollupDelta is what a write changes in the rollup.
type rollupDelta map[cellKey]cellVal

// add adds v to the cells of day at every grain.
func (d rollupDelta) add(organID int64, measure, day, kind, instance string, v cellVal) {
	for g := grainYear; g < nGrains; g++ {
		p := day
		if len(p) > periodLen[g] {
			p = p[:periodLen[g]]
		}
		k := cellKey{OrganID: organID, Grain: g, Period: p, Measure: measure, Kind: kind, Instance: instance}
		cur := d[k]
		cur.Count += v.Count
		cur.Lost += v.Lost
		cur.Head += v.Head
		d[k] = cur
	}
}

// addCase adds n times what suit c contributes, its hearings aside (nil:
// nothing). The SQL of rollupBuildSQL states the same rules.
func (d rollupDelta) addCase(c *models.LitigationCase, n int64) {
	if c == nil {
		return
	}
	d.add(c.OrganID, measureNotified, c.NotifiedOn, c.Kind, c.Instance, cellVal{Count: n})
	if c.ConcludedOn != nil {
		v := cellVal{Count: n}
		if c.Lost {
			v.Lost = n
		}
		d.add(c.OrganID, measureConcluded, *c.ConcludedOn, c.Kind, c.Instance, v)
	}
}

// addHearing adds n times what hearing h of a suit of the given kind contributes.
func (d rollupDelta) addHearing(h *models.Hearing, kind string, n int64) {
	v := cellVal{Count: n}
	if slices.Contains(HeadRoles, h.AppearedRole) {
		v.Head = n
	}
	d.add(h.OrganID, measureHearing, h.HeldOn, kind, "", v)
}

// rollupChunk is the rows of one upsert statement (9 bound variables each).
const rollupChunk = 100

// apply upserts the non-zero changes in key order, so that concurrent
// transactions lock the cells they share in the same order (no deadlock on
// PostgreSQL). Cells that drop to zero stay; Rebuild removes them.
func (d rollupDelta) apply(tx *gorm.DB) error {
	keys := make([]cellKey, 0, len(d))
	for k, v := range d {
		if v != (cellVal{}) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, compareCellKey)
	tx = tx.Session(&gorm.Session{NewDB: true})
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), rollupChunk)]
		keys = keys[len(chunk):]
		var sb strings.Builder
		args := make([]any, 0, 9*len(chunk))
		for i, k := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?,?,?,?,?,?,?,?,?)")
			v := d[k]
			args = append(args, k.OrganID, k.Grain, k.Period, k.Measure, k.Kind, k.Instance, v.Count, v.Lost, v.Head)
		}
		err := tx.Exec(`INSERT INTO litigation_stat (organ_id, grain, period, measure, kind, instance, count, lost, head) VALUES `+sb.String()+`
			ON CONFLICT (organ_id, grain, period, measure, kind, instance) DO UPDATE SET count = litigation_stat.count + excluded.count,
			lost = litigation_stat.lost + excluded.lost, head = litigation_stat.head + excluded.head`, args...).Error
		if err != nil {
			return errs.Internal(fmt.Errorf("litigation rollup: %w", err))
		}
	}
	return nil
}

// rollupCase keeps the rollup in step with a write of a suit in tx: before
// is the row as stored before the write (nil on insert), after as written.
// When the kind changes, the suit's hearings (read through tx) move to the
// cells of the new kind.
func rollupCase(tx *gorm.DB, before, after *models.LitigationCase) error {
	d := rollupDelta{}
	d.addCase(before, -1)
	d.addCase(after, 1)
	if before != nil && after != nil && before.Kind != after.Kind {
		var hs []models.Hearing
		if err := tx.Session(&gorm.Session{NewDB: true}).Select("organ_id", "held_on", "appeared_role").
			Where("litigation_id = ?", after.ID).Find(&hs).Error; err != nil {
			return errs.Internal(err)
		}
		for i := range hs {
			d.addHearing(&hs[i], before.Kind, -1)
			d.addHearing(&hs[i], after.Kind, 1)
		}
	}
	return d.apply(tx)
}

// rollupHearings keeps the rollup in step with a write of hearings of a suit
// whose stored kind is kind: the removed rows (before) leave their cells,
// the written ones (after) enter theirs.
func rollupHearings(tx *gorm.DB, kind string, before, after []*models.Hearing) error {
	d := rollupDelta{}
	for _, h := range before {
		d.addHearing(h, kind, -1)
	}
	for _, h := range after {
		d.addHearing(h, kind, 1)
	}
	return d.apply(tx)
}

// Rebuild recomputes the litigation rollup of the given organs — all organs
// when none are given — from litigation_cases and litigation_hearings, in
// one transaction. Use it after bulk loads that bypass the services (the
// generator's), or to repair.
func (s *Service) Rebuild(ctx context.Context, organIDs ...int64) error {
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		cond := func(col string) string { return "1=1" }
		if len(organIDs) > 0 {
			ids := make([]string, len(organIDs))
			for i, id := range organIDs {
				ids[i] = strconv.FormatInt(id, 10)
			}
			in := " IN (" + strings.Join(ids, ",") + ")"
			cond = func(col string) string { return col + in }
		}
		qs := append([]string{"DELETE FROM litigation_stat WHERE " + cond("organ_id")}, rollupBuildSQL(cond)...)
		for _, q := range qs {
			if err := tx.Session(&gorm.Session{NewDB: true}).Exec(q).Error; err != nil {
				return errs.Internal(fmt.Errorf("litigation rebuild: %w", err))
			}
		}
		return nil
	})
}

// rollupBuildSQL fills the rollup of the organs matching cond(column): the
// day cells from the rows, the month cells from the day cells, the year
// cells from the month cells. It states the rules of addCase and addHearing.
func rollupBuildSQL(cond func(col string) string) []string {
	cols := "organ_id, grain, period, measure, kind, instance, count, lost, head"
	head := "('" + strings.Join(HeadRoles, "', '") + "')"
	qs := []string{
		`INSERT INTO litigation_stat (` + cols + `)
			SELECT l.organ_id, 2, l.notified_on, '` + measureNotified + `', l.kind, l.instance, COUNT(*), 0, 0
			FROM litigation_cases l WHERE ` + cond("l.organ_id") + ` GROUP BY l.organ_id, l.notified_on, l.kind, l.instance`,
		`INSERT INTO litigation_stat (` + cols + `)
			SELECT l.organ_id, 2, l.concluded_on, '` + measureConcluded + `', l.kind, l.instance, COUNT(*), SUM(CASE WHEN l.lost THEN 1 ELSE 0 END), 0
			FROM litigation_cases l WHERE l.concluded_on IS NOT NULL AND ` + cond("l.organ_id") + `
			GROUP BY l.organ_id, l.concluded_on, l.kind, l.instance`,
		`INSERT INTO litigation_stat (` + cols + `)
			SELECT h.organ_id, 2, h.held_on, '` + measureHearing + `', l.kind, '', COUNT(*), 0, SUM(CASE WHEN h.appeared_role IN ` + head + ` THEN 1 ELSE 0 END)
			FROM litigation_hearings h JOIN litigation_cases l ON l.id = h.litigation_id WHERE ` + cond("h.organ_id") + `
			GROUP BY h.organ_id, h.held_on, l.kind`,
	}
	for g := grainDay; g > grainYear; g-- {
		n := strconv.Itoa(periodLen[g-1])
		qs = append(qs, `INSERT INTO litigation_stat (`+cols+`)
			SELECT organ_id, `+strconv.Itoa(g-1)+`, substr(period, 1, `+n+`), measure, kind, instance, SUM(count), SUM(lost), SUM(head)
			FROM litigation_stat WHERE grain = `+strconv.Itoa(g)+` AND `+cond("organ_id")+`
			GROUP BY organ_id, substr(period, 1, `+n+`), measure, kind, instance`)
	}
	return qs
}

// rollupFigures reads the suit and hearing figures of the organs for the
// days [from, to] (valid dates) from the rollup: the cells of the period's
// cover (stats.PeriodCover: whole years, whole months, the days of partial
// months), one index range per organ and range, summed into one row.
func rollupFigures(q *gorm.DB, organs []int64, from, to string, l *stats.Litigation) (hearings, head int64, err error) {
	var parts []string
	var args []any
	for g, rs := range stats.PeriodCover(from, to) {
		for _, r := range rs {
			parts = append(parts, "SELECT measure, kind, instance, count, lost, head FROM litigation_stat WHERE organ_id IN ? AND grain = ? AND period BETWEEN ? AND ?")
			args = append(args, organs, g, r[0], r[1])
		}
	}
	if len(parts) == 0 {
		return 0, 0, nil
	}
	sum := func(col, cond string) string {
		return "COALESCE(SUM(CASE WHEN " + cond + " THEN " + col + " ELSE 0 END), 0)"
	}
	notified := "measure = '" + measureNotified + "'"
	other := notified + " AND kind NOT IN ('" + KindCivil + "', '" + KindAsRespondent + "')"
	firstConcluded := "measure = '" + measureConcluded + "' AND kind = '" + KindAdministrative + "' AND instance = '" + InstanceFirst + "'"
	heard := "measure = '" + measureHearing + "' AND kind = '" + KindAdministrative + "'"
	var r struct{ Civil, AsRespondent, First, Second, Retrial, Concluded, Lost, Hearings, Head int64 }
	err = q.Raw("SELECT "+
		sum("count", notified+" AND kind = '"+KindCivil+"'")+" AS civil, "+
		sum("count", notified+" AND kind = '"+KindAsRespondent+"'")+" AS as_respondent, "+
		sum("count", other+" AND instance = '"+InstanceFirst+"'")+" AS first, "+
		sum("count", other+" AND instance = '"+InstanceSecond+"'")+" AS second, "+
		sum("count", other+" AND instance = '"+InstanceRetrial+"'")+" AS retrial, "+
		sum("count", firstConcluded)+" AS concluded, "+sum("lost", firstConcluded)+" AS lost, "+
		sum("count", heard)+" AS hearings, "+sum("head", heard)+" AS head"+
		" FROM ("+strings.Join(parts, " UNION ALL ")+") c", args...).Scan(&r).Error
	if err != nil {
		return 0, 0, errs.Internal(err)
	}
	l.Civil, l.AsRespondent = r.Civil, r.AsRespondent
	l.FirstInstance, l.SecondInstance, l.Retrial = r.First, r.Second, r.Retrial
	l.ConcludedFirstInstance, l.LostFirstInstance = r.Concluded, r.Lost
	return r.Hearings, r.Head, nil
}
