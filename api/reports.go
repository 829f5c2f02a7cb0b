package api

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"strconv"

	"github.com/gin-gonic/gin"

	"fuyi/services/auth"
	"fuyi/services/errs"
	"fuyi/services/report"
)

func (s *Server) reportRoutes(authed *gin.RouterGroup) {
	authed.GET("/reports/yearly", s.getYearlyReport)
	authed.GET("/reports/locks", s.listLocks)
	authed.POST("/reports/locks", requireRole(statsRoles...), s.createLock)
	authed.GET("/reports/locks/:id/snapshot", s.getLockSnapshot)
	authed.DELETE("/reports/locks/:id", requireRole(auth.RoleAdmin), s.deleteLock)
}

func (s *Server) getYearlyReport(c *gin.Context) {
	organs, ok := scopeOf(c)
	if !ok {
		return
	}
	year, err := strconv.Atoi(c.Query("year"))
	if err != nil {
		fail(c, errs.InvalidField("year", "年份无效", "invalid year"))
		return
	}
	format := c.DefaultQuery("format", "json")
	if err := report.CheckFormat(format); err != nil {
		fail(c, err)
		return
	}
	// Rendered completely before the first byte is sent, so that an error
	// still gets the JSON envelope: the small formats in memory, the
	// spreadsheets (a million-row year is ~60 MB of XLSX) in a temporary
	// file that is then streamed, so the server's memory stays bounded.
	if format == "json" || format == "md" {
		var buf bytes.Buffer
		if err := report.New(s.Stats).Render(c.Request.Context(), &buf, format, year, organs, lang(c)); err != nil {
			fail(c, err)
			return
		}
		if format != "json" {
			c.Header("Content-Disposition", `attachment; filename="`+report.Filename(format, year)+`"`)
		}
		c.Data(http.StatusOK, report.ContentType(format), buf.Bytes())
		return
	}
	f, err := os.CreateTemp("", "fuyi-report-*")
	if err != nil {
		fail(c, errs.Internal(err))
		return
	}
	defer func() { f.Close(); os.Remove(f.Name()) }()
	if err := report.New(s.Stats).Render(c.Request.Context(), f, format, year, organs, lang(c)); err != nil {
		fail(c, err)
		return
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		fail(c, errs.Internal(err))
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+report.Filename(format, year)+`"`)
	c.DataFromReader(http.StatusOK, size, report.ContentType(format), f, nil)
}

func (s *Server) listLocks(c *gin.Context) {
	organs, ok := scopeOf(c)
	if !ok {
		return
	}
	locks, err := s.Stats.Locks(c.Request.Context(), organs)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": locks})
}

type lockRequest struct {
	OrganID int64  `json:"organ_id"`
	Year    int    `json:"year"`
	Reason  string `json:"reason"`
}

func (s *Server) createLock(c *gin.Context) {
	var req lockRequest
	if !bindJSON(c, &req) {
		return
	}
	p := principalOf(c)
	if req.OrganID == 0 && len(p.OrganIDs) == 1 {
		req.OrganID = p.OrganIDs[0]
	}
	l, err := s.Stats.Lock(c.Request.Context(), p, req.OrganID, req.Year, req.Reason)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, l)
}

func (s *Server) getLockSnapshot(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	r, err := s.Stats.LockSnapshot(c.Request.Context(), principalOf(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (s *Server) deleteLock(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req struct {
		Reason string `json:"reason"`
	}
	req.Reason = c.Query("reason")
	if c.Request.ContentLength > 0 && !bindJSON(c, &req) {
		return
	}
	if err := s.Stats.Unlock(c.Request.Context(), principalOf(c), id, req.Reason); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
