package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fuyi/models"
	"fuyi/services/errs"
)

// Throttle limits: failures allowed within Window before a key is blocked for Block.
type Throttle struct {
	PerUser int
	PerIP   int
	Window  time.Duration
	Block   time.Duration
}

// DefaultThrottle is the production policy.
var DefaultThrottle = Throttle{PerUser: 5, PerIP: 30, Window: 15 * time.Minute, Block: 15 * time.Minute}

// Service authenticates users and issues tokens.
type Service struct {
	db         *models.DB
	secret     []byte
	now        func() time.Time
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	Throttle   Throttle
	// Cost is the bcrypt work factor of new hashes (BcryptCost; tests lower it).
	Cost int
}

// NewService returns an auth service signing access tokens with secret
// (HS256). now may be nil (time.Now).
func NewService(db *models.DB, secret []byte, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, secret: secret, now: now, AccessTTL: 15 * time.Minute, RefreshTTL: 14 * 24 * time.Hour, Throttle: DefaultThrottle, Cost: BcryptCost}
}

// UserInfo is a user as the API shows it.
type UserInfo struct {
	ID                 int64      `json:"id"`
	Username           string     `json:"username"`
	DisplayName        string     `json:"display_name"`
	Role               string     `json:"role"`
	Active             bool       `json:"active"`
	MustChangePassword bool       `json:"must_change_password"`
	Organs             []OrganRef `json:"organs"`
	Version            int64      `json:"version"`
}

// OrganRef names an organ.
type OrganRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Tokens is the answer of a login or a refresh.
type Tokens struct {
	AccessToken  string   `json:"access_token"`
	RefreshToken string   `json:"refresh_token"`
	ExpiresIn    int      `json:"expires_in"`
	TokenType    string   `json:"token_type"`
	User         UserInfo `json:"user"`
}

// Client describes where a request comes from (for throttling and sessions).
type Client struct {
	IP        string
	UserAgent string
}

var errBadCredentials = errs.New(errs.KindUnauthenticated, "invalid_credentials", "用户名或密码错误", "wrong username or password")

// Login checks a username and password and issues tokens. Unknown users and
// wrong passwords get the same answer; repeated failures per username and per
// client address are throttled (429 with Retry-After).
func (s *Service) Login(ctx context.Context, username, password string, cl Client) (*Tokens, error) {
	if username == "" || password == "" {
		e := errs.Invalid("请输入用户名和密码", "username and password are required")
		if username == "" {
			e.Field("username", "必填", "required")
		}
		if password == "" {
			e.Field("password", "必填", "required")
		}
		return nil, e
	}
	keys := []string{"user:" + username, "ip:" + cl.IP}
	if err := s.checkThrottle(ctx, keys); err != nil {
		return nil, err
	}
	var u models.User
	err := s.db.Read.WithContext(ctx).Where("username = ?", username).First(&u).Error
	ok := false
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		passwordMatches(string(dummyHash), password)
	case err != nil:
		return nil, errs.Internal(err)
	default:
		ok = passwordMatches(u.PasswordHash, password) && u.Active
	}
	if !ok {
		if err := s.recordFailure(ctx, keys); err != nil {
			return nil, err
		}
		return nil, errBadCredentials
	}
	if err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Where("key IN ?", keys[:1]).Delete(&models.LoginThrottle{}).Error
	}); err != nil {
		return nil, errs.Internal(err)
	}
	return s.issue(ctx, &u, "", cl)
}

func (s *Service) checkThrottle(ctx context.Context, keys []string) error {
	var rows []models.LoginThrottle
	if err := s.db.Read.WithContext(ctx).Where("key IN ?", keys).Find(&rows).Error; err != nil {
		return errs.Internal(err)
	}
	now := s.now()
	for _, r := range rows {
		if r.BlockedUntil != nil && r.BlockedUntil.After(now) {
			wait := int(r.BlockedUntil.Sub(now).Seconds()) + 1
			e := errs.New(errs.KindTooMany, "too_many_attempts",
				fmt.Sprintf("登录失败次数过多，请%d秒后再试", wait),
				fmt.Sprintf("too many failed logins; try again in %d seconds", wait))
			e.RetryAfter = wait
			return e
		}
	}
	return nil
}

