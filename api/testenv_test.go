package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"fuyi/models"
	"fuyi/models/modelstest"
	"fuyi/services/auth"
	"fuyi/services/organs"
)

// testPassword is the password of every test user.
const testPassword = "Test-Passw0rd-fuyi"

// testEnv is a router over a fresh database with two organs and the users
// admin, manager, officer, reporter (organ 1) and other (officer of organ 2),
// each logged in through the real login endpoint.
type testEnv struct {
	t      *testing.T
	db     *models.DB
	deps   Deps
	router *gin.Engine
	// Organ1, Organ2 are the two organs; Agency1, Agency2 one agency of each.
	Organ1, Organ2   int64
	Agency1, Agency2 int64
	users            map[string]int64
	tokens           map[string]string
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	ctx := context.Background()
	db := modelstest.Open(t)
	a := auth.NewService(db, []byte("test-secret-test-secret-test-secret!"), nil)
	a.Cost = 4
	e := &testEnv{t: t, db: db, users: map[string]int64{}, tokens: map[string]string{}}
	e.deps = Deps{Auth: a, Organs: organs.NewService(db), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	// --- test wiring: services of other resources are added here ---
	wireTestDeps(t, db, &e.deps)

	admin := &auth.Principal{Role: auth.RoleAdmin}
	for i, name := range []string{"测试一区人民政府", "测试二区人民政府"} {
		short := []string{"测", "二"}[i]
		o, err := e.deps.Organs.Create(ctx, organs.OrganInput{Name: &name, ShortName: &short})
		if err != nil {
			t.Fatalf("create organ: %v", err)
		}
		ag, err := e.deps.Organs.CreateAgency(ctx, admin, o.ID, organs.AgencyInput{Name: "区市场监督管理局"})
		if err != nil {
			t.Fatalf("create agency: %v", err)
		}
		if i == 0 {
			e.Organ1, e.Agency1 = o.ID, ag.ID
		} else {
			e.Organ2, e.Agency2 = o.ID, ag.ID
		}
	}
	for _, u := range []struct {
		name, role string
		organ      int64
	}{{"admin", auth.RoleAdmin, e.Organ1}, {"manager", auth.RoleManager, e.Organ1}, {"officer", auth.RoleOfficer, e.Organ1},
		{"reporter", auth.RoleReporter, e.Organ1}, {"other", auth.RoleOfficer, e.Organ2}} {
		info, err := a.CreateUser(ctx, auth.NewUser{Username: u.name, Role: u.role, Password: testPassword, OrganIDs: []int64{u.organ}})
		if err != nil {
			t.Fatalf("create user %s: %v", u.name, err)
		}
		e.users[u.name] = info.ID
	}
	e.router = NewRouter(e.deps)
	for name := range e.users {
		w := e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": name, "password": testPassword})
		if w.Code != http.StatusOK {
			t.Fatalf("login %s: %d %s", name, w.Code, w.Body.String())
		}
		var tok auth.Tokens
		if err := json.Unmarshal(w.Body.Bytes(), &tok); err != nil {
			t.Fatal(err)
		}
		e.tokens[name] = tok.AccessToken
	}
	return e
}

// do sends a request as user ("" = anonymous) with body encoded as JSON.
func (e *testEnv) do(method, path, user string, body any) *httptest.ResponseRecorder {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		if b, ok := body.([]byte); ok {
			r = bytes.NewReader(b)
		} else {
			b, err := json.Marshal(body)
			if err != nil {
				e.t.Fatal(err)
			}
			r = bytes.NewReader(b)
		}
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[user])
	}
	w := httptest.NewRecorder()
	e.router.ServeHTTP(w, req)
	return w
}

// decode unmarshals a response body into v.
func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %q: %v", w.Body.String(), err)
	}
	return v
}

// errorCode returns error.code of an error envelope.
func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var b struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(w.Body.Bytes(), &b)
	return b.Error.Code
}
