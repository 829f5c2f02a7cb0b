package lifecycle

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/errs"
)

// listFixture holds cases made for paging: few distinct values per sort key
// (many ties), NULL accepted_on/closed_on, and cases of the other organ.
type listFixture struct {
	*fixture
	mine, theirs []int64
}

// newListFixture creates n cases of the officer's organ and 5 of the other
// organ, then sets the sort columns directly to patterns with ties and NULLs.
func newListFixture(t *testing.T, n int) *listFixture {
	t.Helper()
	lf := &listFixture{fixture: newFixture(t)}
	ctx := context.Background()
	received := []string{"2024-03-01", "2024-03-02", "2024-03-02", "2024-03-05", "2024-03-05", "2024-03-05", "2024-04-01"}
	for i := 0; i < n; i++ {
		v := lf.create(t, received[i%len(received)])
		lf.mine = append(lf.mine, v.ID)
	}
	for i := 0; i < 5; i++ {
		in := lf.input(received[i])
		in.RespondentName, in.HandlerID = lf.otherAg.Name, nil
		v, err := lf.svc.Create(ctx, lf.outside, in)
		must(t, err)
		lf.theirs = append(lf.theirs, v.ID)
	}
	statuses := []string{StatusReceived, "accepted", "closed"}
	updated := []time.Time{testNow, testNow.Add(-time.Hour), testNow.Add(90 * time.Minute), testNow.Add(-48 * time.Hour)}
	for i, id := range append(append([]int64{}, lf.mine...), lf.theirs...) {
		set := map[string]any{"status": statuses[i%3], "updated_at": updated[i%4], "accepted_on": nil, "closed_on": nil}
		if i%3 != 0 {
			set["accepted_on"] = []string{"2024-03-10", "2024-03-11", "2024-03-10", "2024-03-12"}[i%4]
		}
		if i%3 == 2 && i%5 != 0 {
			set["closed_on"] = []string{"2024-05-01", "2024-05-01", "2024-06-15"}[i%3]
		}
		must(t, lf.db.Write.Model(&models.Case{}).Where("id = ?", id).Updates(set).Error)
	}
	return lf
}

// direct is the list's order straight from the database: the scoped,
// filtered query with the list's ORDER BY, every id at once.
func (lf *listFixture) direct(t *testing.T, f ListFilter) []int64 {
	t.Helper()
	q, err := lf.svc.query(context.Background(), lf.officer, &f)
	must(t, err)
	var out []int64
	must(t, orderBy(q, f.Sort).Pluck("cases.id", &out).Error)
	return out
}

// walk follows the cursors from page 1 to the last page.
func (lf *listFixture) walk(t *testing.T, f ListFilter) []int64 {
	t.Helper()
	var out []int64
	f.Page, f.After = 0, ""
	for page := 1; ; page++ {
		res, err := lf.svc.List(context.Background(), lf.officer, f)
		must(t, err)
		if res.Page != page {
			t.Fatalf("%+v: page %d reports page %d", f, page, res.Page)
		}
		if res.NextCursor != "" && len(res.Items) != f.PageSize || len(res.Items) > f.PageSize {
			t.Fatalf("%+v: page %d has %d rows", f, page, len(res.Items))
		}
		out = append(out, ids(res.Items)...)
		if res.NextCursor == "" {
			return out
		}
		if page > 1000 {
			t.Fatalf("%+v: the cursors never end", f)
		}
		f.After = res.NextCursor
	}
}

