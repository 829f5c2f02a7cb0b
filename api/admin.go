package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"fuyi/services/auth"
	"fuyi/services/organs"
)

type passwordResetRequest struct {
	Password string `json:"password"`
}

func (s *Server) adminRoutes(authed *gin.RouterGroup) {
	authed.GET("/agencies", s.listAgencies)
	authed.GET("/organs", s.listOrgans)

	admin := authed.Group("/admin", requireRole(auth.RoleAdmin))
	admin.GET("/users", s.listUsers)
	admin.POST("/users", s.createUser)
	admin.PATCH("/users/:id", s.updateUser)
	admin.POST("/users/:id/password", s.resetPassword)
	admin.GET("/organs", s.listOrgans)
	admin.POST("/organs", s.createOrgan)
	admin.PATCH("/organs/:id", s.updateOrgan)
	admin.GET("/organs/:id/agencies", s.listOrganAgencies)
	authed.POST("/admin/organs/:id/agencies", requireRole(auth.RoleAdmin, auth.RoleManager), s.createAgency)
}

func (s *Server) listAgencies(c *gin.Context) {
	var organID int64
	if v := c.Query("organ"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			organID = -1
		} else {
			organID = id
		}
	}
	as, err := s.Organs.Agencies(c.Request.Context(), principalOf(c), organID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, as)
}

func (s *Server) listOrganAgencies(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	as, err := s.Organs.Agencies(c.Request.Context(), principalOf(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, as)
}

func (s *Server) createAgency(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var in organs.AgencyInput
	if !bindJSON(c, &in) {
		return
	}
	a, err := s.Organs.CreateAgency(c.Request.Context(), principalOf(c), id, in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, a)
}

func (s *Server) listOrgans(c *gin.Context) {
	os, err := s.Organs.List(c.Request.Context(), principalOf(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, os)
}

func (s *Server) createOrgan(c *gin.Context) {
	var in organs.OrganInput
	if !bindJSON(c, &in) {
		return
	}
	o, err := s.Organs.Create(c.Request.Context(), in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, o)
}

func (s *Server) updateOrgan(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var in organs.OrganInput
	if !bindJSON(c, &in) {
		return
	}
	o, err := s.Organs.Update(c.Request.Context(), id, in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, o)
}

func (s *Server) listUsers(c *gin.Context) {
	us, err := s.Auth.ListUsers(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, us)
}

func (s *Server) createUser(c *gin.Context) {
	var in auth.NewUser
	if !bindJSON(c, &in) {
		return
	}
	u, err := s.Auth.CreateUser(c.Request.Context(), in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, u)
}

func (s *Server) updateUser(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var in auth.UserPatch
	if !bindJSON(c, &in) {
		return
	}
	u, err := s.Auth.UpdateUser(c.Request.Context(), id, in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (s *Server) resetPassword(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var in passwordResetRequest
	if !bindJSON(c, &in) {
		return
	}
	if err := s.Auth.SetPassword(c.Request.Context(), id, in.Password, true); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
