package demo

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/calendar"
	"fuyi/services/lifecycle"
	"fuyi/services/litigation"
)

// LitigationLoader writes the demo's litigation: for 2022 exactly the seed's
// figures — first instance 70, second instance 42, retrial 7, civil 1, the
// district government as respondent in a reconsideration 1, one reply to a
// judicial suggestion — with plausible outcomes and hearings, and a lighter
// 2023 and 2024 for trends.
func LitigationLoader(db *models.DB, lit *litigation.Service, cases *lifecycle.Service) func(ctx context.Context, organID int64, agencies map[string]int64, handlerID int64) error {
	return func(ctx context.Context, organID int64, agencies map[string]int64, handlerID int64) error {
		g := &generator{rnd: newRand(70, 42), cal: calendar.Default()}
		var agencyIDs []int64
		for _, a := range pingguAgencies {
			agencyIDs = append(agencyIDs, agencies[a.name])
		}
		// Upheld reconsideration decisions of 2022, for the co-defendant suits (ALL Art. 26(2)).
		reader := &auth.Principal{Role: auth.RoleAdmin, OrganIDs: []int64{organID}}
		upheld, err := cases.List(ctx, reader, lifecycle.ListFilter{Outcome: "upheld", ClosedFrom: "2022-01-01", ClosedTo: "2022-10-31", PageSize: 200})
		if err != nil {
			return err
		}
		return db.Tx(ctx, func(tx *gorm.DB) error {
			n := 0
			add := func(spec litigation.SeedSpec) error {
				n++
				spec.OrganID, spec.HandlerID = organID, &handlerID
				if spec.CourtCaseNo == "" {
					spec.CourtCaseNo = fmt.Sprintf("（%s）京0117行初%d号", spec.NotifiedOn[:4], 900+n)
				}
				_, err := lit.Seed(ctx, tx, spec)
				if err != nil {
					return fmt.Errorf("litigation %s: %w", spec.CourtCaseNo, err)
				}
				return nil
			}
			for _, y := range []struct{ year, first, second, retrial, civil, resp int }{
				{2022, 70, 42, 7, 1, 1}, {2023, 64, 38, 5, 2, 1}, {2024, 58, 33, 4, 1, 2},
			} {
				for i := 0; i < y.first; i++ {
					spec := g.firstInstance(y.year, i, agencyIDs)
					if i < 18 && y.year == 2022 && i < len(upheld.Items) {
						id := upheld.Items[i].ID
						spec.ReconsiderationCaseID, spec.CoDefendantRole = &id, "reconsideration_body"
					}
					if err := add(spec); err != nil {
						return err
					}
				}
				for i := 0; i < y.second; i++ {
					spec := g.firstInstance(y.year, i, agencyIDs)
					spec.Instance, spec.Court = "second", "北京市第三中级人民法院"
					spec.CourtCaseNo = fmt.Sprintf("（%d）京03行终%d号", y.year, 200+i)
					spec.Outcome = []string{"appeal_rejected", "appeal_rejected", "appeal_rejected", "appeal_rejected", "appeal_withdrawn", "remanded"}[g.rnd.IntN(6)]
					if spec.ConcludedOn == "" {
						spec.Outcome = ""
					}
					if spec.Outcome == "appeal_rejected" || spec.Outcome == "appeal_withdrawn" {
						f := false
						spec.AgainstAgency = &f
					}
					spec.AppealedOn = ""
					if err := add(spec); err != nil {
						return err
					}
				}
				for i := 0; i < y.retrial; i++ {
					spec := g.firstInstance(y.year, i, agencyIDs)
					spec.Instance, spec.Court = "retrial", "北京市高级人民法院"
					spec.CourtCaseNo = fmt.Sprintf("（%d）京行申%d号", y.year, 300+i)
					spec.Hearings = nil
					if err := add(spec); err != nil {
						return err
					}
				}
				for i := 0; i < y.civil; i++ {
					spec := g.firstInstance(y.year, i, agencyIDs)
					spec.Kind, spec.CourtCaseNo, spec.Outcome = "civil", fmt.Sprintf("（%d）京0117民初%d号", y.year, 400+i), ""
					spec.ConcludedOn, spec.ServedOn, spec.EffectiveOn, spec.Hearings = "", "", "", nil
					if err := add(spec); err != nil {
						return err
					}
				}
				for i := 0; i < y.resp; i++ {
					notified := g.between(calendar.NewDate(y.year, 3, 1), calendar.NewDate(y.year, 10, 31))
					if err := add(litigation.SeedSpec{Kind: "as_respondent", Court: "北京市人民政府", CourtCaseNo: fmt.Sprintf("京政复〔%d〕%d号", y.year, 500+i),
						Plaintiffs: []string{g.person().Name}, NotifiedOn: notified.String(), DefenceFiledOn: g.addWorking(notified, 8).String(),
						Note: "区政府为被申请人的行政复议案件，已按期提交答复"}); err != nil {
						return err
					}
				}
			}
			yes := true
			for _, y := range []int{2022, 2023} {
				on := calendar.NewDate(y, 6, 14)
				if _, err := lit.SeedSuggestion(ctx, tx, litigation.SuggestionSeedSpec{OrganID: organID, Type: "judicial",
					Number: fmt.Sprintf("（%d）京0117司建%d号", y, 3+y-2022), IssuerOrRecipient: "北京市平谷区人民法院",
					Subject: "关于规范违法建设查处程序的司法建议", OnDate: on.String(), RepliedOn: g.addWorking(on, 20).String(),
					Reply: "已组织相关执法单位整改并建立程序审核机制", Adopted: &yes}); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// firstInstance draws a first-instance administrative suit notified in year.
func (g *generator) firstInstance(year, i int, agencyIDs []int64) litigation.SeedSpec {
	notified := g.between(calendar.NewDate(year, 1, 5), calendar.NewDate(year, 11, 30))
	agency := agencyIDs[g.rnd.IntN(len(agencyIDs))]
	spec := litigation.SeedSpec{Kind: "administrative", Instance: "first", Court: "北京市平谷区人民法院",
		CourtCaseNo: fmt.Sprintf("（%d）京0117行初%d号", year, 100+i), Plaintiffs: []string{g.person().Name},
		DefendantAgencyID: &agency, CoDefendantRole: "none", NotifiedOn: notified.String(),
		DefenceFiledOn: g.addWorking(notified, 5+g.rnd.IntN(5)).String()}
	// Most suits are heard about two months after notice; a head (正职) or a
	// deputy head (分管副职) appears in most hearings, as the 2020 rules ask.
	hearing := g.workingDayOnOrAfter(notified.AddDays(40 + g.rnd.IntN(40)))
	if hearing.Y == year || g.rnd.IntN(2) == 0 {
		role := []string{"head", "deputy_head", "deputy_head", "deputy_head", "staff", "staff"}[g.rnd.IntN(6)]
		h := litigation.SeedHearing{HeldOn: hearing.String(), AppearedRole: role, Summoned: g.rnd.IntN(4) == 0}
		switch role {
		case "head":
			h.AppearedName, h.AppearedPost = "张"+given[g.rnd.IntN(len(given))], "局长"
		case "deputy_head":
			h.AppearedName, h.AppearedPost = "孙"+given[g.rnd.IntN(len(given))], "副局长"
		default:
			h.AppearedName, h.AppearedPost, h.AbsenceReason = "赵"+given[g.rnd.IntN(len(given))], "法制科科员", "负责人因履行不可委托的公务无法出庭"
		}
		spec.Hearings = []litigation.SeedHearing{h}
	}
	concluded := g.workingDayOnOrAfter(hearing.AddDays(20 + g.rnd.IntN(60)))
	if concluded.After(g.today) && !g.today.IsZero() {
		return spec
	}
	spec.ConcludedOn = concluded.String()
	switch x := g.rnd.IntN(100); {
	case x < 55:
		spec.Outcome = "claims_rejected"
	case x < 70:
		spec.Outcome = "suit_dismissed"
	case x < 82:
		spec.Outcome = "withdrawn"
	case x < 91:
		spec.Outcome = "revoked"
	case x < 96:
		spec.Outcome = "confirmed_unlawful"
	default:
		spec.Outcome = "ordered_to_perform"
	}
	served := g.workingDayOnOrAfter(concluded.AddDays(3 + g.rnd.IntN(5)))
	spec.ServedOn = served.String()
	spec.EffectiveOn = served.AddDays(16).String()
	return spec
}
