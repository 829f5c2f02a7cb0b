package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"fuyi/services/auth"
	"fuyi/services/errs"
	"fuyi/services/stats"
)

func (s *Server) metricRoutes(authed *gin.RouterGroup) {
	authed.GET("/metrics/definitions", s.listMetricDefinitions)
	authed.POST("/metrics/definitions", requireRole(auth.RoleAdmin), s.createMetricDefinition)
	authed.PATCH("/metrics/definitions/:key", requireRole(auth.RoleAdmin), s.patchMetricDefinition)
	authed.POST("/metrics/preview", requireRole(statsRoles...), s.previewMetric)
}

func (s *Server) listMetricDefinitions(c *gin.Context) {
	defs, err := s.Stats.Definitions(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": defs})
}

func (s *Server) createMetricDefinition(c *gin.Context) {
	var req stats.DefinitionInput
	if !bindJSON(c, &req) {
		return
	}
	d, err := s.Stats.CreateDefinition(c.Request.Context(), req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, d)
}

func (s *Server) patchMetricDefinition(c *gin.Context) {
	var req stats.DefinitionPatch
	if !bindJSON(c, &req) {
		return
	}
	d, err := s.Stats.UpdateDefinition(c.Request.Context(), c.Param("key"), req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

type previewRequest struct {
	Definition *stats.Spec `json:"definition"`
	From       string      `json:"from"`
	To         string      `json:"to"`
	Organ      int64       `json:"organ"`
}

func (s *Server) previewMetric(c *gin.Context) {
	var req previewRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.Definition == nil {
		fail(c, errs.InvalidField("definition", "缺少公式", "definition is required"))
		return
	}
	organs, err := stats.Scope(principalOf(c), req.Organ)
	if err != nil {
		fail(c, err)
		return
	}
	p, err := stats.ParsePeriod(req.From, req.To)
	if err != nil {
		fail(c, err)
		return
	}
	m, err := s.Stats.Preview(c.Request.Context(), *req.Definition, p, organs)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}
