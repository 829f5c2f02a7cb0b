// Package settings keeps small key/value facts in the database, shared by
// every instance (the generated JWT secret).
package settings

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fuyi/models"
)

const jwtSecretKey = "jwt_secret"

// JWTSecret returns the deployment's generated token secret, creating it on
// first use. Several instances starting at once agree on one secret: the
// first insert wins and everyone reads it back.
func JWTSecret(ctx context.Context, db *models.DB) ([]byte, error) {
	b := make([]byte, 48)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	var s models.Setting
	err := db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.Setting{
			Key: jwtSecretKey, Value: base64.StdEncoding.EncodeToString(b), UpdatedAt: time.Now().UTC()}).Error; err != nil {
			return err
		}
		return tx.Where("key = ?", jwtSecretKey).First(&s).Error
	})
	if err != nil {
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	return base64.StdEncoding.DecodeString(s.Value)
}