// TestListCursorWalk walks every sort key, in both directions and in
// combinations, with several page sizes, by cursor: every matching case comes
// exactly once, in the order the database's ORDER BY gives all at once, ties
// and NULLs included, and no other organ's case ever shows.
func TestListCursorWalk(t *testing.T) {
	lf := newListFixture(t, 31)
	var sorts []string
	for _, k := range SortKeys() {
		sorts = append(sorts, k, "-"+k)
	}
	sorts = append(sorts, "", "status,-closed_on", "-accepted_on,received_on", "closed_on,-updated_at,case_no", "-status,accepted_on,-received_on")
	filters := []ListFilter{{}, {Status: "accepted,closed"}, {Status: "closed"}, {ReceivedFrom: "2024-03-02", ReceivedTo: "2024-03-05"}}
	for _, sort := range sorts {
		for _, base := range filters {
			for _, size := range []int{1, 2, 7, 40} {
				f := base
				f.Sort, f.PageSize = sort, size
				want := lf.direct(t, f)
				if len(want) == 0 {
					t.Fatalf("%+v matches nothing: the fixture tests nothing", f)
				}
				got := lf.walk(t, f)
				if !slices.Equal(got, want) {
					t.Fatalf("sort %q filter %+v size %d:\n walked %v\n direct %v", sort, base, size, got, want)
				}
				for _, id := range got {
					if slices.Contains(lf.theirs, id) {
						t.Fatalf("another organ's case %d listed", id)
					}
				}
				// Page numbers land on the same rows as the cursors.
				if size == 2 {
					f.Page = 3
					res, err := lf.svc.List(context.Background(), lf.officer, f)
					must(t, err)
					if !slices.Equal(ids(res.Items), want[min(4, len(want)):min(6, len(want))]) {
						t.Fatalf("sort %q page 3: %v, want %v", sort, ids(res.Items), want)
					}
				}
			}
		}
	}
	// The ties really are there: the default order has equal received_on
	// values across page boundaries, and closed_on has NULLs.
	var ties, nulls int64
	must(t, lf.db.Read.Raw("SELECT COUNT(*) FROM cases WHERE received_on = '2024-03-05'").Scan(&ties).Error)
	must(t, lf.db.Read.Raw("SELECT COUNT(*) FROM cases WHERE closed_on IS NULL").Scan(&nulls).Error)
	if ties < 10 || nulls < 10 {
		t.Fatalf("fixture: %d ties, %d NULLs", ties, nulls)
	}
	// The other organ's officer walks only the other organ's cases.
	res, err := lf.svc.List(context.Background(), lf.outside, ListFilter{PageSize: 2})
	must(t, err)
	seen := ids(res.Items)
	for res.NextCursor != "" {
		res, err = lf.svc.List(context.Background(), lf.outside, ListFilter{PageSize: 2, After: res.NextCursor})
		must(t, err)
		seen = append(seen, ids(res.Items)...)
	}
	slices.Sort(seen)
	if !slices.Equal(seen, lf.theirs) {
		t.Fatalf("outsider walked %v, want %v", seen, lf.theirs)
	}
}

// TestListCursorSurvivesWrites inserts cases between pages:
// the rows after the cursor are the database's order of what is there now,
// and every case that existed all along and kept its place comes exactly
// once — no duplicates, no skips, unlike OFFSET.
func TestListCursorSurvivesWrites(t *testing.T) {
	lf := newListFixture(t, 20)
	ctx := context.Background()
	for _, sort := range []string{"", "received_on", "-closed_on", "accepted_on"} {
		f := ListFilter{Sort: sort, PageSize: 3}
		before := lf.direct(t, f)
		res, err := lf.svc.List(ctx, lf.officer, f)
		must(t, err)
		seen := ids(res.Items)
		res2, err := lf.svc.List(ctx, lf.officer, ListFilter{Sort: sort, PageSize: 3, After: res.NextCursor})
		must(t, err)
		seen = append(seen, ids(res2.Items)...)
		// New cases on every side of the position, with the same dates.
		var added []int64
		for _, d := range []string{"2024-02-01", "2024-03-02", "2024-03-05", "2024-04-01", "2024-04-09"} {
			v := lf.create(t, d)
			added = append(added, v.ID)
		}
		must(t, lf.db.Write.Model(&models.Case{}).Where("id IN ?", added[:2]).Updates(map[string]any{"accepted_on": "2024-03-11", "closed_on": "2024-05-01"}).Error)
		after := lf.direct(t, f)
		// The rest of the walk: the current order after the last row seen.
		last := seen[len(seen)-1]
		want := append(append([]int64{}, seen...), after[slices.Index(after, last)+1:]...)
		f.After = res2.NextCursor
		for f.After != "" {
			r, err := lf.svc.List(ctx, lf.officer, f)
			must(t, err)
			seen = append(seen, ids(r.Items)...)
			f.After = r.NextCursor
		}
		if !slices.Equal(seen, want) {
			t.Fatalf("sort %q: walked %v, want %v", sort, seen, want)
		}
		for _, id := range before {
			if n := count(seen, id); n != 1 {
				t.Fatalf("sort %q: case %d seen %d times", sort, id, n)
			}
		}
		if len(seen) == len(before) {
			t.Fatalf("sort %q: none of the new cases sorts after the position: the test proves nothing", sort)
		}
	}
}

