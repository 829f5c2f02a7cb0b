package calendar

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The built-in text format (cn_holidays.txt), one notice per "year" line
// followed by indented holiday lines:
//
//	# comment
//	year 2024 https://www.gov.cn/zhengce/zhengceku/202310/content_6911528.htm
//	  元旦 off 01-01
//	  春节 off 02-10..02-17 work 02-04 02-18
//
// Everything after the year number is the Source. A holiday line is a name
// followed by "off" and/or "work" sections of dates: "MM-DD" (in the notice
// year), "YYYY-MM-DD", or a range "A..B" where B may omit the year (it then
// takes A's year).

// ParseText parses the text format and validates every year.
func ParseText(b []byte) ([]Year, error) {
	var years []Year
	var cur *Year
	for i, raw := range strings.Split(string(b), "\n") {
		line := strings.TrimRight(raw, " \t\r")
		if k := strings.Index(line, "#"); k >= 0 {
			line = strings.TrimRight(line[:k], " \t")
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		errf := func(format string, a ...any) error {
			return fmt.Errorf("calendar: line %d: %s", i+1, fmt.Sprintf(format, a...))
		}
		fields := strings.Fields(line)
		if line[0] != ' ' && line[0] != '\t' {
			if fields[0] != "year" || len(fields) < 2 {
				return nil, errf("want \"year YYYY [source]\", got %q", line)
			}
			y, err := strconv.Atoi(fields[1])
			if err != nil {
				return nil, errf("bad year %q", fields[1])
			}
			years = append(years, Year{Year: y, Source: strings.Join(fields[2:], " ")})
			cur = &years[len(years)-1]
			continue
		}
		if cur == nil {
			return nil, errf("holiday line before any year line")
		}
		if len(fields) < 3 {
			return nil, errf("want \"NAME off|work DATES...\", got %q", strings.TrimSpace(line))
		}
		name, section := fields[0], ""
		for _, tok := range fields[1:] {
			if tok == "off" || tok == "work" {
				section = tok
				continue
			}
			if section == "" {
				return nil, errf("date %q before off/work", tok)
			}
			dates, err := parseDateToken(cur.Year, tok)
			if err != nil {
				return nil, errf("%v", err)
			}
			for _, d := range dates {
				if section == "off" {
					cur.Off = append(cur.Off, Day{Date: d, Name: name})
				} else {
					cur.Work = append(cur.Work, Day{Date: d, Name: name})
				}
			}
		}
	}
	for _, y := range years {
		if err := ValidateYear(y); err != nil {
			return nil, fmt.Errorf("year %d: %w", y.Year, err)
		}
	}
	return years, nil
}

func parseDateToken(year int, tok string) ([]Date, error) {
	from, to, isRange := strings.Cut(tok, "..")
	a, err := parsePartial(year, from)
	if err != nil {
		return nil, err
	}
	if !isRange {
		return []Date{a}, nil
	}
	b, err := parsePartial(a.Y, to)
	if err != nil {
		return nil, err
	}
	if b.Before(a) || b.Sub(a) > 31 {
		return nil, fmt.Errorf("bad range %q", tok)
	}
	var ds []Date
	for d := a; !d.After(b); d = d.AddDays(1) {
		ds = append(ds, d)
	}
	return ds, nil
}

func parsePartial(year int, s string) (Date, error) {
	if len(s) == len("01-02") {
		s = fmt.Sprintf("%04d-%s", year, s)
	}
	return ParseDate(s)
}

// FormatText renders years in the text format, grouping each holiday's dates
// into ranges; ParseText(FormatText(ys)) reproduces ys (dates sorted).
func FormatText(years []Year) []byte {
	var b bytes.Buffer
	for _, y := range years {
		fmt.Fprintf(&b, "year %d", y.Year)
		if y.Source != "" {
			b.WriteString(" " + y.Source)
		}
		b.WriteByte('\n')
		type group struct{ off, work []Date }
		var order []string
		groups := map[string]*group{}
		add := func(d Day, off bool) {
			g := groups[d.Name]
			if g == nil {
				g = &group{}
				groups[d.Name] = g
				order = append(order, d.Name)
			}
			if off {
				g.off = append(g.off, d.Date)
			} else {
				g.work = append(g.work, d.Date)
			}
		}
		// Order holidays by their first date so the file reads like the notice.
		all := append(slices.Clone(y.Off), y.Work...)
		slices.SortStableFunc(all, func(a, b Day) int { return a.Date.Compare(b.Date) })
		for _, d := range all {
			add(d, slices.ContainsFunc(y.Off, func(o Day) bool { return o.Date == d.Date }))
		}
		for _, name := range order {
			g := groups[name]
			b.WriteString("  " + name)
			if len(g.off) > 0 {
				b.WriteString(" off " + formatRanges(y.Year, g.off))
			}
			if len(g.work) > 0 {
				b.WriteString(" work " + formatRanges(y.Year, g.work))
			}
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

func formatRanges(year int, ds []Date) string {
	slices.SortFunc(ds, Date.Compare)
	short := func(d Date) string {
		if d.Y == year {
			return d.shortMD()
		}
		return d.String()
	}
	var parts []string
	for i := 0; i < len(ds); {
		j := i
		for j+1 < len(ds) && ds[j+1] == ds[j].AddDays(1) {
			j++
		}
		if j == i {
			parts = append(parts, short(ds[i]))
		} else if ds[j].Y == ds[i].Y {
			parts = append(parts, short(ds[i])+".."+ds[j].shortMD())
		} else {
			parts = append(parts, short(ds[i])+".."+ds[j].String())
		}
		i = j + 1
	}
	return strings.Join(parts, " ")
}

// yearJSON is the admin import/export format of one notice.
type yearJSON struct {
	Year   int       `json:"year"`
	Source string    `json:"source"`
	Days   []dayJSON `json:"days"`
}

type dayJSON struct {
	Date     string `json:"date"`
	Name     string `json:"name"`
	Off      *bool  `json:"off,omitempty"`
	IsOffDay *bool  `json:"isOffDay,omitempty"` // alias used by public data sets
}

// ParseYear parses and validates the admin import format:
//
//	{"year":2027,"source":"国办发明电〔2026〕x号","days":[{"date":"2027-01-01","name":"元旦","off":true}, ...]}
//
// "off": true is a day off, false a make-up working day (which must fall on
// a weekend). "isOffDay" is accepted as an alias of "off". Unknown fields are
// rejected. Errors name the field, the date and the reason.
func ParseYear(b []byte) (Year, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var in yearJSON
	if err := dec.Decode(&in); err != nil {
		return Year{}, fmt.Errorf("calendar: invalid notice JSON: %w", err)
	}
	y := Year{Year: in.Year, Source: strings.TrimSpace(in.Source)}
	if y.Source == "" {
		return Year{}, &FieldError{Field: "source", Reason: "name the notice (document number or URL)"}
	}
	if len(in.Days) == 0 {
		return Year{}, &FieldError{Field: "days", Reason: "empty"}
	}
	for i, d := range in.Days {
		field := fmt.Sprintf("days[%d]", i)
		date, err := ParseDate(d.Date)
		if err != nil {
			return Year{}, &FieldError{Field: field + ".date", Reason: err.Error()}
		}
		off := d.Off
		if off == nil {
			off = d.IsOffDay
		}
		if off == nil {
			return Year{}, &FieldError{Field: field + ".off", Date: date, Reason: "missing (true = day off, false = make-up working day)"}
		}
		day := Day{Date: date, Name: strings.TrimSpace(d.Name)}
		if *off {
			y.Off = append(y.Off, day)
		} else {
			y.Work = append(y.Work, day)
		}
	}
	if err := ValidateYear(y); err != nil {
		return Year{}, err
	}
	return y, nil
}

// FormatYear renders y in the admin import format, days in date order.
func FormatYear(y Year) ([]byte, error) {
	out := yearJSON{Year: y.Year, Source: y.Source}
	add := func(d Day, off bool) {
		out.Days = append(out.Days, dayJSON{Date: d.Date.String(), Name: d.Name, Off: &off})
	}
	for _, d := range y.Off {
		add(d, true)
	}
	for _, d := range y.Work {
		add(d, false)
	}
	slices.SortFunc(out.Days, func(a, b dayJSON) int { return strings.Compare(a.Date, b.Date) })
	return json.MarshalIndent(out, "", "  ")
}
