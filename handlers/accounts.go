package handlers

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"ruggedlab/models"
)

// accountRoutes mounts login, logout, the account page and the accounts
// and audit API; only when the server has accounts.
func (s *Server) accountRoutes(r *gin.Engine, api *gin.RouterGroup) {
	if s.Auth == nil {
		return
	}
	r.GET("/login", s.showLogin)
	r.POST("/login", s.login)
	r.POST("/logout", s.logout)
	r.GET("/account", s.showAccount)

	api.GET("/me", s.me)
	api.GET("/accounts", s.listAccounts)
	// No idempotent here: a replayed answer would need the new token
	// stored in clear beside the key.
	api.POST("/accounts", s.requireJSON, s.createAccount)
	api.GET("/accounts/:name", s.getAccount)
	api.DELETE("/accounts/:name", s.removeAccount)
	api.GET("/audit", s.listAudit)
}

// me tells a script which account its token belongs to.
func (s *Server) me(c *gin.Context) {
	a, _ := account(c)
	c.JSON(http.StatusOK, a)
}

func (s *Server) listAccounts(c *gin.Context) {
	items, err := s.Store.Accounts(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, ""))
}

type newAccount struct {
	models.Account
	// Token is the account's API token, shown this once.
	Token string `json:"token"`
}

func (s *Server) createAccount(c *gin.Context) {
	var b struct {
		Name     string `json:"name"`
		Role     string `json:"role"`
		Password string `json:"password"`
	}
	if err := decodeStrict(body(c), &b); err != nil {
		s.fail(c, err)
		return
	}
	a, token, err := s.Store.CreateAccount(c.Request.Context(), b.Name, models.Role(b.Role), b.Password)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	created(c, "/api/v1/accounts/"+url.PathEscape(a.Name), newAccount{Account: a, Token: token})
}

func (s *Server) getAccount(c *gin.Context) {
	a, err := s.Store.Account(c.Request.Context(), c.Param("name"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (s *Server) removeAccount(c *gin.Context) {
	if err := s.Store.RemoveAccount(c.Request.Context(), c.Param("name")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