// encodeB64 encodes a cursor payload.
func encodeB64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// signed makes a cursor of payload with the right checksum for f (after the
// list's normalisation of the page size).
func signed(payload string, f ListFilter) string {
	if f.PageSize == 0 {
		f.PageSize = DefaultPageSize
	}
	return encodeB64(payload) + "." + base64.RawURLEncoding.EncodeToString(cursorCheck([]byte(payload), f))
}

func count(s []int64, x int64) int {
	n := 0
	for _, y := range s {
		if y == x {
			n++
		}
	}
	return n
}

// TestListCursorRefused: a cursor that is not one, edited, or made for
// another filter, sort or page size is a 400 naming "after".
func TestListCursorRefused(t *testing.T) {
	lf := newListFixture(t, 6)
	ctx := context.Background()
	f := ListFilter{PageSize: 2, Status: "received,accepted,closed"}
	res, err := lf.svc.List(ctx, lf.officer, f)
	must(t, err)
	good := res.NextCursor
	if good == "" {
		t.Fatal("no next cursor")
	}
	body, sum, _ := strings.Cut(good, ".")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	// A well-formed payload naming another position, with the old checksum.
	forged := strings.Replace(good, body, encodeB64(`{"v":[{"s":"2099-01-01"}],"id":1,"p":2}`), 1)
	for name, tc := range map[string]struct {
		f     ListFilter
		after string
	}{
		"garbage":           {f, "not-a-cursor"},
		"no checksum":       {f, body},
		"payload edited":    {f, flip(body, 3) + "." + sum},
		"checksum edited":   {f, body + "." + flip(sum, 2)},
		"forged position":   {f, forged},
		"other sort":        {ListFilter{PageSize: 2, Status: f.Status, Sort: "received_on"}, good},
		"other filter":      {ListFilter{PageSize: 2, Status: "closed"}, good},
		"other page size":   {ListFilter{PageSize: 3, Status: f.Status}, good},
		"other query":       {ListFilter{PageSize: 2, Status: f.Status, Q: "张"}, good},
		"huge":              {f, strings.Repeat("A", 5000) + "." + sum},
		"not base64":        {f, "!!!." + sum},
		"unknown value key": {f, signed(`{"v":[{"x":"1"}],"id":1,"p":2}`, f)},
		"too many values":   {f, signed(`{"v":[{"s":"2024-03-01"},{"s":"x"}],"id":1,"p":2}`, f)},
		"no values":         {f, signed(`{"v":[],"id":1,"p":2}`, f)},
		"NULL received_on":  {f, signed(`{"v":[{}],"id":1,"p":2}`, f)},
		"id 0":              {f, signed(`{"v":[{"s":"2024-03-01"}],"id":0,"p":2}`, f)},
		"page 1":            {f, signed(`{"v":[{"s":"2024-03-01"}],"id":3,"p":1}`, f)},
		"bad time":          {f, signed(`{"v":[{"t":"yesterday"}],"id":3,"p":2}`, f)},
		"trailing data":     {f, signed(`{"v":[{"s":"2024-03-01"}],"id":3,"p":2} {}`, f)},
	} {
		tc.f.After = tc.after
		_, err := lf.svc.List(ctx, lf.officer, tc.f)
		if e := errOf(t, err, errs.KindInvalid); e.Fields["after"].ZH == "" {
			t.Errorf("%s: %v", name, e)
		}
	}
	// The cursor does not depend on the caller: another user of the same
	// organ follows it; the other organ's officer gets only their own cases.
	f.After = good
	r1, err := lf.svc.List(ctx, lf.manager, f)
	must(t, err)
	r0, err := lf.svc.List(ctx, lf.officer, f)
	must(t, err)
	if !slices.Equal(ids(r1.Items), ids(r0.Items)) || len(r0.Items) != 2 {
		t.Fatalf("manager %v, officer %v", ids(r1.Items), ids(r0.Items))
	}
	ro, err := lf.svc.List(ctx, lf.outside, f)
	must(t, err)
	for _, v := range ro.Items {
		if v.OrganID != lf.other.ID {
			t.Fatalf("outsider following a cursor sees case %d of organ %d", v.ID, v.OrganID)
		}
	}
}

