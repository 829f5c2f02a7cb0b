package deadline

import (
	"strings"
	"testing"
)

// Every deadline kind under every regime: the period, its unit and the article.
func TestRuleTable(t *testing.T) {
	tests := []struct {
		kind    Kind
		regime  Regime
		proc    Procedure
		length  int
		unit    Unit
		article string // "" = the step does not exist in this regime
	}{
		{AcceptanceReview, RL2017, Ordinary, 5, Working, "RL2017 Art. 17, 40"},
		{AcceptanceReview, RL2023, Ordinary, 5, Working, "RL2023 Art. 30, 31(3)"},
		{AcceptanceReview, RL2023, Simplified, 5, Working, "RL2023 Art. 30, 31(3)"},
		{CorrectionNotice, RL2017, Ordinary, 5, Working, "RR2007 Art. 29; RL2017 Art. 40"},
		{CorrectionNotice, RL2023, Ordinary, 5, Working, "RL2023 Art. 31(1)"},
		{CorrectionReply, RL2017, Ordinary, 10, Calendar, "RR2007 Art. 29"},
		{CorrectionReply, RL2023, Ordinary, 10, Working, "RL2023 Art. 31(2)"},
		{RespondentCopy, RL2017, Ordinary, 7, Working, "RL2017 Art. 23, 40"},
		{RespondentCopy, RL2017, Simplified, 0, "", ""}, // RL2017 has no simplified procedure
		{RespondentCopy, RL2023, Ordinary, 7, Working, "RL2023 Art. 48"},
		{RespondentCopy, RL2023, Simplified, 3, Working, "RL2023 Art. 54(1)"},
		{RespondentReply, RL2017, Ordinary, 10, Calendar, "RL2017 Art. 23"},
		{RespondentReply, RL2023, Ordinary, 10, Working, "RL2023 Art. 48"},
		{RespondentReply, RL2023, Simplified, 5, Working, "RL2023 Art. 54(1)"},
		{HearingNotice, RL2017, Ordinary, 0, "", ""},
		{HearingNotice, RL2023, Ordinary, 5, Working, "RL2023 Art. 51"},
		{NormativeReviewHandle, RL2017, Ordinary, 30, Calendar, "RL2017 Art. 26, 27"},
		{NormativeReviewHandle, RL2023, Ordinary, 30, Calendar, "RL2023 Art. 56, 57"},
		{NormativeReviewForward, RL2017, Ordinary, 7, Working, "RL2017 Art. 26, 40"},
		{NormativeReviewForward, RL2023, Ordinary, 7, Working, "RL2023 Art. 56, 57"},
		{DrafterNotice, RL2017, Ordinary, 0, "", ""},
		{DrafterNotice, RL2023, Ordinary, 3, Working, "RL2023 Art. 58"},
		{DrafterReply, RL2017, Ordinary, 0, "", ""},
		{DrafterReply, RL2023, Ordinary, 10, Working, "RL2023 Art. 58"},
		{ForwardedReviewReply, RL2017, Ordinary, 60, Calendar, "RL2017 Art. 26"},
		{ForwardedReviewReply, RL2023, Ordinary, 60, Calendar, "RL2023 Art. 60"},
		{SuspensionLapse, RL2017, Ordinary, 60, Calendar, "RR2007 Art. 42(2)"},
		{SuspensionLapse, RL2023, Ordinary, 60, Calendar, "RL2023 Art. 41(5)"},
		{Decision, RL2017, Ordinary, 60, Calendar, "RL2017 Art. 31; RR2007 Art. 29"},
		{Decision, RL2023, Ordinary, 60, Calendar, "RL2023 Art. 62(1)"},
		{Decision, RL2023, Simplified, 30, Calendar, "RL2023 Art. 62(2)"},
		{OpinionFeedback, RL2017, Ordinary, 60, Calendar, "RR2007 Art. 57(1)"},
		{OpinionFeedback, RL2023, Ordinary, 60, Calendar, "RL2023 Art. 76"},
		{Defence, Litigation, "", 15, Calendar, "ALL Art. 67"},
		{AppealJudgment, Litigation, "", 15, Calendar, "ALL Art. 85"},
		{AppealRuling, Litigation, "", 10, Calendar, "ALL Art. 85"},
		{AppealAnswer, Litigation, "", 15, Calendar, "ALL-Interp Art. 108"},
		{SuggestionReply, Litigation, "", 60, Calendar, "ALL-Interp Art. 149"},
		{ProcuratorialReply, Litigation, "", 2, Month, "SPC/SPP Public-Interest Litigation Interp. Art. 21"},
		{ProcuratorialReplyUrgent, Litigation, "", 15, Calendar, "SPC/SPP Public-Interest Litigation Interp. Art. 21"},
	}
	rules := DefaultRules()
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+string(tt.regime)+"/"+string(tt.proc), func(t *testing.T) {
			r, ok := rules.Lookup(tt.kind, tt.regime, tt.proc)
			if tt.article == "" {
				if ok {
					t.Fatalf("unexpected rule %+v", r)
				}
				return
			}
			if !ok {
				t.Fatal("no rule")
			}
			if r.Length != tt.length || r.Unit != tt.unit || r.ArticleEN != tt.article || r.ArticleZH == "" {
				t.Errorf("got %d %s %q, want %d %s %q", r.Length, r.Unit, r.ArticleEN, tt.length, tt.unit, tt.article)
			}
		})
	}
}

