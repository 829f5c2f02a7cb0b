package auth

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/errs"
)

// NewUser is the input of CreateUser.
type NewUser struct {
	Username    string  `json:"username"`
	DisplayName string  `json:"display_name"`
	Role        string  `json:"role"`
	Password    string  `json:"password"`
	OrganIDs    []int64 `json:"organ_ids"`
	// MustChangePassword marks a generated one-time password.
	MustChangePassword bool `json:"-"`
}

// UserPatch is the input of UpdateUser; nil fields stay as they are.
type UserPatch struct {
	Version     int64    `json:"version"`
	DisplayName *string  `json:"display_name"`
	Role        *string  `json:"role"`
	Active      *bool    `json:"active"`
	OrganIDs    *[]int64 `json:"organ_ids"`
}

var usernameRE = regexp.MustCompile(`^[a-zA-Z0-9_.\-]{2,64}$`)

func validRole(r string) bool { return slices.Contains(Roles, r) }

// CreateUser adds a user with a bcrypt-hashed password and organ grants.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (*UserInfo, error) {
	e := errs.Invalid("用户信息有误", "invalid user")
	if !usernameRE.MatchString(in.Username) {
		e.Field("username", "用户名须为2至64位字母、数字或 _ . -", "2–64 letters, digits or _ . -")
	}
	if !validRole(in.Role) {
		e.Field("role", "角色须为 admin、manager、officer、reporter 之一", "role must be one of admin, manager, officer, reporter")
	}
	if err := CheckPasswordPolicy(in.Username, in.Password); err != nil {
		for k, v := range errs.As(err).Fields {
			e.Field(k, v.ZH, v.EN)
		}
	}
	if len(e.Fields) > 0 {
		return nil, e
	}
	hash, err := hashPassword(in.Password, s.Cost)
	if err != nil {
		return nil, errs.Internal(err)
	}
	u := models.User{Username: in.Username, DisplayName: strings.TrimSpace(in.DisplayName), PasswordHash: hash, Role: in.Role, Active: true, MustChangePassword: in.MustChangePassword, Version: 1}
	if u.DisplayName == "" {
		u.DisplayName = in.Username
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.User{}).Where("username = ?", in.Username).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return errs.Conflict("username_taken", "用户名已存在", "the username is taken").Field("username", "用户名已存在", "already exists")
		}
		if err := tx.Create(&u).Error; err != nil {
			return err
		}
		return setOrgans(tx, u.ID, in.OrganIDs)
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return s.userInfo(ctx, s.db.Read, &u)
}

func setOrgans(tx *gorm.DB, userID int64, organIDs []int64) error {
	if err := tx.Where("user_id = ?", userID).Delete(&models.UserOrgan{}).Error; err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, id := range organIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		var n int64
		if err := tx.Model(&models.Organ{}).Where("id = ?", id).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return errs.InvalidField("organ_ids", "复议机关不存在："+itoa(id), "no such organ: "+itoa(id))
		}
		if err := tx.Create(&models.UserOrgan{UserID: userID, OrganID: id}).Error; err != nil {
			return err
		}
	}
	return nil
}

// UpdateUser changes a user's name, role, activity or grants (admin only).
func (s *Service) UpdateUser(ctx context.Context, id int64, in UserPatch) (*UserInfo, error) {
	if in.Role != nil && !validRole(*in.Role) {
		return nil, errs.InvalidField("role", "角色须为 admin、manager、officer、reporter 之一", "role must be one of admin, manager, officer, reporter")
	}
	var u models.User
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&u, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return errs.NotFound("user", "用户")
			}
			return err
		}
		if in.Version != u.Version {
			return errs.Stale(u.Version)
		}
		upd := map[string]any{"version": u.Version + 1}
		if in.DisplayName != nil {
			upd["display_name"] = strings.TrimSpace(*in.DisplayName)
		}
		if in.Role != nil {
			upd["role"] = *in.Role
		}
		if in.Active != nil {
			upd["active"] = *in.Active
			if !*in.Active {
				if err := tx.Model(&models.RefreshToken{}).Where("user_id = ? AND revoked_at IS NULL", id).Update("revoked_at", s.now().UTC()).Error; err != nil {
					return err
				}
			}
		}
		res := tx.Model(&models.User{}).Where("id = ? AND version = ?", id, u.Version).Updates(upd)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errs.Stale(u.Version)
		}
		if in.OrganIDs != nil {
			if err := setOrgans(tx, id, *in.OrganIDs); err != nil {
				return err
			}
		}
		return tx.First(&u, id).Error
	})
	if err != nil {
		return nil, errs.As(err)
	}
	return s.userInfo(ctx, s.db.Read, &u)
}

