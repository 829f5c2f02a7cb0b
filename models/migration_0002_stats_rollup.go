package models

import (
	"time"

	"gorm.io/gorm"
)

// Migration 2: the statistics rollup (case_stat_daily), the record of
// report-lock overrides, and the default metric definitions of DESIGN §5.
// The structs and the seeded definitions below are frozen copies; never edit
// them, add a migration instead.

func init() {
	register(Migration{Version: 2, Name: "statistics rollup", Up: func(tx *gorm.DB) error {
		if err := tx.Migrator().CreateTable(&v2CaseStatDaily{}, &v2CaseStatFlags{}, &v2ReportLockOverride{}); err != nil {
			return err
		}
		now := time.Now().UTC()
		for _, d := range v2DefaultMetrics {
			d.EffectiveFrom = "2000-01-01"
			d.Builtin = true
			d.Version = 1
			d.CreatedAt, d.UpdatedAt = now, now
			if err := tx.Session(&gorm.Session{NewDB: true}).Create(&d).Error; err != nil {
				return err
			}
		}
		return nil
	}})
}

type v2CaseStatDaily struct {
	ID          int64  `gorm:"primaryKey"`
	OrganID     int64  `gorm:"not null;uniqueIndex:ux_case_stat_daily,priority:1;index:ix_case_stat_ref,priority:1"`
	Slice       string `gorm:"size:12;not null;default:'';uniqueIndex:ux_case_stat_daily,priority:2;index:ix_case_stat_ref,priority:2"`
	Measure     string `gorm:"size:20;not null;uniqueIndex:ux_case_stat_daily,priority:3;index:ix_case_stat_ref,priority:3"`
	Day         string `gorm:"size:10;not null;uniqueIndex:ux_case_stat_daily,priority:4"`
	SliceKey    string `gorm:"size:60;not null;default:'';uniqueIndex:ux_case_stat_daily,priority:5"`
	Outcome     string `gorm:"size:40;not null;default:'';uniqueIndex:ux_case_stat_daily,priority:6"`
	Termination string `gorm:"size:40;not null;default:'';uniqueIndex:ux_case_stat_daily,priority:7"`
	Disposition string `gorm:"size:40;not null;default:'';uniqueIndex:ux_case_stat_daily,priority:8"`
	Flags       int    `gorm:"not null;default:0;uniqueIndex:ux_case_stat_daily,priority:9"`
	RefOn       string `gorm:"size:10;not null;default:'';uniqueIndex:ux_case_stat_daily,priority:10;index:ix_case_stat_ref,priority:4"`
	Ref2On      string `gorm:"size:10;not null;default:'';uniqueIndex:ux_case_stat_daily,priority:11"`
	Count       int64  `gorm:"not null;default:0"`
}

type v2CaseStatFlags struct {
	CaseID int64 `gorm:"primaryKey;autoIncrement:false"`
	Flags  int   `gorm:"not null;default:0"`
}

type v2ReportLockOverride struct {
	ID      int64  `gorm:"primaryKey"`
	OrganID int64  `gorm:"not null;index"`
	Year    int    `gorm:"not null"`
	CaseID  int64  `gorm:"not null;default:0"`
	Action  string `gorm:"size:20;not null"`
	ActorID int64  `gorm:"not null;default:0"`
	Reason  string `gorm:"type:text;not null"`
	At      time.Time
}

func (v2CaseStatDaily) TableName() string      { return "case_stat_daily" }
func (v2CaseStatFlags) TableName() string      { return "case_stat_flags" }
func (v2ReportLockOverride) TableName() string { return "report_lock_overrides" }

var v2DefaultMetrics = []v1MetricDefinition{
	{Key: "direct_correction", NameZH: "直接纠错率", NameEN: "direct correction rate",
		Definition: `{"numerator":{"count":"closed","outcomes":["varied","revoked","confirmed_unlawful","confirmed_void","ordered_to_perform"]},"denominator":"closed"}`},
	{Key: "comprehensive_correction", NameZH: "综合纠错率", NameEN: "comprehensive correction rate",
		Definition: `{"numerator":{"count":"closed","outcomes":["varied","revoked","confirmed_unlawful","confirmed_void","ordered_to_perform","mediated"],"terminations":["withdrawn_after_correction","withdrawn_after_settlement","withdrawn_after_mediation"]},"denominator":"closed"}`},
	{Key: "resolution", NameZH: "综合化解率", NameEN: "resolution rate",
		Definition: `{"numerator":{"count":"closed","outcomes":["varied","revoked","confirmed_unlawful","confirmed_void","ordered_to_perform","mediated"],"terminations":["withdrawn_after_settlement","withdrawn_after_mediation"]},"denominator":"closed"}`},
	{Key: "acceptance", NameZH: "受理率", NameEN: "acceptance rate",
		Definition: `{"numerator":{"count":"accepted"},"denominator":"received"}`},
	{Key: "upheld", NameZH: "维持率", NameEN: "upheld rate",
		Definition: `{"numerator":{"count":"closed","outcomes":["upheld"]},"denominator":"closed"}`},
	{Key: "on_time", NameZH: "按期办结率", NameEN: "on-time closing rate",
		Definition: `{"numerator":{"count":"closed","flags":["on_time"]},"denominator":"closed"}`},
}