// RL2023 Art. 88(2): periods of 3, 5, 7 and 10 days are working days; RL2017
// Art. 40: only 5 and 7 days are. Litigation periods are calendar days (ALL
// Art. 101; CPL Art. 85). Periods set by a notice are excluded (RR2007 Art. 29).
func TestRuleUnitsFollowTheStatute(t *testing.T) {
	for _, r := range DefaultRules().All() {
		if r.Unit == Month || (r.SetBy != "" && r.Regime == RL2017) {
			continue
		}
		var working bool
		switch r.Regime {
		case RL2023:
			working = r.Length == 3 || r.Length == 5 || r.Length == 7 || r.Length == 10
		case RL2017:
			working = r.Length == 5 || r.Length == 7
		}
		if (r.Unit == Working) != working {
			t.Errorf("%s/%s/%s: %d %s contradicts the day-counting article", r.Kind, r.Regime, r.Procedure, r.Length, r.Unit)
		}
	}
}

func TestSuspensionLapseGrounds(t *testing.T) {
	// RL2023 Art. 41(5): only suspensions under Art. 39(1)(1)(2)(4) lapse after 60 days.
	r, _ := DefaultRules().Lookup(SuspensionLapse, RL2023, Ordinary)
	want := []Ground{PartyDied, PartyIncapacitated, PartyOrgTerminated}
	if len(r.Grounds) != len(want) {
		t.Fatalf("grounds %v", r.Grounds)
	}
	for i := range want {
		if r.Grounds[i] != want[i] {
			t.Errorf("grounds %v, want %v", r.Grounds, want)
		}
	}
}

func TestLoadRulesErrors(t *testing.T) {
	ok := "- kind: x\n  regime: rl2023\n  length: 5\n  unit: working\n  start: received\n  article_zh: z\n  article_en: e\n"
	if _, err := LoadRules([]byte(ok)); err != nil {
		t.Fatalf("valid rule rejected: %v", err)
	}
	tests := []struct{ name, edit, want string }{
		{"unknown field", "  lenght: 3\n", "lenght"},
		{"unknown unit", "  unit: weeks\n", "unknown unit"},
		{"unknown regime", "  regime: rl1999\n", "unknown regime"},
		{"unknown start", "  start: whenever\n", "unknown start"},
		{"no article", "  article_en: \"\"\n", "missing article"},
		{"bad length", "  length: 0\n", "length must be positive"},
		{"simplified rl2017", "  regime: rl2017\n  procedure: simplified\n", "no simplified"},
		{"extendable without max", "  extendable: true\n", "max_extension"},
		{"grounds on other kind", "  grounds: [party_died]\n", "grounds only apply"},
		{"bad direction", "  direction: sideways\n", "unknown direction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Later keys override earlier ones in the edited mapping.
			y := replaceKeys(ok, tt.edit)
			_, err := LoadRules([]byte(y))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q\n%s", err, tt.want, y)
			}
		})
	}
	if _, err := LoadRules([]byte(ok + strings.Replace(ok, "- kind", "- kind", 1))); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("duplicate rule: err = %v", err)
	}
}

// replaceKeys replaces lines of base whose key appears in edit.
func replaceKeys(base, edit string) string {
	lines := strings.Split(strings.TrimSuffix(base, "\n"), "\n")
	for _, e := range strings.Split(strings.TrimSuffix(edit, "\n"), "\n") {
		key := strings.SplitN(strings.TrimSpace(e), ":", 2)[0]
		found := false
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimPrefix(strings.TrimSpace(l), "- "), key+":") {
				if strings.HasPrefix(l, "- ") {
					lines[i] = "- " + strings.TrimSpace(e)
				} else {
					lines[i] = e
				}
				found = true
			}
		}
		if !found {
			lines = append(lines, e)
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestRegimeFor(t *testing.T) {
	// RL2023 in force from 2024-01-01 (RL2023 Art. 90).
	if RegimeFor(d("2023-12-31")) != RL2017 || RegimeFor(d("2024-01-01")) != RL2023 {
		t.Error("regime switch must be 2024-01-01")
	}
}
