// Package organs manages reconsideration organs (复议机关) and their
// respondent agencies (被申请人).
package organs

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/errs"
)

// DefaultCaseNoPattern renders 平政复〔2022〕12号 for short name 平.
const DefaultCaseNoPattern = "{short}政复〔{year}〕{seq}号"

// Service reads and changes organs and agencies.
type Service struct{ db *models.DB }

// NewService returns the organ service.
func NewService(db *models.DB) *Service { return &Service{db: db} }

// Organ is an organ as the API shows it.
type Organ struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	ShortName     string `json:"short_name"`
	CaseNoPattern string `json:"case_no_pattern"`
	Version       int64  `json:"version"`
}

// Agency is a respondent agency as the API shows it.
type Agency struct {
	ID      int64  `json:"id"`
	OrganID int64  `json:"organ_id"`
	Name    string `json:"name"`
	Level   string `json:"level"`
	Active  bool   `json:"active"`
}

// OrganInput creates or edits an organ; nil fields stay as they are on edit.
type OrganInput struct {
	Name          *string `json:"name"`
	ShortName     *string `json:"short_name"`
	CaseNoPattern *string `json:"case_no_pattern"`
	Version       int64   `json:"version"`
}

// AgencyInput creates an agency.
type AgencyInput struct {
	Name  string `json:"name"`
	Level string `json:"level"`
}

func toOrgan(o models.Organ) Organ {
	return Organ{ID: o.ID, Name: o.Name, ShortName: o.ShortName, CaseNoPattern: o.CaseNoPattern, Version: o.Version}
}

func toAgency(a models.Agency) Agency {
	return Agency{ID: a.ID, OrganID: a.OrganID, Name: a.Name, Level: a.Level, Active: a.Active}
}

// List returns the organs p may see (an admin sees all).
func (s *Service) List(ctx context.Context, p *auth.Principal) ([]Organ, error) {
	q := s.db.Read.WithContext(ctx).Order("id")
	if !p.IsAdmin() {
		q = q.Where("id IN ?", append([]int64{0}, p.OrganIDs...))
	}
	var os []models.Organ
	if err := q.Find(&os).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out := make([]Organ, 0, len(os))
	for _, o := range os {
		out = append(out, toOrgan(o))
	}
	return out, nil
}

func validateOrgan(in OrganInput, create bool) error {
	e := errs.Invalid("复议机关信息有误", "invalid organ")
	if create || in.Name != nil {
		if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
			e.Field("name", "必填", "required")
		}
	}
	if create || in.ShortName != nil {
		if in.ShortName == nil || strings.TrimSpace(*in.ShortName) == "" {
			e.Field("short_name", "必填（用于案号，如“平”）", "required (used in case numbers)")
		}
	}
	if in.CaseNoPattern != nil && !strings.Contains(*in.CaseNoPattern, "{seq}") {
		e.Field("case_no_pattern", "案号格式必须包含 {seq}", "the pattern must contain {seq}")
	}
	if len(e.Fields) > 0 {
		return e
	}
	return nil
}

// Create adds an organ (admin only). Its creator's grants are not changed.
func (s *Service) Create(ctx context.Context, in OrganInput) (*Organ, error) {
	if err := validateOrgan(in, true); err != nil {
		return nil, err
	}
	o := models.Organ{Name: strings.TrimSpace(*in.Name), ShortName: strings.TrimSpace(*in.ShortName), CaseNoPattern: DefaultCaseNoPattern, Version: 1}
	if in.CaseNoPattern != nil {
		o.CaseNoPattern = *in.CaseNoPattern
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.Organ{}).Where("name = ?", o.Name).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return errs.Conflict("organ_exists", "复议机关已存在", "the organ exists").Field("name", "已存在", "already exists")
		}
		return tx.Create(&o).Error
	})
	if err != nil {
		return nil, errs.As(err)
	}
	out := toOrgan(o)
	return &out, nil
}

// Update edits an organ (admin only); a stale version is a 409.
func (s *Service) Update(ctx context.Context, id int64, in OrganInput) (*Organ, error) {
	if err := validateOrgan(in, false); err != nil {
		return nil, err
	}
	var o models.Organ
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&o, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return errs.NotFound("organ", "复议机关")
			}
			return err
		}
		upd := map[string]any{"version": o.Version + 1}
		if in.Name != nil {
			upd["name"] = strings.TrimSpace(*in.Name)
		}
		if in.ShortName != nil {
			upd["short_name"] = strings.TrimSpace(*in.ShortName)
		}
		if in.CaseNoPattern != nil {
			upd["case_no_pattern"] = *in.CaseNoPattern
		}
		res := tx.Model(&models.Organ{}).Where("id = ? AND version = ?", id, in.Version).Updates(upd)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errs.Stale(o.Version)
		}
		return tx.First(&o, id).Error
	})
	if err != nil {
		return nil, errs.As(err)
	}
	out := toOrgan(o)
	return &out, nil
}

