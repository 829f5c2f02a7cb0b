package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"fuyi/services/auth"
	"fuyi/services/errs"
	"fuyi/services/stats"
)

// statsRoutes registers the statistics, report and metric-definition routes
// (stats.go, reports.go, metrics.go).
func (s *Server) statsRoutes(authed *gin.RouterGroup) {
	authed.GET("/stats", s.getStats)
	authed.GET("/stats/breakdown", s.getBreakdown)
	s.reportRoutes(authed)
	s.metricRoutes(authed)
}

// organParam reads the optional organ query parameter; a malformed one is a
// 404 like any organ the caller is not granted.
func organParam(c *gin.Context, name string) (int64, bool) {
	v := c.Query(name)
	if v == "" {
		return 0, true
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		fail(c, errs.NotFound("organ", "机关"))
		return 0, false
	}
	return id, true
}

// scopeOf resolves the organs of a statistics request.
func scopeOf(c *gin.Context) ([]int64, bool) {
	organ, ok := organParam(c, "organ")
	if !ok {
		return nil, false
	}
	ids, err := stats.Scope(principalOf(c), organ)
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return ids, true
}

// periodOf reads from/to (default: the current calendar year, China time).
func (s *Server) periodOf(c *gin.Context) (stats.Period, bool) {
	y := s.now().In(time.FixedZone("CST", 8*3600)).Year()
	def := stats.YearPeriod(y)
	from, to := c.DefaultQuery("from", def.From), c.DefaultQuery("to", def.To)
	p, err := stats.ParsePeriod(from, to)
	if err != nil {
		fail(c, err)
		return stats.Period{}, false
	}
	return p, true
}

func (s *Server) getStats(c *gin.Context) {
	organs, ok := scopeOf(c)
	if !ok {
		return
	}
	p, ok := s.periodOf(c)
	if !ok {
		return
	}
	r, err := s.Stats.Report(c.Request.Context(), p, organs)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (s *Server) getBreakdown(c *gin.Context) {
	organs, ok := scopeOf(c)
	if !ok {
		return
	}
	p, ok := s.periodOf(c)
	if !ok {
		return
	}
	b, err := s.Stats.Breakdown(c.Request.Context(), c.Query("by"), p, organs, lang(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, b)
}

// statsRoles may lock reports and preview metrics.
var statsRoles = []string{auth.RoleReporter, auth.RoleManager, auth.RoleAdmin}
