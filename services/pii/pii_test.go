package pii

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func mustSealer(t *testing.T, key []byte) *Sealer {
	t.Helper()
	s, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealRoundTrip(t *testing.T) {
	s := mustSealer(t, testKey(1))
	for _, plain := range []string{"110117199001011234", "x", "港澳居民来往内地通行证 H12345678"} {
		sealed := s.Seal(plain)
		// A short plaintext may occur in base64 by chance; a real ID number must not.
		if !strings.HasPrefix(sealed, Prefix) || (len(plain) >= 6 && strings.Contains(sealed, plain)) {
			t.Fatalf("Seal(%q) = %q", plain, sealed)
		}
		if len(sealed) != SealedLen(len(plain)) {
			t.Fatalf("SealedLen(%d) = %d, stored %d", len(plain), SealedLen(len(plain)), len(sealed))
		}
		if s.Seal(plain) == sealed {
			t.Fatalf("two seals of %q are equal: nonce not random", plain)
		}
		got, err := s.Open(sealed)
		if err != nil || got != plain {
			t.Fatalf("Open = %q, %v; want %q", got, err, plain)
		}
	}
	if s.Seal("") != "" {
		t.Fatalf("empty value sealed")
	}
}

func TestSealTamperAndWrongKey(t *testing.T) {
	s := mustSealer(t, testKey(1))
	sealed := s.Seal("110117199001011234")
	raw, _ := base64.StdEncoding.DecodeString(sealed[len(Prefix):])
	for i := range raw {
		bad := bytes.Clone(raw)
		bad[i] ^= 0x01
		if _, err := s.Open(Prefix + base64.StdEncoding.EncodeToString(bad)); !errors.Is(err, ErrOpen) {
			t.Fatalf("flipped byte %d opened: %v", i, err)
		}
	}
	for _, bad := range []string{Prefix, Prefix + "!!!", Prefix + base64.StdEncoding.EncodeToString(raw[:20]), sealed[:len(sealed)-4]} {
		if _, err := s.Open(bad); !errors.Is(err, ErrOpen) {
			t.Fatalf("Open(%q) err = %v", bad, err)
		}
	}
	if _, err := mustSealer(t, testKey(2)).Open(sealed); !errors.Is(err, ErrOpen) {
		t.Fatalf("wrong key opened: %v", err)
	}
}

func TestSealPassthrough(t *testing.T) {
	s := mustSealer(t, testKey(1))
	for _, plain := range []string{"", "110117199001011234", "enc:v2:abc"} {
		if got, err := s.Open(plain); err != nil || got != plain {
			t.Fatalf("Open(plaintext %q) = %q, %v", plain, got, err)
		}
	}
	var off *Sealer
	if off.Enabled() || off.Seal("110117199001011234") != "110117199001011234" {
		t.Fatalf("nil Sealer is not the identity")
	}
	sealed := s.Seal("1")
	if got, err := off.Open(sealed); err != nil || got != sealed {
		t.Fatalf("nil Sealer Open = %q, %v", got, err)
	}
}

func TestSealParseKey(t *testing.T) {
	k := testKey(7)
	for _, enc := range []string{base64.StdEncoding.EncodeToString(k), base64.RawURLEncoding.EncodeToString(k), hex.EncodeToString(k), " " + hex.EncodeToString(k) + "\n"} {
		got, err := ParseKey(enc)
		if err != nil || !bytes.Equal(got, k) {
			t.Fatalf("ParseKey(%q) = %x, %v", enc, got, err)
		}
	}
	for _, bad := range []string{"", "short", base64.StdEncoding.EncodeToString(k[:16]), hex.EncodeToString(k[:31]), strings.Repeat("z", 64)} {
		if _, err := ParseKey(bad); err == nil {
			t.Fatalf("ParseKey(%q) accepted", bad)
		}
	}
	if _, err := New(k[:16]); err == nil {
		t.Fatalf("New accepted a 16-byte key")
	}
}
