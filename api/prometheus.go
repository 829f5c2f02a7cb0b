package api

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"fuyi/services/errs"
)

// promHTTP holds the HTTP metrics of one router and its own registry (one
// per router, so that tests building many routers never collide).
type promHTTP struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight prometheus.Gauge
	token    string
	log      *slog.Logger
}

// newPromHTTP builds the registry served at /metrics: the HTTP metrics, the
// Go runtime and process collectors, and d.Collectors (the domain metrics
// of services/telemetry and the database pools).
func newPromHTTP(d Deps) *promHTTP {
	m := &promHTTP{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fuyi_http_requests_total",
			Help: "HTTP requests by route (the gin route pattern, \"unmatched\" otherwise), method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "fuyi_http_request_duration_seconds",
			Help:    "HTTP request duration by route and method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "fuyi_http_requests_in_flight",
			Help: "HTTP requests being served.",
		}),
		token: d.MetricsToken,
		log:   d.Logger,
	}
	m.registry.MustRegister(m.requests, m.duration, m.inflight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, c := range d.Collectors {
		if err := m.registry.Register(c); err != nil {
			d.Logger.Error("metrics: register collector", "err", err)
		}
	}
	return m
}

// observe is the middleware that counts and times every request. The route
// label is the route pattern, never the raw path, so its cardinality is bounded.
func (m *promHTTP) observe(c *gin.Context) {
	start := time.Now()
	m.inflight.Inc()
	defer m.inflight.Dec()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Inc()
	m.duration.WithLabelValues(route, c.Request.Method).Observe(time.Since(start).Seconds())
}

// serve answers GET /metrics. With a token (FUYI_METRICS_TOKEN) it requires
// "Authorization: Bearer TOKEN" from any address; without one it answers
// only direct loopback connections (no X-Forwarded-For / X-Real-IP /
// Forwarded header, so a same-host reverse proxy cannot expose it).
func (m *promHTTP) serve() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorHandling:       promhttp.ContinueOnError,
		ErrorLog:            slogPromLogger{m.log},
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	})
	return func(c *gin.Context) {
		if m.token != "" {
			got, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(m.token)) != 1 {
				fail(c, errs.Unauthenticated("需要监控令牌", "metrics token required"))
				return
			}
		} else if !directLoopback(c) {
			fail(c, errs.Forbidden("仅允许本机访问监控指标（或配置 FUYI_METRICS_TOKEN）",
				"metrics are served to loopback only unless FUYI_METRICS_TOKEN is set"))
			return
		}
		h.ServeHTTP(c.Writer, c.Request)
	}
}

// directLoopback reports whether the request came straight from this host.
func directLoopback(c *gin.Context) bool {
	for _, h := range []string{"X-Forwarded-For", "X-Real-IP", "Forwarded"} {
		if c.GetHeader(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// slogPromLogger adapts slog to promhttp's error log.
type slogPromLogger struct{ log *slog.Logger }

func (l slogPromLogger) Println(v ...any) {
	if l.log != nil {
		l.log.Error("metrics scrape", "err", fmt.Sprint(v...))
	}
}