func (s *Service) recordFailure(ctx context.Context, keys []string) error {
	now := s.now().UTC()
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		for _, k := range keys {
			limit := s.Throttle.PerUser
			if k[:3] == "ip:" {
				limit = s.Throttle.PerIP
			}
			var r models.LoginThrottle
			err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("key = ?", k).First(&r).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				r = models.LoginThrottle{Key: k, WindowStart: now}
				if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error; err != nil {
					return err
				}
				if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("key = ?", k).First(&r).Error; err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
			if now.Sub(r.WindowStart) > s.Throttle.Window {
				r.WindowStart, r.Failures, r.BlockedUntil = now, 0, nil
			}
			r.Failures++
			if r.Failures >= limit {
				until := now.Add(s.Throttle.Block)
				r.BlockedUntil = &until
			}
			if err := tx.Model(&models.LoginThrottle{}).Where("key = ?", k).
				Updates(map[string]any{"failures": r.Failures, "window_start": r.WindowStart, "blocked_until": r.BlockedUntil}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return errs.Internal(err)
	}
	return nil
}

type accessClaims struct {
	jwt.RegisteredClaims
	Role string `json:"role"`
}

// issue creates an access token and a new refresh token in family (a new
// family when empty).
func (s *Service) issue(ctx context.Context, u *models.User, family string, cl Client) (*Tokens, error) {
	return s.issueTx(ctx, nil, u, family, cl)
}

func (s *Service) issueTx(ctx context.Context, tx *gorm.DB, u *models.User, family string, cl Client) (*Tokens, error) {
	now := s.now().UTC()
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   strconv.FormatInt(u.ID, 10),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.AccessTTL)),
			Issuer:    "fuyi",
			ID:        randomToken(8),
		},
		Role: u.Role,
	}
	access, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.secret)
	if err != nil {
		return nil, errs.Internal(err)
	}
	if family == "" {
		family = randomToken(16)
	}
	refresh := randomToken(32)
	row := models.RefreshToken{UserID: u.ID, FamilyID: family, TokenHash: hashToken(refresh), IssuedAt: now,
		ExpiresAt: now.Add(s.RefreshTTL), ClientIP: cl.IP, UserAgent: truncate(cl.UserAgent, 300)}
	create := func(tx *gorm.DB) error { return tx.Create(&row).Error }
	if tx != nil {
		err = create(tx)
	} else {
		err = s.db.Tx(ctx, create)
	}
	if err != nil {
		return nil, errs.Internal(err)
	}
	// Inside the caller's transaction the user's organs are read through it:
	// the read pool does not see the writes of the transactions committed
	// together with it (group commit, models.DB.Tx).
	q := s.db.Read
	if tx != nil {
		q = tx
	}
	info, err := s.userInfo(ctx, q, u)
	if err != nil {
		return nil, err
	}
	return &Tokens{AccessToken: access, RefreshToken: refresh, ExpiresIn: int(s.AccessTTL.Seconds()), TokenType: "Bearer", User: *info}, nil
}

var errBadRefresh = errs.New(errs.KindUnauthenticated, "invalid_refresh_token", "登录已失效，请重新登录", "the session is no longer valid; log in again")

// Refresh rotates a refresh token: the presented token is spent and a new one
// of the same family is issued. Presenting a token that was already rotated
// (a replay) revokes its whole family.
func (s *Service) Refresh(ctx context.Context, token string, cl Client) (*Tokens, error) {
	if token == "" {
		return nil, errs.InvalidField("refresh_token", "必填", "required")
	}
	var out *Tokens
	var replayed bool
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var rt models.RefreshToken
		err := tx.Where("token_hash = ?", hashToken(token)).First(&rt).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return errBadRefresh
		}
		if err != nil {
			return err
		}
		now := s.now().UTC()
		if rt.RevokedAt != nil || now.After(rt.ExpiresAt) {
			return errBadRefresh
		}
		if rt.RotatedAt != nil {
			replayed = true
			return tx.Model(&models.RefreshToken{}).Where("family_id = ? AND revoked_at IS NULL", rt.FamilyID).Update("revoked_at", now).Error
		}
		res := tx.Model(&models.RefreshToken{}).Where("id = ? AND rotated_at IS NULL AND revoked_at IS NULL", rt.ID).Update("rotated_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			replayed = true
			return tx.Model(&models.RefreshToken{}).Where("family_id = ? AND revoked_at IS NULL", rt.FamilyID).Update("revoked_at", now).Error
		}
		var u models.User
		if err := tx.First(&u, rt.UserID).Error; err != nil {
			return err
		}
		if !u.Active {
			return errBadRefresh
		}
		t, err := s.issueTx(ctx, tx, &u, rt.FamilyID, cl)
		out = t
		return err
	})
	if err != nil {
		return nil, errs.As(err)
	}
	if replayed {
		return nil, errBadRefresh
	}
	return out, nil
}

