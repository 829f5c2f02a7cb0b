// Package api is Fuyi's HTTP layer: the gin router, middleware, one file per
// resource, the one error→HTTP mapping and the SPA serving. It never touches
// the database directly; every handler binds, calls one service and responds.
package api

import (
	"context"
	"io/fs"
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"fuyi/services/auth"
	"fuyi/services/lifecycle"
	"fuyi/services/litigation"
	"fuyi/services/organs"
	"fuyi/services/stats"
	"fuyi/services/workflow"
)

// Deps are the services the router needs. cmd/fuyi builds them.
type Deps struct {
	Logger *slog.Logger
	// Ready checks the database and the schema version (for /readyz).
	Ready func(ctx context.Context) error
	// MaxBodyBytes caps request bodies (413 beyond); uploads have their own cap.
	MaxBodyBytes int64
	// MaxUploadBytes caps multipart uploads.
	MaxUploadBytes int64
	// BehindTLS adds HSTS.
	BehindTLS bool
	// TrustedProxies may set X-Forwarded-For (empty: none; the socket address is the client).
	TrustedProxies []string
	// SPA is the built single-page app (nil when not built).
	SPA fs.FS
	// Collectors are the domain and database metrics served at /metrics
	// besides the HTTP ones (services/telemetry.Collectors).
	Collectors []prometheus.Collector
	// MetricsToken, when set, is the bearer token /metrics requires; when
	// empty /metrics answers loopback clients only.
	MetricsToken string

	Auth   *auth.Service
	Organs *organs.Service
	Cases  *lifecycle.Service
	// Stats serves statistics, reports, report locks and metric definitions.
	Stats *stats.Service
	// Litigation serves litigation defence records and suggestions.
	Litigation *litigation.Service
	Deadlines  DeadlineService
	// --- services: add one field per service here ---
	// Workflow serves assignment, queues, approvals, documents, attachments and follow-ups.
	Workflow *workflow.Service
	Imports  ImportService
	// Audit records writes, logins, downloads and denials (nil: none).
	Audit AuditService
}

// Server holds the dependencies of the handlers.
type Server struct {
	Deps
	now func() time.Time
}

// NewRouter builds the HTTP handler with every route of the API.
func NewRouter(d Deps) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.MaxBodyBytes == 0 {
		d.MaxBodyBytes = 2 << 20
	}
	if d.MaxUploadBytes == 0 {
		d.MaxUploadBytes = 64 << 20
	}
	s := &Server{Deps: d, now: time.Now}
	r := gin.New()
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		d.Logger.Error("trusted proxies", "err", err)
	}
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	prom := newPromHTTP(d)
	r.Use(s.requestID, s.recovery, s.accessLog, prom.observe, s.securityHeaders, s.bodyLimit, s.auditTrail)

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", prom.serve())

	v1 := r.Group("/api/v1")
	public := v1.Group("")
	authed := v1.Group("", s.authenticate)
	s.routes(public, authed)

	r.NoRoute(s.noRoute)
	r.NoMethod(func(c *gin.Context) { fail(c, errMethodNotAllowed) })
	return r
}

// routes registers every resource. Keep one line per resource file.
func (s *Server) routes(public, authed *gin.RouterGroup) {
	s.authRoutes(public, authed)
	s.adminRoutes(authed)
	s.caseRoutes(authed)
	s.statsRoutes(authed)
	s.litigationRoutes(authed)
	// --- resources: add one line per resource file here ---
	s.workflowRoutes(authed)
	s.deadlineRoutes(authed)
	s.importRoutes(authed)
	s.auditRoutes(authed)
}
