package auth

import (
	"context"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/errs"
)

// Session is one login of a user: a refresh-token family, alive while its
// newest token is neither revoked nor expired.
type Session struct {
	// ID is the family id (what DELETE /me/sessions/{id} takes).
	ID        string    `json:"id"`
	StartedAt time.Time `json:"started_at"`
	LastUsed  time.Time `json:"last_used_at"`
	ExpiresAt time.Time `json:"expires_at"`
	ClientIP  string    `json:"client_ip"`
	UserAgent string    `json:"user_agent"`
}

// Sessions lists p's live sessions, most recently used first.
func (s *Service) Sessions(ctx context.Context, p *Principal) ([]Session, error) {
	now := s.now().UTC()
	var rows []models.RefreshToken
	// The live token of a family is the one neither rotated nor revoked.
	err := s.db.Read.WithContext(ctx).Where("user_id = ? AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > ?", p.UserID, now).
		Order("issued_at DESC").Find(&rows).Error
	if err != nil {
		return nil, errs.Internal(err)
	}
	out := make([]Session, 0, len(rows))
	for _, r := range rows {
		var first models.RefreshToken
		if err := s.db.Read.WithContext(ctx).Where("family_id = ?", r.FamilyID).Order("issued_at").Limit(1).Take(&first).Error; err != nil {
			return nil, errs.Internal(err)
		}
		out = append(out, Session{ID: r.FamilyID, StartedAt: first.IssuedAt.UTC(), LastUsed: r.IssuedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(),
			ClientIP: r.ClientIP, UserAgent: r.UserAgent})
	}
	return out, nil
}

// RevokeSession revokes p's session id (a refresh-token family): its refresh
// token stops working at once; access tokens already issued expire within
// AccessTTL. Another user's or an unknown session is 404.
func (s *Service) RevokeSession(ctx context.Context, p *Principal, id string) error {
	var n int64
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&models.RefreshToken{}).Where("family_id = ? AND user_id = ?", id, p.UserID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		return tx.Model(&models.RefreshToken{}).Where("family_id = ? AND user_id = ? AND revoked_at IS NULL", id, p.UserID).
			Update("revoked_at", s.now().UTC()).Error
	})
	if err != nil {
		return errs.Internal(err)
	}
	if n == 0 {
		return errs.NotFound("session", "会话")
	}
	return nil
}
