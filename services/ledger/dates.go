package ledger

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The range of years a ledger date may fall in.
const (
	MinYear = 1990
	MaxYear = 2100
)

// excelEpoch is day 0 of Excel's 1900 date system as it counts after
// 1900-03-01 (the phantom 1900-02-29 makes the epoch 1899-12-30).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// Serial bounds of MinYear-01-01 and MaxYear-12-31.
var (
	minSerial = int(time.Date(MinYear, 1, 1, 0, 0, 0, 0, time.UTC).Sub(excelEpoch).Hours() / 24)
	maxSerial = int(time.Date(MaxYear, 12, 31, 0, 0, 0, 0, time.UTC).Sub(excelEpoch).Hours() / 24)
)

// ParseDate reads a ledger date and returns it as YYYY-MM-DD. It accepts
// 2022-03-05, 2022/3/5, 2022.3.5, 2022年3月5日 (full-width digits too), the
// same followed by a time of day ("2022/3/5 0:00", which Excel writes),
// 20220305, and Excel serial dates (44625, also with a fraction of a day).
// The date must exist in the calendar (2022-02-30 is refused) and its year
// must lie in 1990–2100. A refusal is a *CellError.
func ParseDate(s string) (string, error) {
	s = foldDigits(strings.TrimSpace(s))
	if s == "" {
		return "", &CellError{ZH: "日期为空", EN: "empty date"}
	}
	if y, m, d, ok := splitDate(s); ok {
		return civil(y, m, d, s)
	}
	if isDigits(s) && len(s) == 8 {
		y, _ := strconv.Atoi(s[:4])
		m, _ := strconv.Atoi(s[4:6])
		d, _ := strconv.Atoi(s[6:])
		return civil(y, m, d, s)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && isNumber(s) {
		if math.IsNaN(f) || f < float64(minSerial) || f >= float64(maxSerial+1) {
			return "", &CellError{
				ZH: fmt.Sprintf("无法识别的日期：%s（Excel 日期序号须在 %d 至 %d 之间，即%d—%d年）", s, minSerial, maxSerial, MinYear, MaxYear),
				EN: fmt.Sprintf("unrecognised date %q (an Excel serial date must lie in %d–%d, years %d–%d)", s, minSerial, maxSerial, MinYear, MaxYear)}
		}
		return excelEpoch.AddDate(0, 0, int(math.Floor(f))).Format(time.DateOnly), nil
	}
	return "", &CellError{
		ZH: "无法识别的日期：" + s + "（可写作 2022-03-05、2022/3/5、2022.3.5、2022年3月5日）",
		EN: fmt.Sprintf("unrecognised date %q (write 2022-03-05, 2022/3/5, 2022.3.5 or 2022年3月5日)", s)}
}

// splitDate splits "Y-M-D", "Y/M/D", "Y.M.D" and "Y年M月D日", with an
// optional trailing time of day.
func splitDate(s string) (y, m, d int, ok bool) {
	if i := strings.IndexAny(s, " T"); i > 0 {
		if !isTime(strings.TrimSpace(s[i+1:])) {
			return 0, 0, 0, false
		}
		s = s[:i]
	}
	var parts []string
	switch {
	case strings.Contains(s, "年"):
		rest, found := strings.CutSuffix(s, "日")
		if !found {
			rest = strings.TrimSuffix(s, "号")
		}
		y1, r1, ok1 := strings.Cut(rest, "年")
		m1, d1, ok2 := strings.Cut(r1, "月")
		if !ok1 || !ok2 {
			return 0, 0, 0, false
		}
		parts = []string{y1, m1, d1}
	case strings.Count(s, "-") == 2:
		parts = strings.Split(s, "-")
	case strings.Count(s, "/") == 2:
		parts = strings.Split(s, "/")
	case strings.Count(s, ".") == 2:
		parts = strings.Split(s, ".")
	default:
		return 0, 0, 0, false
	}
	if len(parts[0]) != 4 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) < 1 || len(parts[2]) > 2 {
		return 0, 0, 0, false
	}
	for _, p := range parts {
		if !isDigits(p) {
			return 0, 0, 0, false
		}
	}
	y, _ = strconv.Atoi(parts[0])
	m, _ = strconv.Atoi(parts[1])
	d, _ = strconv.Atoi(parts[2])
	return y, m, d, true
}

// civil validates a calendar date.
func civil(y, m, d int, raw string) (string, error) {
	if y < MinYear || y > MaxYear {
		return "", &CellError{ZH: fmt.Sprintf("年份须在%d至%d之间：%s", MinYear, MaxYear, raw), EN: fmt.Sprintf("the year must lie in %d–%d: %q", MinYear, MaxYear, raw)}
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || d < 1 || t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return "", &CellError{ZH: "日历上没有这一天：" + raw, EN: fmt.Sprintf("no such day in the calendar: %q", raw)}
	}
	return t.Format(time.DateOnly), nil
}

// isTime accepts H:MM or H:MM:SS (optionally with fractional seconds).
func isTime(s string) bool {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	for i, p := range parts {
		if i == 2 {
			p, _, _ = strings.Cut(p, ".")
		}
		if p == "" || len(p) > 2 || !isDigits(p) {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isNumber accepts plain decimals (no exponent, sign, hex, Inf or NaN).
func isNumber(s string) bool {
	whole, frac, _ := strings.Cut(s, ".")
	return isDigits(whole) && (frac == "" || isDigits(frac))
}

// foldDigits turns full-width digits and punctuation into ASCII.
func foldDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '／':
			return '/'
		case r == '－':
			return '-'
		case r == '．':
			return '.'
		case r == '：':
			return ':'
		case r == '\u3000':
			return ' '
		}
		return r
	}, s)
}
