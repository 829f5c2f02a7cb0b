package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"fuyi/services/auth"
	"fuyi/services/errs"
)

const (
	ctxRequestID = "fuyi.request_id"
	ctxPrincipal = "fuyi.principal"
)

var errMethodNotAllowed = errs.New(errs.KindInvalid, "method_not_allowed", "不支持该请求方法", "method not allowed")

func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if id == "" || len(id) > 64 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

func (s *Server) recovery(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.Logger.Error("panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()), "request_id", c.GetString(ctxRequestID))
			fail(c, errs.Internal(fmt.Errorf("panic: %v", r)))
		}
	}()
	c.Next()
}

func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	attrs := []any{
		"method", c.Request.Method, "route", route, "status", c.Writer.Status(),
		"duration_ms", float64(time.Since(start).Microseconds()) / 1000, "request_id", c.GetString(ctxRequestID),
		"client", c.ClientIP(),
	}
	if p := principalOf(c); p != nil {
		attrs = append(attrs, "user", p.Username)
	}
	// Never log the query string of auth routes or bodies: they may carry secrets.
	level := slog.LevelInfo
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	}
	s.Logger.Log(c.Request.Context(), level, "http", attrs...)
}

func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.BehindTLS {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	c.Next()
}

func (s *Server) bodyLimit(c *gin.Context) {
	if c.Request.Body != nil {
		limit := s.MaxBodyBytes
		if strings.HasPrefix(c.GetHeader("Content-Type"), "multipart/") {
			limit = s.MaxUploadBytes
		}
		if c.Request.ContentLength > limit {
			fail(c, errs.New(errs.KindTooLarge, "too_large", "请求体过大", "request body too large"))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}

// authenticate requires a valid access token and stores the principal.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		fail(c, errs.Unauthenticated("请先登录", "authentication required"))
		return
	}
	p, err := s.Auth.Verify(c.Request.Context(), token)
	if err != nil {
		fail(c, err)
		return
	}
	c.Set(ctxPrincipal, p)
	setAuditActor(c, p)
	c.Next()
}

// principalOf returns the authenticated caller (nil on public routes).
func principalOf(c *gin.Context) *auth.Principal {
	if v, ok := c.Get(ctxPrincipal); ok {
		return v.(*auth.Principal)
	}
	return nil
}

// requireRole refuses callers whose role is not listed.
func requireRole(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principalOf(c)
		for _, r := range roles {
			if p != nil && p.Role == r {
				c.Next()
				return
			}
		}
		fail(c, errs.Forbidden("当前角色无权执行此操作", "your role may not do this"))
	}
}

func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

// readyTimeout bounds /readyz: a database that does not answer within it
// (PostgreSQL down or unreachable) makes the instance not ready, quickly.
const readyTimeout = 2 * time.Second

func (s *Server) readyz(c *gin.Context) {
	if s.Ready != nil {
		ctx, cancel := context.WithTimeout(c.Request.Context(), readyTimeout)
		defer cancel()
		if err := s.Ready(ctx); err != nil {
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "not ready", "reason": err.Error()})
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
