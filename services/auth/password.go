// Package auth holds passwords, tokens, login throttling and the caller
// (Principal) every service scopes its work to.
package auth

import (
	"crypto/rand"
	_ "embed"
	"math/big"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"fuyi/services/errs"
)

// BcryptCost is the work factor of stored password hashes.
const BcryptCost = 12

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonPasswordsText, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[strings.ToLower(l)] = true
		}
	}
	return m
}()

// CheckPasswordPolicy refuses short, common or username-derived passwords.
func CheckPasswordPolicy(username, password string) error {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return errs.InvalidField("password", "密码至少需要10个字符", "the password needs at least 10 characters")
	}
	if len(password) > 72 {
		return errs.InvalidField("password", "密码不能超过72个字节", "the password may not exceed 72 bytes")
	}
	low := strings.ToLower(password)
	if commonPasswords[low] {
		return errs.InvalidField("password", "该密码过于常见，请换一个", "this password is too common")
	}
	if username != "" && strings.Contains(low, strings.ToLower(username)) {
		return errs.InvalidField("password", "密码不能包含用户名", "the password may not contain the username")
	}
	return nil
}

// HashPassword returns the bcrypt hash of password.
func HashPassword(password string) (string, error) {
	return hashPassword(password, BcryptCost)
}

func hashPassword(password string, cost int) (string, error) {
	if cost < bcrypt.MinCost {
		cost = BcryptCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// dummyHash equalises the time of a login for an unknown user.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("fuyi-dummy-password"), BcryptCost)

func passwordMatches(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// GeneratePassword returns a random password that passes the policy.
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	var b strings.Builder
	for i := 0; i < 16; i++ {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b.WriteByte(alphabet[n.Int64()])
		if i == 3 || i == 7 || i == 11 {
			b.WriteByte('-')
		}
	}
	return b.String()
}
