package calendar

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestDefaultMatchesPublishedFacts compares every day of the built-in
// calendar with the published notices kept beside the repository
// (../shared/data/cn-holidays/YYYY.json, one file per notice year). The
// directory is optional — the spot checks in calendar_test.go always run —
// and FUYI_HOLIDAY_FACTS overrides its location.
func TestDefaultMatchesPublishedFacts(t *testing.T) {
	dir := os.Getenv("FUYI_HOLIDAY_FACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data", "cn-holidays")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("published facts not available at %s", dir)
	}
	cal := Default()
	for _, year := range cal.Years() {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%d.json", year)))
		if err != nil {
			t.Fatal(err)
		}
		var facts struct {
			Days []struct {
				Name     string `json:"name"`
				Date     string `json:"date"`
				IsOffDay bool   `json:"isOffDay"`
			} `json:"days"`
		}
		if err := json.Unmarshal(b, &facts); err != nil {
			t.Fatal(err)
		}
		listed := map[Date]bool{}
		for _, f := range facts.Days {
			day := MustParseDate(f.Date)
			listed[day] = true
			k, name, err := cal.Kind(day)
			if err != nil {
				t.Fatal(err)
			}
			if k.Working() == f.IsOffDay {
				t.Errorf("%s: working=%v, notice says off=%v", f.Date, k.Working(), f.IsOffDay)
			}
			if (k == Holiday || k == MakeUpWorkday) && name != f.Name {
				t.Errorf("%s: name %q, notice says %q", f.Date, name, f.Name)
			}
		}
		// Every day the notice does not list follows the ordinary week.
		for day := NewDate(year, 1, 1); day.Y == year; day = day.AddDays(1) {
			if listed[day] {
				continue
			}
			if k, _, _ := cal.Kind(day); (k == Holiday || k == MakeUpWorkday) && day.M != 12 {
				t.Errorf("%s: kind %d but not in the %d notice", day, k, year)
			}
		}
	}
}