// Logout revokes the family of a refresh token. An unknown token is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return errs.InvalidField("refresh_token", "必填", "required")
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var rt models.RefreshToken
		err := tx.Where("token_hash = ?", hashToken(token)).First(&rt).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return tx.Model(&models.RefreshToken{}).Where("family_id = ? AND revoked_at IS NULL", rt.FamilyID).Update("revoked_at", s.now().UTC()).Error
	})
	if err != nil {
		return errs.Internal(err)
	}
	return nil
}

var errBadToken = errs.New(errs.KindUnauthenticated, "invalid_token", "登录已失效，请重新登录", "invalid or expired access token")

// Verify checks an access token (HS256 only, unexpired, issued by fuyi) and
// returns the caller with their current role and organ grants.
func (s *Service) Verify(ctx context.Context, token string) (*Principal, error) {
	var claims accessClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) { return s.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(), jwt.WithIssuer("fuyi"), jwt.WithTimeFunc(s.now))
	if err != nil {
		return nil, errBadToken
	}
	id, err := strconv.ParseInt(claims.Subject, 10, 64)
	if err != nil {
		return nil, errBadToken
	}
	return s.Principal(ctx, id)
}

// Principal loads user id as a caller; an inactive or missing user is 401.
// It runs on every authenticated request: one indexed query for the user and
// its organs, in plain SQL, and not tied to the request's cancellation (the
// driver would watch it with a goroutine per row for a look-up this short).
func (s *Service) Principal(ctx context.Context, id int64) (*Principal, error) {
	rows, err := s.db.Read.WithContext(context.WithoutCancel(ctx)).Raw(`SELECT u.username, u.display_name, u.role, u.active, uo.organ_id
		FROM users u LEFT JOIN user_organs uo ON uo.user_id = u.id WHERE u.id = ? ORDER BY uo.organ_id`, id).Rows()
	if err != nil {
		return nil, errs.Internal(err)
	}
	defer rows.Close()
	p := &Principal{UserID: id, OrganIDs: []int64{}}
	found, active := false, false
	for rows.Next() {
		var organ sql.NullInt64
		if err := rows.Scan(&p.Username, &p.DisplayName, &p.Role, &active, &organ); err != nil {
			return nil, errs.Internal(err)
		}
		found = true
		if organ.Valid {
			p.OrganIDs = append(p.OrganIDs, organ.Int64)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internal(err)
	}
	if !found || !active {
		return nil, errBadToken
	}
	return p, nil
}

// Me returns the caller's user record.
func (s *Service) Me(ctx context.Context, p *Principal) (*UserInfo, error) {
	var u models.User
	if err := s.db.Read.WithContext(ctx).First(&u, p.UserID).Error; err != nil {
		return nil, errs.Internal(err)
	}
	return s.userInfo(ctx, s.db.Read, &u)
}

func (s *Service) userInfo(ctx context.Context, db *gorm.DB, u *models.User) (*UserInfo, error) {
	var organs []OrganRef
	err := db.WithContext(ctx).Table("organs").Select("organs.id, organs.name").
		Joins("JOIN user_organs ON user_organs.organ_id = organs.id").
		Where("user_organs.user_id = ?", u.ID).Order("organs.id").Scan(&organs).Error
	if err != nil {
		return nil, errs.Internal(err)
	}
	if organs == nil {
		organs = []OrganRef{}
	}
	return &UserInfo{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Active: u.Active,
		MustChangePassword: u.MustChangePassword, Organs: organs, Version: u.Version}, nil
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
