// Package pii seals personal data at rest: AES-256-GCM with a random nonce,
// stored as "enc:v1:" + base64(nonce|ciphertext). A nil Sealer is the
// identity (values are stored as given), and Open passes through any value
// without the prefix, so rows written before a key was configured keep
// working and a database is migrated by re-saving its rows.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Prefix marks a sealed value.
const Prefix = "enc:v1:"

// KeySize is the length of an AES-256 key.
const KeySize = 32

// ErrOpen is returned for a sealed value that cannot be opened: a wrong key,
// or a value tampered with or truncated.
var ErrOpen = errors.New("pii: sealed value cannot be opened (wrong key or tampered)")

// Sealer seals and opens values; the nil *Sealer is the identity.
type Sealer struct {
	aead cipher.AEAD
}

// New returns a Sealer for a 32-byte key.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("pii: key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// ParseKey decodes a key given as standard or URL-safe base64 (padded or
// not) or as hex, of exactly 32 bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("must decode to %d bytes, got %d", KeySize, len(b))
			}
			return b, nil
		}
	}
	return nil, fmt.Errorf("must be the base64 or hex encoding of %d random bytes", KeySize)
}

// Enabled reports whether s seals (a key is configured).
func (s *Sealer) Enabled() bool { return s != nil && s.aead != nil }

// Seal returns the stored form of plain: unchanged when s is disabled or plain
// is empty, else Prefix + base64(nonce|ciphertext).
func (s *Sealer) Seal(plain string) string {
	if !s.Enabled() || plain == "" {
		return plain
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("pii: no randomness: " + err.Error())
	}
	return Prefix + base64.StdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), nil))
}

// Open returns the plain value of a stored one. A value without Prefix is
// returned as is (plaintext rows); so is every value when s is disabled.
// A sealed value that does not authenticate under the key is ErrOpen.
func (s *Sealer) Open(stored string) (string, error) {
	if !s.Enabled() || !strings.HasPrefix(stored, Prefix) {
		return stored, nil
	}
	b, err := base64.StdEncoding.DecodeString(stored[len(Prefix):])
	n := s.aead.NonceSize()
	if err != nil || len(b) < n+s.aead.Overhead() {
		return "", ErrOpen
	}
	plain, err := s.aead.Open(nil, b[:n], b[n:], nil)
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}

// SealedLen is the length of the stored form of a plain value of n bytes.
func SealedLen(n int) int {
	return len(Prefix) + base64.StdEncoding.EncodedLen(12+n+16)
}