// TestListTotal: the total is exact up to CountCap and says "at least"
// beyond; exact on request and for a metric drill-down, whatever the page
// or cursor; the last page by number counts itself.
func TestListTotal(t *testing.T) {
	mf := func(ctx context.Context, db *gorm.DB, key, from, to string, organIDs []int64) (func(*gorm.DB) *gorm.DB, error) {
		return func(q *gorm.DB) *gorm.DB { return q.Where("cases.received_on BETWEEN ? AND ?", from, to) }, nil
	}
	fx := newFixture(t, func(o *Options) { o.MetricFilter = mf })
	ctx := context.Background()
	// CountCap + 7 cases of the organ and 3 of the other, inserted directly.
	n := CountCap + 7
	var cs []models.Case
	for i := 0; i < n+3; i++ {
		organ, ag := fx.organ.ID, fx.agency.ID
		if i >= n {
			organ, ag = fx.other.ID, fx.otherAg.ID
		}
		day := fmt.Sprintf("2023-%02d-%02d", 1+i%12, 1+i%28)
		cs = append(cs, models.Case{OrganID: organ, CaseNo: fmt.Sprintf("测〔2023〕%d号", i+1), Year: 2023, Seq: i + 1, Status: StatusReceived,
			Version: 1, Regime: "rl2017", Applicant: "甲", ApplicantType: "citizen", RespondentID: ag, ActType: "penalty", ReceivedOn: day})
	}
	must(t, fx.db.Write.CreateInBatches(cs, 500).Error)
	direct := func(f ListFilter) int64 {
		q, err := fx.svc.query(ctx, fx.officer, &f)
		must(t, err)
		var c int64
		must(t, q.Count(&c).Error)
		return c
	}
	check := func(name string, f ListFilter, total int64, exact bool) *ListResult {
		t.Helper()
		res, err := fx.svc.List(ctx, fx.officer, f)
		must(t, err)
		if res.Total != total || res.TotalExact != exact {
			t.Fatalf("%s: total %d exact %v, want %d %v", name, res.Total, res.TotalExact, total, exact)
		}
		return res
	}
	if d := direct(ListFilter{}); d != int64(n) {
		t.Fatalf("direct count %d", d)
	}
	first := check("capped", ListFilter{}, CountCap, false)
	check("capped by cursor", ListFilter{After: first.NextCursor}, CountCap, false)
	check("exact on request", ListFilter{ExactCount: true}, int64(n), true)
	check("exact on request by cursor", ListFilter{ExactCount: true, After: first.NextCursor}, int64(n), true)
	check("metric drill-down", ListFilter{Metric: "received", From: "2023-01-01", To: "2023-12-31"}, direct(ListFilter{ReceivedFrom: "2023-01-01", ReceivedTo: "2023-12-31"}), true)
	// Under the cap: exact, equal to the direct count.
	small := ListFilter{ReceivedFrom: "2023-03-01", ReceivedTo: "2023-05-31"}
	if d := direct(small); d <= DefaultPageSize || d > CountCap {
		t.Fatalf("small filter matches %d", d)
	}
	check("under the cap", small, direct(small), true)
	// The last page by number, the one past it, and a page in the middle.
	last := int((n + 199) / 200)
	res := check("last page", ListFilter{Page: last, PageSize: 200}, int64(n), true)
	if len(res.Items) != n-(last-1)*200 || res.NextCursor != "" {
		t.Fatalf("last page has %d rows, next %q", len(res.Items), res.NextCursor)
	}
	check("past the end", ListFilter{Page: last + 1, PageSize: 200}, CountCap, false)
	check("middle", ListFilter{Page: 7, PageSize: 200}, CountCap, false)
	// The other organ's officer counts only theirs.
	r, err := fx.svc.List(ctx, fx.outside, ListFilter{})
	must(t, err)
	if r.Total != 3 || !r.TotalExact {
		t.Fatalf("outsider total %d %v", r.Total, r.TotalExact)
	}
}