// Agencies returns the agencies of the organs p may see, or of one organ
// (0 = all of them). Another organ is a 404.
func (s *Service) Agencies(ctx context.Context, p *auth.Principal, organID int64) ([]Agency, error) {
	ids := p.OrganIDs
	if organID != 0 {
		if !p.CanSeeOrgan(organID) && !p.IsAdmin() {
			return nil, errs.NotFound("organ", "复议机关")
		}
		ids = []int64{organID}
	}
	var as []models.Agency
	if err := s.db.Read.WithContext(ctx).Where("organ_id IN ?", append([]int64{0}, ids...)).Order("organ_id, id").Find(&as).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out := make([]Agency, 0, len(as))
	for _, a := range as {
		out = append(out, toAgency(a))
	}
	return out, nil
}

// CreateAgency adds a respondent agency to an organ (admin or manager of it).
func (s *Service) CreateAgency(ctx context.Context, p *auth.Principal, organID int64, in AgencyInput) (*Agency, error) {
	if !p.IsAdmin() && !(p.IsManager() && p.CanSeeOrgan(organID)) {
		if !p.CanSeeOrgan(organID) {
			return nil, errs.NotFound("organ", "复议机关")
		}
		return nil, errs.Forbidden("只有管理员或科长可以添加被申请人", "only admins and managers may add agencies")
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return nil, errs.InvalidField("name", "必填", "required")
	}
	if in.Level != "" && !codes.AgencyLevels.Has(in.Level) {
		return nil, errs.InvalidField("level", "未知的层级", "unknown level")
	}
	var a models.Agency
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.Organ{}).Where("id = ?", organID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return errs.NotFound("organ", "复议机关")
		}
		if err := tx.Model(&models.Agency{}).Where("organ_id = ? AND name = ?", organID, name).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return errs.Conflict("agency_exists", "被申请人已存在", "the agency exists").Field("name", "已存在", "already exists")
		}
		a = models.Agency{OrganID: organID, Name: name, Level: in.Level, Active: true}
		return tx.Create(&a).Error
	})
	if err != nil {
		return nil, errs.As(err)
	}
	out := toAgency(a)
	return &out, nil
}

// FindOrCreateAgency returns the agency of organID named name, creating it
// inside tx when new (ledger import). created reports a new agency.
func FindOrCreateAgency(tx *gorm.DB, organID int64, name string) (id int64, created bool, err error) {
	name = strings.TrimSpace(name)
	var a models.Agency
	err = tx.Where("organ_id = ? AND name = ?", organID, name).First(&a).Error
	if err == nil {
		return a.ID, false, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, false, err
	}
	a = models.Agency{OrganID: organID, Name: name, Active: true}
	if err := tx.Create(&a).Error; err != nil {
		return 0, false, err
	}
	return a.ID, true, nil
}

// FindOrCreateOrgan returns the organ named name, creating it inside tx when
// new with a short name derived from its first character.
func FindOrCreateOrgan(tx *gorm.DB, name string) (id int64, created bool, err error) {
	name = strings.TrimSpace(name)
	var o models.Organ
	err = tx.Where("name = ?", name).First(&o).Error
	if err == nil {
		return o.ID, false, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, false, err
	}
	short := []rune(strings.TrimPrefix(strings.TrimPrefix(name, "北京市"), "上海市"))
	o = models.Organ{Name: name, ShortName: string(short[:1]), CaseNoPattern: DefaultCaseNoPattern, Version: 1}
	if err := tx.Create(&o).Error; err != nil {
		return 0, false, err
	}
	return o.ID, true, nil
}

// Count returns the number of organs.
func (s *Service) Count(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Read.WithContext(ctx).Model(&models.Organ{}).Count(&n).Error
	return n, err
}

// All returns every organ (for the command line, which acts for the whole deployment).
func (s *Service) All(ctx context.Context) ([]Organ, error) {
	return s.List(ctx, &auth.Principal{Role: auth.RoleAdmin})
}
