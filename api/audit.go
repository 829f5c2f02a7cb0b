package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"fuyi/services/audit"
	"fuyi/services/auth"
	"fuyi/services/errs"
)

const ctxAuditActor = "fuyi.audit_actor"

// AuditService is the audit trail as the API uses it (audit.Service).
type AuditService interface {
	Record(ctx context.Context, e audit.Entry) error
	Search(ctx context.Context, p *auth.Principal, q audit.Query) (*audit.Page, error)
}

// auditRoutes registers GET /audit (administrators) and the caller's own
// sessions (/me/sessions).
func (s *Server) auditRoutes(authed *gin.RouterGroup) {
	authed.GET("/audit", requireRole(auth.RoleAdmin), s.searchAudit)
	authed.GET("/me/sessions", s.listSessions)
	authed.DELETE("/me/sessions/:id", s.revokeSession)
}

// auditTrail records, after the handler ran, every write (a non-GET
// request to a known route), every download (a 2xx GET answered as an
// attachment) and every permission denial (403, or 404 to a signed-in
// caller: another organ's record looks absent). It puts the actor into the
// request context first so that the case hook records who changed a case.
// Bodies are never recorded; logins are recorded by the login handler.
func (s *Server) auditTrail(c *gin.Context) {
	if s.Audit == nil {
		c.Next()
		return
	}
	actor := &audit.Actor{IP: c.ClientIP()}
	c.Set(ctxAuditActor, actor)
	c.Request = c.Request.WithContext(audit.WithActor(c.Request.Context(), actor))
	c.Next()

	route := c.FullPath()
	if route == "" || route == "/api/v1/auth/login" {
		return
	}
	p := principalOf(c)
	status := c.Writer.Status()
	method := c.Request.Method
	read := method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
	var action string
	switch {
	case status == http.StatusForbidden || (status == http.StatusNotFound && p != nil):
		action = audit.ActionDenied
	case !read:
		action = method + " " + route
	case status < 300 && strings.HasPrefix(c.Writer.Header().Get("Content-Disposition"), "attachment"):
		action = audit.ActionExport
	default:
		return
	}
	summary := map[string]any{"method": method, "route": route, "status": status, "request_id": c.GetString(ctxRequestID)}
	if read {
		summary["path"] = c.Request.URL.Path
		if q := safeQuery(c); q != "" {
			summary["query"] = q
		}
	}
	b, _ := json.Marshal(summary)
	e := audit.Entry{Actor: *actor, Action: action, Subject: subjectOf(c, route), After: string(b)}
	if err := s.Audit.Record(context.WithoutCancel(c.Request.Context()), e); err != nil {
		s.Logger.ErrorContext(c.Request.Context(), "audit record failed", "err", err, "request_id", c.GetString(ctxRequestID))
	}
}

// setAuditActor names the authenticated caller as the request's actor.
func setAuditActor(c *gin.Context, p *auth.Principal) {
	if v, ok := c.Get(ctxAuditActor); ok {
		a := v.(*audit.Actor)
		a.ID, a.Name = p.UserID, p.Username
	}
}

// safeQuery is the query string without any parameter that might carry a
// secret.
func safeQuery(c *gin.Context) string {
	q := c.Request.URL.Query()
	for k := range q {
		l := strings.ToLower(k)
		if strings.Contains(l, "token") || strings.Contains(l, "password") || strings.Contains(l, "secret") {
			q.Del(k)
		}
	}
	return q.Encode()
}

// subjectOf names the record a request is about: the segment before the
// first path parameter, singular, and the parameter ("case:12",
// "user:3", "calendar:2025"); "" when the route has no parameter.
func subjectOf(c *gin.Context, route string) string {
	segs := strings.Split(strings.Trim(route, "/"), "/")
	for i, seg := range segs {
		if !strings.HasPrefix(seg, ":") || i == 0 {
			continue
		}
		kind := strings.TrimSuffix(segs[i-1], "s")
		return kind + ":" + c.Param(seg[1:])
	}
	return ""
}

// auditLogin records a login attempt (never the password nor the tokens).
func (s *Server) auditLogin(c *gin.Context, username string, t *auth.Tokens, err error) {
	if s.Audit == nil {
		return
	}
	e := audit.Entry{Actor: audit.Actor{Name: username, IP: c.ClientIP()}, Subject: "user:" + username}
	if err == nil {
		e.Action = audit.ActionLogin
		e.Actor.ID = t.User.ID
	} else {
		e.Action = audit.ActionLoginFailed
		b, _ := json.Marshal(map[string]string{"reason": errs.As(err).Code})
		e.After = string(b)
	}
	if rerr := s.Audit.Record(context.WithoutCancel(c.Request.Context()), e); rerr != nil {
		s.Logger.ErrorContext(c.Request.Context(), "audit record failed", "err", rerr, "request_id", c.GetString(ctxRequestID))
	}
}

func (s *Server) searchAudit(c *gin.Context) {
	if s.Audit == nil {
		fail(c, errs.NotFound("audit trail", "审计日志"))
		return
	}
	page, _ := strconv.Atoi(c.Query("page"))
	size, _ := strconv.Atoi(c.Query("page_size"))
	out, err := s.Audit.Search(c.Request.Context(), principalOf(c), audit.Query{Actor: c.Query("actor"), Action: c.Query("action"),
		Subject: c.Query("subject"), From: c.Query("from"), To: c.Query("to"), Page: page, PageSize: size})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) listSessions(c *gin.Context) {
	out, err := s.Auth.Sessions(c.Request.Context(), principalOf(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}

func (s *Server) revokeSession(c *gin.Context) {
	if err := s.Auth.RevokeSession(c.Request.Context(), principalOf(c), c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