// SetPassword replaces a user's password (admin reset, or the user's own
// change after checking the old one) and revokes their sessions.
func (s *Service) SetPassword(ctx context.Context, id int64, password string, mustChange bool) error {
	var u models.User
	if err := s.db.Read.WithContext(ctx).First(&u, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return errs.NotFound("user", "用户")
		}
		return errs.Internal(err)
	}
	if err := CheckPasswordPolicy(u.Username, password); err != nil {
		return err
	}
	hash, err := hashPassword(password, s.Cost)
	if err != nil {
		return errs.Internal(err)
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&models.User{}).Where("id = ?", id).Updates(map[string]any{
			"password_hash": hash, "must_change_password": mustChange, "version": gorm.Expr("version + 1")}).Error; err != nil {
			return err
		}
		return tx.Model(&models.RefreshToken{}).Where("user_id = ? AND revoked_at IS NULL", id).Update("revoked_at", s.now().UTC()).Error
	})
	if err != nil {
		// errs.As(nil) is an internal error: only wrap a real failure.
		return errs.As(err)
	}
	return nil
}

// ChangeOwnPassword checks the old password and sets a new one.
func (s *Service) ChangeOwnPassword(ctx context.Context, p *Principal, oldPassword, newPassword string) error {
	var u models.User
	if err := s.db.Read.WithContext(ctx).First(&u, p.UserID).Error; err != nil {
		return errs.Internal(err)
	}
	if !passwordMatches(u.PasswordHash, oldPassword) {
		return errs.InvalidField("old_password", "原密码不正确", "the current password is wrong")
	}
	return s.SetPassword(ctx, p.UserID, newPassword, false)
}

// ListUsers returns every user (admin only).
func (s *Service) ListUsers(ctx context.Context) ([]UserInfo, error) {
	var us []models.User
	if err := s.db.Read.WithContext(ctx).Order("id").Find(&us).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out := make([]UserInfo, 0, len(us))
	for i := range us {
		info, err := s.userInfo(ctx, s.db.Read, &us[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *info)
	}
	return out, nil
}

// CountUsers returns the number of users.
func (s *Service) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Read.WithContext(ctx).Model(&models.User{}).Count(&n).Error
	return n, err
}

// EnsureAdmin creates the user "admin" with a generated one-time password
// when the database has no users at all. It returns the password, or "" when
// users already exist.
func (s *Service) EnsureAdmin(ctx context.Context) (string, error) {
	n, err := s.CountUsers(ctx)
	if err != nil {
		return "", err
	}
	if n > 0 {
		return "", nil
	}
	var organs []int64
	if err := s.db.Read.WithContext(ctx).Model(&models.Organ{}).Pluck("id", &organs).Error; err != nil {
		return "", err
	}
	pw := GeneratePassword()
	if _, err := s.CreateUser(ctx, NewUser{Username: "admin", DisplayName: "管理员", Role: RoleAdmin, Password: pw, OrganIDs: organs, MustChangePassword: true}); err != nil {
		// Several instances starting at once on an empty PostgreSQL database:
		// another one created the first admin first, which is what we wanted.
		if n, cerr := s.CountUsers(ctx); cerr == nil && n > 0 {
			return "", nil
		}
		return "", err
	}
	return pw, nil
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
