package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"fuyi/services/auth"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

type passwordChangeRequest struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

func (s *Server) authRoutes(public, authed *gin.RouterGroup) {
	public.POST("/auth/login", s.login)
	public.POST("/auth/refresh", s.refresh)
	public.POST("/auth/logout", s.logout)
	authed.GET("/me", s.me)
	authed.POST("/me/password", s.changePassword)
}

func client(c *gin.Context) auth.Client {
	return auth.Client{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
}

func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if !bindJSON(c, &req) {
		return
	}
	t, err := s.Auth.Login(c.Request.Context(), req.Username, req.Password, client(c))
	s.auditLogin(c, req.Username, t, err)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, t)
}

func (s *Server) refresh(c *gin.Context) {
	var req refreshRequest
	if !bindJSON(c, &req) {
		return
	}
	t, err := s.Auth.Refresh(c.Request.Context(), req.RefreshToken, client(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, t)
}

func (s *Server) logout(c *gin.Context) {
	var req refreshRequest
	if !bindJSON(c, &req) {
		return
	}
	if err := s.Auth.Logout(c.Request.Context(), req.RefreshToken); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) me(c *gin.Context) {
	u, err := s.Auth.Me(c.Request.Context(), principalOf(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, u)
}

func (s *Server) changePassword(c *gin.Context) {
	var req passwordChangeRequest
	if !bindJSON(c, &req) {
		return
	}
	if err := s.Auth.ChangeOwnPassword(c.Request.Context(), principalOf(c), req.OldPassword, req.NewPassword); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
