package api

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
)

func jwtB64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func httpGetWithToken(e *testEnv, path, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	e.router.ServeHTTP(w, req)
	return w
}
