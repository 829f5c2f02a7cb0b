package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestCaseListPaging: the list's wire form of paging — next_cursor followed
// with after= walks every case once, in the same order as page numbers;
// total/total_exact; a bad cursor or count is a 400 naming the parameter.
func TestCaseListPaging(t *testing.T) {
	e := newTestEnv(t)
	var made []int64
	for i := 0; i < 5; i++ {
		made = append(made, e.mkCase("officer", 1).ID)
	}
	e.mkCase("other", 2)
	type page struct {
		Items []struct {
			ID      int64 `json:"id"`
			OrganID int64 `json:"organ_id"`
		} `json:"items"`
		Total      int64   `json:"total"`
		TotalExact *bool   `json:"total_exact"`
		Page       int     `json:"page"`
		PageSize   int     `json:"page_size"`
		NextCursor *string `json:"next_cursor"`
	}
	get := func(query string) page {
		t.Helper()
		w := e.do(http.MethodGet, "/api/v1/cases?"+query, "officer", nil)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", query, w.Code, w.Body.String())
		}
		return decode[page](t, w)
	}
	var byCursor, byNumber []int64
	p := get("page_size=2")
	for n := 1; ; n++ {
		if p.Page != n || p.PageSize != 2 || p.Total != 5 || p.TotalExact == nil || !*p.TotalExact {
			t.Fatalf("page %d: %+v", n, p)
		}
		for _, it := range p.Items {
			if it.OrganID != e.Organ1 {
				t.Fatalf("organ %d's case listed", it.OrganID)
			}
			byCursor = append(byCursor, it.ID)
		}
		if p.NextCursor == nil {
			break
		}
		p = get("page_size=2&after=" + url.QueryEscape(*p.NextCursor) + "&page=1") // page is ignored with after
	}
	for n := 1; n <= 3; n++ {
		for _, it := range get("page_size=2&page=" + string(rune('0'+n))).Items {
			byNumber = append(byNumber, it.ID)
		}
	}
	sorted := slices.Clone(byCursor)
	slices.Sort(sorted)
	if !slices.Equal(byCursor, byNumber) || !slices.Equal(sorted, made) {
		t.Fatalf("by cursor %v, by number %v, made %v", byCursor, byNumber, made)
	}
	if p := get("page_size=2&count=exact"); p.Total != 5 || !*p.TotalExact || p.NextCursor == nil {
		t.Fatalf("count=exact: %+v", p)
	}
	// The raw JSON has next_cursor: null on the last page.
	w := e.do(http.MethodGet, "/api/v1/cases?page_size=50", "officer", nil)
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(w.Body.Bytes(), &raw)
	if string(raw["next_cursor"]) != "null" || string(raw["total_exact"]) != "true" {
		t.Fatalf("last page: %s", w.Body.String())
	}

	first := get("page_size=2")
	for name, tc := range map[string]struct{ query, field string }{
		"tampered cursor":    {"page_size=2&after=" + url.QueryEscape(strings.Replace(*first.NextCursor, ".", "x.", 1)), "after"},
		"garbage cursor":     {"page_size=2&after=abc", "after"},
		"cursor, other sort": {"page_size=2&sort=case_no&after=" + url.QueryEscape(*first.NextCursor), "after"},
		"cursor, other size": {"page_size=3&after=" + url.QueryEscape(*first.NextCursor), "after"},
		"bad count":          {"count=all", "count"},
	} {
		w := e.do(http.MethodGet, "/api/v1/cases?"+tc.query, "officer", nil)
		env := decode[errorEnvelope](t, w)
		if w.Code != http.StatusBadRequest || env.Error.Fields[tc.field] == "" {
			t.Errorf("%s: %d %s", name, w.Code, w.Body.String())
		}
	}
	// The other organ's user following organ 1's cursor sees only organ 2.
	w = e.do(http.MethodGet, "/api/v1/cases?page_size=2&after="+url.QueryEscape(*first.NextCursor), "other", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("other: %d %s", w.Code, w.Body.String())
	}
	for _, it := range decode[page](t, w).Items {
		if it.OrganID != e.Organ2 {
			t.Fatalf("other user sees organ %d's case through a cursor", it.OrganID)
		}
	}
}
