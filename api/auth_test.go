package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"fuyi/services/auth"
)

func TestLoginRefreshLogout(t *testing.T) {
	e := newTestEnv(t)
	w := e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "officer", "password": testPassword})
	if w.Code != http.StatusOK {
		t.Fatalf("login: %d %s", w.Code, w.Body.String())
	}
	tok := decode[auth.Tokens](t, w)
	if tok.User.Role != "officer" || len(tok.User.Organs) != 1 || tok.ExpiresIn > 15*60 {
		t.Fatalf("login answer: %+v", tok)
	}

	// Rotation: the refresh token works once and yields a new one.
	w = e.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok.RefreshToken})
	if w.Code != http.StatusOK {
		t.Fatalf("refresh: %d %s", w.Code, w.Body.String())
	}
	tok2 := decode[auth.Tokens](t, w)
	if tok2.RefreshToken == tok.RefreshToken {
		t.Fatal("refresh token was not rotated")
	}
	// Replaying the spent token revokes the whole family: the new one dies too.
	if w = e.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok.RefreshToken}); w.Code != http.StatusUnauthorized {
		t.Fatalf("replay: %d", w.Code)
	}
	if w = e.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok2.RefreshToken}); w.Code != http.StatusUnauthorized {
		t.Fatalf("family not revoked after replay: %d", w.Code)
	}

	// Logout revokes.
	w = e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "officer", "password": testPassword})
	tok3 := decode[auth.Tokens](t, w)
	if w = e.do(http.MethodPost, "/api/v1/auth/logout", "", map[string]string{"refresh_token": tok3.RefreshToken}); w.Code != http.StatusNoContent {
		t.Fatalf("logout: %d", w.Code)
	}
	if w = e.do(http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tok3.RefreshToken}); w.Code != http.StatusUnauthorized {
		t.Fatalf("refresh after logout: %d", w.Code)
	}
}

func TestLoginSameAnswerForUnknownUserAndWrongPassword(t *testing.T) {
	e := newTestEnv(t)
	a := e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "nobody", "password": "whatever-password"})
	b := e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "officer", "password": "wrong-password!"})
	if a.Code != http.StatusUnauthorized || b.Code != http.StatusUnauthorized {
		t.Fatalf("codes %d %d", a.Code, b.Code)
	}
	strip := func(s string) string { return s[:strings.Index(s, `"request_id"`)] }
	if strip(a.Body.String()) != strip(b.Body.String()) {
		t.Fatalf("answers differ:\n%s\n%s", a.Body.String(), b.Body.String())
	}
}

func TestLoginThrottledPerUsername(t *testing.T) {
	e := newTestEnv(t)
	var w = e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "manager", "password": "bad-password-1"})
	for i := 0; i < auth.DefaultThrottle.PerUser; i++ {
		w = e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "manager", "password": "bad-password-1"})
	}
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Fatalf("after %d failures: %d, Retry-After %q", auth.DefaultThrottle.PerUser+1, w.Code, w.Header().Get("Retry-After"))
	}
	// Even the right password is refused while blocked.
	w = e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "manager", "password": testPassword})
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("right password while blocked: %d", w.Code)
	}
	// Another user from the same address is not blocked yet.
	if w = e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "officer", "password": testPassword}); w.Code != http.StatusOK {
		t.Fatalf("other user: %d", w.Code)
	}
}

func TestBadAccessTokensAre401(t *testing.T) {
	e := newTestEnv(t)
	sign := func(method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	valid := jwt.MapClaims{"sub": "1", "iss": "fuyi", "exp": time.Now().Add(time.Minute).Unix()}
	expired := jwt.MapClaims{"sub": "1", "iss": "fuyi", "exp": time.Now().Add(-time.Minute).Unix()}
	none := sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid)
	forged := sign(jwt.SigningMethodHS256, []byte("another-secret-another-secret-!!"), valid)
	good := e.tokens["officer"]
	tampered := good[:len(good)-3] + "abc"
	parts := strings.Split(good, ".")
	payload, _ := json.Marshal(map[string]any{"sub": "1", "iss": "fuyi", "exp": time.Now().Add(time.Hour).Unix(), "role": "admin"})
	swapped := parts[0] + "." + jwtB64(payload) + "." + parts[2]
	for name, tok := range map[string]string{
		"alg none": none, "forged": forged, "expired": sign(jwt.SigningMethodHS256, []byte("test-secret-test-secret-test-secret!"), expired),
		"tampered signature": tampered, "tampered payload": swapped, "garbage": "abc.def.ghi",
	} {
		req := e.do(http.MethodGet, "/api/v1/me", "", nil)
		_ = req
		r := httpGetWithToken(e, "/api/v1/me", tok)
		if r.Code != http.StatusUnauthorized {
			t.Errorf("%s: %d", name, r.Code)
		}
	}
	if r := httpGetWithToken(e, "/api/v1/me", good); r.Code != http.StatusOK {
		t.Fatalf("good token: %d", r.Code)
	}
}
